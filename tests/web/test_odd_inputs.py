"""Every GET route, fed the odd values people, scripts and crawlers send, answers without a server
error on both backends: each path parameter and each query parameter in turn gets each value."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import quote

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from tests.factories import add_papers, make_paper

ODD = [
    "", " ", "\x00", "a\x00b", "x" * 3000, "\u00e9\ufffd", "\U0001f600", "-1", "99999999999999999999", "2147483648",
    "2024-99-99", "2026-W99", "../../etc/passwd", "<script>alert(1)</script>", "'; DROP TABLE papers; --",
    "2606.00001v999", "%", "\\", "[[[[[[[", "NaN",
    # Digits int() refuses: past 4,300 of them, and ones str.isdigit() takes ("²").
    "2606.00001v" + "9" * 4400, "\u00b2",
]
# Query parameters are many (~150 across the routes), so they get the values most likely to break
# something that a path value does not already cover: NUL, length, numbers past 32/64 bits, dates.
QUERY_ODD = ["\x00", "x" * 3000, "\u00e9\ufffd", "-1", "99999999999999999999", "2147483648", "2024-99-99", "[[[[[[["]
_PARAM = re.compile(r"{([a-z_]+)(?::path)?}")


def _get_routes(app) -> list[APIRoute]:  # type: ignore[no-untyped-def]
    return [r for r in app.routes if isinstance(r, APIRoute) and "GET" in r.methods]


def _fill(path: str, value: str | None) -> str:
    """The route's path with every parameter set to ``value`` (quoted), or to a plain word."""
    return _PARAM.sub(lambda m: quote(value, safe="") if value is not None else "x", path)


def test_no_get_route_answers_a_server_error_for_odd_input(app, db):
    add_papers(db, (make_paper("2606.00001", title="Graph networks"), date(2026, 6, 3)),
               (make_paper("2606.00002", categories=("cs.CL",)), date(2026, 6, 3)))
    failures: list[str] = []
    sent = 0
    with TestClient(app, raise_server_exceptions=False) as client:
        for route in _get_routes(app):
            queries = sorted({p.alias for p in route.dependant.query_params})
            requests = [(_fill(route.path, value), None) for value in ODD if _PARAM.search(route.path)]
            requests += [(_fill(route.path, None), {name: value}) for name in queries for value in QUERY_ODD]
            for url, params in requests:
                r = client.get(url, params=params, follow_redirects=False)
                sent += 1
                if r.status_code >= 500:
                    failures.append(f"{r.status_code} GET {url[:200]} {str(params)[:200]}: {r.text[:160]!r}")
    assert sent > 1000  # the sweep reached the routes
    assert not failures, f"{len(failures)} of {sent}:\n" + "\n".join(failures[:40])


def test_a_nul_character_in_a_form_or_json_body_is_refused_and_nothing_is_stored(client, db):
    # PostgreSQL cannot hold text with NUL; SQLite could. Both refuse it alike, with the reason.
    from tests.community.conftest import post, sign_in

    add_papers(db, (make_paper("2606.00001"), date(2026, 6, 3)))
    sign_in(client, "ada@example.org")
    for url, data in [
        ("/collections", {"name": "Reading\x00list"}),
        ("/me/interests/follow", {"kind": "query", "value": "graph\x00networks"}),
        ("/comments", {"arxiv_id": "2606.00001", "body": "Nice\x00"}),
        ("/profile/tokens", {"name": "laptop\x00", "scope": "read"}),
        ("/collections/save", {"arxiv_id": "2606.00001", "collection": "\x00"}),
    ]:
        r = post(client, url, data)
        assert r.status_code == 400 and "NUL character" in r.text, (url, r.status_code, r.text[:200])
    with db.read() as conn:
        for table in ("collections", "rec_follows", "comments", "api_tokens"):
            assert conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one() == 0, table
    r = client.post("/email/bounces", json={"email": "a\x00@b.org", "kind": "hard"})
    assert r.status_code < 500


def test_periods_at_the_end_of_the_calendar_are_a_clear_error_on_pages_feeds_and_apis(client, db):
    # These were 500s: the week or month around 9999-12-31, or the day after it (where a trending
    # list is scored), is past the last date Python's calendar holds.
    add_papers(db, (make_paper("2606.00001"), date(2026, 6, 3)))
    for url, status in [
        ("/papers/week/9999-W52", 404), ("/papers/month/9999-12", 404), ("/papers/date/9999-12-31", 404),
        ("/api/v1/weeks/9999-W52", 404), ("/api/v1/months/9999-12", 404),
        ("/api/v1/daily/9999-12-31?sort=trending", 422), ("/api/daily_papers?date=9999-12-31&sort=trending", 400),
        ("/api/daily_papers?month=9999-12", 400), ("/feeds/weekly.rss?week=9999-W52", 422),
        ("/feeds/monthly.atom?month=9999-12", 422),
    ]:
        r = client.get(url)
        assert r.status_code == status and "0001 to 9998" in r.text, (url, r.status_code, r.text[:200])
    assert client.get("/papers/week/9998-W52").status_code == 200
    assert client.get("/api/v1/months/9998-12").json()["last"] == "9998-12-31"

"""/api/daily_papers parameters: periods, sorting, submitters, limits and clear errors."""

from __future__ import annotations

from datetime import date

import pytest

from papertide.domain.papers import Listing
from papertide.ingest.bulk import import_records
from tests.factories import make_paper


def ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    return [item["paper"]["id"] for item in response.json()]


@pytest.fixture
def days(db):
    rows = [
        (make_paper("2606.00001", upvotes_baseline=5, published=date(2026, 5, 30)), date(2026, 6, 1), "alice"),
        (make_paper("2606.00002", upvotes_baseline=50, published=date(2026, 5, 20)), date(2026, 6, 1), "bob"),
        (make_paper("2606.00003", upvotes_baseline=20, published=date(2026, 6, 2)), date(2026, 6, 3), "alice"),
        (make_paper("2605.00009", upvotes_baseline=90, published=date(2026, 5, 1)), date(2026, 5, 15), None),
    ]
    import_records(db, [(p, Listing(p.arxiv_id, d, None, who)) for p, d, who in rows])


def test_periods_and_the_latest_day(client, days):
    assert ids(client.get("/api/daily_papers")) == ["2606.00003"]
    assert ids(client.get("/api/daily_papers?date=2026-06-01")) == ["2606.00002", "2606.00001"]
    assert ids(client.get("/api/daily_papers?week=2026-W23")) == ["2606.00002", "2606.00003", "2606.00001"]
    assert ids(client.get("/api/daily_papers?month=2026-05")) == ["2605.00009"]
    assert ids(client.get("/api/daily_papers?date=2026-06-02")) == []


def test_sort_and_submitter(client, days):
    assert ids(client.get("/api/daily_papers?week=2026-W23&sort=publishedAt")) == ["2606.00003", "2606.00001", "2606.00002"]
    # as of the end of 2026-06-03: 20/(24+2)^1.5 > 50/(72+2)^1.5 > 5/(72+2)^1.5
    assert ids(client.get("/api/daily_papers?week=2026-W23&sort=trending")) == ["2606.00003", "2606.00002", "2606.00001"]
    assert ids(client.get("/api/daily_papers?week=2026-W23&submitter=alice")) == ["2606.00003", "2606.00001"]
    assert ids(client.get("/api/daily_papers?week=2026-W23&submitter=nobody")) == []


def test_limit_above_100_is_clamped_and_paging_works(client, db):
    day = date(2026, 6, 1)
    import_records(db, [(make_paper(f"2606.{i:05d}", upvotes_baseline=i), Listing(f"2606.{i:05d}", day)) for i in range(1, 131)])
    first = client.get("/api/daily_papers?date=2026-06-01&limit=500")
    assert len(ids(first)) == 100 and 'p=1>; rel="next"' in first.headers["link"]
    assert len(ids(client.get("/api/daily_papers?date=2026-06-01&limit=500&p=1"))) == 30
    assert ids(client.get("/api/daily_papers?date=2026-06-01&limit=2&p=1")) == ["2606.00128", "2606.00127"]


def test_the_next_page_link_names_this_site_whatever_host_a_request_claims(client, days):
    # The answer is kept and served to everyone asking for this path and query, so a Host header
    # chosen by one client must not decide where every other client's next page comes from.
    base = client.app.state.services.settings.base_url.rstrip("/")
    forged = client.get("/api/daily_papers?week=2026-W23&limit=1", headers={"Host": "evil.example"})
    honest = client.get("/api/daily_papers?week=2026-W23&limit=1")
    for r in (forged, honest):
        assert r.headers["link"] == f'<{base}/api/daily_papers?week=2026-W23&limit=1&p=1>; rel="next"'


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date=2026-02-30", "date: not a date (expected YYYY-MM-DD): '2026-02-30'"),
        ("date=yesterday", "date: not a date (expected YYYY-MM-DD): 'yesterday'"),
        ("week=2026-W99", "week: no such ISO week: '2026-W99'"),
        ("month=2026-13", "month: not a month (expected YYYY-MM): '2026-13'"),
        ("date=2026-06-01&week=2026-W23", "give at most one of date, week and month"),
        ("sort=random", None),
        ("limit=0", None),
        ("p=-1", None),
    ],
)
def test_bad_parameters_are_400_with_hf_s_string_error(client, days, query, message):
    r = client.get(f"/api/daily_papers?{query}")
    assert r.status_code == 400
    body = r.json()
    assert set(body) == {"error"} and isinstance(body["error"], str) and body["error"]
    if message:
        assert body == {"error": message}


def test_unknown_papers_and_empty_database(client):
    assert client.get("/api/daily_papers").json() == []
    assert client.get("/api/papers/search?q=").json() == []
    r = client.get("/api/papers/2606.99999")
    assert r.status_code == 404 and r.json() == {"error": "no such paper: 2606.99999"}
    assert client.get("/api/papers/not-an-id").json() == {"error": "no such paper: 'not-an-id'"}
    wrong_method = client.post("/api/daily_papers")
    assert wrong_method.status_code == 405 and isinstance(wrong_method.json()["error"], str)
    # The REST API keeps its own documented shape.
    assert client.get("/api/v1/papers/2606.99999").json() == {"error": {"code": 404, "message": "no such paper: 2606.99999"}}

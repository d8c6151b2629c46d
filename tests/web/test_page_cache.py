"""The anonymous page cache through the real app, on SQLite and PostgreSQL: hits skip the
database, every kind of change shows on the next request (also when another process, with
its own engine, made it), signed-in people never get a shared page, and HTTP caching
headers (ETag, Last-Modified, Cache-Control, 304) are right."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from papertide.storage.db import Database
from papertide.web.security import HEADERS as SECURITY_HEADERS
from tests.community.conftest import post, sign_in
from tests.factories import add_papers, app_for, make_paper
from tests.plans import statements

DAY = date(2026, 6, 9)
PAGES = ("/", "/trending", "/about", "/papers/2606.00001", "/papers/date/2026-06-09", "/papers/week/2026-W24",
         "/papers/month/2026-06", "/feeds/daily.rss", "/feeds/trending.atom", "/papers", "/papers/trending",
         "/authors/Ada Lovelace", "/categories/cs.LG", "/feeds/author/Ada Lovelace.rss", "/feeds/weekly.atom")


@pytest.fixture
def listed(db: Database) -> Database:
    add_papers(db, (make_paper("2606.00001", title="Listed paper", upvotes_baseline=5, published=DAY), DAY))
    return db


@pytest.fixture
def other_process(settings, listed) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    """A second app on the same database with its own engine and cache: another web process."""
    other_db = Database(listed.url)
    with TestClient(app_for(settings, other_db)) as c:
        yield c
    other_db.dispose()


def anonymous(client: TestClient, path: str, **kw):  # type: ignore[no-untyped-def]
    client.cookies.clear()
    return client.get(path, **kw)


def test_repeated_anonymous_requests_are_answered_without_touching_the_database(client, listed):
    for path in PAGES:
        with statements(listed) as first_sql:
            first = anonymous(client, path)
        with statements(listed) as second_sql:
            second = anonymous(client, path)
        assert (first.status_code, second.status_code) == (200, 200), path
        assert first_sql and not second_sql, path
        assert second.content == first.content and second.headers["etag"] == first.headers["etag"], path


def test_a_vote_listing_comment_and_paper_edit_made_by_another_process_show_on_the_next_request(
    client, listed, other_process
):
    assert '<span class="count">5</span>' in anonymous(client, "/papers/2606.00001").text
    assert "Listed paper" in anonymous(client, "/").text
    sign_in(other_process, "voter@example.org")

    post(other_process, "/vote/2606.00001", {"state": "on"})
    assert '<span class="count">6</span>' in anonymous(client, "/papers/2606.00001").text
    assert '<span class="count">6</span>' in anonymous(client, "/").text

    add_papers(other_process.app.state.services.db, (make_paper("2606.00007", title="Newly listed", published=DAY), DAY))
    assert "Newly listed" in anonymous(client, "/").text
    assert "Newly listed" in anonymous(client, "/feeds/daily.rss").text

    post(other_process, "/comments", {"arxiv_id": "2606.00001", "body": "A comment from elsewhere"})
    assert "A comment from elsewhere" in anonymous(client, "/papers/2606.00001").text

    add_papers(other_process.app.state.services.db, make_paper("2606.00001", title="Retitled paper", published=DAY))
    assert "Retitled paper" in anonymous(client, "/papers/2606.00001").text
    assert "Retitled paper" in anonymous(client, "/trending").text


def test_signed_in_people_see_their_own_votes_and_never_a_shared_page(app, listed):
    anon, ada, bob = TestClient(app), TestClient(app), TestClient(app)
    cached = anon.get("/papers/2606.00001")
    assert "Sign in to upvote" in cached.text and "Sign out" not in cached.text
    sign_in(ada, "ada@example.org")
    sign_in(bob, "bob@example.org")
    post(ada, "/vote/2606.00001", {"state": "on"})

    mine = ada.get("/papers/2606.00001")
    assert 'aria-pressed="true"' in mine.text and "Sign out" in mine.text
    assert mine.headers["cache-control"] == "private, no-store" and "etag" not in mine.headers
    theirs = bob.get("/papers/2606.00001")
    assert 'aria-pressed="false"' in theirs.text and "Remove your upvote" not in theirs.text
    assert '<span class="count">6</span>' in theirs.text and "Sign out" in theirs.text
    again = anon.get("/papers/2606.00001")
    assert "Sign out" not in again.text and 'aria-pressed="true"' not in again.text
    assert '<span class="count">6</span>' in again.text


def test_matching_validators_get_304_and_a_change_gets_a_new_etag(client, listed):
    first = anonymous(client, "/trending")
    assert first.headers["cache-control"] == "public, max-age=5, stale-while-revalidate=60"
    assert first.headers["vary"] == "Cookie, HX-Request" and first.headers["last-modified"].endswith(" GMT")
    same = anonymous(client, "/trending", headers={"if-none-match": first.headers["etag"]})
    assert same.status_code == 304 and same.content == b""
    assert same.headers["etag"] == first.headers["etag"]
    time.sleep(1.05 - time.time() % 1)  # Last-Modified names the second after the rendering once it has come
    dated = anonymous(client, "/trending")
    assert dated.content == first.content
    assert anonymous(client, "/trending", headers={"if-modified-since": dated.headers["last-modified"]}).status_code == 304
    assert anonymous(client, "/trending", headers={"if-none-match": 'W/"other"'}).status_code == 200

    add_papers(client.app.state.services.db, (make_paper("2606.00008", title="Another", published=DAY), DAY))
    changed = anonymous(client, "/trending", headers={"if-none-match": first.headers["etag"]})
    assert changed.status_code == 200 and changed.headers["etag"] != first.headers["etag"]


def test_a_change_within_the_second_of_a_copy_is_not_answered_304_to_if_modified_since(client, listed):
    # HTTP dates have one-second resolution: a copy dated 12:00:00 and a page changed at 12:00:00.6
    # carry the same date, and comparing whole seconds answered 304 with the old copy kept.
    for attempt in range(5):
        time.sleep(1.02 - time.time() % 1)  # start just after a second begins, so all of this fits in it
        second = int(time.time())
        before = anonymous(client, "/trending")
        add_papers(client.app.state.services.db, (make_paper(f"2606.0002{attempt}", title=f"New {attempt}",
                                                             published=DAY), DAY))
        after = anonymous(client, "/trending", headers={"if-modified-since": before.headers["last-modified"]})
        if int(time.time()) == second:
            break
    else:
        pytest.skip("the machine is too slow to render twice within one second")
    assert before.headers["last-modified"] == after.headers["last-modified"]  # the same second, as HTTP dates go
    assert after.status_code == 200 and f"New {attempt}" in after.text
    # Once the second is over, the copy gets a date that proves it current.
    time.sleep(1.05 - time.time() % 1)
    current = anonymous(client, "/trending")
    assert current.content == after.content and current.headers["last-modified"] != after.headers["last-modified"]
    again = anonymous(client, "/trending", headers={"if-modified-since": current.headers["last-modified"]})
    assert again.status_code == 304 and again.headers["last-modified"] == current.headers["last-modified"]


def test_cache_hits_keep_security_headers_and_hand_out_no_cookies(client, listed):
    anonymous(client, "/")
    for path in ("/", "/papers/2606.00001"):
        client.cookies.clear()
        client.cookies.set("pt_csrf", "a-visitor-cookie-value-0123456789")  # someone who has one already
        hits = [client.get(path), anonymous(client, path)]
        for r in hits:
            assert "set-cookie" not in r.headers
            assert "csrf_token" not in r.text  # a per-visitor token must never sit in a shared page
            assert {k.decode(): v.decode() for k, v in SECURITY_HEADERS}.items() <= r.headers.items()


def test_with_the_cache_off_pages_run_as_before(settings, listed):
    client = TestClient(app_for(settings.model_copy(update={"page_cache_seconds": 0}), listed))
    r = client.get("/")
    assert "etag" not in r.headers and "cache-control" not in r.headers
    assert "pt_csrf=" in r.headers["set-cookie"]
    with statements(listed) as sql:
        client.get("/")
    assert sql


def test_a_stopped_app_leaves_no_database_session_open(app, listed):
    """Services handed in (as tests and embedders do) outlive the app, but the generation read's
    own connection is the app's: it closes when the app stops, so nothing holds the database
    once the engine is disposed (a DROP DATABASE would otherwise wait on that session)."""
    if listed.dialect != "postgresql":
        pytest.skip("counted through PostgreSQL's pg_stat_activity")
    with TestClient(app) as c:
        assert anonymous(c, "/").status_code == 200
    listed.dispose()
    observer = Database(listed.url)
    sql = sa.text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
    try:
        deadline = time.monotonic() + 5  # a closed session's backend leaves the view a moment later
        with observer.read() as conn:
            while (left := conn.execute(sql).scalar_one()) and time.monotonic() < deadline:
                time.sleep(0.02)
                conn.rollback()  # a fresh snapshot of the statistics
        assert left == 0
    finally:
        observer.dispose()

"""The API response cache: kept until the data changes (whichever process changed it), and ETags."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from papertide.api.cache import etag_matches, weak_etag
from papertide.domain.papers import Listing
from papertide.ingest.bulk import import_records
from papertide.storage.db import Database
from tests.community.conftest import sign_in
from tests.factories import app_for, make_paper
from tests.web.test_page_cache import statements


def _add(db, arxiv_id: str, upvotes: int) -> None:  # type: ignore[no-untyped-def]
    p = make_paper(arxiv_id, title=f"Graph paper {arxiv_id}", upvotes_baseline=upvotes)
    import_records(db, [(p, Listing(arxiv_id, date(2026, 6, 1)))])


def test_cached_lists_are_served_until_the_data_changes(settings, db):
    _add(db, "2606.00001", 1)
    cached = TestClient(app_for(settings.model_copy(update={"api_cache_seconds": 60}), db))
    fresh = TestClient(app_for(settings.model_copy(update={"api_cache_seconds": 0}), db))
    first = cached.get("/api/daily_papers?date=2026-06-01")
    assert first.headers["cache-control"] == "public, max-age=60"
    with statements(db) as sql:
        assert cached.get("/api/daily_papers?date=2026-06-01").content == first.content
    assert sql == []  # answered from memory
    _add(db, "2606.00002", 5)
    assert len(cached.get("/api/daily_papers?date=2026-06-01").json()) == 2  # a change drops it at once
    assert len(fresh.get("/api/daily_papers?date=2026-06-01").json()) == 2  # no cache: always current
    assert "cache-control" not in fresh.get("/api/daily_papers?date=2026-06-01").headers
    # Errors and per-user endpoints are never stored.
    assert cached.get("/api/daily_papers?date=bad").status_code == 400
    assert cached.get("/api/v1/me").status_code == 401


def test_api_votes_comments_and_listings_show_on_the_next_read_in_every_process(settings, db, client):
    """Writes through the API (this app) must not leave another process's cached reads stale."""
    _add(db, "2606.00001", 5)
    user = sign_in(client, "bot-owner@example.org")
    auth = {"Authorization": f"Bearer {client.app.state.services.tokens.create_for_user(user.id, 'write', 'bot').secret}"}
    other_db = Database(db.url)  # another web process: its own engine and its own cache
    reader = TestClient(app_for(settings.model_copy(update={"api_cache_seconds": 60}), other_db))
    paper, hf_paper, day = "/api/v1/papers/2606.00001", "/api/papers/2606.00001", "/api/v1/daily/2026-06-01"
    comments, hf_day = f"{paper}/comments", "/api/daily_papers?date=2026-06-01"
    for url in (paper, hf_paper, day, comments, hf_day):  # each now in the reader's cache
        assert reader.get(url).headers["cache-control"] == "public, max-age=60", url

    assert client.put(f"{paper}/vote", headers=auth).json()["upvotes"] == 6
    assert (reader.get(paper).json()["upvotes"], reader.get(hf_paper).json()["upvotes"]) == (6, 6)
    assert [i["upvotes"] for i in reader.get(day).json()["items"]] == [6]

    assert client.post(comments, headers=auth, json={"body": "Fresh comment"}).status_code == 201
    assert [c["body"] for c in reader.get(comments).json()["items"]] == ["Fresh comment"]
    assert reader.get(hf_day).json()[0]["numComments"] == 1

    _add(db, "2606.00002", 9)  # a listing, as an import or a curator would add it
    assert reader.get(day).json()["total"] == 2
    other_db.dispose()


def test_etag_comparison_is_weak_and_understands_lists():
    tag = weak_etag(b"body")
    assert etag_matches(tag, tag) and etag_matches(tag.removeprefix("W/"), tag)
    assert etag_matches(f'"x", {tag}', tag) and etag_matches("*", tag)
    assert not etag_matches('W/"other"', tag)

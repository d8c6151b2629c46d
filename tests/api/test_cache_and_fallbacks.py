"""The response cache's TTL, and the API without a search service (title fallback, 501 for similar)."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from papertide.api.cache import etag_matches, weak_etag
from papertide.api.search_port import TitleSearch
from papertide.api.service import ApiService
from papertide.app import create_app
from papertide.domain.papers import Listing
from papertide.ingest.bulk import import_records
from tests.factories import make_paper


def _add(db, arxiv_id: str, upvotes: int) -> None:  # type: ignore[no-untyped-def]
    p = make_paper(arxiv_id, title=f"Graph paper {arxiv_id}", upvotes_baseline=upvotes)
    import_records(db, [(p, Listing(arxiv_id, date(2026, 6, 1)))])


def test_cached_lists_are_served_until_the_ttl_passes(settings, db):
    _add(db, "2606.00001", 1)
    cached = TestClient(create_app(settings.model_copy(update={"api_cache_seconds": 60}), db=db))
    fresh = TestClient(create_app(settings.model_copy(update={"api_cache_seconds": 0}), db=db))
    first = cached.get("/api/daily_papers?date=2026-06-01")
    assert first.headers["cache-control"] == "public, max-age=60"
    _add(db, "2606.00002", 5)
    assert cached.get("/api/daily_papers?date=2026-06-01").content == first.content  # within the TTL
    assert len(fresh.get("/api/daily_papers?date=2026-06-01").json()) == 2  # no cache: always current
    assert "cache-control" not in fresh.get("/api/daily_papers?date=2026-06-01").headers
    # Errors and per-user endpoints are never stored.
    assert cached.get("/api/daily_papers?date=bad").status_code == 422
    assert cached.get("/api/v1/me").status_code == 401


def test_etag_comparison_is_weak_and_understands_lists():
    tag = weak_etag(b"body")
    assert etag_matches(tag, tag) and etag_matches(tag.removeprefix("W/"), tag)
    assert etag_matches(f'"x", {tag}', tag) and etag_matches("*", tag)
    assert not etag_matches('W/"other"', tag)


@pytest.fixture
def no_search_client(app, db):  # type: ignore[no-untyped-def]
    # An instance without the search capability: the API falls back to title matching.
    app.state.api = ApiService(db, app.state.catalog, search=lambda: TitleSearch(db))
    with TestClient(app) as c:
        yield c


def test_without_a_search_service_search_falls_back_and_similar_is_501(no_search_client, db):
    _add(db, "2606.00001", 1)
    _add(db, "2606.00002", 9)
    body = no_search_client.get("/api/v1/search?q=GRAPH%20paper").json()
    assert body["backend"] == "title-substring"
    assert [i["arxiv_id"] for i in body["items"]] == ["2606.00002", "2606.00001"]
    assert [p["paper"]["id"] for p in no_search_client.get("/api/papers/search?q=graph").json()] == [
        "2606.00002", "2606.00001"]
    assert no_search_client.get("/api/v1/search?q=100%25").json()["items"] == []  # LIKE wildcards are literal
    r = no_search_client.get("/api/v1/papers/2606.00001/similar")
    assert r.status_code == 501 and "search service" in r.json()["error"]["message"]
    page = no_search_client.get("/api/v1/search?q=graph&limit=1").json()
    assert page["next_cursor"] is not None
    rest = no_search_client.get(f"/api/v1/search?q=graph&limit=1&cursor={page['next_cursor']}").json()
    assert [i["arxiv_id"] for i in rest["items"]] == ["2606.00001"] and rest["next_cursor"] is None

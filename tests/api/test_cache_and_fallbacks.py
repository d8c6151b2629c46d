"""The response cache's TTL and ETag comparison."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient

from papertide.api.cache import etag_matches, weak_etag
from papertide.domain.papers import Listing
from papertide.ingest.bulk import import_records
from tests.factories import app_for, make_paper


def _add(db, arxiv_id: str, upvotes: int) -> None:  # type: ignore[no-untyped-def]
    p = make_paper(arxiv_id, title=f"Graph paper {arxiv_id}", upvotes_baseline=upvotes)
    import_records(db, [(p, Listing(arxiv_id, date(2026, 6, 1)))])


def test_cached_lists_are_served_until_the_ttl_passes(settings, db):
    _add(db, "2606.00001", 1)
    cached = TestClient(app_for(settings.model_copy(update={"api_cache_seconds": 60}), db))
    fresh = TestClient(app_for(settings.model_copy(update={"api_cache_seconds": 0}), db))
    first = cached.get("/api/daily_papers?date=2026-06-01")
    assert first.headers["cache-control"] == "public, max-age=60"
    _add(db, "2606.00002", 5)
    assert cached.get("/api/daily_papers?date=2026-06-01").content == first.content  # within the TTL
    assert len(fresh.get("/api/daily_papers?date=2026-06-01").json()) == 2  # no cache: always current
    assert "cache-control" not in fresh.get("/api/daily_papers?date=2026-06-01").headers
    # Errors and per-user endpoints are never stored.
    assert cached.get("/api/daily_papers?date=bad").status_code == 400
    assert cached.get("/api/v1/me").status_code == 401


def test_etag_comparison_is_weak_and_understands_lists():
    tag = weak_etag(b"body")
    assert etag_matches(tag, tag) and etag_matches(tag.removeprefix("W/"), tag)
    assert etag_matches(f'"x", {tag}', tag) and etag_matches("*", tag)
    assert not etag_matches('W/"other"', tag)

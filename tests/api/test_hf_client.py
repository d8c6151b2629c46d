"""The real ``huggingface_hub`` client (PyPI) against a live papertide on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import BadRequestError, HfHubHTTPError

from papertide.domain.papers import Listing
from papertide.ingest.bulk import import_records
from tests.api.conftest import HF_DAY, hf_items, import_hf_day, serve
from tests.factories import make_paper


@pytest.fixture
def hf_server(live_sqlite, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    settings, db = live_sqlite
    import_hf_day(db, hf_items())
    # Two more days of the same ISO week (2025-W23), so paging through the week crosses days.
    extra = [
        (make_paper(f"2506.{i:05d}", title=f"Week paper {i}", upvotes_baseline=i, published=date(2025, 6, 1)),
         Listing(f"2506.{i:05d}", date(2025, 6, 3 + i % 2), i, "week-bot"))
        for i in range(1, 8)
    ]
    import_records(db, extra)
    with serve(settings, db) as url:
        yield url
    db.dispose()


def test_hf_client_lists_a_day_with_the_recorded_ids_titles_authors_and_upvotes(hf_server):
    api = HfApi(endpoint=hf_server, token=False)
    recorded = hf_items()
    got = list(api.list_daily_papers(date=HF_DAY.isoformat()))
    assert [(p.id, p.title, p.upvotes) for p in got] == [
        (r["paper"]["id"], r["title"], r["paper"]["upvotes"] or None) for r in recorded
    ]
    assert [[a.name for a in p.authors or []] for p in got] == [[a["name"] for a in r["paper"]["authors"]] for r in recorded]
    first = got[0]
    assert first.published_at == datetime.fromisoformat(recorded[0]["paper"]["publishedAt"][:10]).replace(tzinfo=UTC)
    assert first.submitted_at == datetime(2025, 6, 2, tzinfo=UTC)
    assert first.submitted_by is not None and first.submitted_by.fullname == recorded[0]["submittedBy"]["name"]
    assert first.summary == recorded[0]["paper"]["summary"]
    assert first.comments == recorded[0]["numComments"]


def test_hf_client_pages_through_a_week(hf_server):
    api = HfApi(endpoint=hf_server, token=False)
    seen: list[str] = []
    for page in range(20):
        batch = [p.id for p in api.list_daily_papers(week="2025-W23", limit=6, p=page)]
        if not batch:
            break
        assert len(batch) <= 6
        seen += batch
    assert len(seen) == len(set(seen)) == 27
    assert set(seen) == {r["paper"]["id"] for r in hf_items()} | {f"2506.{i:05d}" for i in range(1, 8)}
    by_submitter = [p.id for p in api.list_daily_papers(week="2025-W23", submitter="week-bot")]
    assert by_submitter == [f"2506.{i:05d}" for i in range(7, 0, -1)]


def test_hf_client_paper_info_and_search(hf_server):
    api = HfApi(endpoint=hf_server, token=False)
    recorded = hf_items()[3]
    info = api.paper_info(recorded["paper"]["id"])
    assert (info.id, info.title, info.upvotes) == (recorded["paper"]["id"], recorded["title"], recorded["paper"]["upvotes"])
    assert [a.name for a in info.authors or []] == [a["name"] for a in recorded["paper"]["authors"]]
    assert info.published_at is not None and info.published_at.date().isoformat() == recorded["paper"]["publishedAt"][:10]
    assert info.submitted_at == datetime(2025, 6, 2, tzinfo=UTC)
    # A distinctive title word finds the paper through /api/papers/search.
    word = max(recorded["title"].replace(":", " ").split(), key=len)
    found = list(api.list_papers(query=word, limit=10))
    assert recorded["paper"]["id"] in [p.id for p in found]
    assert all(p.title for p in found)
    with pytest.raises(HfHubHTTPError) as exc:
        api.paper_info("2506.99999")
    assert exc.value.response.status_code == 404


def test_hf_client_reports_our_error_messages_as_the_server_s(hf_server):
    # hf_raise_for_status reads a string "error" (huggingface.co's shape) as the server's message.
    api = HfApi(endpoint=hf_server, token=False)
    with pytest.raises(HfHubHTTPError) as missing:
        api.paper_info("2506.99999")
    assert missing.value.server_message == "no such paper: 2506.99999"
    with pytest.raises(BadRequestError) as bad:
        list(api.list_daily_papers(date="2025-02-30"))
    assert bad.value.response.status_code == 400
    assert bad.value.server_message == "date: not a date (expected YYYY-MM-DD): '2025-02-30'"


def test_daily_papers_link_header_points_at_the_next_page(hf_server):
    r = httpx.get(f"{hf_server}/api/daily_papers", params={"date": HF_DAY.isoformat(), "limit": 8})
    assert r.status_code == 200 and len(r.json()) == 8
    assert r.links["next"]["url"] == f"{hf_server}/api/daily_papers?date=2025-06-02&limit=8&p=1"
    last = httpx.get(f"{hf_server}/api/daily_papers", params={"date": HF_DAY.isoformat(), "limit": 8, "p": 2})
    assert len(last.json()) == 4 and "link" not in last.headers

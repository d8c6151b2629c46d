"""Submitting a paper we do not hold fetches it through the ingest layer's arXiv-by-id lookup,
against a fake arXiv API served over real local HTTP (tests/ingest/fake_sources.py)."""

from datetime import UTC, datetime

import pytest

from tests.community.conftest import post, sign_in
from tests.ingest.conftest import sample_records
from tests.ingest.fake_sources import FakeServer, FakeSources

TODAY = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)


@pytest.fixture
def fake_arxiv():  # type: ignore[no-untyped-def]
    server = FakeServer(FakeSources(records=sample_records(2, day="2026-06-08")))
    yield server
    server.stop()


@pytest.fixture
def settings(settings, fake_arxiv):  # type: ignore[no-untyped-def]
    return settings.model_copy(update={
        "ingest_arxiv_api_url": f"{fake_arxiv.url}/api/query", "ingest_delay_seconds": 0, "ingest_max_retries": 0,
    })


def test_submitting_an_unknown_paper_fetches_it_from_arxiv(client, fake_arxiv):
    client.app.state.services.community.submissions.now = lambda: TODAY
    record = fake_arxiv.fake.records[0]
    sign_in(client, "fetcher@example.org")
    r = post(client, "/submit", {"paper": f"https://arxiv.org/abs/{record['arxiv_id']}"})
    assert r.status_code == 200, r.text
    assert "is on the list for" in r.text
    assert any("/api/query" in q for q in fake_arxiv.fake.requests)
    day = client.get("/papers/date/2026-06-10").text
    assert record["title"].split()[0] in day and "Submitted by reader-" in day
    missing = post(client, "/submit", {"paper": "2606.09999"})
    assert missing.status_code == 400 and "Paper 2606.09999 is not in the database" in missing.text

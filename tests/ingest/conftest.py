"""Ingest fixtures: a scripted fake arXiv/HF over real local HTTP, and an IngestService pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from papertide.config import Settings
from papertide.ingest.http import HttpFetcher
from papertide.ingest.service import IngestService
from papertide.storage.db import Database
from tests.ingest import oai_docs
from tests.ingest.fake_sources import FakeServer, FakeSources

TODAY = date(2026, 6, 2)


def sample_records(n: int = 8, day: str = "2026-05-31") -> list[dict]:
    """Demo-corpus records (CC0 metadata) re-dated so they all fall in one harvest window."""
    return [r | {"published": day} for r in oai_docs.demo_records(n)]


@pytest.fixture
def fake() -> FakeSources:
    return FakeSources(records=sample_records())


@pytest.fixture
def fake_server(fake: FakeSources) -> Iterator[FakeServer]:
    server = FakeServer(fake)
    yield server
    server.stop()


@pytest.fixture
def sleeps() -> list[float]:
    """What the fetcher asked to sleep (politeness and Retry-After), recorded instead of waited."""
    return []


@pytest.fixture
def ingest_settings(settings: Settings, fake_server: FakeServer) -> Settings:
    return settings.model_copy(update={
        "ingest_oai_url": f"{fake_server.url}/oai",
        "ingest_arxiv_api_url": f"{fake_server.url}/api/query",
        "ingest_hf_api_url": f"{fake_server.url}/hfapi",
        "ingest_oai_sets": "cs",
        "ingest_max_retries": 2,
    })


@pytest.fixture
def service(db: Database, ingest_settings: Settings, sleeps: list[float]) -> Iterator[IngestService]:
    s = ingest_settings

    def fetcher(source: str) -> HttpFetcher:
        return HttpFetcher(source, s.ingest_delay_seconds, s.ingest_max_retries, s.ingest_max_retry_after_seconds,
                           timeout_s=10, sleep=sleeps.append)

    svc = IngestService(db, s, fetcher_factory=fetcher, today=lambda: TODAY)
    yield svc
    svc.close()


@pytest.fixture
def server(github):  # type: ignore[no-untyped-def]
    """A fake GitHub API over local HTTP, serving the module's ``github`` fixture."""
    from tests.ingest.fake_github import FakeGithubServer

    s = FakeGithubServer(github)
    yield s
    s.stop()

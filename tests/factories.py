"""Small factories for test rows, written through the real storage layer."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import FastAPI

from papertide.app import create_app
from papertide.config import Settings
from papertide.domain.ingest import RunCounts
from papertide.domain.papers import Listing, Paper
from papertide.ingest.bulk import import_records
from papertide.services import Edges, build_services
from papertide.storage.db import Database

_seq = iter(range(10_000, 99_999))


def make_paper(arxiv_id: str | None = None, **fields) -> Paper:  # type: ignore[no-untyped-def]
    arxiv_id = arxiv_id or f"2405.{next(_seq):05d}"
    defaults = {
        "title": f"A study of {arxiv_id}",
        "abstract": f"We study things in {arxiv_id}.",
        "authors": ("Ada Lovelace", "Alan Turing"),
        "categories": ("cs.LG", "stat.ML"),
        "published": date(2024, 5, 20),
    }
    defaults.update(fields)
    return Paper(arxiv_id=arxiv_id, **defaults)


def add_papers(db: Database, *items: Paper | tuple[Paper, date | None]) -> RunCounts:
    """Store papers through the one paper writer; a (paper, day) pair also lists it on that day."""
    records: list[tuple[Paper, Listing | None]] = []
    for item in items:
        paper, day = item if isinstance(item, tuple) else (item, None)
        records.append((paper, Listing(paper.arxiv_id, day) if day else None))
    return import_records(db, records)


def app_for(settings: Settings, db: Database, **edges: Any) -> FastAPI:
    """The app built the way production builds it, sharing the test's database engine;
    ``edges`` replaces outside-world pieces (an SMTP sender, arXiv lookups, the clock)."""
    return create_app(services=build_services(settings, Edges(db=db, **edges)))

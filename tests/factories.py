"""Small factories for test rows, written through the real storage layer."""

from __future__ import annotations

from datetime import date
from typing import Any

import jinja2
from fastapi import FastAPI

from papertide.app import create_app
from papertide.config import Settings
from papertide.domain.ingest import RunCounts
from papertide.domain.papers import Listing, Paper
from papertide.ingest.bulk import import_records
from papertide.services import Edges, build_services
from papertide.storage.db import Database

_seq = iter(range(10_000, 99_999))


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates shared by every app one test process builds: Jinja's own cache for this
    (the key holds the template's source checksum, so an edited template compiles again). Each
    new app otherwise compiled every template it rendered, ~0.1 s of each page test."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_compiled = _CompiledTemplates()


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
    app = create_app(services=build_services(settings, Edges(db=db, **edges)))
    app.state.templates.env.bytecode_cache = _compiled
    return app

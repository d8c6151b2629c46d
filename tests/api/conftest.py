"""API test helpers: the recorded HF day as our data, and a live server on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from papertide.config import Settings
from papertide.domain.papers import Listing, Paper
from papertide.ingest.bulk import import_records
from papertide.storage.db import Database
from papertide.storage.schema import users
from tests.factories import app_for
from tests.live import free_port, serve_app

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HF_DAY = date(2025, 6, 2)
HF_DAY_FILE = FIXTURES / "hf_api_daily_papers_2025-06-02.json"


def hf_items() -> list[dict[str, Any]]:
    """The recorded huggingface.co response for /api/daily_papers?date=2025-06-02."""
    return json.loads(HF_DAY_FILE.read_text(encoding="utf-8"))


def import_hf_day(db: Database, items: list[dict[str, Any]], day: date = HF_DAY) -> None:
    """Store a recorded HF day the way an import would: papers, listings, submitters."""
    records = []
    for pos, item in enumerate(items):
        p = item["paper"]
        paper = Paper(
            arxiv_id=p["id"], title=item["title"], abstract=p["summary"],
            authors=tuple(a["name"] for a in p["authors"]), published=date.fromisoformat(p["publishedAt"][:10]),
            github_repo=p.get("githubRepo"), upvotes_baseline=p["upvotes"],
            num_comments_baseline=item.get("numComments", 0), keywords=tuple(p.get("ai_keywords", ())),
            categories=("cs.CL",),
        )
        submitter = (item.get("submittedBy") or {}).get("name")
        records.append((paper, Listing(paper.arxiv_id, day, pos, submitter)))
    import_records(db, records)


def add_user(db: Database, email: str, name: str = "Ada") -> int:
    """A bare account row (tokens only need the row)."""
    import uuid

    with db.write() as conn:
        conn.execute(sa.insert(users).values(uuid=str(uuid.uuid4()), email=email, display_name=name))
        return conn.execute(sa.select(users.c.id).where(users.c.email == email)).scalar_one()


@contextmanager
def serve(settings: Settings, db: Database) -> Iterator[str]:
    """The real app over HTTP on 127.0.0.1 (uvicorn in a thread); yields its base URL."""
    with serve_app(app_for(settings, db), int(settings.base_url.rsplit(":", 1)[1])) as url:
        yield url


@pytest.fixture
def live_sqlite(tmp_path: Path, sqlite_template: Path) -> tuple[Settings, Database]:
    """Settings and a fresh migrated SQLite database for a live server (cache off)."""
    path = tmp_path / "papertide.db"
    shutil.copy(sqlite_template, path)
    settings = Settings(  # type: ignore[call-arg]
        data_dir=tmp_path, database_url=f"sqlite:///{path}", base_url=f"http://127.0.0.1:{free_port()}",
        api_cache_seconds=0, _env_file=None,
    )
    return settings, Database(settings.resolved_database_url)

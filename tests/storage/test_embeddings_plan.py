"""The once-a-minute questions about a model's newest vectors are index probes, not scans."""

from __future__ import annotations

from datetime import UTC, datetime

from papertide.storage import embeddings as emb_store
from tests.plans import sqlite_plans


def test_newest_vector_questions_read_the_model_and_write_time_index(sqlite_db) -> None:
    since = datetime(2026, 1, 1, tzinfo=UTC)
    for plan in sqlite_plans(sqlite_db, [lambda conn: emb_store.last_written(conn, "m"),
                                         lambda conn: emb_store.count_written_since(conn, "m", since)]):
        assert "COVERING INDEX ix_paper_embeddings_model_written" in plan, plan

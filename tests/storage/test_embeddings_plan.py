"""The once-a-minute questions about a model's newest vectors are index probes, not scans."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from papertide.storage import embeddings as emb_store


def test_newest_vector_questions_read_the_model_and_write_time_index(sqlite_db) -> None:
    statements: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append((statement, parameters))

    sa.event.listen(sqlite_db.engine, "before_cursor_execute", keep)
    try:
        with sqlite_db.read() as conn:
            for ask in (lambda: emb_store.last_written(conn, "m"),
                        lambda: emb_store.count_written_since(conn, "m", datetime(2026, 1, 1, tzinfo=UTC))):
                ask()
                statement, parameters = statements[-1]
                plan = " ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters))
                assert "COVERING INDEX ix_paper_embeddings_model_written" in plan, plan
    finally:
        sa.event.remove(sqlite_db.engine, "before_cursor_execute", keep)

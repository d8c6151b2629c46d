"""SQLite's plan for the statement a storage function runs: a test reads which index it uses."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.storage.db import Database


def sqlite_plans(db: Database, asks: Sequence[Callable[[Connection], Any]]) -> list[str]:
    """EXPLAIN QUERY PLAN of the last statement each of ``asks`` runs, one string per ask."""
    statements: list[tuple[str, Any]] = []

    def keep(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        statements.append((statement, parameters))

    plans = []
    sa.event.listen(db.engine, "before_cursor_execute", keep)
    try:
        with db.read() as conn:
            for ask in asks:
                ask(conn)
                statement, parameters = statements[-1]
                rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
                plans.append(" ".join(row[-1] for row in rows))
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", keep)
    return plans

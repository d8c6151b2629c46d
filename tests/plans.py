"""The SQL behind what a test does: the statements requests run, and SQLite's plan for the statement a
storage function runs (a test reads which index it uses)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
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


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """The SQL run through ``db``'s engine meanwhile, in order, but for the job runner's threads,
    which share the engine and tick on their own clock (a transaction's BEGIN included)."""
    seen: list[str] = []

    def record(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
        if not threading.current_thread().name.startswith("papertide-"):
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)

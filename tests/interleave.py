"""Deterministic races between two processes: the other one's work, run at an exact point of ours.

Each "process" has its own :class:`~papertide.storage.db.Database` (its own engine and pool), as
two web or worker processes on one PostgreSQL would. :func:`between` runs ``other`` right after the
first statement of ours that ``after`` picks (SQLAlchemy's ``after_cursor_execute`` event on our
engine), so a race that needs "their commit lands between our read and our write" happens on every
run, with no sleeps and no retries.

A fix that closes such a race usually makes the other process *wait* for us (a row lock, an
advisory lock, SQLite's one writer). Waiting inside our own statement hook would wait forever, so
``other`` runs in a thread, and our statement returns as soon as the other process has either
finished or reached a statement that waits for a lock we hold: one that ``waits`` picks (the
fix's lock, taken by us before the ``after`` statement), or on SQLite its ``BEGIN IMMEDIATE``
while we are inside a write transaction. From there it goes on once we commit, which is the
serialised order the fix is meant to force.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from papertide.storage.db import Database


@dataclass
class Other:
    """What the other process did: its result or its exception, once it has finished."""

    result: Any = None
    error: BaseException | None = None
    fired: bool = False
    _thread: threading.Thread | None = field(default=None, repr=False)

    def join(self) -> Any:
        if self._thread is not None:
            self._thread.join()
        if self.error is not None:
            raise self.error
        return self.result


@contextmanager
def between(ours: Database, after: Callable[[str], bool], theirs: Database, other: Callable[[], Any],
            waits: Callable[[str], bool] = lambda statement: False) -> Iterator[Other]:
    """Within the block, run ``other`` (on ``theirs``) once, right after our first statement that
    ``after`` picks; the block's end waits for it to finish. ``Other.fired`` says it ran."""
    done = Other()
    reached = threading.Event()
    we_write = False  # on SQLite: we hold the write lock, so their BEGIN IMMEDIATE waits for our commit

    def before_theirs(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]  # noqa: ARG001
        if threading.current_thread() is not done._thread:
            return
        if waits(statement) or (we_write and statement.lstrip().upper().startswith("BEGIN IMMEDIATE")):
            reached.set()

    def run() -> None:
        try:
            done.result = other()
        except BaseException as e:  # noqa: BLE001 - handed to the test by join()
            done.error = e
        finally:
            reached.set()

    def after_ours(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]  # noqa: ARG001
        nonlocal we_write
        if done.fired or threading.current_thread() is done._thread or not after(statement):
            return
        we_write = conn.dialect.name == "sqlite" and conn.in_transaction() and \
            conn.get_execution_options().get("sqlite_begin") == "IMMEDIATE"
        done.fired = True
        done._thread = threading.Thread(target=run, name="other-process")
        done._thread.start()
        reached.wait()

    sa.event.listen(theirs.engine, "before_cursor_execute", before_theirs)
    sa.event.listen(ours.engine, "after_cursor_execute", after_ours)
    try:
        yield done
    finally:
        sa.event.remove(ours.engine, "after_cursor_execute", after_ours)
        if done._thread is not None:
            done._thread.join()
        sa.event.remove(theirs.engine, "before_cursor_execute", before_theirs)


def reads(table: str) -> Callable[[str], bool]:
    """Picks a SELECT from ``table``."""
    def pick(statement: str) -> bool:
        text = " ".join(statement.split())
        return text.upper().startswith("SELECT") and f"FROM {table}" in text
    return pick


def wait_for_lock_waiters(db: Database, n: int = 1) -> None:
    """PostgreSQL: return once ``n`` backends wait for a lock (another process's statement has
    reached a row held elsewhere), so what the test does next lands while they wait. SQLite: at
    once (its writers queue on ``BEGIN IMMEDIATE`` instead)."""
    if db.is_sqlite:
        return
    deadline = time.monotonic() + 10
    with db.engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            ).scalar_one()
            if waiting >= n:
                return
            conn.rollback()
            time.sleep(0.01)
    raise AssertionError(f"{n} backends never waited for a lock at once")

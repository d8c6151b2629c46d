"""Reading the page generation: the counter the anonymous page cache checks on each request.

Triggers (migration 0010) bump ``page_generation.generation`` inside every transaction
that changes a table public pages are built from, whichever process or code path wrote
it; a cached page is good while the counter still reads what it read before rendering.

The read is one primary-key lookup, made on a connection this object keeps for itself
(detached from the pool, in autocommit so each read sees the latest commit): it skips
the pool checkout, SQLAlchemy's statement machinery and PostgreSQL's pre-ping, which
together cost more than the query. Measured figures are in bench/RESULTS.md.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy.engine import Connection

from papertide.storage.db import Database, unreachable_reason

log = logging.getLogger(__name__)

READ_SQL = "SELECT generation FROM page_generation WHERE id = 1"


def read_generation(conn: Connection) -> int | None:
    """The counter as ``conn`` sees it (inside its transaction); None if its row is missing."""
    row = conn.exec_driver_sql(READ_SQL).first()
    return int(row[0]) if row else None


class PageGeneration:
    """``current()`` is the counter now, or None when it cannot be read (then nothing is cached)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._conn: Any = None
        self._lock = threading.Lock()
        self._failing = False  # the last read failed (and said so)

    def current(self) -> int | None:
        with self._lock:
            error: Exception | None = None
            reason: str | None = None
            for _ in range(2):  # a connection the server dropped gets one fresh retry
                try:
                    if self._conn is None:
                        self._conn = self._connect()
                    cur = self._conn.cursor()
                    cur.execute(READ_SQL)
                    row = cur.fetchone()
                    cur.close()
                except Exception as e:  # the database is away or not migrated: serve uncached
                    error, reason = e, self._unreachable(e)
                    self._drop()
                    continue
                if self._failing:
                    self._failing = False
                    log.info("the page generation can be read again; caching pages")
                return int(row[0]) if row else None
            # Said once per outage, not on every request while the database is down; a traceback
            # only when it is no connection failure (a schema without the table, say).
            if not self._failing:
                self._failing = True
                log.warning("cannot read the page generation (%s); serving pages uncached until it can be read",
                            reason or error, exc_info=None if reason else error)
            return None

    def _unreachable(self, e: Exception) -> str | None:
        """The driver's reason when ``e`` is a failure to connect or a lost connection, else None.

        The read goes through the DB-API connection itself, so its errors are the driver's own,
        not SQLAlchemy's: a connect that failed (``_conn`` still None), or what the dialect
        calls a disconnect."""
        dialect = self.db.engine.dialect
        dbapi = dialect.loaded_dbapi
        if not isinstance(e, dbapi.OperationalError | dbapi.InterfaceError):
            return unreachable_reason(e)  # SQLAlchemy's wrapper, from the pool's checkout
        if self._conn is not None and not dialect.is_disconnect(e, self._conn, None):
            return None
        return (str(e).strip().splitlines() or [type(e).__name__])[0]

    def close(self) -> None:
        with self._lock:
            self._drop()

    def _connect(self) -> Any:
        proxied = self.db.engine.raw_connection()  # runs our connect hooks (SQLite pragmas)
        proxied.detach()  # ours for good: the pool opens another in its place when it needs one
        conn: Any = proxied.dbapi_connection
        if not self.db.is_sqlite:
            conn.autocommit = True  # each read its own snapshot; no transaction left open
        return conn

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # already broken; nothing more to release
                log.debug("closing the page generation connection failed", exc_info=True)
            self._conn = None

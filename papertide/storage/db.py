"""Engine and connection setup: the one place that knows about SQLite pragmas and pools.

SQLite runs in WAL mode with one writer per process: write transactions take a
process-wide lock and open with ``BEGIN IMMEDIATE`` so two writers never deadlock
on a lock upgrade; readers run concurrently on their own connections.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection as Connection  # re-exported: see below
from sqlalchemy.engine import Engine

from papertide.domain.accounts import InvalidInput

# Services that take part in a caller's transaction annotate the connection with
# ``papertide.storage.db.Connection``, so only storage imports sqlalchemy (the
# import-linter contracts in pyproject.toml).

SQLITE_BUSY_TIMEOUT_MS = 10_000  # how long a writer waits for another process's write lock
# libpq waits forever by default for a server that accepts the connection but never answers
# (a hung host, a half-open firewall), and /readyz, `jobs status` and every worker thread wait
# with it. A URL's own ?connect_timeout= wins.
PG_CONNECT_TIMEOUT_SECONDS = 10


class DatabaseUnavailable(RuntimeError):
    """The database URL cannot be used, or the database does not answer; the message says which, for people."""


def shown_url(url: str) -> str:
    """The URL with its password hidden, to name it in a message."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except (sa.exc.ArgumentError, ValueError):  # ValueError: a port that is no number
        return repr(re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", url))


def parse_url(url: str) -> sa.engine.URL:
    """``url`` parsed, with libpq's ``postgres://`` read as ``postgresql://``; ValueError when it is no URL.

    SQLAlchemy dropped the ``postgres`` name, but libpq, psql and hosting providers' connection
    strings use it, so people paste it.
    """
    try:
        parsed = sa.engine.make_url(url)
    except (sa.exc.ArgumentError, ValueError):  # ValueError: "host:5432x", a port that is no number
        raise ValueError(f"not a database URL: {shown_url(url)}") from None
    backend, plus, driver = parsed.drivername.partition("+")
    if backend == "postgres":
        parsed = parsed.set(drivername=f"postgresql{plus}{driver}")
    return parsed


class Database:
    """Owns the engine; hands out read connections and write transactions."""

    def __init__(self, url: str, pool_size: int = 5) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size)
        self._write_lock = threading.Lock() if self.is_sqlite else None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for reads (no transaction is committed)."""
        with self.engine.connect() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction, committed on success and rolled back on error."""
        if self._write_lock is None:
            with self.engine.begin() as conn:
                yield conn
            return
        with self._write_lock:
            with self.engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn:
                with conn.begin():
                    yield conn

    def ping(self) -> None:
        """Raise unless the database answers a trivial query."""
        with self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    def require_reachable(self) -> None:
        """:meth:`ping`, raising :class:`DatabaseUnavailable` with the URL (password hidden) and the driver's reason."""
        try:
            self.ping()
        except (sa.exc.DatabaseError, sa.exc.InterfaceError) as e:
            reason = _driver_reason(e)
            if not self.is_sqlite:
                raise DatabaseUnavailable(f"cannot connect to the database {shown_url(self.url)}: {reason}") from e
            # A file, not a server: say what to look at, and how a damaged one is replaced.
            path = self.engine.url.database
            if isinstance(e, sa.exc.OperationalError):  # cannot open: a folder in its place, no write access
                hint = "check that this user can read and write the file and its folder (PAPERTIDE_DATA_DIR)"
            else:  # "file is not a database", "database disk image is malformed"
                hint = ("the file is damaged; replace it from a backup with `papertide db restore BACKUP --force` "
                        "(the damaged file is kept beside it)")
            raise DatabaseUnavailable(f"cannot open the SQLite database {path}: {reason}; {hint}") from e

    def dispose(self) -> None:
        self.engine.dispose()


def unreachable_reason(exc: BaseException) -> str | None:
    """The driver's reason, in one line, when ``exc`` says the database could not be reached; else None.

    Not connecting (the server down or restarting, a refused or timed-out connection) or losing
    the connection mid-statement is the outside world, not a bug: code that retries on its own
    (the job runner) logs it in one line. An error in a statement keeps its traceback.
    """
    if isinstance(exc, DatabaseUnavailable):
        return str(exc)
    if isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError) and (
        exc.statement is None or exc.connection_invalidated  # None: raised while connecting
    ):
        return _driver_reason(exc)
    return None


# The classes unreachable_reason() can say yes to, for layers that may not import SQLAlchemy: the
# web's 503 handler registers on them and asks unreachable_reason() about each instance.
CONNECTION_ERROR_TYPES: tuple[type[Exception], ...] = (
    sa.exc.OperationalError, sa.exc.InterfaceError, DatabaseUnavailable)


def error_text(exc: BaseException) -> str:
    """``exc`` for people to read where it is stored and shown (a job's last error): a failed
    statement is the database's own message, without the SQL and the values bound to it, which
    SQLAlchemy appends (a batch of vectors, a member's address); the log keeps all of it."""
    if isinstance(exc, sa.exc.StatementError) and exc.orig is not None:
        return f"{type(exc).__name__}: {str(exc.orig).strip()}"
    return f"{type(exc).__name__}: {exc}"


def _driver_reason(e: sa.exc.DBAPIError) -> str:
    text = str(e.orig or e).strip()
    return text.splitlines()[0] if text else type(e).__name__


_USAGE = "use sqlite:///PATH or postgresql+psycopg://user:pass@host/db"


def make_engine(url: str, pool_size: int = 5) -> Engine:
    """The engine for ``url``; raises :class:`DatabaseUnavailable` for a URL we cannot use."""
    try:
        parsed = parse_url(url)
    except ValueError as e:
        raise DatabaseUnavailable(f"{e}; {_USAGE}") from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise DatabaseUnavailable(f"papertide runs on SQLite or PostgreSQL, not {backend} ({shown_url(url)}); {_USAGE}")
    if backend == "sqlite":
        path = parsed.database
        if path and path != ":memory:":
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:  # a file where the folder should be, a read-only or missing mount
                raise DatabaseUnavailable(f"cannot create the folder {Path(path).parent} for the SQLite database: "
                                          f"{e.strerror or e}; set PAPERTIDE_DATA_DIR to a folder you can write") from e
        # JSON as UTF-8 text, not "M\u00fcller": FTS5 indexes the text of papers.authors, and an
        # escaped name is no word it can find (PostgreSQL keeps JSONB in its own form).
        engine = sa.create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 30},
                                  json_serializer=json_text)
        _configure_sqlite(engine)
    else:
        connect_args = {} if "connect_timeout" in parsed.query else {
            "connect_timeout": PG_CONNECT_TIMEOUT_SECONDS}
        try:
            engine = sa.create_engine(parsed, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True,
                                      connect_args=connect_args)
        except (sa.exc.NoSuchModuleError, ImportError) as e:  # postgresql+nosuchdriver://, a driver not installed
            raise DatabaseUnavailable(f"cannot load the database driver for {shown_url(url)} ({e}); {_USAGE}") from e
        _configure_postgres(engine)
    _refuse_nul_text(engine)
    return engine


NUL_MESSAGE = "A value you sent contains a NUL character (\\0 or %00), which cannot be stored or looked up; remove it."


def json_text(value: object) -> str:
    """How SQLite stores a JSON column: non-ASCII letters as themselves."""
    return json.dumps(value, ensure_ascii=False)


def _refuse_nul_text(engine: Engine) -> None:
    """PostgreSQL cannot hold or compare text with a NUL character, and its driver says so with an
    error that surfaces as a 500 wherever a form, address or JSON body carried one. Every
    statement's text values are checked here instead, on both engines (SQLite would store it,
    and the two should answer alike): the caller gets InvalidInput, a 400 with this message."""

    @event.listens_for(engine, "before_cursor_execute")
    def _check(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        # One row's values (a dict or a sequence) or, for executemany and batched inserts, a
        # sequence of rows; flat and nested alike are walked one level down.
        for item in parameters.values() if isinstance(parameters, dict) else parameters or ():
            values = item.values() if isinstance(item, dict) else item if isinstance(item, list | tuple) else (item,)
            for value in values:
                if isinstance(value, str) and "\x00" in value:
                    raise InvalidInput(NUL_MESSAGE)


def _configure_postgres(engine: Engine) -> None:
    # Every session in UTC. PostgreSQL hands timestamptz values back in the session's zone, which
    # defaults to the server's (initdb copies the machine's zone into postgresql.conf) or to what
    # ALTER DATABASE/ROLE set: on a server in Sydney, times labelled UTC were Sydney's and the days
    # taken from them (a vote's day on the sparkline, a sitemap's lastmod) were the next day.
    # SQLite stores what we give it, always UTC. PgBouncer tracks TimeZone per client, so the SET
    # also holds behind a transaction-mode pooler.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        autocommit = dbapi_conn.autocommit
        dbapi_conn.autocommit = True  # a session setting, not one that a rollback would undo
        with dbapi_conn.cursor() as cur:
            cur.execute("SET TIME ZONE 'UTC'")
        dbapi_conn.autocommit = autocommit


def _configure_sqlite(engine: Engine) -> None:
    # We drive transactions ourselves (pysqlite's implicit BEGIN is not SQL-standard and
    # cannot do BEGIN IMMEDIATE); see SQLAlchemy's "Serializable isolation / Savepoints" recipe.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        mode = conn.get_execution_options().get("sqlite_begin")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == "IMMEDIATE" else "BEGIN")

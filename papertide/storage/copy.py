"""Copying a whole instance from SQLite into PostgreSQL: resumable, batched, then verified.

The table list is the schema's metadata in dependency order, so a table added to
``storage/tables`` is copied without touching this module. Each table is read in primary
key order from one snapshot of the source and written in batches; each batch commits
together with the key of its last row in ``papertide_copy_state`` on the target, so a copy
killed at any moment resumes after the last committed batch and never writes a row twice.
The keys are kept as the *source* ordered them: PostgreSQL may sort the same strings
differently (collations), so we never ask the target where to continue.

The state table is ours, not the application's (it is in no migration); it also names the
instance being copied, so a resume into a database holding another instance's rows is
refused. It is dropped once the copy has been verified.

Values change form on the way: naive SQLite timestamps become UTC, float16 vector bytes
become pgvector ``halfvec`` values. After inserting explicit ids, PostgreSQL's sequences
are moved past them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import sqlalchemy as sa
from pgvector.sqlalchemy import HALFVEC
from sqlalchemy.engine import Connection

from papertide.storage.db import Database, parse_url
from papertide.storage.fingerprints import TableCheck, compare, digest_all, existing_tables, table_counts
from papertide.storage.schema import metadata
from papertide.storage.tables.search import DIALECT_ONLY_OBJECTS

BATCH_ROWS = 1_000  # rows per insert transaction; one batch is what a kill can lose

_state_metadata = sa.MetaData()
copy_state = sa.Table(
    "papertide_copy_state",
    _state_metadata,
    sa.Column("table_name", sa.String(128), primary_key=True),
    sa.Column("source_id", sa.String(64), nullable=False),
    sa.Column("last_key", sa.Text, nullable=True),  # JSON list: primary key of the last row copied
    sa.Column("rows_copied", sa.BigInteger, nullable=False),
    sa.Column("done", sa.Boolean, nullable=False),
)
# Graph indexes (pgvector HNSW) cost milliseconds per inserted row but build in bulk in
# seconds, so the copy drops them first and rebuilds them at the end; their definitions wait
# here meanwhile, so a killed copy still rebuilds them when resumed.
deferred_indexes = sa.Table(
    "papertide_copy_indexes",
    _state_metadata,
    sa.Column("name", sa.String(128), primary_key=True),
    sa.Column("definition", sa.Text, nullable=False),
)
DEFERRED_METHODS = ("hnsw", "ivfflat")
INDEX_BUILD_MEMORY = "512MB"  # maintenance_work_mem for the rebuild: the graph should fit in it

# Called after each committed batch: (table, rows copied so far, rows in the source table).
Progress = Callable[[str, int, int], None]


class CopyRefused(RuntimeError):
    """The target cannot receive this copy (the message says why and what to do)."""


@dataclass(frozen=True, slots=True)
class CopyReport:
    rows_copied: int  # by this run
    resumed: bool
    checks: list[TableCheck]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def copy_instance(
    source: Database,
    target: Database,
    *,
    resume: bool = False,
    batch_rows: int = BATCH_ROWS,
    progress: Progress | None = None,
) -> CopyReport:
    """Copy every row of ``source`` into ``target`` (already migrated), then verify both sides."""
    if target.is_sqlite:
        raise CopyRefused("the target must be a PostgreSQL database")
    # One read transaction: every table comes from the same snapshot (WAL keeps it stable
    # while the site writes; rows written after it are not copied, so stop writers first).
    with source.engine.connect() as src, src.begin():
        tables = existing_tables(src)
        source_id = fingerprint(src, tables)
        states, resumed = _prepare_target(target, source_id, resume)
        _defer_indexes(target)
        copied = 0
        for table in tables:
            copied += _copy_table(src, target, table, states.get(table.name), source_id, batch_rows, progress)
        source_digests = digest_all(src)
    _rebuild_indexes(target)
    _reset_sequences(target)
    with target.read() as conn:
        checks = compare(source_digests, digest_all(conn))
    report = CopyReport(copied, resumed, checks)
    if report.ok:
        with target.write() as conn:
            _state_metadata.drop_all(conn, checkfirst=True)
    return report


def _defer_indexes(target: Database) -> None:
    """Record, then drop, the target's graph indexes (already recorded ones stay recorded)."""
    methods = " OR ".join(f"indexdef ILIKE '% USING {m} %'" for m in DEFERRED_METHODS)
    with target.write() as conn:
        found = conn.execute(sa.text(
            f"SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND ({methods})"
        )).all()
        known = set(conn.execute(sa.select(deferred_indexes.c.name)).scalars())
        for name, definition in found:
            if name not in known:
                conn.execute(sa.insert(deferred_indexes).values(name=name, definition=definition))
            conn.exec_driver_sql(f'DROP INDEX IF EXISTS "{name}"')


def _rebuild_indexes(target: Database) -> None:
    with target.write() as conn:
        conn.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
        for name, definition in conn.execute(sa.select(deferred_indexes.c.name, deferred_indexes.c.definition)).all():
            conn.exec_driver_sql(definition.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
            conn.execute(sa.delete(deferred_indexes).where(deferred_indexes.c.name == name))


def refuse_foreign_target(target: Database) -> None:
    """Refuse (before it is migrated) a target holding tables papertide does not make.

    A mistyped database name would otherwise get pgvector, our ~40 tables and a copy of this
    instance beside another application's data; the row check after migrating sees only ours.
    """
    ours = {*metadata.tables, *DIALECT_ONLY_OBJECTS, "alembic_version", copy_state.name, deferred_indexes.name}
    with target.read() as conn:
        foreign = sorted(set(sa.inspect(conn).get_table_names()) - ours)
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise CopyRefused(f"the target database holds tables that are not papertide's ({shown}); "
                          "nothing was created in it. Give an empty PostgreSQL database (createdb papertide)")


def normalise_target_url(url: str) -> str:
    """A PostgreSQL URL with our driver (``postgres[ql]://`` → ``postgresql+psycopg://``); refuses others."""
    parsed = parse_url(url)  # ValueError, with the password hidden, when it is no URL
    if parsed.get_backend_name() != "postgresql":
        raise ValueError("the target must be a PostgreSQL URL (postgresql+psycopg://user:pass@host/db)")
    return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)


def fingerprint(conn: Connection, tables: Sequence[sa.Table]) -> str:
    """What names an instance: the key (and uuid, where there is one) of each table's first row.

    Users, subscribers and collections carry random uuids, so two instances differ here
    even when they imported the same papers.
    """
    h = hashlib.sha256()
    for table in tables:
        cols = [*table.primary_key.columns, *(c for c in table.columns if c.name == "uuid")]
        row = conn.execute(sa.select(*cols).order_by(*table.primary_key.columns).limit(1)).first()
        h.update(json.dumps([table.name, None if row is None else [str(v) for v in row]]).encode())
    return h.hexdigest()[:32]


def _prepare_target(target: Database, source_id: str, resume: bool) -> tuple[dict[str, Any], bool]:
    with target.write() as conn:
        has_state = sa.inspect(conn).has_table(copy_state.name)
        states = {r.table_name: r for r in conn.execute(sa.select(copy_state))} if has_state else {}
        has_rows = any(table_counts(conn).values())
        if states and any(s.source_id != source_id for s in states.values()):
            raise CopyRefused(
                "the target holds a partial copy of a different instance (or the source changed since the "
                "copy started); use an empty PostgreSQL database"
            )
        if has_rows and not states:
            raise CopyRefused("the target database already holds data; use an empty PostgreSQL database")
        if (has_rows or states) and not resume:
            raise CopyRefused("the target holds a partial copy of this instance; pass --resume to continue it")
        _state_metadata.create_all(conn, checkfirst=True)
    return states, bool(states)


def _copy_table(
    src: Connection,
    target: Database,
    table: sa.Table,
    state: Any,
    source_id: str,
    batch_rows: int,
    progress: Progress | None,
) -> int:
    total = src.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    done = state.rows_copied if state is not None else 0
    if state is not None and state.done:
        if progress:
            progress(table.name, done, total)
        return 0
    key_cols = list(table.primary_key.columns)
    last: list[Any] | None = json.loads(state.last_key) if state is not None and state.last_key else None
    convert = _converters(table, target)
    copied = 0
    while True:
        q = sa.select(*table.columns).order_by(*key_cols).limit(batch_rows)
        if last is not None:
            q = q.where(sa.tuple_(*key_cols) > sa.tuple_(*(sa.literal(v) for v in last)))
        rows = src.execute(q).all()
        finished = len(rows) < batch_rows
        if rows:
            last = [getattr(rows[-1], c.name) for c in key_cols]
        values = [{c.name: conv(v) for (c, conv), v in zip(convert, r, strict=True)} for r in rows]
        with target.write() as conn:
            if values:
                conn.execute(table.insert(), values)
            done += len(values)
            _save_state(conn, table.name, source_id, last, done, finished)
        copied += len(values)
        if progress:
            progress(table.name, done, total)
        if finished:
            return copied


def _save_state(conn: Connection, name: str, source_id: str, last: list[Any] | None, rows: int, done: bool) -> None:
    values = {"source_id": source_id, "last_key": None if last is None else json.dumps(last),
              "rows_copied": rows, "done": done}
    updated = conn.execute(sa.update(copy_state).where(copy_state.c.table_name == name).values(**values)).rowcount
    if not updated:
        conn.execute(sa.insert(copy_state).values(table_name=name, **values))


def _converters(table: sa.Table, target: Database) -> list[tuple[sa.Column[Any], Callable[[Any], Any]]]:
    out: list[tuple[sa.Column[Any], Callable[[Any], Any]]] = []
    for col in table.columns:
        impl = col.type.dialect_impl(target.engine.dialect)
        if isinstance(impl, HALFVEC):
            out.append((col, _halfvec))
        elif isinstance(col.type, sa.DateTime) and col.type.timezone:
            out.append((col, _utc))
        else:
            out.append((col, _same))
    return out


def _same(v: Any) -> Any:
    return v


def _utc(v: Any) -> Any:
    # SQLite hands back naive datetimes for timezone=True columns; we only ever store UTC.
    if isinstance(v, datetime) and v.tzinfo is None:
        return v.replace(tzinfo=UTC)
    return v


def _halfvec(v: Any) -> Any:
    if isinstance(v, bytes | bytearray | memoryview):
        return np.frombuffer(bytes(v), dtype="<f2")  # how storage/embeddings.py writes SQLite vectors
    return v


def _reset_sequences(target: Database) -> None:
    """Move each serial/identity sequence past the ids we inserted explicitly."""
    with target.write() as conn:
        for table in existing_tables(conn):
            pk = list(table.primary_key.columns)
            if len(pk) != 1 or not isinstance(pk[0].type, sa.Integer):
                continue
            seq = conn.execute(sa.select(sa.func.pg_get_serial_sequence(table.name, pk[0].name))).scalar()
            if seq is None:
                continue
            top = conn.execute(sa.select(sa.func.max(pk[0]))).scalar()
            conn.execute(sa.select(sa.func.setval(seq, top or 1, top is not None)))

"""The log of changed papers that keyword indexes outside the database follow (0019_search_changes).

Triggers on ``papers`` append a row per insert, delete or change of an indexed column. The
log is never consumed: every tantivy index keeps its own :data:`Cursor` (the position of
the last row it applied) in its meta file, so one index per host, or per process, reads
the same log. Rows before ``Cursor`` are applied; a read returns the distinct papers
after it, and the indexer re-reads those papers' current rows, so replaying a row twice
is harmless.

Commit order. On PostgreSQL, concurrent transactions take ids in one order and commit in
another, so "rows after the last id I saw" would skip a row whose transaction was still
running. Each row therefore carries its transaction id, and a read takes only rows of
transactions older than the oldest still running (``pg_snapshot_xmin``): those are all
committed or rolled back, and no row of theirs can appear later. The cursor is the pair
``(txid, id)``. SQLite commits one writer at a time, so ids are in commit order and
``txid`` is 0.

Markers. :func:`prune` deletes rows older than a cut-off but keeps the newest of them with
``paper_id`` NULL: a marker saying "rows up to here are gone". An index that meets a
marker after its cursor has missed changes and must rebuild. A PostgreSQL restore, which
replaces every row (and the log) under indexes on other hosts, appends one too
(:func:`mark_all_stale`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.domain.authors import search_key
from papertide.storage.github import has_code_condition
from papertide.storage.papers import IN_CHUNK, in_id_batches
from papertide.storage.schema import daily_listings, papers
from papertide.storage.tables.search import search_changes as _log

Cursor = tuple[int, int]  # (txid, id) of the last applied row; (0, 0) before the first
START: Cursor = (0, 0)


@dataclass(frozen=True, slots=True)
class Document:
    """What the keyword index holds of a paper."""

    paper_id: int
    title: str
    abstract: str
    authors: str  # names joined by ", "
    categories: tuple[str, ...]
    published: date | None
    author_text: str = ""  # what the author filter matches: each author's search key, one per line
    listed: bool = False  # on a daily page
    has_code: bool = False  # names a code repository


@dataclass(frozen=True, slots=True)
class Changes:
    """One read of the log after a cursor."""

    paper_ids: tuple[int, ...]  # distinct, in log order
    cursor: Cursor  # where the next read starts
    pruned: bool  # a marker (prune, restore) lies after the cursor read from: the index must rebuild
    rows: int  # log rows read


def database_identity(conn: Connection) -> str:
    """What tells this database apart from another one an index might have been built from.

    A cursor means nothing in another database: a dropped and re-created database of the
    same name, or a fresh cluster, numbers its rows and transactions anew.
    """
    if conn.dialect.name != "postgresql":
        name = conn.engine.url.database or ":memory:"
        return f"sqlite:{name if name == ':memory:' else Path(name).resolve()}"
    system, oid = conn.execute(sa.text(
        "SELECT (SELECT system_identifier FROM pg_control_system()), "
        "(SELECT oid FROM pg_database WHERE datname = current_database())"
    )).one()
    return f"postgresql:{system}:{oid}"


# PostgreSQL: the oldest transaction still running; every one before it has finished.
_OLDEST_RUNNING = sa.literal_column("pg_snapshot_xmin(pg_current_snapshot())::text::bigint", sa.BigInteger)


def _visible_below(conn: Connection) -> int | None:
    if conn.dialect.name != "postgresql":
        return None
    return int(conn.execute(sa.select(_OLDEST_RUNNING)).scalar_one())


def horizon(conn: Connection) -> Cursor:
    """A cursor for an index built from the papers read *after* this call.

    Every change before it is visible to those reads; changes after it are replayed from
    the log (some may be in the reads already, which is harmless).
    """
    below = _visible_below(conn)
    if below is not None:
        return (below, 0)  # rows of transaction `below` and later are replayed
    last = conn.execute(sa.select(sa.func.max(_log.c.id))).scalar_one()
    return (0, int(last or 0))


def _after(conn: Connection, cursor: Cursor, below: int | sa.ColumnElement[int] | None) -> list[sa.ColumnElement[bool]]:
    if conn.dialect.name != "postgresql":
        # txid is 0 on SQLite and ids are in commit order: the primary key alone orders the log.
        # (SQLite seeks a row-value comparison on its first column only, so `(txid, id) > (0, n)`
        # walked every row of the log: 45 ms a search with 250,000 rows, where this seeks at once.)
        return [_log.c.id > cursor[1]]
    conds = [sa.tuple_(_log.c.txid, _log.c.id) > sa.tuple_(sa.literal(cursor[0]), sa.literal(cursor[1]))]
    if below is not None:
        conds.append(_log.c.txid < below)
    return conds


def _log_order(conn: Connection) -> tuple[sa.ColumnElement[Any], ...]:
    return (_log.c.txid, _log.c.id) if conn.dialect.name == "postgresql" else (_log.c.id,)


def _finished(conn: Connection) -> sa.ColumnElement[int] | None:
    # Within one statement, so the check costs no extra round trip.
    return _OLDEST_RUNNING if conn.dialect.name == "postgresql" else None


def read(conn: Connection, cursor: Cursor, limit: int | None = None) -> Changes:
    """Papers changed after ``cursor`` (at most ``limit`` log rows), and the cursor to read from next."""
    below = _visible_below(conn)
    q = (
        sa.select(_log.c.paper_id, _log.c.txid, _log.c.id)
        .where(*_after(conn, cursor, below))
        .order_by(*_log_order(conn))
        .limit(limit)
    )
    rows = conn.execute(q).all()
    ids = tuple(dict.fromkeys(int(r.paper_id) for r in rows if r.paper_id is not None))
    pruned = any(r.paper_id is None for r in rows)
    if rows:
        new: Cursor = (int(rows[-1].txid), int(rows[-1].id))
    else:
        new = cursor
    if below is not None and (limit is None or len(rows) < limit):
        # Every transaction before `below` is read in full: the next read may start there,
        # which keeps reads on an index range that stays short.
        new = max(new, (below, 0))
    return Changes(ids, new, pruned, len(rows))


def count_after(conn: Connection, cursor: Cursor) -> int:
    """How many log rows an index at ``cursor`` has yet to apply (the 'behind' figure): every row
    this connection sees, including those :func:`read` leaves until an older transaction ends."""
    q = sa.select(sa.func.count()).select_from(_log).where(*_after(conn, cursor, None))
    return int(conn.execute(q).scalar_one())


def has_after(conn: Connection, cursor: Cursor) -> bool:
    """Whether :func:`read` would return rows after ``cursor`` now."""
    q = sa.select(sa.exists().where(*_after(conn, cursor, _finished(conn))))
    return bool(conn.execute(q).scalar_one())


def has_visible_after(conn: Connection, cursor: Cursor) -> bool:
    """Whether this connection sees rows after ``cursor``, read yet or not.

    More than :func:`has_after` while an older write transaction runs on the PostgreSQL
    server (any database's): rows committed since it began are visible, but :func:`read`
    leaves them until it ends. An index at ``cursor`` lacks them either way.
    """
    q = sa.select(sa.exists().where(*_after(conn, cursor, None)))
    return bool(conn.execute(q).scalar_one())


def prune(conn: Connection, before: datetime) -> int:
    """Delete log rows written before ``before``, leaving the newest as a marker; returns how many went."""
    old = _log.c.changed_at < before
    last = conn.execute(
        sa.select(_log.c.id).where(old).order_by(_log.c.txid.desc(), _log.c.id.desc()).limit(1)
    ).scalar_one_or_none()
    if last is None:
        return 0
    gone = conn.execute(sa.delete(_log).where(old, _log.c.id != last)).rowcount
    conn.execute(sa.update(_log).where(_log.c.id == last).values(paper_id=None))
    return int(gone)


def mark_all_stale(conn: Connection) -> None:
    """Append a marker that every index meets after its cursor, so each rebuilds (after a restore)."""
    if not sa.inspect(conn).has_table(_log.name):  # a backup from before the log existed
        return
    values: dict[str, object] = {"paper_id": None}
    if conn.dialect.name == "postgresql":
        values["txid"] = sa.literal_column("pg_current_xact_id()::text::bigint")
    conn.execute(sa.insert(_log).values(**values))


# ---------------------------------------------------------------- documents


def documents(conn: Connection, ids: Sequence[int]) -> list[Document]:
    """The indexed text of each existing paper among ``ids`` (deleted ones are left out)."""
    out: list[Document] = []
    for i in range(0, len(ids), IN_CHUNK):
        q = sa.select(*_COLUMNS).where(papers.c.id.in_(ids[i : i + IN_CHUNK]))
        out.extend(_doc(r) for r in conn.execute(q))
    return out


def iter_documents(conn: Connection, batch: int = 5_000) -> Iterator[list[Document]]:
    """Every paper's indexed text, in id order, ``batch`` at a time."""
    for rows in in_id_batches(conn, _COLUMNS, batch):
        yield [_doc(r) for r in rows]


_COLUMNS = (
    papers.c.id, papers.c.title, papers.c.abstract, papers.c.authors, papers.c.categories, papers.c.published,
    sa.exists().where(daily_listings.c.paper_id == papers.c.id).label("listed"),
    has_code_condition().label("has_code"),
)


def _doc(r: sa.Row[*tuple[Any, ...]]) -> Document:
    return Document(int(r.id), r.title or "", r.abstract or "", ", ".join(r.authors or ()),
                    tuple(r.categories or ()), r.published, "\n".join(search_key(a) for a in r.authors or ()),
                    bool(r.listed), bool(r.has_code))

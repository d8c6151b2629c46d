"""The queue of papers whose external lexical index entry is stale (SQLite, 0007_search_pending).

Triggers on ``papers`` fill it; the tantivy indexer (search/lexical.py) drains it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.storage.papers import IN_CHUNK
from papertide.storage.schema import papers

_pending = sa.table("search_pending", sa.column("paper_id", sa.Integer), sa.column("n", sa.Integer))



@dataclass(frozen=True, slots=True)
class Document:
    """What the keyword index holds of a paper."""

    paper_id: int
    title: str
    abstract: str
    authors: str  # names joined by ", "
    categories: tuple[str, ...]
    published: date | None


def has_pending(conn: Connection) -> bool:
    return conn.execute(sa.select(sa.exists().where(_pending.c.paper_id.is_not(None)))).scalar_one()


def count(conn: Connection) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(_pending)).scalar_one()


def pending(conn: Connection, limit: int | None = None) -> list[tuple[int, int]]:
    """``(paper id, change count)`` of queued papers, oldest ids first."""
    q = sa.select(_pending.c.paper_id, _pending.c.n).order_by(_pending.c.paper_id).limit(limit)
    return [(int(r[0]), int(r[1])) for r in conn.execute(q)]


def clear(conn: Connection, seen: Sequence[tuple[int, int]]) -> None:
    """Drop queue rows exactly as seen; a paper that changed again since stays queued."""
    if seen:
        conn.execute(
            sa.delete(_pending).where(_pending.c.paper_id == sa.bindparam("pid"), _pending.c.n == sa.bindparam("cnt")),
            [{"pid": p, "cnt": n} for p, n in seen],
        )


def documents(conn: Connection, ids: Sequence[int]) -> list[Document]:
    """The indexed text of each existing paper among ``ids`` (deleted ones are left out)."""
    out: list[Document] = []
    for i in range(0, len(ids), IN_CHUNK):
        q = sa.select(*_COLUMNS).where(papers.c.id.in_(ids[i : i + IN_CHUNK]))
        out.extend(_doc(r) for r in conn.execute(q))
    return out


def iter_documents(conn: Connection, batch: int = 5_000) -> Iterator[list[Document]]:
    """Every paper's indexed text, in id order, ``batch`` at a time (keyset paging)."""
    last = 0
    while True:
        q = (
            sa.select(*_COLUMNS).where(papers.c.id > last).order_by(papers.c.id).limit(batch)
        )
        rows = [_doc(r) for r in conn.execute(q)]
        if not rows:
            return
        yield rows
        last = rows[-1].paper_id


def count_papers(conn: Connection) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(papers)).scalar_one()


_COLUMNS = (papers.c.id, papers.c.title, papers.c.abstract, papers.c.authors, papers.c.categories, papers.c.published)


def _doc(r: sa.Row[*tuple[Any, ...]]) -> Document:
    return Document(int(r.id), r.title or "", r.abstract or "", ", ".join(r.authors or ()),
                    tuple(r.categories or ()), r.published)

"""Recent papers' stored phrase counts (``paper_phrases``; what they are: recs/phrase_counts.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from papertide.storage.papers import IN_CHUNK
from papertide.storage.schema import papers
from papertide.storage.tables.recs import paper_phrases


def stored(conn: Connection, paper_ids: Sequence[int]) -> dict[int, tuple[str, bytes, bytes]]:
    """(source hash, buckets, counts) of those of ``paper_ids`` that have a row."""
    out: dict[int, tuple[str, bytes, bytes]] = {}
    cols = (paper_phrases.c.paper_id, paper_phrases.c.source_hash, paper_phrases.c.buckets, paper_phrases.c.counts)
    for i in range(0, len(paper_ids), IN_CHUNK):
        q = sa.select(*cols).where(paper_phrases.c.paper_id.in_(list(paper_ids[i : i + IN_CHUNK])))
        out.update({r.paper_id: (r.source_hash, bytes(r.buckets), bytes(r.counts)) for r in conn.execute(q)})
    return out


def newest_published(conn: Connection) -> date | None:
    return conn.execute(sa.select(sa.func.max(papers.c.published))).scalar()


def due(conn: Connection, since: date) -> list[int]:
    """Papers published on or after ``since`` with no row, or a row counted before the paper last changed.

    Compared in Python: SQLite keeps the two timestamps as text written by different code (the
    paper's by ``CURRENT_TIMESTAMP``, the row's copied through Python), which SQL would compare as strings.
    """
    q = (sa.select(papers.c.id, papers.c.updated_at, paper_phrases.c.source_updated_at)
         .select_from(papers.outerjoin(paper_phrases, paper_phrases.c.paper_id == papers.c.id))
         .where(papers.c.published >= since).order_by(papers.c.id))
    return [r.id for r in conn.execute(q) if r.source_updated_at is None or r.source_updated_at != r.updated_at]


def texts(conn: Connection, paper_ids: Sequence[int]) -> list[tuple[int, str, datetime]]:
    """(id, ``title abstract`` as the candidates' texts are built, updated_at) of each paper still held."""
    out: list[tuple[int, str, datetime]] = []
    for i in range(0, len(paper_ids), IN_CHUNK):
        q = sa.select(papers.c.id, papers.c.title, papers.c.abstract, papers.c.updated_at).where(
            papers.c.id.in_(list(paper_ids[i : i + IN_CHUNK])))
        out.extend((r.id, f"{r.title} {r.abstract}", r.updated_at) for r in conn.execute(q.order_by(papers.c.id)))
    return out


def save(conn: Connection, rows: Sequence[tuple[int, str, datetime, tuple[bytes, bytes]]]) -> None:
    """Insert or replace (paper id, source hash, the paper's updated_at then, (buckets, counts))."""
    if not rows:
        return
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(paper_phrases)
    stmt = stmt.on_conflict_do_update(
        index_elements=["paper_id"],
        set_={"source_hash": stmt.excluded.source_hash, "source_updated_at": stmt.excluded.source_updated_at,
              "buckets": stmt.excluded.buckets, "counts": stmt.excluded.counts, "updated_at": sa.func.now()},
    )
    conn.execute(stmt, [{"paper_id": pid, "source_hash": h, "source_updated_at": changed, "buckets": b, "counts": c}
                        for pid, h, changed, (b, c) in rows])


def prune(conn: Connection, before: date) -> int:
    """Drop the rows of papers published before ``before`` (no longer candidates of a named window)."""
    old = sa.select(papers.c.id).where(sa.or_(papers.c.published < before, papers.c.published.is_(None)))
    return conn.execute(sa.delete(paper_phrases).where(paper_phrases.c.paper_id.in_(old))).rowcount or 0

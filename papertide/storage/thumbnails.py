"""Which listed papers still need a card thumbnail, and the outcome of each attempt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.storage.papers import IN_CHUNK
from papertide.storage.schema import daily_listings, papers
from papertide.storage.tables.thumbnails import paper_thumbnails


@dataclass(frozen=True, slots=True)
class ThumbnailTodo:
    paper_id: int
    arxiv_id: str
    attempts: int  # failed attempts so far (0: never tried)


def pending(conn: Connection, limit: int, max_attempts: int, retry_before: datetime) -> list[ThumbnailTodo]:
    """Listed papers never tried, or failed fewer than ``max_attempts`` times and last tried before
    ``retry_before``; newest listing first, so today's cards get pictures before the archive's."""
    t = paper_thumbnails
    last_listed = sa.func.max(daily_listings.c.listed_on)
    q = (
        sa.select(papers.c.id, papers.c.arxiv_id, sa.func.coalesce(sa.func.max(t.c.attempts), 0))
        .select_from(daily_listings.join(papers, papers.c.id == daily_listings.c.paper_id)
                     .outerjoin(t, t.c.paper_id == papers.c.id))
        .where(sa.or_(t.c.paper_id.is_(None),
                      sa.and_(t.c.status == "failed", t.c.attempts < max_attempts, t.c.updated_at < retry_before)))
        .group_by(papers.c.id, papers.c.arxiv_id)
        .order_by(last_listed.desc(), papers.c.id.desc())
        .limit(limit)
    )
    return [ThumbnailTodo(int(r[0]), str(r[1]), int(r[2])) for r in conn.execute(q)]


def record(conn: Connection, paper_id: int, ok: bool, message: str | None, now: datetime) -> None:
    """Store one attempt's outcome (a success resets the count; a failure adds one)."""
    t = paper_thumbnails
    status = "ok" if ok else "failed"
    message = None if ok else (message or "")[:1000]
    updated = conn.execute(
        sa.update(t).where(t.c.paper_id == paper_id)
        .values(status=status, message=message, updated_at=now,
                attempts=sa.literal(1) if ok else t.c.attempts + 1)
    ).rowcount
    if not updated:
        conn.execute(sa.insert(t).values(paper_id=paper_id, status=status, attempts=1, message=message,
                                         created_at=now, updated_at=now))


def rendered(conn: Connection) -> list[tuple[int, str]]:
    """``(paper_id, arxiv_id)`` of every paper recorded as having a thumbnail."""
    q = (sa.select(papers.c.id, papers.c.arxiv_id)
         .join(paper_thumbnails, paper_thumbnails.c.paper_id == papers.c.id)
         .where(paper_thumbnails.c.status == "ok"))
    return [(int(r[0]), str(r[1])) for r in conn.execute(q)]


def forget(conn: Connection, paper_ids: list[int]) -> None:
    """Drop the records of ``paper_ids``, so they are pending as if never tried."""
    for i in range(0, len(paper_ids), IN_CHUNK):
        conn.execute(sa.delete(paper_thumbnails).where(paper_thumbnails.c.paper_id.in_(paper_ids[i : i + IN_CHUNK])))


def outcomes(conn: Connection) -> dict[str, int]:
    """How many papers have a thumbnail and how many failed (for status lines)."""
    q = sa.select(paper_thumbnails.c.status, sa.func.count()).group_by(paper_thumbnails.c.status)
    return {str(s): int(n) for s, n in conn.execute(q)}

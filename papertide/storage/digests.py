"""Digest persistence: candidate papers of a period, the sent-papers log, the public archive."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from papertide.domain.digests import Candidate
from papertide.storage.schema import daily_listings, papers
from papertide.storage.tables.email import digest_archive, digest_items

IN_CHUNK = 500  # SQLite's bound-parameter limit, as in storage/papers.py


def _candidate(r: Any, day: date | None) -> Candidate:
    return Candidate(
        arxiv_id=r.arxiv_id, title=r.title, abstract=r.abstract, authors=tuple(r.authors or ()),
        categories=tuple(r.categories or ()), upvotes=r.upvotes, day=day or r.published,
        keywords=tuple(r.keywords or ()), listed=day is not None,
    )


_COLUMNS = (
    papers.c.id, papers.c.arxiv_id, papers.c.title, papers.c.abstract, papers.c.authors, papers.c.categories,
    papers.c.upvotes, papers.c.published, papers.c.keywords,
)


def candidates_between(conn: Connection, first: date, last: date, published_from: date | None = None) -> list[Candidate]:
    """Papers new in [first, last]: listed on a daily list then, or published then (not withdrawn);
    ``published_from`` starts the published range earlier (arXiv announces papers days after
    their submission day).

    Two index range scans (``ix_daily_listings_listed_on``, ``ix_papers_published``) rather
    than one OR over a join, which neither planner turns into index use.
    """
    listed = {
        r.paper_id: r.day
        for r in conn.execute(
            sa.select(daily_listings.c.paper_id, sa.func.min(daily_listings.c.listed_on).label("day"))
            .where(daily_listings.c.listed_on.between(first, last))
            .group_by(daily_listings.c.paper_id)
        )
    }
    out: dict[int, Candidate] = {}
    published = sa.select(*_COLUMNS).where(papers.c.published.between(published_from or first, last), ~papers.c.withdrawn)
    for r in conn.execute(published):
        out[r.id] = _candidate(r, listed.get(r.id))
    missing = [pid for pid in listed if pid not in out]
    for i in range(0, len(missing), IN_CHUNK):
        q = sa.select(*_COLUMNS).where(papers.c.id.in_(missing[i : i + IN_CHUNK]), ~papers.c.withdrawn)
        for r in conn.execute(q):
            out[r.id] = _candidate(r, listed[r.id])
    return list(out.values())


def sent_ids(conn: Connection, subscription_ids: list[int]) -> dict[int, set[str]]:
    """Papers already put in each subscription's digests."""
    out: dict[int, set[str]] = {sid: set() for sid in subscription_ids}
    for i in range(0, len(subscription_ids), IN_CHUNK):
        chunk = subscription_ids[i : i + IN_CHUNK]
        q = sa.select(digest_items.c.subscription_id, digest_items.c.arxiv_id).where(
            digest_items.c.subscription_id.in_(chunk)
        )
        for sid, aid in conn.execute(q):
            out[sid].add(aid)
    return out


def delete_sent_before(conn: Connection, before: datetime, cutoff: date, limit: int) -> int:
    """Delete up to ``limit`` sent-paper log rows written before ``before`` whose papers were
    neither published nor listed on or after ``cutoff`` (papers no digest can offer again);
    returns how many went. The caller repeats it, a transaction each, as for the outbox.

    ``ix_digest_items_created_at`` makes the age test a range scan of the oldest rows; the
    paper test reads each one's paper and listings by unique index.
    """
    relisted = sa.exists().where(daily_listings.c.paper_id == papers.c.id, daily_listings.c.listed_on >= cutoff)
    batch = (
        sa.select(digest_items.c.subscription_id, digest_items.c.arxiv_id)
        .join(papers, papers.c.arxiv_id == digest_items.c.arxiv_id)
        .where(digest_items.c.created_at < before,
               sa.or_(papers.c.published.is_(None), papers.c.published < cutoff), ~relisted)
        .limit(limit)
    )
    key = sa.tuple_(digest_items.c.subscription_id, digest_items.c.arxiv_id)
    return int(conn.execute(sa.delete(digest_items).where(key.in_(batch))).rowcount)


def record_items(conn: Connection, rows: Iterable[tuple[int, str, int | None]], at: datetime | None = None) -> None:
    """Log (subscription id, arXiv id, outbox id) for each paper put in a digest composed ``at``
    (the run's clock, as the outbox row has; the database's clock when None)."""
    values = [{"subscription_id": s, "arxiv_id": a, "outbox_id": o, **({"created_at": at} if at else {})}
              for s, a, o in rows]
    if values:
        # Two runs for *different* periods racing (cron overlapping midnight) could both pick a
        # paper; the first log row wins and the other run must not fail its whole batch.
        insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(digest_items)
        conn.execute(insert.on_conflict_do_nothing(index_elements=["subscription_id", "arxiv_id"]), values)


def save_archive(conn: Connection, day: date, entries: list[dict[str, Any]]) -> bool:
    """Store the day's public trending digest once; returns False when that day already exists."""
    insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(digest_archive)
    r = conn.execute(insert.on_conflict_do_nothing(index_elements=["day"]), {"day": day, "papers": entries})
    return bool(r.rowcount)


def archive_days(conn: Connection, limit: int = 60) -> list[tuple[date, int]]:
    q = sa.select(digest_archive.c.day, digest_archive.c.papers).order_by(digest_archive.c.day.desc()).limit(limit)
    return [(r.day, len(r.papers or ())) for r in conn.execute(q)]


def archive_issue(conn: Connection, day: date) -> list[dict[str, Any]] | None:
    r = conn.execute(sa.select(digest_archive.c.papers).where(digest_archive.c.day == day)).first()
    return list(r.papers) if r else None


def archive_recent(conn: Connection, limit: int = 20) -> list[tuple[date, list[dict[str, Any]], Any]]:
    q = sa.select(digest_archive).order_by(digest_archive.c.day.desc()).limit(limit)
    return [(r.day, list(r.papers or ()), r.created_at) for r in conn.execute(q)]

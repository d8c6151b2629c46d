"""Daily listings: which papers appeared on which day's list, and list queries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from papertide.domain.papers import Listing, PaperEntry
from papertide.domain.trending import TrendingCandidate
from papertide.storage.papers import IN_CHUNK, num_comments_column, paper_from_row
from papertide.storage.schema import daily_listings, papers


def upsert_listings(conn: Connection, listings: Sequence[Listing], ids: dict[str, int]) -> int:
    """Record listings (paper, day); an existing one keeps its row and gets the new position.

    Returns how many listings were new.
    """
    rows = [
        {"paper_id": ids[x.arxiv_id], "listed_on": x.listed_on, "position": x.position,
         "submitter_name": x.submitter_name}
        for x in listings
    ]
    if not rows:
        return 0
    # Which (paper, day) pairs exist already, looked up for this batch only (not a table count).
    paper_ids = sorted({r["paper_id"] for r in rows})
    existing: set[tuple[int, date]] = set()
    for i in range(0, len(paper_ids), IN_CHUNK):
        q = sa.select(daily_listings.c.paper_id, daily_listings.c.listed_on).where(
            daily_listings.c.paper_id.in_(paper_ids[i : i + IN_CHUNK])
        )
        existing.update((r.paper_id, r.listed_on) for r in conn.execute(q))
    new = {(r["paper_id"], r["listed_on"]) for r in rows} - existing
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(daily_listings)
    stmt = stmt.on_conflict_do_update(
        index_elements=["paper_id", "listed_on"],
        set_={
            "position": sa.func.coalesce(stmt.excluded.position, daily_listings.c.position),
            "submitter_name": sa.func.coalesce(stmt.excluded.submitter_name, daily_listings.c.submitter_name),
        },
    )
    conn.execute(stmt, rows)
    return len(new)


def _count(conn: Connection) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(daily_listings)).scalar_one()


def latest_listing_date(conn: Connection) -> date | None:
    return conn.execute(sa.select(sa.func.max(daily_listings.c.listed_on))).scalar()


def adjacent_listing_dates(conn: Connection, first: date, last: date) -> tuple[date | None, date | None]:
    """The nearest listing day before ``first`` and after ``last`` (None at either end)."""
    prev = conn.execute(
        sa.select(sa.func.max(daily_listings.c.listed_on)).where(daily_listings.c.listed_on < first)
    ).scalar()
    nxt = conn.execute(
        sa.select(sa.func.min(daily_listings.c.listed_on)).where(daily_listings.c.listed_on > last)
    ).scalar()
    return prev, nxt


def _first_listing_in(first: date, last: date) -> sa.Subquery:
    """One row per paper listed in [first, last]: its first listing day in the range."""
    return (
        sa.select(
            daily_listings.c.paper_id,
            sa.func.min(daily_listings.c.listed_on).label("listed_on"),
            sa.func.min(daily_listings.c.position).label("position"),
            sa.func.max(daily_listings.c.submitter_name).label("submitter_name"),
        )
        .where(daily_listings.c.listed_on.between(first, last))
        .group_by(daily_listings.c.paper_id)
        .subquery()
    )


def list_period(conn: Connection, first: date, last: date, limit: int, offset: int = 0) -> list[PaperEntry]:
    """Papers listed in [first, last], most upvoted first (then list position, then id)."""
    sub = _first_listing_in(first, last)
    q = (
        sa.select(papers, num_comments_column(), sub.c.listed_on, sub.c.position, sub.c.submitter_name)
        .join(sub, sub.c.paper_id == papers.c.id)
        .order_by(papers.c.upvotes.desc(), sub.c.position.asc().nulls_last(), papers.c.arxiv_id)
        .limit(limit)
        .offset(offset)
    )
    return [
        PaperEntry(paper_from_row(r), r.upvotes, r.num_comments, r.listed_on, r.submitter_name)
        for r in conn.execute(q)
    ]


def count_period(conn: Connection, first: date, last: date) -> int:
    q = sa.select(sa.func.count(sa.distinct(daily_listings.c.paper_id))).where(
        daily_listings.c.listed_on.between(first, last)
    )
    return conn.execute(q).scalar_one()


def trending_candidates(conn: Connection, first: date, last: date) -> list[TrendingCandidate]:
    """Every paper listed in [first, last] with its upvotes and first listing day there."""
    sub = _first_listing_in(first, last)
    q = sa.select(papers.c.arxiv_id, papers.c.upvotes, sub.c.listed_on).join(sub, sub.c.paper_id == papers.c.id)
    return [TrendingCandidate(r.arxiv_id, r.upvotes, r.listed_on) for r in conn.execute(q)]


def count_listings(conn: Connection) -> int:
    return _count(conn)


def listing_date_range(conn: Connection) -> tuple[date | None, date | None]:
    r = conn.execute(sa.select(sa.func.min(daily_listings.c.listed_on), sa.func.max(daily_listings.c.listed_on))).one()
    return r[0], r[1]

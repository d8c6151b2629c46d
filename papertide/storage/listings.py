"""Daily listings and every list of papers read from them (the read model behind pages, API and feeds).

Writes: which papers appeared on which day's list. Reads: the daily/weekly/monthly
lists (optionally by submitter, by upvotes or publication date), the trending
candidates of a span of days, the listing calendar, keyset pages over all papers, a
category's newest papers and the id ranges the sitemap is cut into. Ranking by the
trending formula is not done here: callers pass :func:`trending_candidates` to
``domain.trending``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from papertide.domain.papers import Listing, PaperEntry
from papertide.domain.trending import TrendingCandidate
from papertide.storage.github import has_code_condition
from papertide.storage.papers import IN_CHUNK, entry_from_row, num_comments_column, paper_from_row
from papertide.storage.schema import daily_listings, paper_categories, papers
from papertide.storage.tables.community import listing_removals

ListOrder = Literal["upvotes", "published"]


def upsert_listings(conn: Connection, listings: Sequence[Listing], ids: dict[str, int]) -> int:
    """Record listings (paper, day); an existing one keeps its row and gets the new position, and
    one a curator removed from that day (``listing_removals``) stays off.

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
    paper_ids = sorted({ids[x.arxiv_id] for x in listings})  # the rows' paper_ids, typed int (rows mix types)
    existing: set[tuple[int, date]] = set()
    removed: set[tuple[int, date]] = set()
    for i in range(0, len(paper_ids), IN_CHUNK):
        q = sa.select(daily_listings.c.paper_id, daily_listings.c.listed_on).where(
            daily_listings.c.paper_id.in_(paper_ids[i : i + IN_CHUNK])
        )
        existing.update((r.paper_id, r.listed_on) for r in conn.execute(q))
        # A curator took these off that day's list: a later import of the day must not put them back.
        q = sa.select(listing_removals.c.paper_id, listing_removals.c.listed_on).where(
            listing_removals.c.paper_id.in_(paper_ids[i : i + IN_CHUNK])
        )
        removed.update((r.paper_id, r.listed_on) for r in conn.execute(q))
    rows = [r for r in rows if (r["paper_id"], r["listed_on"]) not in removed]
    if not rows:
        return 0
    new = {(r["paper_id"], r["listed_on"]) for r in rows} - existing
    # On PostgreSQL each row is locked as it is written, and the papers of an unchanged listing are
    # not locked first (see ingest.writer): in (paper, day) order, two batches listing the same
    # papers wait on each other one way round, where in their own orders they could deadlock.
    # sorted() is stable, so a batch's later duplicate of a listing still lands last.
    rows.sort(key=lambda r: (r["paper_id"], r["listed_on"]))
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


def count_listings(conn: Connection) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(daily_listings)).scalar_one()


def latest_listing_date(conn: Connection) -> date | None:
    return conn.execute(sa.select(sa.func.max(daily_listings.c.listed_on))).scalar()


def listing_date_range(conn: Connection) -> tuple[date | None, date | None]:
    r = conn.execute(sa.select(sa.func.min(daily_listings.c.listed_on), sa.func.max(daily_listings.c.listed_on))).one()
    return r[0], r[1]


def adjacent_listing_dates(conn: Connection, first: date, last: date) -> tuple[date | None, date | None]:
    """The nearest listing day before ``first`` and after ``last`` (None at either end)."""
    prev = conn.execute(
        sa.select(sa.func.max(daily_listings.c.listed_on)).where(daily_listings.c.listed_on < first)
    ).scalar()
    nxt = conn.execute(
        sa.select(sa.func.min(daily_listings.c.listed_on)).where(daily_listings.c.listed_on > last)
    ).scalar()
    return prev, nxt


def _first_listing_in(first: date, last: date, submitter: str | None) -> sa.Subquery:
    """One row per paper listed in [first, last] (by ``submitter`` when given): its first listing day there."""
    q = (
        sa.select(
            daily_listings.c.paper_id,
            sa.func.min(daily_listings.c.listed_on).label("listed_on"),
            sa.func.min(daily_listings.c.position).label("position"),
            sa.func.max(daily_listings.c.submitter_name).label("submitter_name"),
        )
        .where(daily_listings.c.listed_on.between(first, last))
        .group_by(daily_listings.c.paper_id)
    )
    if submitter is not None:
        q = q.where(daily_listings.c.submitter_name == submitter)
    return q.subquery()


def list_period(
    conn: Connection,
    first: date,
    last: date,
    limit: int,
    offset: int = 0,
    submitter: str | None = None,
    order: ListOrder = "upvotes",
    arxiv_ids: Sequence[str] | None = None,
    has_code: bool = False,
) -> list[PaperEntry]:
    """Papers listed in [first, last]: most upvoted first (then list position, then id), or newest published first.

    ``arxiv_ids`` narrows the list to those papers (a page of a list ranked elsewhere);
    keep it to a page, under ``IN_CHUNK`` ids.
    """
    sub = _first_listing_in(first, last, submitter)
    if order == "upvotes":
        ordering = [papers.c.upvotes.desc(), sub.c.position.asc().nulls_last(), papers.c.arxiv_id]
    else:
        ordering = [papers.c.published.desc().nulls_last(), papers.c.upvotes.desc(), papers.c.arxiv_id]
    q = (
        sa.select(papers, num_comments_column(), sub.c.listed_on, sub.c.submitter_name)
        .join(sub, sub.c.paper_id == papers.c.id)
        .order_by(*ordering)
        .limit(limit)
        .offset(offset)
    )
    if arxiv_ids is not None:
        q = q.where(papers.c.arxiv_id.in_(list(arxiv_ids)))
    if has_code:
        q = q.where(has_code_condition())
    return [
        PaperEntry(paper_from_row(r), r.upvotes, r.num_comments, r.listed_on, r.submitter_name)
        for r in conn.execute(q)
    ]


def count_period(
    conn: Connection, first: date, last: date, submitter: str | None = None, has_code: bool = False
) -> int:
    q = sa.select(sa.func.count(sa.distinct(daily_listings.c.paper_id))).where(
        daily_listings.c.listed_on.between(first, last)
    )
    if has_code:
        q = q.join(papers, papers.c.id == daily_listings.c.paper_id).where(has_code_condition())
    if submitter is not None:
        q = q.where(daily_listings.c.submitter_name == submitter)
    return conn.execute(q).scalar_one()


def trending_candidates(
    conn: Connection, first: date, last: date, submitter: str | None = None
) -> list[TrendingCandidate]:
    """Every paper listed in [first, last] (by ``submitter`` when given) with its upvotes and first listing day there."""
    sub = _first_listing_in(first, last, submitter)
    q = sa.select(papers.c.arxiv_id, papers.c.upvotes, sub.c.listed_on).join(sub, sub.c.paper_id == papers.c.id)
    return [TrendingCandidate(r.arxiv_id, r.upvotes, r.listed_on) for r in conn.execute(q)]


def _in_category(category: str) -> sa.ColumnElement[bool]:
    return papers.c.id.in_(sa.select(paper_categories.c.paper_id).where(paper_categories.c.category == category))


def papers_after(
    conn: Connection, before_id: int | None, limit: int, category: str | None = None
) -> list[tuple[int, PaperEntry]]:
    """All papers, newest stored first, keyset-paged on the row id (stable under inserts)."""
    q = sa.select(papers, num_comments_column()).order_by(papers.c.id.desc()).limit(limit)
    if before_id is not None:
        q = q.where(papers.c.id < before_id)
    if category is not None:
        q = q.where(_in_category(category))
    return [(r.id, entry_from_row(r)) for r in conn.execute(q)]


def max_paper_row_id(conn: Connection) -> int:
    return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(papers.c.id), 0))).scalar_one())


def sitemap_rows(conn: Connection, first_id: int, last_id: int) -> list[tuple[str, date | None]]:
    """(arxiv_id, last modified day) of papers with row ids in [first_id, last_id]."""
    q = (
        sa.select(papers.c.arxiv_id, papers.c.updated_at)
        .where(papers.c.id.between(first_id, last_id))
        .order_by(papers.c.id)
    )
    return [(r.arxiv_id, r.updated_at.date() if r.updated_at else None) for r in conn.execute(q)]

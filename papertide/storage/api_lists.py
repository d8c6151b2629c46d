"""Queries behind the APIs and feeds that the pages do not need.

Daily lists filtered by submitter and ordered by publication date, all papers by
keyset, a category's newest papers, a title-substring fallback search, and the id
ranges the sitemap is cut into.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.domain.papers import PaperEntry
from papertide.storage.papers import num_comments_column, paper_from_row
from papertide.storage.schema import daily_listings, paper_categories, papers

ListOrder = Literal["upvotes", "published"]


def _listed_in(first: date, last: date, submitter: str | None) -> sa.Subquery:
    """One row per paper listed in [first, last] (by ``submitter`` when given)."""
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


def _entry(r: Any) -> PaperEntry:
    return PaperEntry(paper_from_row(r), r.upvotes, r.num_comments, r.listed_on, r.submitter_name)


def list_period_entries(
    conn: Connection,
    first: date,
    last: date,
    limit: int,
    offset: int = 0,
    submitter: str | None = None,
    order: ListOrder = "upvotes",
) -> list[PaperEntry]:
    """Papers listed in [first, last]: most upvoted first, or newest publication first."""
    sub = _listed_in(first, last, submitter)
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
    return [_entry(r) for r in conn.execute(q)]


def count_period_entries(conn: Connection, first: date, last: date, submitter: str | None = None) -> int:
    sub = _listed_in(first, last, submitter)
    return conn.execute(sa.select(sa.func.count()).select_from(sub)).scalar_one()


def papers_after(
    conn: Connection, before_id: int | None, limit: int, category: str | None = None
) -> list[tuple[int, PaperEntry]]:
    """All papers, newest stored first, keyset-paged on the row id (stable under inserts)."""
    q = sa.select(papers, num_comments_column()).order_by(papers.c.id.desc()).limit(limit)
    if before_id is not None:
        q = q.where(papers.c.id < before_id)
    if category is not None:
        in_cat = sa.select(paper_categories.c.paper_id).where(paper_categories.c.category == category)
        q = q.where(papers.c.id.in_(in_cat))
    return [(r.id, PaperEntry(paper_from_row(r), r.upvotes, r.num_comments)) for r in conn.execute(q)]


def category_newest(conn: Connection, category: str, limit: int) -> list[PaperEntry]:
    """A category's most recently published papers (cross-lists included)."""
    q = (
        sa.select(papers, num_comments_column())
        .join(paper_categories, paper_categories.c.paper_id == papers.c.id)
        .where(paper_categories.c.category == category)
        .order_by(papers.c.published.desc().nulls_last(), papers.c.id.desc())
        .limit(limit)
    )
    return [PaperEntry(paper_from_row(r), r.upvotes, r.num_comments) for r in conn.execute(q)]


def _like_pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def title_search(
    conn: Connection,
    text: str,
    limit: int,
    offset: int = 0,
    category: str | None = None,
    published_from: date | None = None,
    published_to: date | None = None,
) -> list[PaperEntry]:
    """Fallback search when no search service is configured: case-insensitive title substring.

    A full scan; the search service (issue 7) replaces it with an index.
    """
    q = (
        sa.select(papers, num_comments_column())
        .where(sa.func.lower(papers.c.title).like(_like_pattern(text), escape="\\"))
        .order_by(papers.c.upvotes.desc(), papers.c.published.desc().nulls_last(), papers.c.arxiv_id)
        .limit(limit)
        .offset(offset)
    )
    if category is not None:
        in_cat = sa.select(paper_categories.c.paper_id).where(paper_categories.c.category == category)
        q = q.where(papers.c.id.in_(in_cat))
    if published_from is not None:
        q = q.where(papers.c.published >= published_from)
    if published_to is not None:
        q = q.where(papers.c.published <= published_to)
    return [PaperEntry(paper_from_row(r), r.upvotes, r.num_comments) for r in conn.execute(q)]


def max_paper_row_id(conn: Connection) -> int:
    return conn.execute(sa.select(sa.func.coalesce(sa.func.max(papers.c.id), 0))).scalar_one()


def sitemap_rows(conn: Connection, first_id: int, last_id: int) -> list[tuple[str, date | None]]:
    """(arxiv_id, last modified day) of papers with row ids in [first_id, last_id]."""
    q = (
        sa.select(papers.c.arxiv_id, papers.c.updated_at)
        .where(papers.c.id.between(first_id, last_id))
        .order_by(papers.c.id)
    )
    return [(r.arxiv_id, r.updated_at.date() if r.updated_at else None) for r in conn.execute(q)]

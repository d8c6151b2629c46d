"""Reads behind category pages: whether a category is held, its newest papers, its trending candidates,
and the count per category for the index of them all.

All start from ``ix_paper_categories_category`` (category, paper_id); cross-lists count, as
on arXiv's own category listings.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.domain.arxiv_categories import is_listed_category
from papertide.domain.papers import PaperEntry
from papertide.domain.trending import TrendingCandidate
from papertide.storage.papers import entry_from_row, num_comments_column
from papertide.storage.schema import daily_listings, paper_categories, papers


def _in_category(category: str) -> sa.Select[tuple[int]]:
    return sa.select(paper_categories.c.paper_id).where(paper_categories.c.category == category)


def count_category(conn: Connection, category: str) -> int:
    """Papers in ``category`` (0: we hold none, the page is a 404)."""
    q = sa.select(sa.func.count()).select_from(paper_categories).where(paper_categories.c.category == category)
    return int(conn.execute(q).scalar_one())


def is_known(conn: Connection, category: str) -> bool:
    """A code arXiv lists, or one this instance holds papers in (a category arXiv added later)."""
    return is_listed_category(category) or count_category(conn, category) > 0


def category_counts(conn: Connection) -> list[tuple[str, int]]:
    """Every category held here with its number of papers (cross-lists count), by code."""
    q = (
        sa.select(paper_categories.c.category, sa.func.count())
        .group_by(paper_categories.c.category)
        .order_by(paper_categories.c.category)
    )
    return [(str(c), int(n)) for c, n in conn.execute(q)]


def category_latest(conn: Connection, category: str, limit: int, offset: int = 0) -> list[PaperEntry]:
    """A category's papers, newest published first (then newest stored)."""
    q = (
        sa.select(papers, num_comments_column())
        .where(papers.c.id.in_(_in_category(category)))
        .order_by(papers.c.published.desc().nulls_last(), papers.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [entry_from_row(r) for r in conn.execute(q)]


def category_trending_candidates(conn: Connection, category: str, first: date, last: date) -> list[TrendingCandidate]:
    """Papers of ``category`` listed in [first, last], with upvotes and their first listing day there."""
    q = (
        sa.select(papers.c.arxiv_id, papers.c.upvotes, sa.func.min(daily_listings.c.listed_on).label("listed_on"))
        .join(daily_listings, daily_listings.c.paper_id == papers.c.id)
        .where(daily_listings.c.listed_on.between(first, last), papers.c.id.in_(_in_category(category)))
        .group_by(papers.c.id, papers.c.arxiv_id, papers.c.upvotes)
    )
    return [TrendingCandidate(r.arxiv_id, r.upvotes, r.listed_on) for r in conn.execute(q)]

"""Reads behind category pages: whether a category is held, its newest papers, its trending candidates,
and the count per category for the index of them all.

Cross-lists count, as on arXiv's own category listings. A category's members are found two
ways, chosen by cost: gathered from ``ix_paper_categories_category`` (category, paper_id) and
sorted, or, for a large category, found by walking the date index newest first
(``ix_papers_published``; on PostgreSQL ``ix_papers_newest``, migration 0020) and checking
each paper's membership by primary key. SQLite plans the first for any category,
so it sorted all 60,000 papers of cs.LG (of 241,792) to show 20: 450 ms, where the walk takes
0.1 ms; for a category of a few hundred papers the walk would pass thousands of others.
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


def _is_member(category: str) -> sa.Exists:
    """The paper of the outer row is in ``category`` (a primary-key probe per paper)."""
    return sa.exists().where(paper_categories.c.paper_id == papers.c.id, paper_categories.c.category == category)


def _walk_is_cheaper(conn: Connection, members: int, wanted: int) -> bool:
    """Walking all papers newest first passes ~ wanted × papers / members rows; gathering costs ~ members."""
    held = int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(papers.c.id), 0))).scalar_one())  # ~ papers held
    return wanted * held < members * members


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


def category_latest(conn: Connection, category: str, limit: int, offset: int = 0,
                    members: int | None = None) -> list[PaperEntry]:
    """A category's papers, newest published first (then newest stored); ``members``: its
    :func:`count_category`, when the caller has it."""
    if members is None:
        members = count_category(conn, category)
    if not members or offset >= members:
        return []
    walk = _walk_is_cheaper(conn, members, offset + limit)
    newest = sa.select(papers.c.id).order_by(papers.c.published.desc().nulls_last(), papers.c.id.desc())
    page = newest.where(_is_member(category) if walk else papers.c.id.in_(_in_category(category)))
    # Ids first, then the rows: a sort that carries every column carries every abstract too.
    ids = list(conn.execute(page.limit(limit).offset(offset)).scalars())
    rows = {r.id: r for r in conn.execute(sa.select(papers, num_comments_column()).where(papers.c.id.in_(ids)))}
    return [entry_from_row(rows[i]) for i in ids if i in rows]


def category_trending_candidates(conn: Connection, category: str, first: date, last: date) -> list[TrendingCandidate]:
    """Papers of ``category`` listed in [first, last], with upvotes and their first listing day there."""
    q = (
        sa.select(papers.c.arxiv_id, papers.c.upvotes, sa.func.min(daily_listings.c.listed_on).label("listed_on"))
        .join(daily_listings, daily_listings.c.paper_id == papers.c.id)
        # From the window's listings (a few hundred), each checked by primary key.
        .where(daily_listings.c.listed_on.between(first, last), _is_member(category))
        .group_by(papers.c.id, papers.c.arxiv_id, papers.c.upvotes)
    )
    return [TrendingCandidate(r.arxiv_id, r.upvotes, r.listed_on) for r in conn.execute(q)]

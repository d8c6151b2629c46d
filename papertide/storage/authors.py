"""Reads behind author pages: an author's papers, how they spell their name, their co-authors.

Every query starts from ``ix_paper_authors_author_key`` (author_key, paper_id), so an author
page costs a few index range scans whatever the size of the archive.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.domain.papers import PaperEntry
from papertide.storage.papers import entry_from_row, num_comments_column
from papertide.storage.schema import papers
from papertide.storage.tables.authors import paper_authors

MAX_SPELLINGS = 200  # rows read to pick the name to show (an author with more papers is well sampled)


def _papers_of(key: str) -> sa.Select[tuple[int]]:
    return sa.select(paper_authors.c.paper_id).where(paper_authors.c.author_key == key)


def author_papers(conn: Connection, key: str, limit: int, offset: int = 0) -> list[PaperEntry]:
    """Papers with an author whose key is ``key``, newest published first (then newest stored)."""
    q = (
        sa.select(papers, num_comments_column())
        .where(papers.c.id.in_(_papers_of(key)))
        .order_by(papers.c.published.desc().nulls_last(), papers.c.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return [entry_from_row(r) for r in conn.execute(q)]


def count_author_papers(conn: Connection, key: str) -> int:
    q = sa.select(sa.func.count(sa.distinct(paper_authors.c.paper_id))).where(paper_authors.c.author_key == key)
    return int(conn.execute(q).scalar_one())


def author_spellings(conn: Connection, key: str) -> list[str]:
    """How the papers spell this author (one entry per paper, oldest stored first)."""
    q = (
        sa.select(paper_authors.c.name)
        .where(paper_authors.c.author_key == key)
        .order_by(paper_authors.c.paper_id)
        .limit(MAX_SPELLINGS)
    )
    return list(conn.execute(q).scalars())


def names_of_papers(conn: Connection, ids: list[int]) -> list[str]:
    """Every author name of the papers ``ids`` (row ids), once per paper it is on."""
    if not ids:
        return []
    return list(conn.execute(sa.select(paper_authors.c.name).where(paper_authors.c.paper_id.in_(ids))).scalars())


def coauthors(conn: Connection, key: str, limit: int) -> list[tuple[str, str, int]]:
    """(key, a spelling, papers together) of the people who wrote most often with ``key``.

    Most shared papers first, then by key, so the order is stable.
    """
    theirs = _papers_of(key).subquery()
    shared = sa.func.count(sa.distinct(paper_authors.c.paper_id)).label("shared")
    q = (
        sa.select(paper_authors.c.author_key, sa.func.max(paper_authors.c.name).label("name"), shared)
        .join(theirs, theirs.c.paper_id == paper_authors.c.paper_id)
        .where(paper_authors.c.author_key != key)
        .group_by(paper_authors.c.author_key)
        .order_by(shared.desc(), paper_authors.c.author_key)
        .limit(limit)
    )
    return [(r.author_key, r.name, int(r.shared)) for r in conn.execute(q)]

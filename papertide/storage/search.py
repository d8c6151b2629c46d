"""Search queries: filters as SQL conditions, lexical matching per dialect, browsing.

The lexical engines differ by dialect (SQLite FTS5 with bm25(), PostgreSQL tsvector
with ts_rank); both live in ``storage/dialects/search_*.py`` and return the same
``[(paper_id, score)]`` shape, higher score = better.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.domain.authors import search_key
from papertide.domain.search import SearchFilters
from papertide.storage.dialects import search_postgres, search_sqlite
from papertide.storage.github import has_code_condition
from papertide.storage.papers import IN_CHUNK, contains_pattern
from papertide.storage.schema import daily_listings, paper_categories, papers
from papertide.storage.tables.authors import paper_authors

Hits = list[tuple[int, float]]


def filter_conditions(filters: SearchFilters, scan: bool = False) -> list[sa.ColumnElement[bool]]:
    """SQL conditions on ``papers`` for every active filter (none → empty list).

    ``scan``: the query reads every paper (a count, a full list), so the author filter reads the
    name index once instead of looking up each paper's names.
    """
    conds: list[sa.ColumnElement[bool]] = []
    if filters.published_from:
        conds.append(papers.c.published >= filters.published_from)
    if filters.published_to:
        conds.append(papers.c.published <= filters.published_to)
    if filters.categories:
        conds.append(
            sa.exists().where(
                paper_categories.c.paper_id == papers.c.id, paper_categories.c.category.in_(filters.categories)
            )
        )
    if filters.exclude_categories:
        conds.append(
            ~sa.exists().where(
                paper_categories.c.paper_id == papers.c.id,
                paper_categories.c.category.in_(filters.exclude_categories),
            )
        )
    if filters.author:
        conds.append(author_condition(filters.author, scan))
    if filters.listed_only:
        conds.append(sa.exists().where(daily_listings.c.paper_id == papers.c.id))
    if filters.has_code:
        conds.append(has_code_condition())
    return conds


def author_condition(name: str, scan: bool = False) -> sa.ColumnElement[bool]:
    """Some author's search key (``paper_authors``: NFKC, case and diacritics folded) holds ``name``'s.

    Keys, not the JSON text of ``papers.authors``: SQLite's LIKE lower-cases ASCII only (and rows
    written before migration 0023 held "M\\u00fcller"), so "Müller" or "Łukasz" found nothing;
    without diacritics, "muller" finds Müller too. The tantivy index keeps n-grams of the same
    keys (storage/search_changes.py).
    """
    matching = paper_authors.c.search_key.like(contains_pattern(search_key(name)), escape="\\")
    if scan:  # one pass over the (search_key, paper_id) index: 0.19 s at 241,792 papers, each paper's lookup 0.36 s
        return papers.c.id.in_(sa.select(paper_authors.c.paper_id).where(matching))
    return sa.exists().where(paper_authors.c.paper_id == papers.c.id, matching)


def lexical_search(conn: Connection, terms: Sequence[str], filters: SearchFilters, limit: int) -> Hits:
    """Papers matching any of ``terms``, best BM25-style score first."""
    if not terms:
        return []
    conds = filter_conditions(filters)
    if conn.dialect.name == "postgresql":
        return search_postgres.lexical_search(conn, terms, conds, limit)
    return search_sqlite.lexical_search(conn, terms, conds, limit)


def correct_terms(conn: Connection, terms: Sequence[str]) -> dict[str, str]:
    """Spellings for the query terms that look misspelt, from the dialect's own index."""
    if conn.dialect.name == "postgresql":
        return search_postgres.correct_terms(conn, terms)
    return search_sqlite.correct_terms(conn, terms)


def filtered_ids(conn: Connection, filters: SearchFilters) -> frozenset[int]:
    """Row ids of every paper that passes ``filters`` (for filtering exact vector search)."""
    q = sa.select(papers.c.id).where(*filter_conditions(filters, scan=True))
    return frozenset(conn.execute(q).scalars())


def filter_among(conn: Connection, filters: SearchFilters, ids: Sequence[int]) -> set[int]:
    """Those of ``ids`` that pass ``filters`` (checks candidates without listing every passing paper).

    The ids travel as one parameter (a JSON array on SQLite, an array on PostgreSQL): a filtered
    vector search checks thousands of candidates, and IN lists of bound parameters cost more
    to build and bind than the check itself.
    """
    if not ids:
        return set()
    dialect = search_postgres if conn.dialect.name == "postgresql" else search_sqlite
    member, value = dialect.id_in_list(papers.c.id, [int(i) for i in ids])
    q = sa.select(papers.c.id).where(member, *filter_conditions(filters))
    return set(conn.execute(q, {"ids": value}).scalars())


def titles_by_row_id(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """``{row id: (arXiv id, title)}`` for those of ``ids`` we hold (search suggestions need no more)."""
    out: dict[int, tuple[str, str]] = {}
    for i in range(0, len(ids), IN_CHUNK):
        q = sa.select(papers.c.id, papers.c.arxiv_id, papers.c.title).where(papers.c.id.in_(ids[i : i + IN_CHUNK]))
        out.update((r.id, (r.arxiv_id, r.title)) for r in conn.execute(q))
    return out


def texts_by_row_id(conn: Connection, ids: Sequence[int]) -> dict[int, str]:
    """``{row id: title, abstract and authors as one text}``: what search operators are checked against."""
    out: dict[int, str] = {}
    for i in range(0, len(ids), IN_CHUNK):
        q = sa.select(papers.c.id, papers.c.title, papers.c.abstract, papers.c.authors).where(
            papers.c.id.in_(ids[i : i + IN_CHUNK]))
        out.update((r.id, "\n".join((r.title, r.abstract or "", "; ".join(r.authors or ())))) for r in conn.execute(q))
    return out


def browse(conn: Connection, filters: SearchFilters, sort: str, limit: int, offset: int) -> tuple[list[int], int]:
    """Papers passing ``filters`` with no query text, by date or upvotes; and their count."""
    conds = filter_conditions(filters)
    order = _order(sort)
    ids = list(conn.execute(sa.select(papers.c.id).where(*conds).order_by(*order).limit(limit).offset(offset)).scalars())
    return ids, count_passing(conn, filters)


def count_passing(conn: Connection, filters: SearchFilters) -> int:
    """How many papers pass ``filters`` (a scan when a filter has no index to answer it)."""
    conds = filter_conditions(filters, scan=True)
    return conn.execute(sa.select(sa.func.count()).select_from(papers).where(*conds)).scalar_one()


def upvoted(conn: Connection, filters: SearchFilters) -> list[int]:
    """Every upvoted paper passing ``filters``, most upvoted first (browsing's head of "upvotes" order).

    Walks ``ix_papers_upvoted``, which holds only papers with an upvote: a few percent of them.
    """
    q = sa.select(papers.c.id).where(papers.c.upvotes > 0, *filter_conditions(filters)).order_by(*_order("upvotes"))
    return list(conn.execute(q).scalars())


def _order(sort: str) -> list[Any]:
    if sort == "upvotes":
        return [papers.c.upvotes.desc(), papers.c.published.desc().nulls_last(), papers.c.id.desc()]
    return [papers.c.published.desc().nulls_last(), papers.c.id.desc()]


def sort_ids(conn: Connection, ids: Sequence[int], sort: str) -> list[int]:
    """``ids`` reordered by date or upvotes (relevance keeps the given order)."""
    if sort not in ("date", "upvotes") or not ids:
        return list(ids)
    keyed: dict[int, tuple[Any, ...]] = {}
    for i in range(0, len(ids), IN_CHUNK):
        q = sa.select(papers.c.id, papers.c.published, papers.c.upvotes).where(papers.c.id.in_(ids[i : i + IN_CHUNK]))
        for r in conn.execute(q):
            day = r.published.toordinal() if r.published else 0
            keyed[r.id] = (-r.upvotes, -day, -r.id) if sort == "upvotes" else (-day, -r.id)
    return sorted((i for i in ids if i in keyed), key=keyed.__getitem__)


def rebuild_lexical_index(conn: Connection) -> None:
    """Rebuild the lexical index from the papers table (normally kept by triggers)."""
    engine = search_postgres if conn.dialect.name == "postgresql" else search_sqlite
    engine.rebuild(conn)

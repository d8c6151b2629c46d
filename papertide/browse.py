"""What author and category pages (and their feeds) show, loaded before rendering.

An author is addressed by any spelling of their name (``/authors/Émilie du Châtelet``);
:func:`papertide.domain.authors.author_key` folds Unicode form, case and spacing, so every
spelling reaches one page. A category page shows its newest papers and what trends in it,
ranked by the same formula and window as ``/trending``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from papertide.catalog import Catalog
from papertide.domain.arxiv_categories import HeldCategory, group_held
from papertide.domain.authors import MAX_NAME_CHARS, author_key, display_name
from papertide.domain.papers import PaperEntry
from papertide.domain.trending import ScoredPaper, rank_trending, window_days_range
from papertide.storage import authors as authors_store
from papertide.storage import categories as categories_store
from papertide.storage import papers as papers_store
from papertide.storage.db import Database

COAUTHORS_SHOWN = 20  # most frequent co-authors listed on an author page
CATEGORY_TRENDING_SHOWN = 10  # trending papers at the top of a category page
MAX_CATEGORY_CHARS = 32  # the paper_categories column's width
_CATEGORY_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-.")


@dataclass(frozen=True, slots=True)
class Coauthor:
    name: str
    key: str
    shared: int  # papers written together


@dataclass(frozen=True, slots=True)
class PapersPage:
    """One page of a newest-first list."""

    entries: list[PaperEntry]
    total: int
    page: int
    page_size: int

    @property
    def has_more(self) -> bool:
        return (self.page + 1) * self.page_size < self.total


@dataclass(frozen=True, slots=True)
class AuthorPage:
    name: str  # the spelling most of their papers use
    key: str
    papers: PapersPage
    coauthors: list[Coauthor]


@dataclass(frozen=True, slots=True)
class CategoryPage:
    category: str
    latest: PapersPage
    trending: list[tuple[PaperEntry, ScoredPaper]]
    window_first: date
    window_last: date


def is_category_name(text: str) -> bool:
    """Could ``text`` be an arXiv category (``cs.LG``, ``hep-th``, ``q-bio.NC``)?"""
    return 0 < len(text) <= MAX_CATEGORY_CHARS and set(text) <= _CATEGORY_CHARS


class BrowsePages:
    """Author and category pages."""

    def __init__(self, db: Database, catalog: Catalog) -> None:
        self.db, self.catalog = db, catalog

    def author(self, name: str, page: int = 0, page_size: int | None = None) -> AuthorPage | None:
        """The author page for any spelling of ``name``; None when no paper here has that author."""
        key = author_key(name) if len(name) <= MAX_NAME_CHARS else ""
        if not key:
            return None
        size = page_size or self.catalog.page_size
        with self.db.read() as conn:
            total = authors_store.count_author_papers(conn, key)
            if total == 0:
                return None
            entries = authors_store.author_papers(conn, key, size, page * size)
            spellings = authors_store.author_spellings(conn, key)
            co = authors_store.coauthors(conn, key, COAUTHORS_SHOWN) if page == 0 else []
        return AuthorPage(
            name=display_name(spellings), key=key, papers=PapersPage(entries, total, page, size),
            coauthors=[Coauthor(n, k, shared) for k, n, shared in co],
        )

    def category(self, category: str, page: int = 0, page_size: int | None = None) -> CategoryPage | None:
        """A category's page; None for a name that is no category or one with no papers here."""
        if not is_category_name(category):
            return None
        size = page_size or self.catalog.page_size
        as_of = self.catalog.trending_as_of()
        first, last = window_days_range(as_of, self.catalog.window_days)
        with self.db.read() as conn:
            total = categories_store.count_category(conn, category)
            if total == 0:
                return None
            latest = categories_store.category_latest(conn, category, size, page * size, members=total)
            trending: list[tuple[PaperEntry, ScoredPaper]] = []
            if page == 0:
                candidates = categories_store.category_trending_candidates(conn, category, first, last)
                ranked = rank_trending(candidates, as_of, self.catalog.gravity, self.catalog.window_days)
                ranked = ranked[:CATEGORY_TRENDING_SHOWN]
                by_id = papers_store.entries_by_id(conn, [s.arxiv_id for s in ranked])
                listed = {c.arxiv_id: c.listed_on for c in candidates}  # cards show when it was listed
                trending = [
                    (replace(by_id[s.arxiv_id], listed_on=listed[s.arxiv_id]), s) for s in ranked if s.arxiv_id in by_id
                ]
        return CategoryPage(category, PapersPage(latest, total, page, size), trending, first, last)

    def categories(self) -> list[tuple[str, list[HeldCategory]]]:
        """Every category held here, under arXiv's groups, with its number of papers."""
        with self.db.read() as conn:
            return group_held(categories_store.category_counts(conn))

    def author_feed(self, name: str, limit: int) -> AuthorPage | None:
        """An author's newest ``limit`` papers (for their feed), without co-authors."""
        key = author_key(name) if len(name) <= MAX_NAME_CHARS else ""
        if not key:
            return None
        with self.db.read() as conn:
            entries = authors_store.author_papers(conn, key, limit)
            if not entries:
                return None
            spellings = authors_store.author_spellings(conn, key)
        return AuthorPage(display_name(spellings), key, PapersPage(entries, len(entries), 0, limit), [])

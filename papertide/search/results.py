"""What a search returns: a page of hits for the web page and the CLI, and the ranking under it.

Plain values; :class:`~papertide.search.service.SearchService` builds them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from papertide.domain.papers import PaperEntry
from papertide.domain.search import SearchRequest, Sort, listing_sort

CANDIDATES = 200  # hits each engine contributes before fusion; also the deepest page


@dataclass(frozen=True, slots=True)
class SearchHit:
    entry: PaperEntry
    score: float
    title_parts: list[tuple[str, bool]]
    snippet_parts: list[tuple[str, bool]]
    pinned: bool = False  # the query names this paper by arXiv id


@dataclass(frozen=True, slots=True)
class SearchPage:
    request: SearchRequest
    query: str
    terms: tuple[str, ...]
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    redirect: str | None = None  # set when the query is an arXiv id of a paper we hold
    dense_used: bool = False
    took_ms: float = 0.0
    corrected: str | None = None  # the query as searched, when misspelt keywords were corrected
    missing_ids: tuple[str, ...] = ()  # arXiv ids the query names that we do not hold
    pinned: tuple[int, ...] = ()  # row ids of papers the query names, shown first
    other_language: bool = False  # the query reads as another language than the papers' English
    operators: bool = False  # the query holds "exact phrases" or -excluded words
    # Sorted by date or upvotes: every paper holding all the words is listed with the best matches
    # (browsing.with_words); False: the best SORTED_CANDIDATES matches alone are reordered (search/service.py).
    every_word: bool = False

    @property
    def sort(self) -> Sort:
        """The order the hits are in (filters without words: newest first)."""
        listing = not self.query and self.request.filters.active
        return listing_sort(self.request.sort) if listing else self.request.sort

    @property
    def has_more(self) -> bool:
        return (self.request.page + 1) * self.request.page_size < self.total

    @property
    def count_label(self) -> str:
        """How many results, said truly: a ranked list stops at CANDIDATES, so a full one is the best
        of more, not every paper that matches."""
        if self.query and not self.every_word and self.total >= CANDIDATES:
            return f"{self.total} best matches"
        return f"{self.total} result{'' if self.total == 1 else 's'}"

    @property
    def first_index(self) -> int:
        return self.request.page * self.request.page_size + 1


@dataclass(frozen=True, slots=True)
class Ranking:
    """One query's ranking and how the query was read."""

    hits: list[tuple[int, float]]
    terms: tuple[str, ...]  # the keywords searched, corrections applied
    corrections: dict[str, str] = field(default_factory=dict)  # typed keyword → spelling searched
    pinned: tuple[int, ...] = ()  # row ids of the held papers the query names, first in ``hits``
    missing_ids: tuple[str, ...] = ()  # named arXiv ids we do not hold
    vectors: bool = False  # the mode reads vectors and the index holds some (asked once per query)

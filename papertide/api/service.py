"""Read services behind the HF-compatible API, the REST API and the feeds.

Routes stay thin: they parse parameters and shape JSON/XML; the lists come from here.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from papertide.catalog import Catalog, TrendingPage
from papertide.domain.papers import PaperEntry
from papertide.domain.periods import Period
from papertide.domain.search import SearchFilters, SearchRequest
from papertide.domain.trending import ScoredPaper, rank_candidates
from papertide.search.service import SearchService
from papertide.storage import categories as categories_store
from papertide.storage import listings
from papertide.storage import papers as papers_store
from papertide.storage.db import Database

ListSort = Literal["upvotes", "published", "trending"]
BACKEND = "hybrid"  # reported by the search endpoints; clients have seen it since the first release
SITEMAP_CHUNK = 40_000  # paper row ids per sitemap file (the protocol allows 50,000 URLs)
SEARCH_FEED_DAYS = 30  # the days of papers a feed of a search with words ranks (see ApiService.search_feed)


@dataclass(frozen=True, slots=True)
class EntryPage:
    entries: list[PaperEntry]
    total: int
    offset: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.entries) < self.total


@dataclass(frozen=True, slots=True)
class SearchPage:
    hits: list[tuple[PaperEntry, float]]
    backend: str
    has_more: bool


class ApiService:
    """Lists, papers, trending and search as the APIs and feeds need them."""

    def __init__(self, db: Database, catalog: Catalog, search: SearchService) -> None:
        self.db = db
        self.catalog = catalog
        self.search_service = search

    def latest_period(self) -> Period | None:
        return self.catalog.latest_day()

    def period_entries(
        self, period: Period, offset: int, limit: int, submitter: str | None = None, sort: ListSort = "upvotes"
    ) -> EntryPage:
        first, last = period.first, period.last
        if sort != "trending":
            with self.db.read() as conn:
                entries = listings.list_period(conn, first, last, limit, offset, submitter, sort)
                return EntryPage(entries, listings.count_period(conn, first, last, submitter), offset)
        # Rank the small candidate rows of the whole period, then load only the page's papers.
        as_of = self._period_as_of(period)
        with self.db.read() as conn:
            total = listings.count_period(conn, first, last, submitter)
            candidates = listings.trending_candidates(conn, first, last, submitter)
            ids = [s.arxiv_id for s in rank_candidates(candidates, as_of, self.catalog.gravity)[offset : offset + limit]]
            loaded = listings.list_period(conn, first, last, len(ids), 0, submitter, arxiv_ids=ids) if ids else []
        by_id = {e.paper.arxiv_id: e for e in loaded}
        return EntryPage([by_id[i] for i in ids if i in by_id], total, offset)

    def _period_as_of(self, period: Period) -> datetime:
        # Score a past period as of its own end, so old weeks rank like they did then.
        end = datetime.combine(period.last + timedelta(days=1), time(), tzinfo=UTC)
        return min(self.catalog.trending_as_of(), end)

    def trending_settings(self, gravity: float | None, window_days: int | None) -> tuple[float, int]:
        """The gravity and window a trending list uses: the instance's where a request leaves them out."""
        return (self.catalog.gravity if gravity is None else gravity,
                self.catalog.window_days if window_days is None else window_days)

    def trending(self, offset: int, limit: int, gravity: float | None, window_days: int | None) -> tuple[TrendingPage, bool]:
        page = self.catalog.trending(limit=offset + limit + 1, gravity=gravity, window_days=window_days)
        has_more = len(page.entries) > offset + limit
        sliced = TrendingPage(
            page.entries[offset : offset + limit], page.as_of, page.window_first, page.window_last,
            page.gravity, page.window_days,
        )
        return sliced, has_more

    def paper(self, arxiv_id: str) -> PaperEntry | None:
        return self.catalog.paper(arxiv_id)

    def papers(self, before_id: int | None, limit: int, category: str | None) -> list[tuple[int, PaperEntry]]:
        with self.db.read() as conn:
            return listings.papers_after(conn, before_id, limit, category)

    def category_newest(self, category: str, limit: int) -> list[PaperEntry]:
        with self.db.read() as conn:
            return categories_store.category_latest(conn, category, limit)

    def search(self, query: str, offset: int, limit: int, filters: SearchFilters | None = None) -> SearchPage:
        # The API pages by offset; the search service by whole pages. A cursor read with another
        # limit than the one that made it starts mid-page: then the results up to the page's end
        # are asked for and the first ``offset`` dropped, so no paper comes twice or is skipped.
        number, size, skip = (offset // limit, limit, 0) if offset % limit == 0 else (0, offset + limit, offset)
        page = self.search_service.search(SearchRequest(text=query, filters=filters or SearchFilters(),
                                                        page=number, page_size=size))
        if page.redirect:  # the query was the arXiv id of a paper we hold
            scored = [ScoredPaper(page.redirect.rsplit("/papers/", 1)[-1], 1.0)]
            return SearchPage(self._resolve(scored), BACKEND, False)
        return SearchPage([(h.entry, h.score) for h in page.hits[skip:]], BACKEND, page.has_more)

    def search_feed(self, query: str, filters: SearchFilters, limit: int,
                    correct_spelling: bool = True) -> tuple[list[PaperEntry], bool]:
        """What a feed of a saved search shows: new papers, newest first; and whether the words were
        searched among the last SEARCH_FEED_DAYS days only.

        Filters alone list the newest papers passing them. With words, a relevance ranking over
        the whole archive would hardly change from day to day, so a feed reader would never see
        the paper published this morning: unless the search names dates, the words are searched
        among the papers of this instance's last SEARCH_FEED_DAYS days, listed as the search page
        sorted by date lists them (those holding every word, with the most relevant).
        """
        windowed = bool(query) and not (filters.published_from or filters.published_to)
        if windowed:
            with self.db.read() as conn:
                latest = papers_store.published_range(conn)[1]
            if latest is not None:
                filters = replace(filters, published_from=latest - timedelta(days=SEARCH_FEED_DAYS - 1))
        page = self.search_service.search(SearchRequest(text=query, filters=filters, sort="date", page_size=limit,
                                                        correct_spelling=correct_spelling))
        if page.redirect:  # the query was the arXiv id of a paper we hold
            return [e for e, _ in self._resolve([ScoredPaper(page.redirect.rsplit("/papers/", 1)[-1], 1.0)])], False
        return [h.entry for h in page.hits], windowed

    def similar(self, arxiv_id: str, limit: int) -> SearchPage:
        """Papers like ``arxiv_id``, nearest first (empty while it has no embedding)."""
        return SearchPage(list(self.search_service.similar(arxiv_id, limit)), BACKEND, False)

    def _resolve(self, scored: list[ScoredPaper]) -> list[tuple[PaperEntry, float]]:
        with self.db.read() as conn:
            by_id = papers_store.entries_by_id(conn, [s.arxiv_id for s in scored])
        return [(by_id[s.arxiv_id], s.score) for s in scored if s.arxiv_id in by_id]

    def sitemap_count(self) -> int:
        with self.db.read() as conn:
            return max(1, -(-listings.max_paper_row_id(conn) // SITEMAP_CHUNK))

    def sitemap_chunk(self, n: int) -> list[tuple[str, date | None]]:
        with self.db.read() as conn:
            return listings.sitemap_rows(conn, n * SITEMAP_CHUNK + 1, (n + 1) * SITEMAP_CHUNK)


__all__ = ["ApiService", "EntryPage", "SearchPage"]

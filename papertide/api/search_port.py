"""What the API needs from a search service, and the fallback used without one.

The search capability (issue 7) builds its ``SearchService`` on ``app.state.search``;
the API reaches it through :class:`ServiceSearch`, an adapter to this module's small
:class:`PaperSearch` protocol. When no search service can be built, :class:`TitleSearch`
answers with a case-insensitive title match, so the HF-compatible
``/api/papers/search`` still works, and ``similar`` reports itself unavailable (501).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from papertide.domain.trending import ScoredPaper
from papertide.storage import listings
from papertide.storage.db import Database


class SearchUnavailable(RuntimeError):
    """Raised when the configured search service cannot do what was asked."""


@dataclass(frozen=True, slots=True)
class SearchFilters:
    category: str | None = None
    published_from: date | None = None
    published_to: date | None = None


class PaperSearch(Protocol):
    """A ranker over the stored papers; results best first, plus "more pages exist"."""

    name: str

    def search(
        self, query: str, *, limit: int, offset: int, filters: SearchFilters
    ) -> tuple[list[ScoredPaper], bool]: ...

    def similar(self, arxiv_id: str, *, limit: int) -> list[ScoredPaper]: ...


class TitleSearch:
    """Fallback: papers whose title contains the query, most upvoted first (score 0)."""

    name = "title-substring"

    def __init__(self, db: Database) -> None:
        self.db = db

    def search(self, query: str, *, limit: int, offset: int, filters: SearchFilters) -> tuple[list[ScoredPaper], bool]:
        with self.db.read() as conn:
            entries = listings.title_search(
                conn, query, limit + 1, offset, filters.category, filters.published_from, filters.published_to
            )
        return [ScoredPaper(e.paper.arxiv_id, 0.0) for e in entries[:limit]], len(entries) > limit

    def similar(self, arxiv_id: str, *, limit: int) -> list[ScoredPaper]:
        raise SearchUnavailable("similar papers need the search service, which this instance does not run")


class ServiceSearch:
    """Adapter over issue 7's ``SearchService`` (``search(SearchRequest)``, ``similar``)."""

    name = "hybrid"

    def __init__(self, service: Any) -> None:
        self.service = service

    def search(self, query: str, *, limit: int, offset: int, filters: SearchFilters) -> tuple[list[ScoredPaper], bool]:
        from papertide.domain import search as search_domain

        request = search_domain.SearchRequest(
            text=query,
            filters=search_domain.SearchFilters(
                published_from=filters.published_from,
                published_to=filters.published_to,
                categories=(filters.category,) if filters.category else (),
            ),
            page=offset // limit,  # our cursors advance by whole pages
            page_size=limit,
        )
        page = self.service.search(request)
        if page.redirect:  # the query was the arXiv id of a paper we hold
            return [ScoredPaper(page.redirect.rsplit("/papers/", 1)[-1], 1.0)], False
        return [ScoredPaper(h.entry.paper.arxiv_id, h.score) for h in page.hits], page.has_more

    def similar(self, arxiv_id: str, *, limit: int) -> list[ScoredPaper]:
        return [ScoredPaper(e.paper.arxiv_id, s) for e, s in self.service.similar(arxiv_id, limit)]


def search_for_state(state: Any, db: Database) -> PaperSearch:
    """The app's search: issue 7's service when that package is installed, else the fallback."""
    try:
        from papertide.search.runtime import service_for
    except ImportError:  # an instance built without the search capability
        return TitleSearch(db)
    return ServiceSearch(service_for(state))

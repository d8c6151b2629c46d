"""Search pages: ``/search`` (hybrid search with filters, sort, paging) and similar papers.

Every input is untrusted: bad dates, junk categories, 10 kB queries and FTS operator
characters are normalised in domain/search.py and yield a page, never a 500.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from papertide.domain.papers import InvalidArxivId, parse_arxiv_id
from papertide.domain.queries import understand_query, wordless_reason
from papertide.domain.search import InvalidFilter, SearchRequest, parse_sort
from papertide.search.results import SearchPage
from papertide.search.service import SORTED_CANDIDATES
from papertide.web.deps import BaseUrlDep, CatalogDep, SearchDep, SettingsDep, SignalsDep, TemplatesDep
from papertide.web.params import FilterParams, is_on, search_params
from papertide.web.sessions import ViewerDep

# Deeper pages than CANDIDATES / page size hold nothing for words; filters alone (browsing) can
# list more, and their deepest page says so instead of linking to a page refused.
MAX_PAGE = 50
SIMILAR_FULL = 30  # on /papers/{id}/similar
SUGGESTIONS_TYPE = "application/x-suggestions+json"  # OpenSearch's suggestions extension
SUGGESTIONS_MAX_AGE = 300  # seconds; a browser asks again for the same letters within a session

router = APIRouter()


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    templates: TemplatesDep,
    search: SearchDep,
    settings: SettingsDep,
    signals: SignalsDep,
    viewer: ViewerDep,
    fields: Annotated[FilterParams, Depends()],
    q: Annotated[str, Query(max_length=20_000)] = "",
    p: Annotated[int, Query(ge=0, le=MAX_PAGE)] = 0,
    sort: str = "relevance",
    mode: str = "hybrid",
    exact: str = "",
) -> Response:
    """Ranked papers for ``q`` with highlighted matches; an arXiv id goes to its paper.

    ``exact=1`` searches misspelt-looking words as typed (the "Search instead for" link).
    """
    wanted = mode if mode in ("lexical", "dense") else "hybrid"
    error, status = "", 200
    try:
        filters = fields.filters()
    except InvalidFilter as exc:
        # Nothing is searched under a filter we cannot read; the form comes back as typed, with
        # the message, so the reader can mend the date instead of starting over.
        error, status = str(exc), 422
        filters = fields.filters(dates=False)
    req = SearchRequest(q, filters, parse_sort(sort), p, settings.search_page_size, wanted,  # type: ignore[arg-type]
                        correct_spelling=not is_on(exact))
    page = search.search(req) if not error else SearchPage(req, understand_query(q).text, ())
    if page.redirect:
        return RedirectResponse(page.redirect, status_code=303)
    # Only the page offers names for an author filter that matched nothing (the API and feeds do not).
    offered = search.author_suggestions(filters.author) if filters.author and not page.total and not error else []
    return templates.TemplateResponse(
        request, "search/results.html",
        {"page": page, "search_query": page.query, "filters": filters, "sort": page.sort, "filter_error": error,
         "wordless": wordless_reason(understand_query(q)) if not page.hits else None,
         "sorted_best": SORTED_CANDIDATES,  # best matches a listing by date or upvotes keeps
         "max_page": MAX_PAGE,  # the deepest ?p= accepted: browsing by filters can hold more
         "follow_id": signals.follow_id(viewer, "query", page.query) if not error else None,
         # The feed of this search: its words and filters (none for a page with neither, or a bad filter).
         "feed_query": urlencode(search_params(request.query_params.multi_items()))
         if not error and (page.query or filters.active) else "",
         # The same search with each name offered for an author filter that matched nothing.
         "author_links": [(name, "/search?" + urlencode([*((k, v) for k, v in request.query_params.multi_items()
                                                           if k not in ("author", "p")), ("author", name)]))
                          for name in offered],
         # Dates as the days searched: <input type="date"> shows nothing but YYYY-MM-DD, so a typed
         # "2024" would look unset and the next Apply would drop it. An unreadable one comes back as typed.
         "form": {"date_from": filters.published_from.isoformat() if filters.published_from else fields.date_from[:40],
                  "date_to": filters.published_to.isoformat() if filters.published_to else fields.date_to[:40],
                  "cat": ", ".join(filters.categories),
                  "xcat": ", ".join(filters.exclude_categories), "author": filters.author or "",
                  "listed": filters.listed_only, "has_code": filters.has_code}},
        status_code=status,
    )


@router.get("/search/suggest")
def suggest(search: SearchDep, base_url: BaseUrlDep, q: Annotated[str, Query(max_length=20_000)] = "") -> Response:
    """Titles for the search box while someone types, as browsers ask for them (see /opensearch.xml).

    ``[query, [titles], [arXiv ids], [paper URLs]]``: browsers read the first two, and choosing
    a title searches for it, which puts that paper first.
    """
    found = search.suggest(q)
    body = [q, [title for _, title in found], [f"arXiv:{aid}" for aid, _ in found],
            [f"{base_url}/papers/{aid}" for aid, _ in found]]
    return JSONResponse(body, media_type=SUGGESTIONS_TYPE,
                        headers={"Cache-Control": f"public, max-age={SUGGESTIONS_MAX_AGE}"})


@router.get("/papers/{raw_id:path}/similar", response_class=HTMLResponse)
def similar_page(raw_id: str, request: Request, templates: TemplatesDep, catalog: CatalogDep, search: SearchDep) -> Response:
    """Nearest papers by embedding to one paper, as a full list."""
    try:
        aid = parse_arxiv_id(raw_id)
    except InvalidArxivId:
        return templates.TemplateResponse(request, "404.html", {"query": raw_id[:200]}, status_code=404)
    entry = catalog.paper(aid.id)
    if entry is None:
        return templates.TemplateResponse(request, "404.html", {"query": raw_id[:200]}, status_code=404)
    similar = search.similar(aid.id, SIMILAR_FULL)
    return templates.TemplateResponse(request, "search/similar.html", {"entry": entry, "paper": entry.paper, "similar": similar})

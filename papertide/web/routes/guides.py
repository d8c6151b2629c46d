"""Pages that tell a reader what the site offers beyond its lists: every feed, and how to search.

The README is the admin's; a reader of a hosted instance never sees it, so the feeds, the search
syntax and the API have to be findable from the site itself (linked from About and the footer).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from papertide.domain.operators import MAX_OPERATORS
from papertide.web.deps import CatalogDep, TemplatesDep

router = APIRouter()


@router.get("/feeds", response_class=HTMLResponse)
def feeds_index(request: Request, templates: TemplatesDep, catalog: CatalogDep) -> HTMLResponse:
    """Every RSS/Atom feed this instance publishes, with working examples from its own data."""
    stats = catalog.stats()
    return templates.TemplateResponse(request, "help/feeds.html", {
        "base": str(request.base_url).rstrip("/"),
        "example_category": stats.top_categories[0][0] if stats.top_categories else "cs.LG",
        "last_listing": stats.last_listing,
    })


@router.get("/search/help", response_class=HTMLResponse)
def search_help(request: Request, templates: TemplatesDep) -> HTMLResponse:
    """What the search box understands, with examples a reader can click."""
    return templates.TemplateResponse(request, "help/search.html", {"max_operators": MAX_OPERATORS})

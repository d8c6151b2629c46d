"""Public paper pages: daily/weekly/monthly lists, trending, the paper page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from papertide.domain import trending as trending_domain
from papertide.domain.papers import InvalidArxivId, parse_arxiv_id
from papertide.domain.periods import InvalidPeriod, Period, parse_day, parse_month, parse_week
from papertide.web.deps import CatalogDep, PagesDep, TemplatesDep
from papertide.web.sessions import ViewerDep

router = APIRouter()
PageNumber = Annotated[int, Query(ge=0, le=10_000)]  # ?p= list page, from 0
# The catch-all /papers/{id:path} route lives here too, so this router is included last.


def _list_page(
    request: Request, templates: TemplatesDep, catalog: CatalogDep, period: Period | None, page: int,
    home: bool = False,
) -> Response:
    if period is None:  # an empty database
        return templates.TemplateResponse(request, "list.html", {"page": None, "period": None})
    result = catalog.period(period, page=page)
    earlier = catalog.earlier_day(result) if home else None
    return templates.TemplateResponse(request, "list.html", {"page": result, "period": period, "earlier": earlier})


@router.get("/", response_class=HTMLResponse)
def home(request: Request, templates: TemplatesDep, catalog: CatalogDep, p: PageNumber = 0):
    """The latest day that has a daily list (with the day before while it has only a few papers)."""
    return _list_page(request, templates, catalog, catalog.latest_day(), p, home=True)


def _period_page(
    parse: Callable[[str], Period], text: str, request: Request, templates: TemplatesDep, catalog: CatalogDep, page: int
) -> Response:
    try:
        period = parse(text)
    except InvalidPeriod as exc:
        return templates.TemplateResponse(
            request, "error.html", {"title": "No such period", "message": str(exc)}, status_code=404
        )
    return _list_page(request, templates, catalog, period, page)


@router.get("/papers/date/{day}", response_class=HTMLResponse)
def by_day(day: str, request: Request, templates: TemplatesDep, catalog: CatalogDep, p: PageNumber = 0):
    return _period_page(parse_day, day, request, templates, catalog, p)


@router.get("/papers/week/{week}", response_class=HTMLResponse)
def by_week(week: str, request: Request, templates: TemplatesDep, catalog: CatalogDep, p: PageNumber = 0):
    return _period_page(parse_week, week, request, templates, catalog, p)


@router.get("/papers/month/{month}", response_class=HTMLResponse)
def by_month(month: str, request: Request, templates: TemplatesDep, catalog: CatalogDep, p: PageNumber = 0):
    return _period_page(parse_month, month, request, templates, catalog, p)


@router.get("/trending", response_class=HTMLResponse)
def trending(request: Request, templates: TemplatesDep, catalog: CatalogDep):
    result = catalog.trending(limit=50)
    return templates.TemplateResponse(
        request,
        "trending.html",
        {"result": result, "formula": trending_domain.FORMULA, "offset": trending_domain.OFFSET_HOURS},
    )


@router.get("/about", response_class=HTMLResponse)
def about(request: Request, templates: TemplatesDep, catalog: CatalogDep):
    return templates.TemplateResponse(
        request,
        "about.html",
        {"stats": catalog.stats(), "formula": trending_domain.FORMULA,
         "gravity": catalog.gravity, "window_days": catalog.window_days},
    )


@router.get("/papers/{raw_id:path}", response_class=HTMLResponse)
def paper_page(raw_id: str, request: Request, templates: TemplatesDep, pages: PagesDep, viewer: ViewerDep):
    """A paper by id: ``2405.12345``, ``2405.12345v2`` or ``hep-th/9901001``."""
    try:
        aid = parse_arxiv_id(raw_id)
    except InvalidArxivId:
        return not_found(request, templates, raw_id)
    page = pages.paper(aid.id, viewer)
    if page is None:
        return not_found(request, templates, raw_id)
    if aid.version is not None:
        # One canonical URL per paper; the version lives on arXiv.
        return RedirectResponse(f"/papers/{aid.id}", status_code=301)
    return templates.TemplateResponse(request, "paper.html", {
        "entry": page.entry, "paper": page.entry.paper, "threads": page.threads, "comment_count": page.comment_count,
        "similar": page.similar, "collections": page.collections,
    })


def not_found(request: Request, templates: TemplatesDep, query: str = "") -> Response:
    return templates.TemplateResponse(request, "404.html", {"query": query[:200]}, status_code=404)

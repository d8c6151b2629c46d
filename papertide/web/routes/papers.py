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
from papertide.web.params import is_on
from papertide.web.sessions import ViewerDep

router = APIRouter()
PageNumber = Annotated[int, Query(ge=0, le=10_000)]  # ?p= list page, from 0
HasCode = Annotated[str, Query(max_length=8)]  # ?has_code=1: only papers naming a code repository
# The catch-all /papers/{id:path} route lives here too, so this router is included last.


def _list_page(
    request: Request, templates: TemplatesDep, catalog: CatalogDep, period: Period | None, page: int,
    has_code: str = "",
    home: bool = False,
) -> Response:
    if period is None:  # an empty database
        return templates.TemplateResponse(request, "list.html", {"page": None, "period": None})
    result = catalog.period(period, page=page, has_code=is_on(has_code))
    earlier = catalog.earlier_day(result) if home else None
    return templates.TemplateResponse(request, "list.html", {"page": result, "period": period, "earlier": earlier})


@router.get("/", response_class=HTMLResponse)
def home(request: Request, templates: TemplatesDep, catalog: CatalogDep, p: PageNumber = 0, has_code: HasCode = ""):
    """The latest day that has a daily list (with the day before while it has only a few papers)."""
    return _list_page(request, templates, catalog, catalog.latest_day(), p, has_code, home=True)


@router.get("/papers", response_class=HTMLResponse)
def papers_home(request: Request, templates: TemplatesDep, catalog: CatalogDep, p: PageNumber = 0,
                has_code: HasCode = ""):
    """Hugging Face's address of the daily list: the same page as ``/``."""
    return home(request, templates, catalog, p, has_code)


@router.get("/papers/date", response_class=HTMLResponse)
def pick_date(
    request: Request, templates: TemplatesDep, catalog: CatalogDep,
    date: Annotated[str, Query(max_length=20)] = "",
    has_code: HasCode = "",
):
    """Where the date picker's form lands: on to ``/papers/date/{date}`` (no JavaScript needed)."""
    code = "?has_code=1" if is_on(has_code) else ""
    if not date.strip():  # "Go" with the field emptied: the latest day, still only with code if asked
        return RedirectResponse(f"/{code}", status_code=303)
    try:
        day = parse_day(date.strip())
    except InvalidPeriod as exc:
        return templates.TemplateResponse(
            request, "error.html", {"title": "No such day", "message": str(exc)}, status_code=404
        )
    return RedirectResponse(f"/papers/date/{day.label}{code}", status_code=303)


def _period_page(
    parse: Callable[[str], Period], text: str, request: Request, templates: TemplatesDep, catalog: CatalogDep, page: int,
    has_code: str = "",
) -> Response:
    try:
        period = parse(text)
    except InvalidPeriod as exc:
        return templates.TemplateResponse(
            request, "error.html", {"title": "No such period", "message": str(exc)}, status_code=404
        )
    return _list_page(request, templates, catalog, period, page, has_code)


@router.get("/papers/date/{day}", response_class=HTMLResponse)
def by_day(day: str, request: Request, templates: TemplatesDep, catalog: CatalogDep, p: PageNumber = 0,
           has_code: HasCode = ""):
    return _period_page(parse_day, day, request, templates, catalog, p, has_code)


@router.get("/papers/week/{week}", response_class=HTMLResponse)
def by_week(week: str, request: Request, templates: TemplatesDep, catalog: CatalogDep, p: PageNumber = 0,
           has_code: HasCode = ""):
    return _period_page(parse_week, week, request, templates, catalog, p, has_code)


@router.get("/papers/month/{month}", response_class=HTMLResponse)
def by_month(month: str, request: Request, templates: TemplatesDep, catalog: CatalogDep, p: PageNumber = 0,
           has_code: HasCode = ""):
    return _period_page(parse_month, month, request, templates, catalog, p, has_code)


@router.get("/trending", response_class=HTMLResponse)
@router.get("/papers/trending", response_class=HTMLResponse)  # Hugging Face's address of it
def trending(
    request: Request, templates: TemplatesDep, catalog: CatalogDep, by: Annotated[str, Query(max_length=16)] = "",
):
    if by == "github":  # ranked by GitHub stars gained, next to the upvote ranking
        return templates.TemplateResponse(request, "trending_github.html", {"result": catalog.star_trending(limit=50)})
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


@router.get("/stats", response_class=HTMLResponse)
def stats(request: Request, templates: TemplatesDep, catalog: CatalogDep):
    """Papers per category per week, drawn as SVG with the numbers in a table beside it."""
    return templates.TemplateResponse(request, "stats.html", {"weeks": catalog.category_weeks()})


@router.get("/papers/{raw_id:path}/bibtex")
def paper_bibtex(raw_id: str, request: Request, templates: TemplatesDep, pages: PagesDep):
    """The paper's BibTeX entry, for reference managers and the page's Cite button."""
    try:
        aid = parse_arxiv_id(raw_id)
    except InvalidArxivId:
        return not_found(request, templates, raw_id)
    text = pages.bibtex(aid.id)
    if text is None:
        return not_found(request, templates, raw_id)
    filename = aid.id.replace("/", "-") + ".bib"
    return Response(text, media_type="text/x-bibtex; charset=utf-8",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


@router.get("/papers/{raw_id:path}", response_class=HTMLResponse)
def paper_page(raw_id: str, request: Request, templates: TemplatesDep, pages: PagesDep, viewer: ViewerDep):
    """A paper by id: ``2405.12345``, ``2405.12345v2`` or ``hep-th/9901001``."""
    try:
        aid = parse_arxiv_id(raw_id)
    except InvalidArxivId:
        return not_found(request, templates, raw_id)
    page = pages.paper(aid.id, viewer)
    if page is None:
        return not_found(request, templates, raw_id, missing=aid.id)
    if raw_id != aid.id:
        # One canonical URL per paper (caches, bookmarks, search engines): a version (it lives on
        # arXiv), an "arXiv:" prefix, a subject class in an old-style id or a trailing slash go to it.
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"/papers/{aid.id}{query}", status_code=301)
    return templates.TemplateResponse(request, "paper.html", {
        "entry": page.entry, "paper": page.entry.paper, "threads": page.threads, "comment_count": page.comment_count,
        "similar": page.similar, "paper_page": page,
    })


def not_found(request: Request, templates: TemplatesDep, query: str = "", missing: str | None = None) -> Response:
    """The 404 page; ``missing`` is a well-formed arXiv id we do not hold (the page offers arXiv and a fetch)."""
    return templates.TemplateResponse(request, "404.html", {"query": query[:200], "missing": missing}, status_code=404)

"""papertide's own REST API, /api/v1: papers, daily lists, trending, search, similar.

Thin: parameters are parsed here, lists come from :class:`~papertide.api.service.ApiService`.
Lists page with opaque cursors (``next_cursor``), each bound to its list: a cursor given
to another list (endpoint, period, sort or filters) is a 400. ``limit`` is 1–100 and
anything else is a 422. Errors are ``{"error": {"code", "message"}}``. ETags, the short cache and CORS
are added around these routes by middleware (see ``papertide/api/cache.py``).
"""

from __future__ import annotations

import contextlib
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request

from papertide.api.models import (
    ERROR_RESPONSES,
    MeOut,
    PaperDetailOut,
    PaperList,
    PeriodList,
    SearchList,
    TrendingList,
    paper_out,
)
from papertide.api.service import ApiService
from papertide.domain import trending as trending_domain
from papertide.domain.api_tokens import TokenPrincipal
from papertide.domain.arxiv_categories import canonical_category
from papertide.domain.cursors import Cursor as PageCursor
from papertide.domain.cursors import (
    ForeignCursor,
    InvalidCursor,
    check_list,
    encode_cursor,
    list_key,
    read_cursor,
)
from papertide.domain.papers import InvalidArxivId, PaperEntry, parse_arxiv_id
from papertide.domain.periods import InvalidPeriod, Period, parse_day, parse_month, parse_week
from papertide.domain.search import SearchFilters, normalize_query
from papertide.web.api_auth import require_scope
from papertide.web.deps import ApiDep, BaseUrlDep, services_of

router = APIRouter(prefix="/api/v1", tags=["v1"], responses=ERROR_RESPONSES)

MAX_LIMIT = 100
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page, 1–100 (more is a 422).")]
Cursor = Annotated[
    str | None, Query(max_length=200, pattern=r"^[A-Za-z0-9_-]+$", description="The `next_cursor` of the previous page.")
]
Category = Annotated[str | None, Query(max_length=32, pattern=r"^[A-Za-z-]+(\.[A-Za-z-]+)?$", description="e.g. cs.LG")]


def _category(code: str | None) -> str | None:
    """A category as arXiv spells it (``cs.lg`` is cs.LG), as the search page and feeds read it."""
    return canonical_category(code) if code else None


def _service(request: Request) -> ApiService:
    return services_of(request).api


def _base(request: Request) -> str:
    return services_of(request).settings.base_url.rstrip("/")


def _read(cursor: str | None, kind: str) -> PageCursor | None:
    """The cursor's contents, its list not yet checked (a /daily cursor names the day it pages)."""
    if cursor is None:
        return None
    try:
        return read_cursor(cursor, kind)
    except ForeignCursor as exc:
        raise HTTPException(400, f"cursor: {exc}") from None
    except InvalidCursor as exc:
        raise HTTPException(422, f"cursor: {exc}") from None


def _check(found: PageCursor | None, key: str) -> int | None:
    """Where the next page of list ``key`` starts; a 400 for a cursor of another list."""
    if found is None:
        return None
    try:
        check_list(found, key)
    except ForeignCursor as exc:
        raise HTTPException(400, f"cursor: {exc}") from None
    return found.value


def cursor_value(cursor: str | None, kind: str, key: str) -> int | None:
    """What a ``kind`` cursor of list ``key`` carries (None without one); a 400 or 422 for a wrong one."""
    return _check(_read(cursor, kind), key)


def _paper_id(raw: str) -> str:
    try:
        return parse_arxiv_id(raw).id
    except InvalidArxivId:
        raise HTTPException(404, f"no such paper: {raw[:100]!r}") from None


def _entry(service: ApiService, raw: str) -> PaperEntry:
    arxiv_id = _paper_id(raw)
    entry = service.paper(arxiv_id)
    if entry is None:
        raise HTTPException(404, f"no such paper: {arxiv_id}")
    return entry


@router.get("/papers", response_model=PaperList, summary="All papers, newest stored first")
def list_papers(
    request: Request, api: ApiDep, base_url: BaseUrlDep, limit: Limit = 50, cursor: Cursor = None, category: Category = None,
) -> dict:
    category = _category(category)
    key = list_key("papers", category)
    rows = api.papers(cursor_value(cursor, "b", key), limit + 1, category)
    base = base_url
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "items": [paper_out(e, base) for _, e in rows],
        "next_cursor": encode_cursor("b", rows[-1][0], key) if more and rows else None,
    }


@router.get("/papers/{arxiv_id:path}/similar", response_model=SearchList, summary="Papers similar to one paper")
def similar_papers(
    arxiv_id: str, request: Request, api: ApiDep, base_url: BaseUrlDep, limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict:
    service = api
    entry = _entry(service, arxiv_id)
    page = service.similar(entry.paper.arxiv_id, limit)
    base = base_url
    return {"items": [{**paper_out(e, base), "score": s} for e, s in page.hits], "next_cursor": None, "backend": page.backend}


@router.get("/papers/{arxiv_id:path}", response_model=PaperDetailOut, summary="One paper")
def get_paper(arxiv_id: str, request: Request, api: ApiDep, base_url: BaseUrlDep) -> dict:
    entry = _entry(api, arxiv_id)
    return {**paper_out(entry, base_url), "listed_dates": list(entry.listed_dates)}


# Patterns keep the OpenAPI document honest about what parses (schemathesis checks that).
# Dates are strings we parse ourselves: pydantic's lax date also takes "0" (a Unix time).
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
DateQuery = Annotated[str | None, Query(pattern=DATE_PATTERN, json_schema_extra={"format": "date"}, description="YYYY-MM-DD")]
WEEK_PATTERN = r"^[1-9][0-9]{3}-W(0[1-9]|[1-4][0-9]|5[0-3])$"
MONTH_PATTERN = r"^[1-9][0-9]{3}-(0[1-9]|1[0-2])$"
Submitter = Annotated[str | None, Query(max_length=200, description="Only papers this user submitted")]
ListSortParam = Annotated[Literal["upvotes", "published", "trending"], Query(description="Order of the list")]


def _parse_date(name: str, text: str) -> Period:
    try:
        return parse_day(text)
    except InvalidPeriod as exc:
        raise HTTPException(422, f"{name}: {exc}") from None


def _period_list(request: Request, period: Period | None, submitter: str | None, sort: str, limit: int,
                 cursor: str | None) -> dict:
    """A period's list; ``period`` None is the latest day, or the day a /daily cursor was issued for."""
    service = _service(request)
    found = _read(cursor, "o")
    if period is None and found is not None and found.period is not None:
        # The latest day's next page is of the day its first page showed, even once a newer day is listed.
        with contextlib.suppress(InvalidPeriod):  # a week's or month's cursor: refused below as another list's
            period = parse_day(found.period)
    period = period or service.latest_period()
    if period is None:
        raise HTTPException(404, "no daily lists yet: import papers first")
    # /daily and /daily/{that day} are the same list, so their cursors are interchangeable.
    key = list_key("period", period.label, sort, submitter)
    offset = _check(found, key) or 0
    page = service.period_entries(period, offset, limit, submitter, sort)  # type: ignore[arg-type]
    base = _base(request)
    return {
        "items": [paper_out(e, base) for e in page.entries],
        "next_cursor": encode_cursor("o", offset + limit, key, period.label) if page.has_more else None,
        "period": period.label, "first": period.first, "last": period.last, "total": page.total,
    }


@router.get("/daily", response_model=PeriodList, summary="The latest day's daily list")
def latest_daily(request: Request, submitter: Submitter = None, sort: ListSortParam = "upvotes", limit: Limit = 50,
                 cursor: Cursor = None) -> dict:
    return _period_list(request, None, submitter, sort, limit, cursor)


@router.get("/daily/{day}", response_model=PeriodList, summary="One day's daily list")
def daily(day: Annotated[str, Path(pattern=DATE_PATTERN, json_schema_extra={"format": "date"}, examples=["2026-06-01"])],
          request: Request, submitter: Submitter = None, sort: ListSortParam = "upvotes",
          limit: Limit = 50, cursor: Cursor = None) -> dict:
    return _period_list(request, _parse_date("day", day), submitter, sort, limit, cursor)


@router.get("/weeks/{week}", response_model=PeriodList, summary="The papers of an ISO week (YYYY-Www)")
def weekly(week: Annotated[str, Path(pattern=WEEK_PATTERN, examples=["2026-W22"])], request: Request,
           submitter: Submitter = None, sort: ListSortParam = "upvotes", limit: Limit = 50,
           cursor: Cursor = None) -> dict:
    try:
        period = parse_week(week)
    except InvalidPeriod as exc:  # week 53 of a 52-week year, or one past the calendar papertide lists
        raise HTTPException(404, str(exc)) from None
    return _period_list(request, period, submitter, sort, limit, cursor)


@router.get("/months/{month}", response_model=PeriodList, summary="The papers of a month (YYYY-MM)")
def monthly(month: Annotated[str, Path(pattern=MONTH_PATTERN, examples=["2026-05"])], request: Request,
            submitter: Submitter = None, sort: ListSortParam = "upvotes", limit: Limit = 50,
            cursor: Cursor = None) -> dict:
    try:
        period = parse_month(month)
    except InvalidPeriod as exc:  # a year past the calendar papertide lists (as for weeks)
        raise HTTPException(404, str(exc)) from None
    return _period_list(request, period, submitter, sort, limit, cursor)


@router.get("/trending", response_model=TrendingList, summary="Papers by trending score")
def trending(
    request: Request, api: ApiDep, base_url: BaseUrlDep,
    gravity: Annotated[float | None, Query(ge=0, le=5, description="Exponent on age; the instance's default if omitted")] = None,
    window_days: Annotated[int | None, Query(ge=1, le=365, description="Days of listings that compete")] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> dict:
    # The instance's defaults spelt out, so a cursor from "?gravity=1.5" serves a request that
    # leaves it out when 1.5 is the default: the same list either way.
    key = list_key("trending", *api.trending_settings(gravity, window_days))
    offset = cursor_value(cursor, "o", key) or 0
    page, more = api.trending(offset, limit, gravity, window_days)
    base = base_url
    return {
        "items": [{**paper_out(e, base), "score": s.score} for e, s in page.entries],
        "next_cursor": encode_cursor("o", offset + limit, key) if more else None,
        "as_of": page.as_of, "window_first": page.window_first, "window_last": page.window_last,
        "gravity": page.gravity, "window_days": page.window_days, "formula": trending_domain.FORMULA,
    }


@router.get("/search", response_model=SearchList, summary="Search papers")
def search(
    request: Request, api: ApiDep, base_url: BaseUrlDep,
    q: Annotated[str, Query(min_length=1, max_length=1000, description="Search text")],
    category: Category = None,
    published_from: DateQuery = None,
    published_to: DateQuery = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> dict:
    query = normalize_query(q)
    category = _category(category)
    key = list_key("search", query, category, published_from, published_to)
    offset = cursor_value(cursor, "o", key) or 0
    if not query:  # only spaces or control characters: nothing to look for
        return {"items": [], "next_cursor": None, "backend": "none"}
    lo = _parse_date("published_from", published_from).first if published_from else None
    hi = _parse_date("published_to", published_to).first if published_to else None
    if lo and hi and lo > hi:  # a reversed range is swapped, as on the search page (make_filters)
        lo, hi = hi, lo
    filters = SearchFilters(published_from=lo, published_to=hi, categories=(category,) if category else ())
    page = api.search(query, offset, limit, filters)
    base = base_url
    return {
        "items": [{**paper_out(e, base), "score": s} for e, s in page.hits],
        "next_cursor": encode_cursor("o", offset + limit, key) if page.has_more else None,
        "backend": page.backend,
    }


@router.get("/me", response_model=MeOut, summary="Who the API token belongs to")
def me(principal: Annotated[TokenPrincipal, Depends(require_scope("read"))]) -> dict:
    return {
        "user_uuid": principal.user_uuid, "display_name": principal.display_name,
        "scope": principal.scope, "token_uuid": principal.token_uuid,
    }

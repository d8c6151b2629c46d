"""The Hugging Face Papers API, same paths, parameters and field names as huggingface.co.

``GET /api/daily_papers``, ``GET /api/papers/search`` and ``GET /api/papers/{id}``,
so ``huggingface_hub.HfApi(endpoint=…)`` and scripts written for HF work unchanged.
Errors are HF's ``{"error": "message"}`` (see ``papertide/web/errors.py``): 404 for an
unknown paper, 400 for a parameter we cannot read. Differences, documented in the README:
``limit`` above 100 is clamped to 100; without ``sort`` a list
is most-upvoted first (what huggingface.co returns for a day), ``sort=publishedAt``
orders by arXiv publication date and ``sort=trending`` by our trending score.
"""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import Response

from papertide.api.service import ListSort
from papertide.domain.hf_shape import hf_daily_item, hf_paper
from papertide.domain.papers import InvalidArxivId, parse_arxiv_id
from papertide.domain.periods import InvalidPeriod, Period, parse_day, parse_month, parse_week
from papertide.domain.search import normalize_query
from papertide.web.deps import ApiDep, BaseUrlDep

router = APIRouter(tags=["huggingface-compatible"])

HF_MAX_LIMIT = 100  # HF's own cap; larger values are clamped, like HF does
HF_MAX_PAGE = 10_000


def _json(data: object, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str)
    return Response(body, media_type="application/json", headers=headers)


def _period(date: str | None, week: str | None, month: str | None) -> Period | None:
    given = [(name, v) for name, v in (("date", date), ("week", week), ("month", month)) if v is not None]
    if len(given) > 1:
        raise HTTPException(400, "give at most one of date, week and month")
    if not given:
        return None
    name, value = given[0]
    parse = {"date": parse_day, "week": parse_week, "month": parse_month}[name]
    try:
        return parse(value)
    except InvalidPeriod as exc:
        raise HTTPException(400, f"{name}: {exc}") from None


@router.get("/api/daily_papers")
def daily_papers(
    request: Request, api: ApiDep, base_url: BaseUrlDep,
    date: Annotated[str | None, Query(description="YYYY-MM-DD")] = None,
    week: Annotated[str | None, Query(description="YYYY-Www (ISO week)")] = None,
    month: Annotated[str | None, Query(description="YYYY-MM")] = None,
    submitter: Annotated[str | None, Query(max_length=200)] = None,
    sort: Literal["publishedAt", "trending"] | None = None,
    p: Annotated[int, Query(ge=0, le=HF_MAX_PAGE)] = 0,
    limit: Annotated[int, Query(ge=1)] = 50,
) -> Response:
    """A day's (or week's, month's) daily papers; the latest day when no period is given."""
    service = api
    period = _period(date, week, month) or service.latest_period()
    if period is None:
        return _json([])
    limit = min(limit, HF_MAX_LIMIT)
    order: ListSort = {"publishedAt": "published", "trending": "trending", None: "upvotes"}[sort]
    page = service.period_entries(period, p * limit, limit, submitter, order)
    headers = {}
    if page.has_more:
        # From the configured site URL, not the request's Host: this answer is cached for every
        # client of the path and query, so one request with a forged Host would send them all elsewhere.
        nxt = request.url.include_query_params(p=p + 1)
        headers["Link"] = f'<{base_url}{nxt.path}?{nxt.query}>; rel="next"'
    return _json([hf_daily_item(e) for e in page.entries], headers)


@router.get("/api/papers/search")
def search_papers(
    request: Request, api: ApiDep,
    q: Annotated[str, Query(max_length=1000)] = "",
    limit: Annotated[int, Query(ge=1)] = 50,
) -> Response:
    """Papers matching ``q``, best first (the search service when configured)."""
    query = normalize_query(q)
    if not query:
        return _json([])
    page = api.search(query, 0, min(limit, HF_MAX_LIMIT))
    return _json([hf_daily_item(entry) for entry, _ in page.hits])


@router.get("/api/papers/{raw_id:path}")
def paper_info(raw_id: str, request: Request, api: ApiDep) -> Response:
    """One paper, shaped like HF's ``/api/papers/{id}``."""
    try:
        aid = parse_arxiv_id(raw_id)
    except InvalidArxivId:
        raise HTTPException(404, f"no such paper: {raw_id[:100]!r}") from None
    entry = api.paper(aid.id)
    if entry is None:
        raise HTTPException(404, f"no such paper: {aid.id}")
    return _json(hf_paper(entry))

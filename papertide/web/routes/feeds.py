"""RSS 2.0 and Atom feeds: the daily list, trending, a category, a search query.

``/feeds/daily.rss`` (or ``.atom``; ``?date=YYYY-MM-DD``, default the latest day),
``/feeds/weekly.rss`` (``?week=2026-W23``, default the latest listed week), ``/feeds/monthly.rss``
(``?month=2026-06``), ``/feeds/trending.rss``, ``/feeds/category/cs.LG.rss``,
``/feeds/author/<any spelling of a name>.rss``, ``/feeds/search.rss?q=…``,
``/feeds/collection/<uuid>.rss`` (public collections only; a private one is a 404).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from papertide.api.service import SEARCH_FEED_DAYS
from papertide.browse import is_category_name
from papertide.community import NotFound
from papertide.domain.arxiv_categories import (
    canonical_category,
    category_name,
    is_listed_category,
    unknown_category_message,
)
from papertide.domain.feeds import (
    EPOCH,
    MEDIA_TYPES,
    Feed,
    FeedFormat,
    FeedItem,
    day_start,
    describe_search,
    feed_updated,
    render_feed,
    self_url,
)
from papertide.domain.papers import Paper, PaperEntry
from papertide.domain.periods import (
    InvalidPeriod,
    Period,
    month_period,
    parse_day,
    parse_month,
    parse_week,
    week_period_of,
)
from papertide.domain.search import InvalidFilter, normalize_query
from papertide.web.deps import ApiDep, BrowseDep, CommunityDep, services_of
from papertide.web.params import FilterParams, is_on, search_params
from papertide.web.responses import error_page

router = APIRouter(include_in_schema=False)

FEED_ITEMS = 50  # papers per feed document


def _format(fmt: str) -> FeedFormat:
    if fmt == "rss":
        return "rss"
    if fmt == "atom":
        return "atom"
    raise HTTPException(404, f"no such feed format {fmt[:20]!r}: use .rss or .atom")


def _items(entries: list[PaperEntry], base: str) -> list[FeedItem]:
    out = []
    for e in entries:
        p = e.paper
        day = e.listed_on or p.published
        url = f"{base}/papers/{p.arxiv_id}"
        out.append(
            FeedItem(
                guid=url, title=p.title, link=url, summary=p.abstract, authors=p.authors,
                published=day_start(day) if day else EPOCH, categories=p.categories,
            )
        )
    return out


def _respond(request: Request, fmt: FeedFormat, title: str, link: str, description: str, entries: list[PaperEntry]) -> Response:
    base = services_of(request).settings.base_url.rstrip("/")
    items = _items(entries, base)
    own_url = self_url(base, request.url.path, request.query_params.multi_items())
    site = services_of(request).settings.site_name
    feed = Feed(f"{site}: {title}", base + link, own_url, description, feed_updated(items))
    return Response(render_feed(fmt, feed, items), media_type=MEDIA_TYPES[fmt])


@router.get("/feeds/daily.{fmt}")
def daily_feed(fmt: str, request: Request, api: ApiDep, date: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    kind = _format(fmt)
    service = api
    try:
        period = parse_day(date) if date is not None else service.latest_period()
    except InvalidPeriod as exc:
        raise HTTPException(422, f"date: {exc}") from None
    if period is None:
        return _respond(request, kind, "Daily Papers", "/", "No papers listed yet.", [])
    entries = service.period_entries(period, 0, FEED_ITEMS).entries
    return _respond(
        request, kind, f"Daily Papers {period.label}", f"/papers/date/{period.label}",
        f"Papers listed on {period.label}, most upvoted first.", entries,
    )


def _span_feed(
    request: Request, api: ApiDep, fmt: str, text: str | None, name: str,
    parse: Callable[[str], Period], around: Callable[[Period], Period],
) -> Response:
    kind = _format(fmt)
    try:
        latest = api.latest_period()
        period = parse(text) if text is not None else (around(latest) if latest else None)
    except InvalidPeriod as exc:
        raise HTTPException(422, f"{name}: {exc}") from None
    if period is None:
        return _respond(request, kind, f"Papers of the {name}", "/", "No papers listed yet.", [])
    entries = api.period_entries(period, 0, FEED_ITEMS).entries
    return _respond(
        request, kind, f"Papers of {name} {period.label}", f"/papers/{period.kind}/{period.label}",
        f"The {FEED_ITEMS} most upvoted papers listed {period.first} – {period.last}.", entries,
    )


@router.get("/feeds/weekly.{fmt}")
def weekly_feed(fmt: str, request: Request, api: ApiDep, week: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    """A week's most upvoted papers: a digest for readers who check in once a week."""
    return _span_feed(request, api, fmt, week, "week", parse_week, lambda latest: week_period_of(latest.first))


@router.get("/feeds/monthly.{fmt}")
def monthly_feed(fmt: str, request: Request, api: ApiDep, month: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    return _span_feed(
        request, api, fmt, month, "month", parse_month, lambda latest: month_period(latest.first.year, latest.first.month)
    )


@router.get("/feeds/author/{name:path}.{fmt}")
def author_feed(name: str, fmt: str, request: Request, browse: BrowseDep) -> Response:
    """An author's newest papers, for any spelling of their name (as on their page)."""
    kind = _format(fmt)
    page = browse.author_feed(name, FEED_ITEMS)
    if page is None:
        raise HTTPException(404, f"no paper here lists the author {name[:200]!r}")
    return _respond(
        request, kind, f"Papers by {page.name}", f"/authors/{quote(page.name, safe='')}",
        f"The newest papers by {page.name}.", page.papers.entries,
    )


@router.get("/feeds/trending.{fmt}")
def trending_feed(fmt: str, request: Request, api: ApiDep) -> Response:
    kind = _format(fmt)
    page, _ = api.trending(0, FEED_ITEMS, None, None)
    return _respond(
        request, kind, "Trending papers", "/trending",
        f"Papers listed {page.window_first} – {page.window_last}, ranked by upvotes decayed with age.",
        [e for e, _ in page.entries],
    )


@router.get("/feeds/category/{category}.{fmt}")
def category_feed(category: str, fmt: str, request: Request, api: ApiDep) -> Response:
    kind = _format(fmt)
    if not is_category_name(category):
        raise HTTPException(404, f"not an arXiv category: {category[:40]!r}")
    canonical = canonical_category(category)
    if canonical != category and is_listed_category(canonical):
        return RedirectResponse(request.url.replace(path=f"/feeds/category/{canonical}.{fmt}"), status_code=308)
    entries = api.category_newest(category, FEED_ITEMS)
    # A listed category may be subscribed to before it has papers here; anything else that holds
    # none is a typo, which would otherwise be an empty feed forever.
    if not entries and not is_listed_category(category):
        return error_page(request, "No such category", unknown_category_message(category), 404)
    name = category_name(category)
    named = f"{category} ({name})" if name else category
    return _respond(
        request, kind, f"New in {named}", f"/categories/{category}",
        f"The newest papers in {named}.", entries,
    )


@router.get("/feeds/search.{fmt}")
def search_feed(
    fmt: str,
    request: Request,
    api: ApiDep,
    fields: Annotated[FilterParams, Depends()],
    q: Annotated[str, Query(max_length=1000)] = "",
    exact: str = "",
) -> Response:
    """New papers for a search: its words and the search page's filters (same parameters)."""
    kind = _format(fmt)
    query = normalize_query(q)
    try:
        filters = fields.filters()
    except InvalidFilter as exc:
        raise HTTPException(422, str(exc)) from None
    if not query and not filters.active:
        raise HTTPException(422, "give a search query or a filter, e.g. /feeds/search.rss?q=diffusion "
                                 "or /feeds/search.rss?cat=cs.CL&has_code=1")
    entries, windowed = api.search_feed(query, filters, FEED_ITEMS, correct_spelling=not is_on(exact))
    what = describe_search(query, filters)
    link = "/search?" + urlencode([*search_params(request.query_params.multi_items()), ("sort", "date")])
    about = (f"The newest papers of the last {SEARCH_FEED_DAYS} days matching {what}."
             if windowed else f"The newest papers matching {what}.")
    return _respond(request, kind, f"Search: {what}", link, about, entries)


@router.get("/feeds/collection/{collection_uuid}.{fmt}")
def collection_feed(collection_uuid: str, fmt: str, request: Request, community: CommunityDep) -> Response:
    kind = _format(fmt)
    try:
        # Viewed as nobody: the feed is public (and cached for everyone), so private lists are 404s.
        collection, papers = community.reading_lists.view(None, collection_uuid[:40], FEED_ITEMS)
    except NotFound:
        raise HTTPException(404, "no such public collection") from None
    entries = [_as_entry(p) for p in papers]
    return _respond(
        request, kind, f"{collection.name} (collection by {collection.owner_name})",
        f"/collections/{collection.uuid}", f"Papers in the collection {collection.name!r}, in its order.", entries,
    )


def _as_entry(paper: Paper) -> PaperEntry:
    # Collections hold papers, not listings: the feed dates each item by its publication.
    return PaperEntry(paper=paper, upvotes=paper.upvotes_baseline, num_comments=0, listed_on=None)

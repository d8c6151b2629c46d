"""/for-you: new papers ranked for the signed-in member, over a window of publication dates; its
private Atom feed (a secret URL, stored as a hash, revocable); and the digest's "Not interested"
links, which work without signing in (a signed token names the member and the paper; GET asks,
because mail scanners fetch links, and POST records it).

Signed-in pages are never stored by the shared cache (the session cookie bypasses it) and get
``Cache-Control: private, no-store`` from the security headers middleware; the feed is outside every
cache rule's paths and says ``private, no-store`` itself, since its URL is all that guards it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from papertide.domain.accounts import InvalidInput, User
from papertide.domain.feeds import MEDIA_TYPES, Feed, FeedItem, day_start, render_feed
from papertide.domain.rec_windows import DEFAULT_WINDOW, MAX_CUSTOM_DAYS, WINDOW_LABELS, named_window, parse_window
from papertide.email.tokens import InvalidToken
from papertide.recs.pages import FEED_DAYS, RankedCard
from papertide.recs.signals import UnknownPaper
from papertide.web.csrf import CsrfDep
from papertide.web.deps import (
    BaseUrlDep,
    CatalogDep,
    DigestsDep,
    RecPagesDep,
    SettingsDep,
    SignalsDep,
    TemplatesDep,
    templates_of,
)
from papertide.web.responses import sign_in_redirect
from papertide.web.sessions import ViewerDep

router = APIRouter(dependencies=[CsrfDep])
FOR_YOU = "/for-you"
FEED_HEADERS = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


def _page(request: Request, pages: RecPagesDep, viewer: User, window: str = DEFAULT_WINDOW, start: str = "",
          end: str = "", **ctx: object) -> Response:
    today = datetime.now(UTC).date()
    status, error, error_field = 200, "", ""
    try:
        chosen = parse_window(window, start, end, today, pages.newest_day(today))
    except InvalidInput as exc:
        status, error, error_field, chosen = 400, str(exc), exc.field, named_window(DEFAULT_WINDOW, today)
    page = pages.for_you(viewer, chosen)
    return templates_of(request).TemplateResponse(request, "recs/for_you.html", {
        "page": page, "labels": WINDOW_LABELS, "window_error": error, "window_error_field": error_field,
        "max_custom_days": MAX_CUSTOM_DAYS,
        "custom_from": start[:20] or chosen.first.isoformat(), "custom_to": end[:20] or chosen.last.isoformat(), **ctx,
    }, status_code=status)


@router.get(FOR_YOU, response_class=HTMLResponse)
def for_you(
    request: Request, pages: RecPagesDep, viewer: ViewerDep,
    window: Annotated[str, Query(max_length=20)] = "",
    start: Annotated[str, Query(alias="from", max_length=20)] = "",
    end: Annotated[str, Query(alias="to", max_length=20)] = "",
):
    """New papers ranked for the viewer: today, this week (default), this month or custom dates."""
    if viewer is None:
        return sign_in_redirect(request, FOR_YOU)
    return _page(request, pages, viewer, window, start, end)


# -- the private feed -------------------------------------------------------------------------------


@router.post(f"{FOR_YOU}/feed", response_class=HTMLResponse)
def create_feed(request: Request, pages: RecPagesDep, signals: SignalsDep, base_url: BaseUrlDep, viewer: ViewerDep):
    """Create (or replace) the viewer's private feed URL; the page shows it this once."""
    if viewer is None:
        return sign_in_redirect(request, FOR_YOU)
    token = signals.create_feed_token(viewer)
    return _page(request, pages, viewer, feed_url=f"{base_url}{FOR_YOU}/feed/{quote(token)}.atom")


@router.post(f"{FOR_YOU}/feed/revoke")
def revoke_feed(request: Request, signals: SignalsDep, viewer: ViewerDep):
    if viewer is None:
        return sign_in_redirect(request, FOR_YOU)
    signals.revoke_feed_token(viewer)
    return RedirectResponse(f"{FOR_YOU}#private-feed", status_code=303)


def _feed_item(card: RankedCard, base_url: str) -> FeedItem:
    p = card.entry.paper
    url = f"{base_url}/papers/{p.arxiv_id}"
    why = "; ".join(r.text for r in card.rec.reasons[:2])
    day = p.published or card.entry.listed_on
    return FeedItem(guid=url, title=p.title, link=url, summary=f"Why: {why}.\n\n{p.abstract}" if why else p.abstract,
                    authors=p.authors, published=day_start(day) if day else datetime(1970, 1, 1, tzinfo=UTC),
                    categories=p.categories)


@router.get(f"{FOR_YOU}/feed/{{token}}.atom")
def feed(token: str, pages: RecPagesDep, signals: SignalsDep, settings: SettingsDep, base_url: BaseUrlDep) -> Response:
    """The member's recommendations of the last week as Atom; an unknown or revoked token is a 404."""
    user_id = signals.feed_owner(token)
    if user_id is None:
        raise HTTPException(404, "No such feed (the link may have been revoked).")
    items = [_feed_item(c, base_url) for c in pages.feed(user_id)]
    updated = max((i.published for i in items), default=datetime.now(UTC).replace(microsecond=0))
    meta = Feed(f"{settings.site_name}: For you", f"{base_url}{FOR_YOU}", f"{base_url}{FOR_YOU}/feed/{quote(token)}.atom",
                f"New papers of the last {FEED_DAYS} days ranked for you", updated)
    return Response(render_feed("atom", meta, items), media_type=MEDIA_TYPES["atom"], headers=FEED_HEADERS)


# -- the digest's "Not interested" ----------------------------------------------------------------


# A signed link is ~150 characters. Longer is one a mail client ran on into the next text: it is
# read as the altered link it is (the page says so), not refused by the framework with a 422.
MAX_LINK_TOKEN = 500


def _link_error(request: Request, templates: TemplatesDep, message: str) -> Response:
    return templates.TemplateResponse(request, "error.html", {"title": "This link does not work", "message": message},
                                      status_code=400)


@router.get("/digest/not-interested", response_class=HTMLResponse)
def digest_not_interested_page(request: Request, digests: DigestsDep, catalog: CatalogDep, templates: TemplatesDep,
                               token: str = ""):
    """Asks before recording: a GET changes nothing (mail scanners prefetch links)."""
    try:
        _, arxiv_id = digests.notices.signer.verify_not_interested(token[:MAX_LINK_TOKEN + 1])
    except InvalidToken as exc:
        return _link_error(request, templates, str(exc))
    return templates.TemplateResponse(request, "recs/digest_not_interested.html",
                                      {"token": token, "arxiv_id": arxiv_id, "entry": catalog.paper(arxiv_id)})


@router.post("/digest/not-interested", response_class=HTMLResponse)
def digest_not_interested(request: Request, digests: DigestsDep, signals: SignalsDep, templates: TemplatesDep,
                          token: Annotated[str, Form()] = ""):
    try:
        member_uuid, arxiv_id = digests.notices.signer.verify_not_interested(token[:MAX_LINK_TOKEN + 1])
    except InvalidToken as exc:
        return _link_error(request, templates, str(exc))
    member = signals.member(member_uuid)
    if member is None:
        return _link_error(request, templates, "The account this link was sent to no longer exists.")
    try:
        signals.not_interested(member, arxiv_id, source="digest")
    except UnknownPaper:
        return _link_error(request, templates, f"We no longer hold {arxiv_id}.")
    return templates.TemplateResponse(request, "recs/digest_not_interested.html",
                                      {"done": True, "arxiv_id": arxiv_id})

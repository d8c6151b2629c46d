"""/for-you: new papers ranked for the signed-in member, over a window of publication dates; and
the digest's "Not interested" links, which work without signing in (a signed token names the
member and the paper; GET asks, because mail scanners fetch links, and POST records it).

Signed-in pages are never stored by the shared cache (the session cookie bypasses it) and get
``Cache-Control: private, no-store`` from the security headers middleware.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from papertide.domain.accounts import InvalidInput
from papertide.domain.rec_windows import DEFAULT_WINDOW, MAX_CUSTOM_DAYS, WINDOW_LABELS, named_window, parse_window
from papertide.email.tokens import InvalidToken
from papertide.recs.signals import UnknownPaper
from papertide.web.csrf import CsrfDep
from papertide.web.deps import CatalogDep, DigestsDep, RecPagesDep, SignalsDep, TemplatesDep
from papertide.web.responses import sign_in_redirect
from papertide.web.sessions import ViewerDep

router = APIRouter(dependencies=[CsrfDep])
FOR_YOU = "/for-you"


@router.get(FOR_YOU, response_class=HTMLResponse)
def for_you(
    request: Request, pages: RecPagesDep, templates: TemplatesDep, viewer: ViewerDep,
    window: Annotated[str, Query(max_length=20)] = DEFAULT_WINDOW,
    start: Annotated[str, Query(alias="from", max_length=20)] = "",
    end: Annotated[str, Query(alias="to", max_length=20)] = "",
):
    """New papers ranked for the viewer: today, this week (default), this month or custom dates."""
    if viewer is None:
        return sign_in_redirect(request, FOR_YOU)
    today = datetime.now(UTC).date()
    status, error = 200, ""
    try:
        chosen = parse_window(window, start, end, today)
    except InvalidInput as exc:
        status, error, chosen = 400, str(exc), named_window(DEFAULT_WINDOW, today)
    page = pages.for_you(viewer, chosen)
    return templates.TemplateResponse(request, "recs/for_you.html", {
        "page": page, "labels": WINDOW_LABELS, "window_error": error, "max_custom_days": MAX_CUSTOM_DAYS,
        "custom_from": start[:20] or chosen.first.isoformat(), "custom_to": end[:20] or chosen.last.isoformat(),
    }, status_code=status)


# -- the digest's "Not interested" ----------------------------------------------------------------


def _link_error(request: Request, templates: TemplatesDep, message: str) -> Response:
    return templates.TemplateResponse(request, "error.html", {"title": "This link does not work", "message": message},
                                      status_code=400)


@router.get("/digest/not-interested", response_class=HTMLResponse)
def digest_not_interested_page(request: Request, digests: DigestsDep, catalog: CatalogDep, templates: TemplatesDep,
                               token: Annotated[str, Query(max_length=500)] = ""):
    """Asks before recording: a GET changes nothing (mail scanners prefetch links)."""
    try:
        _, arxiv_id = digests.notices.signer.verify_not_interested(token)
    except InvalidToken as exc:
        return _link_error(request, templates, str(exc))
    return templates.TemplateResponse(request, "recs/digest_not_interested.html",
                                      {"token": token, "arxiv_id": arxiv_id, "entry": catalog.paper(arxiv_id)})


@router.post("/digest/not-interested", response_class=HTMLResponse)
def digest_not_interested(request: Request, digests: DigestsDep, signals: SignalsDep, templates: TemplatesDep,
                          token: Annotated[str, Form(max_length=500)] = ""):
    try:
        user_id, arxiv_id = digests.notices.signer.verify_not_interested(token)
    except InvalidToken as exc:
        return _link_error(request, templates, str(exc))
    member = signals.member(user_id)
    if member is None:
        return _link_error(request, templates, "The account this link was sent to no longer exists.")
    try:
        signals.not_interested(member, arxiv_id, source="digest")
    except UnknownPaper:
        return _link_error(request, templates, f"We no longer hold {arxiv_id}.")
    return templates.TemplateResponse(request, "recs/digest_not_interested.html",
                                      {"done": True, "arxiv_id": arxiv_id})

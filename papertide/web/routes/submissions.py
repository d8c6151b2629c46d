"""Submitting a paper to today's list, and curators removing one from a day's list."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from papertide.domain.accounts import InvalidInput
from papertide.web.csrf import CsrfDep
from papertide.web.deps import CommunityDep, services_of, templates_of
from papertide.web.ratelimit import enforce
from papertide.web.responses import sign_in_redirect
from papertide.web.sessions import ViewerDep

router = APIRouter(dependencies=[CsrfDep])


def _page(request: Request, status: int = 200, **ctx) -> Response:  # type: ignore[no-untyped-def]
    subs = services_of(request).community.submissions
    return templates_of(request).TemplateResponse(
        request, "community/submit.html", {"rules": subs.rules, "today": subs.today(), **ctx}, status_code=status
    )


@router.get("/submit", response_class=HTMLResponse)
def submit_page(request: Request, viewer: ViewerDep):
    if viewer is None:
        return sign_in_redirect(request, "/submit")
    return _page(request)


@router.post("/submit", response_class=HTMLResponse)
def submit(request: Request, community: CommunityDep, viewer: ViewerDep, paper: str = Form("")):
    if viewer is None:
        return sign_in_redirect(request, "/submit")
    enforce(request, "submit", viewer)
    try:
        arxiv_id, day = community.submissions.submit(viewer, paper[:300])
    except InvalidInput as exc:
        return _page(request, 400, error=str(exc), value=paper[:300])
    return _page(request, 200, submitted=arxiv_id, day=day)


@router.post("/moderation/remove-listing")
def remove_listing(request: Request, community: CommunityDep, viewer: ViewerDep, arxiv_id: str = Form(""), day: str = Form("")):
    if viewer is None:
        return sign_in_redirect(request)
    try:
        listed_on = date.fromisoformat(day)
    except ValueError:
        raise InvalidInput(f"Not a date: {day[:20]!r}") from None
    community.submissions.remove_from_day(viewer, arxiv_id[:64], listed_on)
    return RedirectResponse(f"/papers/date/{listed_on.isoformat()}", status_code=303)

"""Submitting a paper to today's list, and curators removing one from a day's list."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from papertide.domain.accounts import InvalidInput, User
from papertide.web.csrf import CsrfDep
from papertide.web.deps import CommunityDep, services_of, templates_of
from papertide.web.ratelimit import enforce
from papertide.web.responses import sign_in_redirect
from papertide.web.sessions import ViewerDep

router = APIRouter(dependencies=[CsrfDep])


def _page(request: Request, viewer: User, status: int = 200, **ctx) -> Response:  # type: ignore[no-untyped-def]
    subs = services_of(request).community.submissions
    return templates_of(request).TemplateResponse(
        request, "community/submit.html",
        {"rules": subs.rules, "today": subs.today(), "requests": subs.requests_of(viewer), **ctx}, status_code=status,
    )


@router.get("/submit", response_class=HTMLResponse)
def submit_page(request: Request, viewer: ViewerDep, paper: str = ""):
    """The form; ``?paper=`` fills it in (the search page links here for ids we do not hold)."""
    paper = paper.strip()[:300]
    if viewer is None:
        return sign_in_redirect(request, "/submit" + ("?" + urlencode({"paper": paper}) if paper else ""))
    return _page(request, viewer, value=paper)


@router.post("/submit", response_class=HTMLResponse)
def submit(
    request: Request, community: CommunityDep, viewer: ViewerDep, background: BackgroundTasks, paper: str = Form(""),
):
    if viewer is None:
        return sign_in_redirect(request, "/submit")
    enforce(request, "submit", viewer)
    try:
        done = community.submissions.submit(viewer, paper[:300])
    except InvalidInput as exc:
        return _page(request, viewer, 400, error=str(exc), value=paper[:300])
    if done.fetching:
        # After the response: arXiv can take a minute to answer (or fail to); the page says so, and the
        # submissions.fetch job tries again if this attempt does not get it.
        background.add_task(community.submissions.fetch_requested, only=done.arxiv_id)
        return _page(request, viewer, 202, fetching=done.arxiv_id, day=done.day)
    return _page(request, viewer, 200, submitted=done.arxiv_id, day=done.day)


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

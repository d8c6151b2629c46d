"""Upvote / un-upvote: htmx swaps the button in place; without JS the form POSTs and we
redirect back. Anonymous visitors are sent to sign in."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse

from papertide.community import NotFound
from papertide.domain.accounts import InvalidInput
from papertide.domain.papers import InvalidArxivId, parse_arxiv_id
from papertide.domain.votes import parse_wanted
from papertide.web.csrf import CsrfDep
from papertide.web.deps import CommunityDep, TemplatesDep
from papertide.web.ratelimit import enforce
from papertide.web.responses import back_to_paper, is_htmx, sign_in_redirect
from papertide.web.sessions import ViewerDep
from papertide.web.training import retrain_after

router = APIRouter(dependencies=[CsrfDep])


@router.post("/vote/{raw_id:path}")
def vote(
    request: Request, community: CommunityDep, templates: TemplatesDep, raw_id: str, viewer: ViewerDep,
    background: BackgroundTasks, state: str = Form(""),
):
    """Set (``state=on|off``) or toggle (no state) the viewer's upvote on a paper."""
    if viewer is None:
        return sign_in_redirect(request)
    try:
        arxiv_id = parse_arxiv_id(raw_id).id
    except InvalidArxivId:
        raise NotFound(raw_id[:64]) from None
    try:
        wanted = parse_wanted(state)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    enforce(request, "vote", viewer)
    result = community.votes.vote(viewer, arxiv_id, wanted)
    if result.changed:
        retrain_after(request, background, viewer)
    if is_htmx(request):
        return templates.TemplateResponse(
            request, "community/_vote.html", {"arxiv_id": arxiv_id, "count": result.upvotes, "is_voted": result.voted}
        )
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse({"arxiv_id": arxiv_id, "voted": result.voted, "upvotes": result.upvotes})
    return RedirectResponse(back_to_paper(request, arxiv_id), status_code=303)

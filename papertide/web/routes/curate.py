"""/curate/suggested: curators' "Suggested for today", the community model's picks among the last
week's new papers that are not on today's list yet, each with a one-click "Add to today's list".

Adding goes through the one submission path (``Submissions.submit``), where curators are exempt
from the age and daily limits, so the list records who added the paper like any submission.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from papertide.community import Denied
from papertide.domain import permissions
from papertide.domain.accounts import InvalidInput, User
from papertide.web.csrf import CsrfDep
from papertide.web.deps import CommunityDep, services_of, templates_of
from papertide.web.responses import sign_in_redirect
from papertide.web.sessions import ViewerDep

router = APIRouter(dependencies=[CsrfDep])
SUGGESTED = "/curate/suggested"
SUGGESTED_DAYS = 7
SUGGESTED_LIMIT = 50


def _curator(viewer: User) -> None:
    if not permissions.can_moderate(viewer):
        raise Denied("Suggested for today is for curators and admins.")


def _page(request: Request, status: int = 200, **ctx: object) -> Response:
    page = services_of(request).rec_pages.suggested(days=SUGGESTED_DAYS, limit=SUGGESTED_LIMIT)
    return templates_of(request).TemplateResponse(request, "recs/suggested.html", {"page": page, **ctx},
                                                  status_code=status)


@router.get(SUGGESTED, response_class=HTMLResponse)
def suggested(request: Request, viewer: ViewerDep, added: Annotated[str, Query(max_length=64)] = ""):
    """The last week's new papers the community would likely list, best first."""
    if viewer is None:
        return sign_in_redirect(request, SUGGESTED)
    _curator(viewer)
    return _page(request, added=added)


@router.post(f"{SUGGESTED}/add")
def add(request: Request, community: CommunityDep, viewer: ViewerDep, arxiv_id: str = Form("")):
    """Put a suggested paper on today's list (curators skip the submission limits)."""
    if viewer is None:
        return sign_in_redirect(request, SUGGESTED)
    _curator(viewer)
    try:
        done = community.submissions.submit(viewer, arxiv_id[:64])
    except InvalidInput as exc:
        return _page(request, 400, error=str(exc))
    return RedirectResponse(f"{SUGGESTED}?added={done.arxiv_id}", status_code=303)

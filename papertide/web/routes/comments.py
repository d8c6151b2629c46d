"""Comments: post, reply, edit (author, within the window), delete own, report, hide."""

from __future__ import annotations

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from papertide.community import NotFound
from papertide.domain.accounts import InvalidInput, User
from papertide.domain.papers import InvalidArxivId, parse_arxiv_id
from papertide.web.csrf import CsrfDep
from papertide.web.deps import CommunityDep, TemplatesDep
from papertide.web.params import switch
from papertide.web.ratelimit import enforce
from papertide.web.responses import done_redirect, safe_next, sign_in_redirect
from papertide.web.sessions import ViewerDep

router = APIRouter(dependencies=[CsrfDep])


def _paper_url(arxiv_id: str, anchor: str = "comments") -> str:
    return f"/papers/{arxiv_id}#{anchor}"


@router.post("/comments")
def post_comment(
    request: Request, community: CommunityDep, templates: TemplatesDep, viewer: ViewerDep, arxiv_id: str = Form(""),
    body: str = Form(""), reply_to: str = Form(""),
):
    try:
        aid = parse_arxiv_id(arxiv_id).id
    except InvalidArxivId:
        raise NotFound(arxiv_id[:64]) from None
    if viewer is None:
        return sign_in_redirect(request, f"/papers/{aid}")
    # Refused for any reason (a rule or the rate limit), we show why with the text still there:
    # typing a long comment again is not acceptable.
    try:
        enforce(request, "comment", viewer)
        created = community.discussion.add(viewer, aid, body, reply_to[:40] or None)
    except InvalidInput as exc:
        return _retry(request, templates, str(exc), aid, reply_to, body, 400, {})
    except NotFound as exc:
        if not reply_to or str(exc) != reply_to[:40]:
            raise
        # The comment being answered was deleted while the reply was typed: keep the text, and
        # offer it as a comment on the paper (retrying the reply would fail the same way).
        return _retry(request, templates, "The comment you replied to has been deleted. You can post your text "
                      "as a comment on the paper instead.", aid, "", body, 404, {})
    except HTTPException as exc:
        if exc.status_code != 429:
            raise
        return _retry(request, templates, str(exc.detail), aid, reply_to, body, 429, dict(exc.headers or {}))
    return RedirectResponse(_paper_url(aid, f"comment-{created.uuid}"), status_code=303)


def _retry(request: Request, templates: TemplatesDep, error: str, aid: str, reply_to: str, body: str, status: int,
           headers: dict[str, str]) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "community/comment_retry.html",
        {"error": error, "arxiv_id": aid, "reply_to": reply_to[:40], "body": body[:20_000]},
        status_code=status, headers=headers,
    )


@router.get("/comments/{comment_uuid}/edit", response_class=HTMLResponse)
def edit_page(request: Request, community: CommunityDep, templates: TemplatesDep, comment_uuid: str, viewer: ViewerDep):
    if viewer is None:
        return sign_in_redirect(request)
    # Asked before showing the form: the page holds the body, and a hidden comment's is not for others.
    comment = community.discussion.editable(viewer, comment_uuid[:40])
    return templates.TemplateResponse(request, "community/comment_edit.html", {"comment": comment})


def _edit_again(request: Request, templates: TemplatesDep, community: CommunityDep, viewer: User, comment_uuid: str,
                body: str, error: str, status: int, headers: dict[str, str]) -> HTMLResponse:
    comment = community.discussion.editable(viewer, comment_uuid[:40])  # still theirs to edit, or Denied
    return templates.TemplateResponse(
        request, "community/comment_edit.html", {"comment": comment, "body": body[:20_000], "error": error},
        status_code=status, headers=headers,
    )


@router.post("/comments/{comment_uuid}/edit")
def edit(request: Request, community: CommunityDep, templates: TemplatesDep, comment_uuid: str, viewer: ViewerDep,
         body: str = Form("")):
    if viewer is None:
        return sign_in_redirect(request)
    # Refused (a rule or the rate limit), the edit form comes back with the text as typed, as a
    # refused new comment does: before, an error page lost the edit.
    try:
        enforce(request, "comment", viewer)
        c = community.discussion.edit(viewer, comment_uuid[:40], body)
    except InvalidInput as exc:
        return _edit_again(request, templates, community, viewer, comment_uuid, body, str(exc), 400, {})
    except HTTPException as exc:
        if exc.status_code != 429:
            raise
        return _edit_again(request, templates, community, viewer, comment_uuid, body, str(exc.detail), 429,
                           dict(exc.headers or {}))
    return RedirectResponse(_paper_url(c.paper_arxiv_id, f"comment-{c.uuid}"), status_code=303)


@router.post("/comments/{comment_uuid}/delete")
def delete(request: Request, community: CommunityDep, comment_uuid: str, viewer: ViewerDep):
    if viewer is None:
        return sign_in_redirect(request)
    c = community.discussion.delete(viewer, comment_uuid[:40])
    return RedirectResponse(_paper_url(c.paper_arxiv_id), status_code=303)


@router.post("/comments/{comment_uuid}/report")
def report(request: Request, community: CommunityDep, comment_uuid: str, viewer: ViewerDep, reason: str = Form("")):
    if viewer is None:
        return sign_in_redirect(request)
    enforce(request, "comment", viewer)
    c = community.discussion.get(comment_uuid[:40])
    community.discussion.report(viewer, c.uuid, reason)
    # Back to the discussion they were reading, with a notice that the report arrived.
    return RedirectResponse(f"/papers/{c.paper_arxiv_id}?reported=1#comment-{c.uuid}", status_code=303)


@router.post("/comments/{comment_uuid}/hide")
def hide(request: Request, community: CommunityDep, comment_uuid: str, viewer: ViewerDep, hidden: str = Form("1"),
         next: str = Form("")):
    if viewer is None:
        return sign_in_redirect(request)
    hide_it = switch(hidden, "hidden")
    c = community.discussion.set_hidden(viewer, comment_uuid[:40], hide_it)
    # From the report queue, back to the queue: working through a spam wave's reports one by one
    # must not mean finding the way back from each paper's page.
    back = safe_next(next, _paper_url(c.paper_arxiv_id, f"comment-{c.uuid}"))
    if back.startswith("/admin"):  # the queue says what became of the report that left it
        return done_redirect(back, "comment-hidden" if hide_it else "comment-shown")
    return RedirectResponse(back, status_code=303)

"""The moderation page (curators: reports, audit log) and user admin (admins: ban, roles)."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse

from papertide.community import Denied, NotFound
from papertide.domain import permissions
from papertide.web.csrf import CsrfDep
from papertide.web.deps import CommunityDep, TemplatesDep
from papertide.web.params import ROW_ID_MAX, switch
from papertide.web.responses import done_redirect, safe_next, sign_in_redirect
from papertide.web.sessions import ViewerDep

router = APIRouter(dependencies=[CsrfDep])
# Rows a list shows at once; each pages on ("Older entries", "More users"), so none is out of reach.
AUDIT_SHOWN = 100
USERS_SHOWN = 100


@router.get("/admin", response_class=HTMLResponse)
def admin_page(
    request: Request, community: CommunityDep, templates: TemplatesDep, viewer: ViewerDep, q: str = "",
    audit_before: Annotated[int | None, Query(ge=1, le=ROW_ID_MAX)] = None,
    users_p: Annotated[int, Query(ge=0, le=10_000)] = 0, member: str = "",
):
    if viewer is None:
        return sign_in_redirect(request, "/admin")
    if not permissions.can_moderate(viewer):
        raise Denied("The admin page is for curators and admins.")
    # ?member=<uuid>: the log of one member (what they did, what was done to their account, comments and collections).
    # An id that names no account (an old link, a member who has since deleted theirs) answers 404
    # with this page saying so, not the site's "Page not found" that left the moderator no way on.
    about, missing = None, ""
    try:
        about = community.accounts.get_by_uuid(member[:40]) if member else None
    except NotFound:
        missing = member[:40]
    # One row past the page tells whether there is a next page.
    log = community.accounts.audit_log(viewer, AUDIT_SHOWN + 1, before=audit_before, member=about)
    users = (community.accounts.list_users(viewer, q, USERS_SHOWN + 1, offset=users_p * USERS_SHOWN)
             if permissions.can_administer(viewer) else [])
    return templates.TemplateResponse(
        request, "admin/index.html",
        {"reports": community.discussion.open_reports(viewer), "q": q[:100],
         "log": log[:AUDIT_SHOWN], "older_before": log[AUDIT_SHOWN - 1].id if len(log) > AUDIT_SHOWN else None,
         "audit_paged": audit_before is not None, "member": about, "missing_member": missing,
         "users": users[:USERS_SHOWN], "users_p": users_p, "more_users": len(users) > USERS_SHOWN},
        status_code=404 if missing else 200,
    )


@router.post("/admin/users/{user_uuid}/ban")
def ban(request: Request, community: CommunityDep, user_uuid: str, viewer: ViewerDep, banned: str = Form("1"),
        next: str = Form("")):
    if viewer is None:
        return sign_in_redirect(request, "/admin")
    ban_it = switch(banned, "banned")
    community.accounts.set_banned(viewer, user_uuid[:40], ban_it)
    return done_redirect(_back_to_user(next, user_uuid), "banned" if ban_it else "unbanned")


@router.post("/admin/users/{user_uuid}/role")
def set_role(request: Request, community: CommunityDep, user_uuid: str, viewer: ViewerDep, role: str = Form(""),
             next: str = Form("")):
    if viewer is None:
        return sign_in_redirect(request, "/admin")
    community.accounts.set_role(viewer, user_uuid[:40], role)
    return done_redirect(_back_to_user(next, user_uuid), "role-set")


def _back_to_user(next_path: str, user_uuid: str) -> str:
    """The user list as the admin had it (searched, paged), at the row just changed; or the member's
    profile, when the admin acted from there."""
    profile = f"/users/{quote(user_uuid[:40], safe='-')}"
    if next_path == profile:
        return f"{profile}#moderation"
    here = safe_next(next_path, "/admin")
    if not here.startswith("/admin"):
        here = "/admin"
    return f"{here.split('#', 1)[0]}#user-{quote(user_uuid[:40], safe='-')}"


@router.post("/admin/users/{user_uuid}/comments/hide")
def hide_all_comments(request: Request, community: CommunityDep, user_uuid: str, viewer: ViewerDep,
                      next: str = Form("")):
    """Hide every visible comment of the member (from their profile or the report queue)."""
    if viewer is None:
        return sign_in_redirect(request, "/admin")
    member = community.accounts.get_by_uuid(user_uuid[:40])
    community.discussion.hide_all_by(viewer, member)
    return done_redirect(safe_next(next, f"/users/{member.uuid}#moderation"), "comments-hidden")


@router.post("/admin/users/{user_uuid}/comments/unhide")
def undo_hide_all_comments(request: Request, community: CommunityDep, user_uuid: str, viewer: ViewerDep,
                           entry: Annotated[int, Form(ge=1, le=ROW_ID_MAX)], next: str = Form("")):
    """Undo one "hide all their comments" (the audit entry ``entry``)."""
    if viewer is None:
        return sign_in_redirect(request, "/admin")
    member = community.accounts.get_by_uuid(user_uuid[:40])
    community.discussion.undo_hide_all(viewer, member, entry)
    return done_redirect(safe_next(next, f"/users/{member.uuid}#moderation"), "comments-shown")


@router.post("/admin/users/{user_uuid}/listings/remove")
def remove_all_listings(request: Request, community: CommunityDep, user_uuid: str, viewer: ViewerDep,
                        first: Annotated[date, Form()], last: Annotated[date | None, Form()] = None,
                        next: str = Form("")):
    """Take every paper the member submitted off the lists of ``first`` (to ``last``, when given)."""
    if viewer is None:
        return sign_in_redirect(request, "/admin")
    member = community.accounts.get_by_uuid(user_uuid[:40])
    community.submissions.remove_all_by(viewer, member, first, last or first)
    return done_redirect(safe_next(next, f"/users/{member.uuid}#moderation"), "listings-removed")


@router.post("/admin/comments/{comment_uuid}/dismiss")
def dismiss(request: Request, community: CommunityDep, comment_uuid: str, viewer: ViewerDep):
    if viewer is None:
        return sign_in_redirect(request, "/admin")
    community.discussion.dismiss_reports(viewer, comment_uuid[:40])
    return done_redirect("/admin#reports", "reports-dismissed")

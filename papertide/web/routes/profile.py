"""Profiles: your own (name, password, sessions, activity) and anyone's public page."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from papertide.domain.accounts import InvalidInput, User
from papertide.web.csrf import CsrfDep
from papertide.web.deps import CommunityDep, TemplatesDep, services_of, templates_of
from papertide.web.params import is_on
from papertide.web.responses import sign_in_redirect
from papertide.web.sessions import ViewerDep, session_token

router = APIRouter(dependencies=[CsrfDep])


def _activity(request: Request, user: User, viewer: User | None) -> dict:  # type: ignore[type-arg]
    community = services_of(request).community
    return {**community.accounts.activity(user), "comments": community.discussion.by_user(user.id, viewer)}


def own_profile(request: Request, viewer: User, status: int = 200, **ctx) -> Response:  # type: ignore[no-untyped-def]
    """The viewer's own profile; a refused form's ``*_error`` (and what was typed) in ``ctx``."""
    services = services_of(request)
    return templates_of(request).TemplateResponse(
        request, "community/profile.html",
        {"user": viewer, "is_self": True, "collections": services.community.reading_lists.mine(viewer),
         "api_tokens": [t for t in services.tokens.list_for_user(viewer.id) if t.active],
         "min_password": services.settings.password_min_length, **_activity(request, viewer, viewer), **ctx},
        status_code=status,
    )


@router.get("/profile", response_class=HTMLResponse)
def my_profile(request: Request, viewer: ViewerDep, welcome: int = 0, saved: str = ""):
    if viewer is None:
        return sign_in_redirect(request, "/profile")
    return own_profile(request, viewer, welcome=bool(welcome), saved=saved[:40])


@router.post("/profile/name")
def set_name(request: Request, community: CommunityDep, viewer: ViewerDep, display_name: str = Form("")):
    if viewer is None:
        return sign_in_redirect(request, "/profile")
    try:
        community.accounts.set_display_name(viewer, display_name)
    except InvalidInput as exc:
        return own_profile(request, viewer, 400, name_error=str(exc), name_value=display_name[:60])
    return RedirectResponse("/profile", status_code=303)


@router.post("/profile/password")
def set_password(request: Request, community: CommunityDep, viewer: ViewerDep, password: str = Form(""), remove: str = Form("")):
    if viewer is None:
        return sign_in_redirect(request, "/profile")
    accounts = community.accounts
    try:
        if removing := is_on(remove):  # the "Remove password" button sends remove=1; remove=0 must not remove it
            accounts.remove_password(viewer)
        else:
            accounts.set_password(viewer, password, session_token(request))
    except InvalidInput as exc:
        return own_profile(request, viewer, 400, password_error=str(exc))
    return RedirectResponse(f"/profile?saved={'password-removed' if removing else 'password'}#password-set-form",
                            status_code=303)


@router.get("/users/{user_uuid}", response_class=HTMLResponse)
def public_profile(request: Request, community: CommunityDep, templates: TemplatesDep, viewer: ViewerDep, user_uuid: str):
    user = community.accounts.get_by_uuid(user_uuid[:40])
    return templates.TemplateResponse(
        request, "community/profile.html",
        {"user": user, "is_self": False, "collections": community.reading_lists.public_of(user, viewer),
         "moderation": community.discussion.for_moderator(viewer, user),
         "listing_days": community.submissions.recent_days_of(viewer, user), **_activity(request, user, viewer)},
    )

"""Personal API tokens on the profile page: create (the secret is shown once), revoke.

The list itself is drawn by ``api/_tokens.html``, included from the profile page, whose route
loads the tokens. Only the signed-in owner sees or touches their tokens; every form carries
the CSRF token.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from papertide.domain.api_tokens import InvalidScope, parse_scope
from papertide.web.csrf import CsrfDep
from papertide.web.deps import TemplatesDep, TokensDep
from papertide.web.responses import error_page, sign_in_redirect
from papertide.web.routes.profile import own_profile
from papertide.web.sessions import ViewerDep

router = APIRouter(dependencies=[CsrfDep])
MAX_ACTIVE_TOKENS = 50  # a person needs a handful; a bound keeps a leaked session from minting thousands


@router.post("/profile/tokens", response_class=HTMLResponse)
def create_token(
    request: Request, tokens: TokensDep, templates: TemplatesDep, viewer: ViewerDep,
    name: str = Form(""), scope: str = Form("read"),
) -> Response:
    if viewer is None:
        return sign_in_redirect(request, "/profile")
    # Refused, the profile comes back with the name still typed and the reason beside it (not an
    # error page that loses both).
    try:
        wanted = parse_scope(scope)
    except InvalidScope as exc:
        return own_profile(request, viewer, 400, token_error=str(exc), token_name=name[:100])
    if not name.strip():
        return own_profile(request, viewer, 400, token_error="Give the token a name, e.g. the script that uses it.")
    if sum(1 for t in tokens.list_for_user(viewer.id) if t.active) >= MAX_ACTIVE_TOKENS:
        return own_profile(request, viewer, 400, token_name=name[:100],
                           token_error=f"Revoke one first: at most {MAX_ACTIVE_TOKENS} tokens can be active.")
    created = tokens.create_for_user(viewer.id, wanted, name)
    # The only time the secret exists outside the user's hands: never cache this page.
    return templates.TemplateResponse(
        request, "api/token_created.html", {"created": created},
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


@router.post("/profile/tokens/{token_uuid}/revoke")
def revoke_token(request: Request, tokens: TokensDep, token_uuid: str, viewer: ViewerDep) -> Response:
    if viewer is None:
        return sign_in_redirect(request, "/profile")
    if not tokens.revoke(token_uuid[:40], user_id=viewer.id):
        return error_page(request, "No such token", "That token is not yours or is already revoked.", 404)
    return RedirectResponse("/profile#api-tokens", status_code=303)

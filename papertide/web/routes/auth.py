"""Signing in and out: emailed single-use links (GET shows a page, POST signs in) and
optional passwords. Responses never reveal whether an address has an account.
"""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from papertide.community import Denied
from papertide.domain.accounts import InvalidInput
from papertide.domain.signup import SignUpClosed, describe_domains
from papertide.web.csrf import CsrfDep
from papertide.web.deps import CommunityDep, ServicesDep, TemplatesDep, services_of, templates_of
from papertide.web.ratelimit import enforce
from papertide.web.responses import safe_next
from papertide.web.sessions import ViewerDep, clear_session_cookie, session_token, set_session_cookie

router = APIRouter(dependencies=[CsrfDep])


def _form(request: Request, next_path: str, status: int = 200, **ctx) -> Response:  # type: ignore[no-untyped-def]
    domains = services_of(request).settings.signup_domain_list
    return templates_of(request).TemplateResponse(
        request, "auth/sign_in.html",
        {"next": next_path, "signup_domains": describe_domains(domains) if domains else "", **ctx}, status_code=status,
    )


@router.get("/auth/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, viewer: ViewerDep, next: str = "/"):
    return _form(request, safe_next(next))


@router.post("/auth/sign-in/link", response_class=HTMLResponse)
def request_link(
    request: Request, services: ServicesDep, templates: TemplatesDep,
    background: BackgroundTasks, email: str = Form(""), next: str = Form("/"),
):
    community, settings = services.community, services.settings
    next_path = safe_next(next)
    enforce(request, "sign-in-link", user_key=email.strip().lower()[:320] or None)
    try:
        address, token = community.accounts.request_login_link(email)
        outbox_id = services.sign_in_mail.queue(address, token, next_path)
    except SignUpClosed as closed:
        # The page stays the same as for an address with an account; its inbox hears why no link came.
        address = closed.email
        outbox_id = services.sign_in_mail.queue_sign_up_closed(address, describe_domains(closed.domains))
    except InvalidInput as exc:
        return _form(request, next_path, 400, link_error=str(exc), email=email[:320])
    # Sent after the response, so the page takes the same time whoever the address belongs to;
    # a failed try stays in the outbox for the worker's retries.
    if outbox_id is not None:
        background.add_task(services.outbox_sender.send_now, [outbox_id])
    return templates.TemplateResponse(
        request, "auth/check_email.html", {"email": address, "minutes": settings.login_link_minutes}
    )


def _no_referrer(response: Response) -> Response:
    # The URL holds a secret; don't leak it to any page this one links to.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/auth/link/{token}", response_class=HTMLResponse)
def confirm_link_page(request: Request, community: CommunityDep, templates: TemplatesDep, token: str, next: str = "/"):
    """Shows a button; only its POST signs in, so link scanners in mail systems use nothing up."""
    email = community.accounts.login_link_email(token[:100])
    return _no_referrer(templates.TemplateResponse(
        request, "auth/confirm.html", {"email": email, "token": token[:100], "next": safe_next(next)},
        status_code=200 if email else 400,
    ))


@router.post("/auth/link/{token}")
def use_link(request: Request, community: CommunityDep, templates: TemplatesDep, token: str, next: str = Form("/")):
    enforce(request, "sign-in-link")
    accounts = community.accounts
    try:
        signed = accounts.complete_login_link(token[:100], request.headers.get("user-agent", ""), session_token(request))
    except Denied as exc:
        return _no_referrer(templates.TemplateResponse(
            request, "auth/confirm.html", {"email": None, "token": "", "next": "/", "error": str(exc)},
            status_code=exc.status,
        ))
    target = "/profile?welcome=1" if signed.created else safe_next(next)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(request, response, signed.session_token)
    return _no_referrer(response)


@router.post("/auth/sign-in/password", response_class=HTMLResponse)
def password_sign_in(
    request: Request, community: CommunityDep, email: str = Form(""), password: str = Form(""), next: str = Form("/"),
):
    next_path = safe_next(next)
    try:
        enforce(request, "sign-in-password", user_key=email.strip().lower()[:320] or None)
    except HTTPException as exc:
        # Anyone can spend an address's password attempts; its owner is told the way that
        # still works (links count apart) on the form itself, not on a bare error page.
        wait = (exc.headers or {}).get("Retry-After", "60")
        response = _form(request, next_path, 429, email=email[:320], password_error=(
            f"Too many password attempts for this address; try again in {wait} seconds, "
            "or ask for a sign-in link above: links do not count against passwords."))
        response.headers["Retry-After"] = wait
        return response
    try:
        signed = community.accounts.sign_in_with_password(
            email, password, request.headers.get("user-agent", ""), session_token(request)
        )
    except Denied as exc:
        return _form(request, next_path, exc.status, password_error=str(exc), email=email[:320])
    response = RedirectResponse(next_path, status_code=303)
    set_session_cookie(request, response, signed.session_token)
    return response


@router.post("/auth/sign-out")
def sign_out(request: Request, community: CommunityDep):
    token = session_token(request)
    if token:
        community.accounts.sign_out(token)
    response = RedirectResponse("/", status_code=303)
    clear_session_cookie(response)
    return response


@router.post("/auth/sign-out-everywhere")
def sign_out_everywhere(request: Request, community: CommunityDep, viewer: ViewerDep):
    if viewer is not None:
        community.accounts.sign_out_everywhere(viewer)
    response = RedirectResponse("/", status_code=303)
    clear_session_cookie(response)
    return response

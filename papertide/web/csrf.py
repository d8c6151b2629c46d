"""CSRF protection for HTML forms: a signed double-submit token.

Every browser gets a random ``pt_csrf`` cookie (HttpOnly, SameSite=Lax). Forms carry
``csrf_token`` = HMAC(secret key, cookie); htmx requests may send it as ``X-CSRF-Token``.
A cross-site page can neither read the cookie nor compute the HMAC, so it cannot forge
the field. Routes opt in with ``dependencies=[CsrfDep]`` (every community router does);
templates call ``{{ csrf_input() }}`` inside each POST form.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from http.cookies import SimpleCookie

from fastapi import Depends, HTTPException, Request
from jinja2 import pass_context
from markupsafe import Markup
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from papertide.api.cache import PERSONAL
from papertide.web.deps import services_of
from papertide.web.security import same_secret

COOKIE = "pt_csrf"
FIELD = "csrf_token"
HEADER = "x-csrf-token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def _cookies(scope: Scope) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for k, v in scope.get("headers", []):
        if k == b"cookie":
            try:
                jar.load(v.decode("latin-1"))
            except Exception:  # a malformed Cookie header must not break the page
                continue
    return {k: m.value for k, m in jar.items()}


def _is_html(message: Message) -> bool:
    return any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in message.get("headers", []))


def token_for(secret_key: str, cookie_value: str) -> str:
    return hmac.new(secret_key.encode(), b"csrf:" + cookie_value.encode(), hashlib.sha256).hexdigest()


class CsrfCookieMiddleware:
    """Makes sure every browser has a CSRF cookie; exposes it as ``request.state.csrf_cookie``."""

    def __init__(self, app: ASGIApp, secure: bool = False) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        existing = _cookies(scope).get(COOKIE, "")
        fresh = not (16 <= len(existing) <= 100)
        value = secrets.token_urlsafe(32) if fresh else existing
        scope.setdefault("state", {})
        scope["state"]["csrf_cookie"] = value
        scope["state"]["csrf_cookie_is_new"] = fresh

        async def send_with_cookie(message: Message) -> None:
            # Only pages can hold forms; feeds, API answers and static files stay cookie-free (cacheable).
            if fresh and message["type"] == "http.response.start" and _is_html(message):
                attrs = f"{COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if self.secure else "")
                message.setdefault("headers", []).append((b"set-cookie", attrs.encode()))
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def expected_token(request: Request) -> str:
    # The token is this visitor's: a page that holds it must not be cached for anyone else.
    setattr(request.state, PERSONAL, True)
    return token_for(services_of(request).settings.secret_key, request.state.csrf_cookie)


async def require_csrf(request: Request) -> None:
    """Reject unsafe requests without a valid token (403)."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(HEADER, "")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()  # Starlette caches it, so the route's Form() fields still work
        sent = str(form.get(FIELD, ""))
    if request.state.csrf_cookie_is_new or not same_secret(sent, expected_token(request)):
        raise HTTPException(403, "This form has expired or did not come from this site (CSRF check failed). "
                                 "Please reload the page and try again.")


CsrfDep = Depends(require_csrf)


@pass_context
def csrf_input(ctx) -> Markup:  # type: ignore[no-untyped-def]
    """The hidden form field; use inside every POST form."""
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, expected_token(ctx["request"]))


@pass_context
def csrf_token(ctx) -> str:  # type: ignore[no-untyped-def]
    return expected_token(ctx["request"])

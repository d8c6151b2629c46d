"""Security headers on every response, as one ASGI middleware for the whole app; and the one
way routes compare a secret a client presents with ours.

The Content-Security-Policy allows scripts and styles only from our own origin: no inline
script, no ``eval`` (htmx is configured with ``allowEval: false``), no third-party hosts.
A page that needs something else must bring its own file under /static.
"""

from __future__ import annotations

import hmac

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def same_secret(given: str, expected: str) -> bool:
    """Constant-time check of a presented token, signature or password-like secret against ours.

    Compares UTF-8 bytes: ``hmac.compare_digest`` raises on ``str`` holding non-ASCII text, and
    whatever a client sends (a header, a cookie, a form field) may hold it.
    """
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))


CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeadersMiddleware:
    """Adds :data:`HEADERS` unless the response already set that header (a page may tighten one)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        signed_in = any(k == b"cookie" and b"pt_session=" in v for k, v in scope.get("headers", []))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in HEADERS if k not in present]
                if signed_in and b"cache-control" not in present and _is_html(headers):
                    # A page made for one person (their name, their CSRF token) must not sit in a shared cache.
                    headers.append((b"cache-control", b"private, no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _is_html(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers)

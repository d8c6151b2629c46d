"""Small response helpers shared by the page routes: safe redirects, sign-in, error pages."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from papertide.web.deps import templates_of


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def safe_next(raw: str | None, default: str = "/") -> str:
    """A same-site path to return to; anything else (``//evil``, ``https://…``) becomes ``default``."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw or any(ord(ch) < 32 for ch in raw):
        return default
    return raw[:500]


def sign_in_redirect(request: Request, next_path: str | None = None) -> Response:
    target = "/auth/sign-in?next=" + quote(safe_next(next_path or came_from(request)), safe="/")
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def came_from(request: Request, default: str = "/") -> str:
    """The same-site page the request came from (Referer), for redirecting back after a form."""
    referer = request.headers.get("referer", "")
    base = str(request.base_url).rstrip("/")
    if referer.startswith(base + "/"):
        return safe_next(referer[len(base):], default)
    return request.url.path if request.method == "GET" else default


def error_page(request: Request, title: str, message: str, status: int) -> Response:
    return templates_of(request).TemplateResponse(
        request, "error.html", {"title": title, "message": message}, status_code=status
    )


def not_found_page(request: Request, query: str = "") -> Response:
    return templates_of(request).TemplateResponse(request, "404.html", {"query": query}, status_code=404)

"""Small response helpers shared by the page routes: safe redirects, sign-in, error pages."""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import URL

from papertide.domain.tex import ascii_fold
from papertide.web.deps import templates_of


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def safe_next(raw: str | None, default: str = "/") -> str:
    """A same-site path to return to; anything else (``//evil``, ``https://…``) becomes ``default``."""
    if not raw or not raw.startswith("/") or raw.startswith("//") or "\\" in raw or any(ord(ch) < 32 for ch in raw):
        return default
    return raw[:500]


def done_redirect(url: str, done: str) -> RedirectResponse:
    """A form's 303 back to ``url`` (a same-site path) with ``?done=<done>`` before its #fragment, so
    the page confirms what the form did in words (``_done_notice.html``), as ``?reported=1`` does
    for a report: a moderator's bulk hide or ban otherwise only redrew the page, which a screen
    reader does not announce and a sighted moderator had to spot."""
    return RedirectResponse(str(URL(url).include_query_params(done=done)), status_code=303)


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


def paper_anchor(arxiv_id: str) -> str:
    """The id of a paper's card or search hit on a list page (``_paper_card.html``, ``search/results.html``)."""
    return "paper-" + arxiv_id.replace("/", "-")


def back_to_paper(request: Request, arxiv_id: str, next_path: str = "") -> str:
    """Where a plain (no-JavaScript) form about one paper lands: the page it was sent from (``next``, else
    the Referer) scrolled to that paper's card, so a reader on card forty of a list is not thrown to
    the top; the paper page when the form came from there or from nowhere we know."""
    paper_page = f"/papers/{arxiv_id}"
    back = safe_next(next_path, "") or came_from(request, paper_page)
    if "#" in back or back.split("?", 1)[0] == paper_page:
        return back
    return f"{back}#{paper_anchor(arxiv_id)}"


def error_page(request: Request, title: str, message: str, status: int) -> Response:
    return templates_of(request).TemplateResponse(
        request, "error.html", {"title": title, "message": message, "status": status}, status_code=status
    )


def not_found_page(request: Request, query: str = "") -> Response:
    return templates_of(request).TemplateResponse(request, "404.html", {"query": query}, status_code=404)


# Characters no file name may hold on some system we save to (Windows is the strictest), and controls.
_NOT_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]+')
FILE_NAME_CHARS = 60  # of the name before its extension


def attachment(name: str, ext: str, default: str = "papers") -> str:
    """A Content-Disposition that saves the download as ``name.ext``, in any script.

    Browsers read the UTF-8 ``filename*`` (RFC 6266, RFC 8187); ``filename`` is the ASCII fallback
    for the few that do not, with accents dropped rather than the accented letters.

    >>> print(attachment("Lectures d'été", "bib"))
    attachment; filename="Lectures-d-ete.bib"; filename*=UTF-8''Lectures%20d%27%C3%A9t%C3%A9.bib
    """
    fallback = re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_fold(name)).strip("-")[:FILE_NAME_CHARS] or default
    full = _NOT_IN_FILE_NAMES.sub("-", name).strip(" .-")[:FILE_NAME_CHARS] or default
    value = f'attachment; filename="{fallback}.{ext}"'
    return value if full == fallback else f"{value}; filename*=UTF-8''{quote(f'{full}.{ext}', safe='')}"

"""Error pages: HTML for browsers, JSON for the APIs, one shape per audience.

The REST API (``/api/v1``) answers ``{"error": {"code", "message"}}``, as its docs say. The
Hugging Face-compatible routes (every other ``/api/`` path) answer like huggingface.co:
``{"error": "message"}`` and 400 for parameters they cannot read, because
``huggingface_hub.hf_raise_for_status`` shows a string ``error`` as the server's message (a
dict there became its Python repr).

A database that cannot be reached (stopped, restarting, refusing connections, a connection lost
mid-request) is the outside world, not a bug: every page and API answers 503 with ``Retry-After``
and the logs get one warning line a minute, where each request was a 500 with a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from papertide.community import Denied, NotFound
from papertide.domain.accounts import InvalidInput
from papertide.recs.signals import UnknownPaper
from papertide.storage.db import CONNECTION_ERROR_TYPES, unreachable_reason
from papertide.telemetry.logs import Throttle
from papertide.web.deps import templates_of
from papertide.web.responses import error_page, not_found_page, sign_in_redirect

_FORM_LIMITS = ("Field exceeded maximum size", "Part exceeded maximum size", "Too many fields", "Too many files")
FORM_TOO_LARGE = ("This form could not be read: a text field holds more than 1 MB, or it has more than 1,000 "
                  "fields. Nothing was saved. Go back and shorten it; a long list of papers can be uploaded "
                  "as a file on your Interests page (up to 5 MB).")


log = logging.getLogger(__name__)

# What an error page is titled, in words (its h1 and the <title> a screen reader reads first); the
# status code stays on the page, below the message, for whoever the reader asks for help.
STATUS_TITLES = {
    400: "Bad request", 401: "Please sign in", 403: "Not allowed", 404: "Page not found",
    405: "Not allowed here", 413: "Form too large", 422: "Please check your input", 429: "Too many requests",
    500: "Something went wrong", 502: "Temporarily unavailable", 503: "Temporarily unavailable",
}
# Also what a failed htmx click shows (htmx-errors.js reads .error-message), so it names the code too.
SERVER_ERROR_MESSAGE = ("Something went wrong on the server (error 500), not in what you did. Please try again in a "
                        "moment; if it keeps happening, tell the site's admins the address and the time.")
DB_DOWN_MESSAGE = "The site's database is unreachable; please try again in a minute."
RETRY_AFTER_SECONDS = 60


def status_title(status: int) -> str:
    """An error page's title for an HTTP status, in words.

    >>> status_title(429), status_title(418), status_title(504)
    ('Too many requests', 'This request could not be answered', 'Something went wrong')
    """
    if status in STATUS_TITLES:
        return STATUS_TITLES[status]
    return "Something went wrong" if status >= 500 else "This request could not be answered"


def _is_hf_api(path: str) -> bool:
    """A Hugging Face-compatible route: ``/api/…`` outside the REST API and its HTML docs."""
    return path.startswith("/api/") and path != "/api/v1" and not path.startswith(("/api/v1/", "/api/docs"))


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return not request.url.path.startswith("/api/") and "application/json" not in accept


def _error(request: Request, title: str, message: str, status: int,
           headers: Mapping[str, str] | None = None) -> Response:
    """The error page for people, the JSON error for programs: one shape for both."""
    if _wants_html(request):
        return templates_of(request).TemplateResponse(
            request, "error.html", {"title": title, "message": message, "status": status}, status_code=status,
            headers=headers,
        )
    if _is_hf_api(request.url.path):
        return JSONResponse({"error": message}, status_code=status, headers=headers)
    return JSONResponse({"error": {"code": status, "message": message}}, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404 and _wants_html(request):
            return not_found_page(request)
        headers = getattr(exc, "headers", None)
        message = str(exc.detail)
        if exc.status_code == 405 and headers and headers.get("Allow"):
            # The router's own words are just "Method Not Allowed"; say which methods would work.
            message = f"This address takes {headers['Allow']} requests, not {request.method}."
        if exc.status_code == 400 and message.startswith(_FORM_LIMITS):
            # Starlette's form parser, in its own terms ("Field exceeded maximum size of 1024KB").
            return _error(request, "Form too large", FORM_TOO_LARGE, 413)
        return _error(request, status_title(exc.status_code), message, exc.status_code, headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        message = "; ".join(
            f"{'.'.join(str(x) for x in e.get('loc', ()) if x != 'query')}: {e.get('msg')}" for e in exc.errors()
        )
        # huggingface.co answers a parameter it cannot read with a 400; our own API documents 422.
        return _error(request, "Bad request", message, 400 if _is_hf_api(request.url.path) else 422)

    @app.exception_handler(Denied)
    async def denied(request: Request, exc: Denied) -> Response:
        if exc.status == 401:
            return sign_in_redirect(request)
        return error_page(request, "Not allowed", str(exc), exc.status)

    @app.exception_handler(NotFound)
    @app.exception_handler(UnknownPaper)
    async def not_found(request: Request, exc: Exception) -> Response:
        return not_found_page(request)

    # One warning line when requests start failing for want of the database, then at most one a
    # minute while they go on (the access log still has a 503 line per request). Per app: the
    # handler runs on the event loop, one at a time.
    outage = Throttle()

    async def database_unreachable(request: Request, exc: Exception) -> Response:
        reason = unreachable_reason(exc)
        if reason is None:  # an error in a statement on a live connection is ours: a 500 with its traceback
            raise exc
        if outage.due():
            log.warning("the database is unreachable (%s); answering 503 until it is back", reason)
        # The page's header would ask the database who is signed in (and fail again): render it signed out.
        request.state.viewer = None
        return _error(request, STATUS_TITLES[503], DB_DOWN_MESSAGE, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)})

    for exc_type in CONNECTION_ERROR_TYPES:
        app.add_exception_handler(exc_type, database_unreachable)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        # Starlette's own answer is the bare text "Internal Server Error"; the traceback is still
        # logged (Starlette raises the exception on after this answer is sent). The header is drawn
        # signed out: asking the database who is signed in may be what just failed.
        request.state.viewer = None
        return _error(request, STATUS_TITLES[500], SERVER_ERROR_MESSAGE, 500)

    @app.exception_handler(InvalidInput)
    async def invalid(request: Request, exc: InvalidInput) -> Response:
        return _error(request, "Please check your input", str(exc), 400)

"""Wires the community capability into an app: services on ``app.state.community``,
security headers and CSRF middleware, template helpers, error pages and routers.

``create_app`` calls :func:`install_community` once, above the papers router.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from jinja2 import pass_context

from papertide.community import Clock, Denied, NotFound, utc_now
from papertide.community.accounts import Accounts
from papertide.community.contributions import PaperLookup, Submissions, Votes
from papertide.community.discussion import Discussion
from papertide.community.reading_lists import ReadingLists
from papertide.config import Settings
from papertide.domain.accounts import InvalidInput
from papertide.domain.papers import Paper
from papertide.domain.submissions import SubmissionRules
from papertide.storage.db import Database
from papertide.web import csrf, sessions
from papertide.web.ratelimit import RateLimiter
from papertide.web.security import SecurityHeadersMiddleware


@dataclass
class Community:
    accounts: Accounts
    votes: Votes
    submissions: Submissions
    discussion: Discussion
    reading_lists: ReadingLists
    limiter: RateLimiter


class IngestLookup:
    """Submissions of unknown papers go through the ingest layer's arXiv-by-id fetch."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings, self.db = settings, db

    def fetch_paper(self, arxiv_id: str) -> Paper | None:
        try:
            from papertide.ingest.service import fetch_by_id
        except ImportError:  # an install without the ingest capability
            return None
        return fetch_by_id(self.settings, self.db, arxiv_id)


def build_community(settings: Settings, db: Database, now: Clock = utc_now, lookup: PaperLookup | None = None) -> Community:
    return Community(
        accounts=Accounts(
            db, login_link_minutes=settings.login_link_minutes, session_days=settings.session_days,
            password_min_length=settings.password_min_length, now=now,
        ),
        votes=Votes(db),
        submissions=Submissions(
            db, SubmissionRules(settings.submission_max_age_days, settings.submissions_per_day),
            lookup if lookup is not None else IngestLookup(settings, db), now=now,
        ),
        discussion=Discussion(db, settings.comment_edit_minutes, now=now),
        reading_lists=ReadingLists(db),
        limiter=RateLimiter(settings.rate_limits_enabled),
    )


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
    return request.app.state.templates.TemplateResponse(
        request, "error.html", {"title": title, "message": message}, status_code=status
    )


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(Denied)
    async def denied(request: Request, exc: Denied) -> Response:
        if exc.status == 401:
            return sign_in_redirect(request)
        return error_page(request, "Not allowed", str(exc), exc.status)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return request.app.state.templates.TemplateResponse(request, "404.html", {"query": ""}, status_code=404)

    @app.exception_handler(InvalidInput)
    async def invalid(request: Request, exc: InvalidInput) -> Response:
        return error_page(request, "Please check your input", str(exc), 400)


def _install_template_helpers(app: FastAPI) -> None:
    community: Community = app.state.community

    @pass_context
    def paper_comments(ctx, arxiv_id: str) -> Any:  # type: ignore[no-untyped-def]
        return community.discussion.threads(arxiv_id, sessions.viewer(ctx["request"]))

    @pass_context
    def my_collections(ctx) -> list[Any]:  # type: ignore[no-untyped-def]
        me = sessions.viewer(ctx["request"])
        return community.reading_lists.mine(me) if me else []

    app.state.templates.env.globals.update(
        csrf_input=csrf.csrf_input, csrf_token=csrf.csrf_token, current_user=sessions.current_user,
        has_voted=sessions.has_voted, paper_comments=paper_comments, my_collections=my_collections,
        comment_edit_minutes=app.state.settings.comment_edit_minutes,
    )


def install_community(app: FastAPI) -> None:
    from papertide.web.routes import admin, auth, collections, comments, profile, submissions, votes

    settings: Settings = app.state.settings
    app.state.community = build_community(settings, app.state.db)
    app.add_middleware(csrf.CsrfCookieMiddleware, secure=settings.base_url.startswith("https://"))
    app.add_middleware(SecurityHeadersMiddleware)
    _install_handlers(app)
    _install_template_helpers(app)
    for module in (auth, profile, votes, submissions, comments, collections, admin):
        app.include_router(module.router)

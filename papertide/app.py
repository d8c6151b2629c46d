"""The web shell: ``create_app`` turns the services into a FastAPI app; no import-time state."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse
from fastapi.staticfiles import StaticFiles

from papertide import __version__
from papertide.api.cache import CacheRule, ResponseCache
from papertide.config import Settings
from papertide.services import Services, build_services
from papertide.storage.migrate import schema_state
from papertide.telemetry.logs import configure_logging
from papertide.web import csrf, errors, sessions
from papertide.web.cors import PathCORS
from papertide.web.head import HeadAsGet
from papertide.web.routes import ROUTERS
from papertide.web.security import SecurityHeadersMiddleware
from papertide.web.telemetry import RequestTelemetry
from papertide.web.templating import make_templates

STATIC_DIR = Path(__file__).resolve().parent / "web" / "static"
# Read endpoints whose responses are the same for everyone: ETag'd and cached until the data they
# show changes (PAPERTIDE_API_CACHE_SECONDS at most), like the pages below.
CACHED_PREFIXES = (
    "/api/daily_papers", "/api/papers/", "/api/v1/papers", "/api/v1/daily", "/api/v1/trending",
    "/api/v1/search",
)
# Pages the same for every signed-out visitor, and feeds (the same for everyone): kept until the
# data they show changes (see papertide/api/cache.py).
PAGE_PATHS = ("/", "/trending", "/about", "/stats", "/papers", "/categories")
PAGE_PREFIXES = ("/papers/", "/authors/", "/categories/")
FEED_PREFIXES = ("/feeds/",)


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """Build a papertide app from ``services`` (or from ``settings``, building the services)."""
    owned = services is None
    services = services or build_services(settings or Settings())
    settings = services.settings
    if owned:  # a served app (uvicorn's factory); tests that hand in services keep their logging
        configure_logging(settings.log_level, settings.log_format)
    else:
        logging.basicConfig(level=settings.log_level)
    app = FastAPI(title=settings.site_name, version=__version__, docs_url=None, redoc_url=None,
                  lifespan=_lifespan(services, owned))
    app.state.services = services
    app.state.templates = make_templates(services)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> PlainTextResponse:
        return PlainTextResponse("ok")

    # The papers router's catch-all /papers/{id} is last in ROUTERS. Their routes are added as
    # they are rather than through include_router, which makes each app re-analyse every route's
    # parameters on its first request (~120 ms per app; tests build hundreds). A router's routes
    # are complete where declared (prefix, tags, dependencies) and keep no per-app state —
    # endpoints reach the services through request.app — so every app can share them.
    for router in ROUTERS:
        app.router.routes.extend(router.routes)
    app.add_middleware(csrf.CsrfCookieMiddleware, secure=settings.base_url.startswith("https://"))
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(ResponseCache, rules=_cache_rules(settings), generation=services.page_generation.current,
                       max_bytes=settings.page_cache_max_mb * 1024 * 1024)
    app.add_middleware(PathCORS, origins=[o.strip() for o in settings.api_cors_origins.split(",") if o.strip()])
    app.add_middleware(HeadAsGet)  # everything inside (cache, routes) serves HEAD as GET
    # Outermost: request id, access line and metrics cover everything above, cache hits included.
    app.add_middleware(RequestTelemetry, routes=app.router.routes)
    errors.install(app)
    return app


def _cache_rules(settings: Settings) -> tuple[CacheRule, ...]:
    # The API follows the page generation too: triggers bump it in the transaction of every vote,
    # comment, submission, listing or paper change, whichever service or process wrote it, so a
    # write through the API (or the site, a worker, the CLI) shows on every process's next read.
    # Without it a client that voted read its old count back for up to the TTL.
    api = CacheRule(CACHED_PREFIXES, settings.api_cache_seconds, follows_generation=True)
    if settings.page_cache_seconds <= 0:
        return (api,)  # pages and feeds run exactly as without a cache
    ttl, max_age = settings.page_cache_seconds, settings.page_cache_max_age
    feeds = CacheRule(FEED_PREFIXES, ttl, max_age=max_age, follows_generation=True)
    pages = CacheRule(PAGE_PREFIXES, ttl, paths=PAGE_PATHS, max_age=max_age, bypass_cookie=sessions.COOKIE,
                      follows_generation=True)
    return (api, feeds, pages)


class SchemaMismatch(RuntimeError):
    """The database's schema is behind or ahead of this code (the message says which and what to do)."""


def _lifespan(services: Services, owned: bool):  # type: ignore[no-untyped-def]
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if owned:
            # A served app refuses a schema it was not written for; tests that build their own
            # schema hand in their services and skip this.
            state = schema_state(services.db)
            if not state.current:
                services.close()
                raise SchemaMismatch(state.message())
        # With the worker, every job runs here; without it, only the per-process ones (this
        # process's in-memory search vectors), while `papertide worker` runs the rest.
        runner = services.jobs if services.settings.with_worker else services.jobs.process_scoped()
        runner.start()
        try:
            yield
        finally:
            # uvicorn has finished the in-flight requests; stoppable jobs stop between batches,
            # and what still runs after the grace period gives its slot back for another worker.
            if not runner.stop(services.settings.shutdown_grace_seconds):
                runner.release_unfinished()
            if owned:
                services.close()
            else:
                # Services handed in outlive this app; the page generation's own connection is
                # this app's and reopens when read again. Left open, it holds the database
                # (a test's DROP DATABASE waits 100 ms on each such session).
                services.page_generation.close()

    return lifespan

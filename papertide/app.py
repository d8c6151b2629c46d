"""The application factory: builds engine, services and templates; no import-time state."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from papertide import __version__
from papertide.api.wiring import install_api
from papertide.catalog import Catalog
from papertide.config import Settings
from papertide.email.wiring import install_email
from papertide.ingest.service import IngestService
from papertide.storage.db import Database
from papertide.web.community import install_community
from papertide.web.routes import admin_ingest as admin_ingest_routes
from papertide.web.routes import papers as papers_routes
from papertide.web.routes import search as search_routes
from papertide.web.templating import make_templates

STATIC_DIR = Path(__file__).resolve().parent / "web" / "static"


def create_app(settings: Settings | None = None, db: Database | None = None) -> FastAPI:
    """Build a papertide app. Pass ``db`` to share an engine (tests, workers)."""
    settings = settings or Settings()
    logging.basicConfig(level=settings.log_level)
    db = db or Database(settings.resolved_database_url, settings.db_pool_size)
    app = FastAPI(title=settings.site_name, version=__version__, docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.db = db
    app.state.catalog = Catalog(db, settings.trending_gravity, settings.trending_window_days, settings.page_size)
    app.state.templates = make_templates(settings)
    # Issue 3: other capabilities subscribe to new/changed papers via app.state.ingest.on_changed.
    app.state.ingest = IngestService(db, settings)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> PlainTextResponse:
        return PlainTextResponse("ok")

    # Routers of later capabilities go above this line; papers' catch-all /papers/{id} comes last.
    install_community(app)  # issue 5: accounts, votes, submissions, comments, collections, security headers
    install_email(app)  # issue 4: subscribe/confirm/manage/unsubscribe, digest preview + archive, worker
    install_api(app)  # issue 6: HF-compatible API, /api/v1, feeds, robots.txt, sitemap
    app.include_router(admin_ingest_routes.router)  # issue 3: /admin/ingest
    app.include_router(search_routes.router)
    app.include_router(papers_routes.router)

    _install_error_pages(app)
    return app


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return not request.url.path.startswith("/api/") and "application/json" not in accept


def _install_error_pages(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _wants_html(request):
            templates = request.app.state.templates
            if exc.status_code == 404:
                return templates.TemplateResponse(request, "404.html", {"query": ""}, status_code=404)
            return templates.TemplateResponse(
                request, "error.html", {"title": f"Error {exc.status_code}", "message": str(exc.detail)},
                status_code=exc.status_code, headers=getattr(exc, "headers", None),
            )
        return JSONResponse(
            {"error": {"code": exc.status_code, "message": str(exc.detail)}},
            status_code=exc.status_code, headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        message = "; ".join(
            f"{'.'.join(str(x) for x in e.get('loc', ()) if x != 'query')}: {e.get('msg')}" for e in exc.errors()
        )
        if _wants_html(request):
            return request.app.state.templates.TemplateResponse(
                request, "error.html", {"title": "Bad request", "message": message}, status_code=422
            )
        return JSONResponse({"error": {"code": 422, "message": message}}, status_code=422)

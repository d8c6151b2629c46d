"""Installs the API capability on an app: services, routers, ETag cache and CORS (issue 6).

``create_app`` calls :func:`install_api` once, before the papers router (whose
``/papers/{id}`` catch-all must stay last).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from papertide.api.cache import ResponseCache
from papertide.api.search_port import search_for_state
from papertide.api.service import ApiService
from papertide.api.tokens import TokenService

# Read endpoints whose responses are the same for everyone: ETag'd and briefly cached.
CACHED_PREFIXES = (
    "/api/daily_papers", "/api/papers/", "/api/v1/papers", "/api/v1/daily", "/api/v1/trending",
    "/api/v1/search", "/feeds/",
)
CORS_PREFIXES = ("/api/", "/feeds/")


class _PathCORS:
    """CORS headers for the API and feeds only; HTML pages stay same-origin."""

    def __init__(self, app: Callable[..., Awaitable[None]], origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app, allow_origins=origins, allow_methods=["GET", "HEAD", "OPTIONS"],
            allow_headers=["Authorization", "If-None-Match"], expose_headers=["ETag", "Link"], max_age=600,
        )

    async def __call__(self, scope: MutableMapping[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith(CORS_PREFIXES):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def install_api(app: FastAPI) -> None:
    from papertide.web.routes import api_docs, api_tokens_ui, api_v1, api_v1_community, feeds, hf_api, meta

    settings, db = app.state.settings, app.state.db
    app.state.api = ApiService(db, app.state.catalog, search=lambda: search_for_state(app.state, db))
    app.state.tokens = TokenService(db)
    # api_v1_community before api_v1: the latter's /papers/{arxiv_id:path} would swallow /papers/<id>/comments.
    for module in (hf_api, api_v1_community, api_v1, api_docs, feeds, meta, api_tokens_ui):
        app.include_router(module.router)
    api_tokens_ui.install_template_helpers(app)
    app.add_middleware(ResponseCache, prefixes=CACHED_PREFIXES, ttl_seconds=settings.api_cache_seconds)
    origins = [o.strip() for o in settings.api_cors_origins.split(",") if o.strip()]
    app.add_middleware(_PathCORS, origins=origins)

"""CORS for the API and feeds only; HTML pages stay same-origin."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.middleware.cors import CORSMiddleware

CORS_PREFIXES = ("/api/", "/feeds/")


class PathCORS:
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

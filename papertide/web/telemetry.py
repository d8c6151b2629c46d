"""Per-request telemetry: the request id, the access log line, and the request metrics.

One pure ASGI middleware, outermost, so it times and labels everything inside it (the
response cache included). The request id is the client's ``X-Request-ID`` when it is
safe to log, else a fresh one; it is echoed in the response header and set as the work id
(papertide.telemetry.context) for everything the request causes, so log lines from its
endpoint, its background tasks and the mail it sends carry it.

Routes are labelled by their path template (``/papers/{arxiv_id}``), which keeps the
metric's label sets bounded however many papers there are; a request no route matches
is ``unmatched``. A path that holds a secret (a route parameter named ``token``: sign-in links,
private feed URLs) is logged as its template, so the logs hold no credential.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Sequence

from starlette.datastructures import MutableHeaders
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from papertide.telemetry.context import accept_id, work_id
from papertide.telemetry.metrics import HTTP_REQUEST_SECONDS, HTTP_REQUESTS

access_log = logging.getLogger("papertide.access")

REQUEST_ID_HEADER = "X-Request-ID"
UNMATCHED = "unmatched"
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
ROUTE_CACHE_SIZE = 4096  # paths whose template we remember, for requests answered before routing
SECRET_PARAM = "{token}"  # a route parameter that is a credential (/auth/link/{token}, /for-you/feed/{token}.atom)


class RequestTelemetry:
    """Request id, access line and metrics for every HTTP request; ``routes`` label the ones
    answered before the router ran (response cache hits)."""

    def __init__(self, app: ASGIApp, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.routes = routes
        self._template_of = functools.lru_cache(maxsize=ROUTE_CACHE_SIZE)(self._match)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        inbound = next((v for k, v in scope["headers"] if k == b"x-request-id"), None)
        request_id = accept_id(inbound.decode("latin-1") if inbound else None)
        status = 500  # what the client gets if the app raises before it answers

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        t0 = time.perf_counter()
        with work_id(request_id):
            try:
                await self.app(scope, receive, send_with_id)
            finally:
                self._record(scope, status, time.perf_counter() - t0)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        method = scope["method"] if scope["method"] in KNOWN_METHODS else "OTHER"
        route = self._route(scope)
        path = route if SECRET_PARAM in route else scope["path"]
        HTTP_REQUEST_SECONDS.labels(method, route).observe(seconds)
        HTTP_REQUESTS.labels(method, route, str(status)).inc()
        if access_log.isEnabledFor(logging.INFO):
            ms = round(seconds * 1000, 2)
            access_log.info(
                "%s %s %d %.1f ms", method, path, status, ms,
                extra={"method": method, "path": path, "route": route, "status": status, "duration_ms": ms},
            )

    def _route(self, scope: Scope) -> str:
        route = scope.get("route")
        if route is not None:
            return _template(route)
        return self._template_of(scope["method"], scope["path"])

    def _match(self, method: str, path: str) -> str:
        probe: Scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": []}
        partial = None
        for route in self.routes:
            match, _ = route.matches(probe)
            if match == Match.FULL:
                return _template(route)
            if match == Match.PARTIAL and partial is None:
                partial = route
        return _template(partial) if partial is not None else UNMATCHED


def _template(route: BaseRoute) -> str:
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return str(template) if template else UNMATCHED

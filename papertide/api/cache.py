"""ETags, If-None-Match and a short-TTL in-process cache for public read endpoints.

A pure ASGI middleware (no BaseHTTPMiddleware: it would add a task per request). For
GET/HEAD requests under the configured path prefixes it buffers the 200 response,
tags it with a weak ETag over the body, answers ``304 Not Modified`` when the client
already has it, and keeps the body for ``ttl_seconds`` so repeated requests for the
same list (bots polling the daily list) skip the database. Entries are keyed by path
and query string; anything sent with an ``Authorization`` header bypasses the store,
since a token may one day change what a response holds. ``Set-Cookie`` is dropped from
these responses (see the comment in ``__call__``).
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_ENTRIES = 2_048  # responses kept per process
MAX_BODY_BYTES = 2_000_000  # larger responses are tagged but not kept


def weak_etag(body: bytes) -> str:
    """>>> weak_etag(b"[]")
    'W/"97d170e1550eee4afc0a"'
    """
    return f'W/"{hashlib.sha1(body).hexdigest()[:20]}"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 weak comparison against an If-None-Match list (``*`` matches anything)."""
    if if_none_match.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in if_none_match.split(","))


class ResponseCache:
    def __init__(self, app: ASGIApp, prefixes: tuple[str, ...], ttl_seconds: float) -> None:
        self.app = app
        self.prefixes = prefixes
        self.ttl = ttl_seconds
        self._store: OrderedDict[tuple[str, bytes], tuple[float, list[tuple[bytes, bytes]], bytes]] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if_none_match = headers.get(b"if-none-match", b"").decode("latin-1")
        key = (scope["path"], scope.get("query_string", b""))
        storable = self.ttl > 0 and b"authorization" not in headers
        hit = self._store.get(key) if storable else None
        if hit is not None and hit[0] > time.monotonic():
            await self._reply(send, scope, hit[1], hit[2], if_none_match)
            return

        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        # Public responses never set cookies: a session or CSRF cookie minted for one client must
        # not be stored and replayed to every other client of this path.
        resp_headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in (b"content-length", b"set-cookie")]
        if start.get("status") != 200:
            await send({**start, "headers": [*resp_headers, (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
            return
        resp_headers.append((b"etag", weak_etag(body).encode()))
        if self.ttl > 0:
            resp_headers.append((b"cache-control", f"public, max-age={int(self.ttl)}".encode()))
        if storable and len(body) <= MAX_BODY_BYTES:
            self._store[key] = (time.monotonic() + self.ttl, resp_headers, body)
            self._store.move_to_end(key)
            while len(self._store) > MAX_ENTRIES:
                self._store.popitem(last=False)
        await self._reply(send, scope, resp_headers, body, if_none_match)

    @staticmethod
    async def _reply(send: Send, scope: Scope, headers: list[tuple[bytes, bytes]], body: bytes, if_none_match: str) -> None:
        etag = next(v for k, v in headers if k == b"etag").decode()
        if if_none_match and etag_matches(if_none_match, etag):
            kept = [(k, v) for k, v in headers if k in (b"etag", b"cache-control", b"link", b"vary")]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": [*headers, (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})

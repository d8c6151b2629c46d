"""One response cache for public reads: the JSON API, feeds and the anonymous HTML pages.

A pure ASGI middleware (no BaseHTTPMiddleware: it would add a task per request). Each
:class:`CacheRule` names a group of paths and how their GET responses are kept (the JSON
API, the feeds and the pages all follow the page generation, below). For a
matching request the 200 response is buffered, tagged with a weak ETag over the body
(answered with ``304 Not Modified`` when the client already has it) and kept for
``ttl_seconds``, keyed by path and query string, so repeated requests skip routing,
queries and templates.

- Anything sent with an ``Authorization`` header bypasses the store, since a token may one
  day change what a response holds.
- A rule with ``bypass_cookie`` (the HTML pages: the session cookie) leaves signed-in
  requests entirely alone: they run as if there were no cache, and nothing they render is
  stored or served to anyone else.
- A rule that ``follows_generation`` keeps an entry only while the page generation (a
  counter in the database that triggers bump on every vote, listing, comment or paper
  change, whichever process made it) reads what it read before the page was rendered; it
  is read on every request of the rule, so a change shows on the very next request.
- ``Last-Modified`` has one-second resolution while pages change any time: it is sent as the
  second after the rendering (once that second has come; until then the rendering's own
  second, which :func:`not_modified_since` never takes as proof), so a change within the
  second of a client's copy cannot be answered ``304`` to an ``If-Modified-Since`` alone.
- ``Set-Cookie`` never leaves these responses, and a response whose rendering looked at
  who is asking (the signed-in user, the visitor's CSRF token: see :data:`PERSONAL`) is
  neither stored nor marked public.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_ENTRIES = 4_096  # responses kept per process
MAX_BODY_BYTES = 2_000_000  # larger responses are tagged but not kept
DEFAULT_MAX_BYTES = 64 * 1024 * 1024  # bodies kept per process, all rules together
# Set in the request state (``request.state.<PERSONAL> = True``) by whatever makes a response
# depend on who asked for it; such a response is never stored or marked public.
PERSONAL = "response_is_personal"
# Headers a 304 repeats from the full response (RFC 9110 §15.4.5).
NOT_MODIFIED_HEADERS = (b"etag", b"cache-control", b"last-modified", b"vary", b"link")

Key = tuple[str, bytes, bytes]


@dataclass(frozen=True, slots=True)
class CacheRule:
    """Which paths a group covers (exact ``paths`` or ``prefixes``) and how they are kept."""

    prefixes: tuple[str, ...]
    ttl_seconds: float
    paths: tuple[str, ...] = ()
    max_age: int | None = None  # Cache-Control max-age for browsers and proxies (None: the TTL)
    bypass_cookie: str | None = None  # requests carrying this cookie pass through untouched
    follows_generation: bool = False

    def matches(self, path: str) -> bool:
        return path in self.paths or path.startswith(self.prefixes)

    def cache_control(self) -> bytes:
        if self.max_age is not None:
            # Proxies cannot see our generation: a short max-age, then a stale copy while they revalidate.
            return f"public, max-age={self.max_age}, stale-while-revalidate={int(self.ttl_seconds)}".encode()
        return f"public, max-age={int(self.ttl_seconds)}".encode()


@dataclass(frozen=True, slots=True)
class _Entry:
    expires: float  # time.monotonic()
    generation: int | None
    modified: float | None  # time.time() when rendered, for Last-Modified (None: the rule sends none)
    headers: list[tuple[bytes, bytes]]
    body: bytes


def weak_etag(body: bytes) -> str:
    """A weak validator from the body's hash (weak: the same JSON may be re-encoded byte-differently).

    >>> weak_etag(b"[]")
    'W/"97d170e1550eee4afc0a"'
    """
    return f'W/"{hashlib.sha1(body).hexdigest()[:20]}"'


def etag_matches(if_none_match: str, etag: str) -> bool:
    """RFC 9110 weak comparison against an If-None-Match list (``*`` matches anything)."""
    if if_none_match.strip() == "*":
        return True
    bare = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == bare for tag in if_none_match.split(","))


def last_modified(modified: float, now: float) -> int:
    """The whole second to send as ``Last-Modified`` for a response rendered at ``modified``.

    The next whole second, so that a copy dated with it is known to hold this rendering (see
    :func:`not_modified_since`); while that second is still to come, the current one, since a
    Last-Modified later than the response's Date is not allowed (RFC 9110 §8.8.2.1).

    >>> last_modified(100.7, 100.9), last_modified(100.7, 101.2), last_modified(100.0, 100.5)
    (100, 101, 100)
    """
    return min(math.ceil(modified), math.floor(now))


def not_modified_since(if_modified_since: str, modified: float) -> bool:
    """True when the client's copy (dated ``If-Modified-Since``) is known to be the rendering made at ``modified``.

    HTTP dates have one-second resolution: a copy dated 12:00:00 may be from any time in that
    second, so only a rendering made at or before 12:00:00.000 is certainly not newer than it.
    Comparing whole seconds instead answered 304 to a client holding a copy from before a
    change made later in the same second.

    >>> not_modified_since("Thu, 01 Jan 1970 00:01:41 GMT", 100.7), not_modified_since("Thu, 01 Jan 1970 00:01:40 GMT", 100.7)
    (True, False)
    """
    try:
        since = parsedate_to_datetime(if_modified_since).timestamp()
    except (TypeError, ValueError, IndexError):
        return False
    return modified <= since


class ResponseCache:
    def __init__(
        self, app: ASGIApp, rules: tuple[CacheRule, ...], generation: Callable[[], int | None] | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        self.app = app
        self.rules = rules
        self.generation = generation
        self.max_bytes = max_bytes
        self._store: OrderedDict[Key, _Entry] = OrderedDict()
        self._bytes = 0
        self._seen_generation: int | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rule = self._rule(scope)
        if rule is None:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        if rule.bypass_cookie and rule.bypass_cookie.encode() + b"=" in headers.get(b"cookie", b""):
            await self.app(scope, receive, send)
            return
        storable = rule.ttl_seconds > 0 and b"authorization" not in headers
        generation = self._current_generation() if storable and rule.follows_generation else None
        if rule.follows_generation and self.generation is not None and generation is None:
            storable = False  # we cannot tell whether a stored page is current
        # Pages are rendered the same for every anonymous visitor; an htmx request may one day get a fragment.
        key = (scope["path"], scope.get("query_string", b""), headers.get(b"hx-request", b""))
        hit = self._store.get(key) if storable else None
        if hit is not None and hit.expires > time.monotonic() and hit.generation == generation:
            self._store.move_to_end(key)
            await self._reply(send, scope, hit, headers)
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
        personal = bool(scope.get("state", {}).get(PERSONAL))
        if start.get("status") != 200 or personal:
            if personal:
                resp_headers = [(k, v) for k, v in resp_headers if k.lower() != b"cache-control"]
                resp_headers.append((b"cache-control", b"private, no-store"))
            await send({**start, "headers": [*resp_headers, (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
            return
        resp_headers.append((b"etag", weak_etag(body).encode()))
        if rule.ttl_seconds > 0:
            resp_headers.append((b"cache-control", rule.cache_control()))
        if rule.bypass_cookie:
            # Browsers and shared caches must not hand this anonymous copy to someone who signed in since.
            resp_headers.append((b"vary", b"Cookie, HX-Request"))
        modified = time.time() if rule.follows_generation else None
        entry = _Entry(time.monotonic() + rule.ttl_seconds, generation, modified, resp_headers, body)
        if storable and scope["method"] == "GET" and len(body) <= MAX_BODY_BYTES:
            self._put(key, entry)
        await self._reply(send, scope, entry, headers)

    def _rule(self, scope: Scope) -> CacheRule | None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return None
        path = scope["path"]
        return next((r for r in self.rules if r.matches(path)), None)

    def _current_generation(self) -> int | None:
        if self.generation is None:
            return None
        generation = self.generation()
        if generation is not None and generation != self._seen_generation:
            # Everything rendered before is stale: drop it now rather than let it take up memory
            # (and so a counter that went back, after a restore, cannot revive old pages).
            self._seen_generation = generation
            for key in [k for k, e in self._store.items() if e.generation is not None]:
                self._drop(key)
        return generation

    def _put(self, key: Key, entry: _Entry) -> None:
        if key in self._store:
            self._drop(key)
        self._store[key] = entry
        self._bytes += len(entry.body)
        while len(self._store) > MAX_ENTRIES or self._bytes > self.max_bytes:
            self._drop(next(iter(self._store)))

    def _drop(self, key: Key) -> None:
        self._bytes -= len(self._store.pop(key).body)

    @staticmethod
    async def _reply(send: Send, scope: Scope, entry: _Entry, request_headers: dict[bytes, bytes]) -> None:
        etag = next(v for k, v in entry.headers if k == b"etag").decode()
        if_none_match = request_headers.get(b"if-none-match", b"").decode("latin-1")
        if_modified_since = request_headers.get(b"if-modified-since", b"").decode("latin-1")
        headers = entry.headers
        if entry.modified is not None:  # worked out per reply: it moves to the next second once that comes
            stamp = formatdate(last_modified(entry.modified, time.time()), usegmt=True)
            headers = [*headers, (b"last-modified", stamp.encode())]
        # If-None-Match wins when both are sent (RFC 9110 §13.1.3).
        if (if_none_match and etag_matches(if_none_match, etag)) or (
            not if_none_match and if_modified_since and entry.modified is not None
            and not_modified_since(if_modified_since, entry.modified)
        ):
            kept = [(k, v) for k, v in headers if k in NOT_MODIFIED_HEADERS]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": [*headers, (b"content-length", str(len(entry.body)).encode())]})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else entry.body})

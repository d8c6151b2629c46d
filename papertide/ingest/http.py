"""HTTP to the outside world (arXiv, Hugging Face): politeness, retries, Retry-After. No parsing.

A ``Fetcher`` is the edge the harvesters talk to. ``HttpFetcher`` is the real one;
``OfflineFetcher`` refuses every request (for instances that must never reach out).
Both raise :class:`FetchError`, which names the source and the URL.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import Protocol

import httpx

from papertide import __version__

log = logging.getLogger(__name__)

BACKOFF_BASE_S = 2.0  # first back-off after a 5xx or network error; doubles per try
BACKOFF_MAX_S = 120.0  # back-offs never exceed this
DEFAULT_RETRY_AFTER_S = 30.0  # a 503 without a usable Retry-After waits this long


class IngestError(Exception):
    """Any ingest failure: says which source and where (page, token, line) it happened."""

    def __init__(self, source: str, message: str, position: str = "") -> None:
        self.source = source
        self.position = position
        self.message = message
        where = f" at {position}" if position else ""
        super().__init__(f"{source}{where}: {message}")


class FetchError(IngestError):
    """The source did not give us a usable response (after the allowed retries)."""


class Fetcher(Protocol):
    def get(self, url: str, params: Mapping[str, str] | None = None) -> bytes:
        """The body of a successful GET; raises FetchError otherwise."""
        ...

    def close(self) -> None: ...


class OfflineFetcher:
    """A fetcher that never touches the network (every call fails with a clear message)."""

    def get(self, url: str, params: Mapping[str, str] | None = None) -> bytes:
        raise FetchError("offline", f"this instance does not fetch from the network ({url})")

    def close(self) -> None:
        pass


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class HttpFetcher:
    """GETs with a minimum interval between requests, retries and Retry-After.

    ``sleep`` and ``clock`` are injectable so tests can run the politeness rules
    without waiting; production uses ``time.sleep`` and ``time.monotonic``.
    """

    def __init__(
        self,
        source: str,
        delay_s: float = 3.0,
        max_retries: int = 5,
        max_retry_after_s: float = 600.0,
        timeout_s: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        user_agent: str | None = None,
        max_bytes: int | None = None,
    ) -> None:
        self.source = source
        self.max_bytes = max_bytes  # a longer body fails the request unread (None: no limit)
        self.timeout_s = timeout_s
        self.delay_s = delay_s
        self.max_retries = max_retries
        self.max_retry_after_s = max_retry_after_s
        self.sleep = sleep
        self.clock = clock
        self.requests = 0
        self._last: float | None = None
        self._client = httpx.Client(
            timeout=timeout_s,
            follow_redirects=True,
            headers={"User-Agent": user_agent or f"papertide/{__version__} (self-hosted paper index)"},
        )

    def _wait_politely(self) -> None:
        if self._last is not None:
            wait = self.delay_s - (self.clock() - self._last)
            if wait > 0:
                self.sleep(wait)
        self._last = self.clock()

    def get(self, url: str, params: Mapping[str, str] | None = None) -> bytes:
        attempt = 0
        while True:
            self._wait_politely()
            self.requests += 1
            try:
                resp, body = self._fetch(url, params)  # a cut connection raises here
            except httpx.HTTPError as exc:
                problem, retry_in = f"network error: {type(exc).__name__}: {exc}", self._backoff(attempt)
            else:
                if resp.status_code == 200:
                    return body
                problem = f"HTTP {resp.status_code} from {resp.url}"
                if resp.status_code in (429, 503):
                    retry_in = parse_retry_after(resp.headers.get("Retry-After"))
                    retry_in = DEFAULT_RETRY_AFTER_S if retry_in is None else retry_in
                    if retry_in > self.max_retry_after_s:
                        raise FetchError(self.source, f"{problem} asks us to wait {retry_in:.0f} s, "
                                         f"more than the {self.max_retry_after_s:.0f} s we allow", url)
                elif resp.status_code >= 500:
                    retry_in = self._backoff(attempt)
                else:
                    raise FetchError(self.source, f"{problem}: {body[:200]!r}", url)
            if attempt >= self.max_retries:
                raise FetchError(self.source, f"{problem} (gave up after {attempt + 1} tries)", url)
            attempt += 1
            log.warning("%s: %s; retrying in %.1f s (try %d of %d)", self.source, problem, retry_in, attempt,
                        self.max_retries)
            self.sleep(retry_in)

    def _fetch(self, url: str, params: Mapping[str, str] | None) -> tuple[httpx.Response, bytes]:
        """One GET and its body, read as it arrives so that a body over ``max_bytes`` is never held whole.

        httpx's timeout bounds each network read, not the request: a server that sends a little
        every few seconds would hold us for ever. The body must arrive within ``timeout_s`` of
        the request too (checked as pieces arrive, so a stall ends by one read timeout later).
        """
        deadline = time.monotonic() + self.timeout_s  # not self.clock: tests stop that one for politeness
        with self._client.stream("GET", url, params=dict(params or {})) as resp:
            limit = self.max_bytes
            declared = resp.headers.get("Content-Length", "")
            if limit is not None and declared.isdigit() and int(declared) > limit:
                raise FetchError(self.source, f"the body is {int(declared)} bytes, more than the {limit} bytes "
                                 "we take", url)
            chunks, size = [], 0
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if limit is not None and size > limit:
                    raise FetchError(self.source, f"the body is more than the {limit} bytes we take", url)
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout(f"the response took longer than {self.timeout_s:g} s in all",
                                            request=resp.request)
                chunks.append(chunk)
        return resp, b"".join(chunks)

    def _backoff(self, attempt: int) -> float:
        # Exponential with full jitter, so several instances do not retry in step.
        return min(BACKOFF_MAX_S, BACKOFF_BASE_S * 2**attempt) * (0.5 + random.random() / 2)

    def close(self) -> None:
        self._client.close()

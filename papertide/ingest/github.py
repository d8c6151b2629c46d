"""A small GitHub REST client: one repository's stars, with ETags and rate-limit back-off.

``GithubClient`` is the edge the stars refresh talks to. ``HttpGithubClient`` asks
``GET {base}/repos/{owner}/{name}`` with ``If-None-Match`` (a 304 costs no rate limit),
waits out a short rate limit (``Retry-After`` or ``X-RateLimit-Reset``) and raises
:class:`GithubRateLimited` for a long one, so the caller stops its run instead of
blocking a worker for an hour. ``NullGithubClient`` never reaches out (offline instances).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol

import httpx

from papertide import __version__
from papertide.domain.github import rate_limit_wait

log = logging.getLogger(__name__)

API_VERSION = "2022-11-28"  # the REST API version we speak (header X-GitHub-Api-Version)
MAX_ATTEMPTS = 3  # tries of one repo across short rate-limit waits and 5xx answers
SERVER_ERROR_WAIT_S = 5.0  # pause before retrying a 5xx

# unreachable: no HTTP answer at all (DNS, connection, timeout); the caller ends its run, since
# every other repo would fail the same way.
FetchStatus = Literal["ok", "not_modified", "missing", "error", "unreachable"]


class GithubRateLimited(Exception):
    """GitHub asked us to wait longer than we are willing to block; ``wait_s`` says how long."""

    def __init__(self, wait_s: float) -> None:
        self.wait_s = wait_s
        super().__init__(f"GitHub rate limit: retry in {wait_s:.0f} s")


@dataclass(frozen=True, slots=True)
class RepoFetch:
    """One answer about one repo. ``stars``/``etag``/``homepage`` are set only when ``status`` is ok."""

    repo: str
    status: FetchStatus
    stars: int | None = None
    etag: str | None = None
    homepage: str | None = None
    detail: str = ""
    remaining: int | None = None  # X-RateLimit-Remaining after this request, when GitHub said


class GithubClient(Protocol):
    def repo(self, repo: str, etag: str | None = None) -> RepoFetch:
        """What GitHub says about ``owner/name``; raises GithubRateLimited for a long limit."""
        ...

    @property
    def online(self) -> bool: ...

    def close(self) -> None: ...


class NullGithubClient:
    """Never fetches: every repo comes back as an error saying so (``PAPERTIDE_INGEST_OFFLINE``)."""

    online = False

    def repo(self, repo: str, etag: str | None = None) -> RepoFetch:
        return RepoFetch(repo, "error", detail="this instance does not fetch from the network")

    def close(self) -> None:
        pass


class HttpGithubClient:
    """GitHub over HTTPS (or any ``base_url``, such as a test server on 127.0.0.1).

    ``sleep`` and ``clock`` (epoch seconds) are injectable so tests run the back-off without waiting.
    """

    online = True

    def __init__(
        self,
        base_url: str = "https://api.github.com",
        token: str = "",
        max_wait_s: float = 60.0,
        timeout_s: float = 20.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.max_wait_s = max_wait_s
        self.sleep, self.clock = sleep, clock
        self.requests = 0
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": f"papertide/{__version__} (self-hosted paper index)",
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self._headers, self._timeout_s = headers, timeout_s
        self._http: httpx.Client | None = None

    @property
    def _client(self) -> httpx.Client:
        # Made on first use: every process builds this client, few ever ask GitHub anything, and
        # an HTTPS client costs ~25 ms to make (it loads the CA bundle).
        if self._http is None:
            # Renamed or transferred repos answer 301 to their new home; following it keeps the stars.
            self._http = httpx.Client(timeout=self._timeout_s, follow_redirects=True, headers=self._headers)
        return self._http

    def repo(self, repo: str, etag: str | None = None) -> RepoFetch:
        url = f"{self.base_url}/repos/{repo}"
        headers = {"If-None-Match": etag} if etag else {}
        problem = ""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            self.requests += 1
            try:
                resp = self._client.get(url, headers=headers)
            except httpx.HTTPError as exc:
                return RepoFetch(repo, "unreachable", detail=f"network error: {type(exc).__name__}: {exc}")
            remaining = _int(resp.headers.get("X-RateLimit-Remaining"))
            if resp.status_code == 200:
                return _parsed(repo, resp, remaining)
            if resp.status_code == 304:
                return RepoFetch(repo, "not_modified", etag=etag, remaining=remaining)
            if resp.status_code in (404, 410, 451):  # gone, private, or blocked for legal reasons
                return RepoFetch(repo, "missing", detail=f"HTTP {resp.status_code}", remaining=remaining)
            wait = rate_limit_wait(resp.status_code, resp.headers, self.clock())
            if wait is not None:
                if wait > self.max_wait_s or attempt == MAX_ATTEMPTS:
                    raise GithubRateLimited(wait)
                log.warning("GitHub rate limit on %s; waiting %.0f s", repo, wait)
                self.sleep(wait)
                continue
            problem = f"HTTP {resp.status_code}: {resp.text[:200]}"
            if resp.status_code < 500:
                break  # a 401 (bad token) or a 403 that is no rate limit will not change on retry
            if attempt < MAX_ATTEMPTS:
                self.sleep(SERVER_ERROR_WAIT_S)
        return RepoFetch(repo, "error", detail=problem)

    def close(self) -> None:
        if self._http is not None:
            self._http.close()


def _int(value: str | None) -> int | None:
    return int(value) if value and value.strip().isdigit() else None


def _parsed(repo: str, resp: httpx.Response, remaining: int | None) -> RepoFetch:
    try:
        body = resp.json()
        stars = int(body["stargazers_count"])
    except (ValueError, KeyError, TypeError) as exc:
        return RepoFetch(repo, "error", detail=f"unexpected answer: {type(exc).__name__}: {exc}")
    homepage = body.get("homepage") if isinstance(body.get("homepage"), str) else None
    return RepoFetch(repo, "ok", stars, resp.headers.get("ETag"), homepage or None, remaining=remaining)

"""A real local HTTP server that plays the GitHub REST API's ``GET /repos/{owner}/{repo}``.

Bodies are the recorded shapes in tests/fixtures/github (the repository object, the 404,
the primary and secondary rate-limit answers, a blocked repo), with the headers GitHub
sends: a weak ``ETag`` over the body, ``X-RateLimit-*`` counting down per request (a 304
costs nothing, as GitHub documents), ``Retry-After`` on a secondary limit.
"""

from __future__ import annotations

import copy
import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "github"
LIMIT = 60  # GitHub's anonymous hourly limit


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@dataclass
class FakeGithub:
    """The scripted GitHub: ``stars`` per ``owner/name``; repos not in it answer 404."""

    stars: dict[str, int] = field(default_factory=dict)
    blocked: set[str] = field(default_factory=set)
    remaining: int = LIMIT
    reset_at: int = 0  # epoch seconds of the next window (set when the test starts)
    limited_for: float | None = None  # answer 403 rate-limited, reset this many seconds ahead, while set
    limited_times: int = 0  # ... for this many requests (then answer normally)
    secondary_retry_after: int | None = None  # answer the next request 429 + Retry-After
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # (path, headers)

    def body(self, repo: str) -> bytes:
        owner, name = repo.split("/")
        doc = copy.deepcopy(fixture("repo.json"))
        doc.update(name=name, full_name=repo, html_url=f"https://github.com/{repo}",
                   url=f"https://api.github.com/repos/{repo}", stargazers_count=self.stars[repo],
                   watchers_count=self.stars[repo], watchers=self.stars[repo])
        doc["owner"].update(login=owner, html_url=f"https://github.com/{owner}")
        return json.dumps(doc).encode()

    def answer(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        self.requests.append((path, headers))
        if self.secondary_retry_after is not None:
            wait, self.secondary_retry_after = self.secondary_retry_after, None
            return 429, {"Retry-After": str(wait)}, json.dumps(fixture("secondary_rate_limited.json")).encode()
        if self.limited_times > 0 and self.limited_for is not None:
            self.limited_times -= 1
            reset = int(time.time() + self.limited_for)
            return 403, self._rate(0, reset), json.dumps(fixture("rate_limited.json")).encode()
        repo = path.removeprefix("/repos/")
        if repo in self.blocked:
            return 403, self._spend(), json.dumps(fixture("blocked.json")).encode()
        if repo not in self.stars:
            return 404, self._spend(), json.dumps(fixture("not_found.json")).encode()
        body = self.body(repo)
        etag = 'W/"' + hashlib.sha256(body).hexdigest() + '"'
        if headers.get("if-none-match") == etag:
            return 304, {"ETag": etag, **self._rate(self.remaining, self.reset_at)}, b""
        return 200, {"ETag": etag, "Cache-Control": "public, max-age=60, s-maxage=60", **self._spend()}, body

    def _spend(self) -> dict[str, str]:
        self.remaining = max(0, self.remaining - 1)
        return self._rate(self.remaining, self.reset_at)

    @staticmethod
    def _rate(remaining: int, reset: int) -> dict[str, str]:
        return {"X-RateLimit-Limit": str(LIMIT), "X-RateLimit-Remaining": str(remaining),
                "X-RateLimit-Reset": str(reset), "X-RateLimit-Used": str(LIMIT - remaining),
                "X-RateLimit-Resource": "core"}


class FakeGithubServer:
    def __init__(self, github: FakeGithub) -> None:
        github.reset_at = github.reset_at or int(time.time()) + 3600

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                status, headers, body = github.answer(self.path, {k.lower(): v for k, v in self.headers.items()})
                self.send_response(status)
                if status != 304:
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

"""The mixed load of bench/chaos_bench.py: readers, searchers, voters and commenters over HTTP.

Clients share one httpx pool and spread requests round-robin over the web processes, as a
proxy would. A connection error marks that port down for a moment and is recorded with its
time, so the checks can tell a kill's connection reset from a failure. Voters remember the
state each answered vote left (retrying a vote whose answer was lost, since PUT/DELETE are
idempotent); commenters remember which comments were acknowledged and which are unknown.
"""

from __future__ import annotations

import asyncio
import collections
import random
import time
import uuid
from dataclasses import dataclass, field

import httpx

DOWN_SECONDS = 1.0  # after a connection error, send to the other process for this long
VOTE_RETRIES = 60  # an unanswered vote is retried until answered (a restart takes seconds)
QUERIES = (
    "graph neural networks for molecules", "diffusion models for image generation", "large language model reasoning",
    "reinforcement learning from human feedback", "retrieval augmented generation", "vision transformer efficiency",
    "speech recognition low resource languages", "federated learning privacy", "protein structure prediction",
    "code generation benchmark", "multimodal instruction tuning", "robot manipulation policy learning",
)


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: collections.defaultdict(list))
    statuses: dict[str, collections.Counter[int]] = field(default_factory=lambda: collections.defaultdict(collections.Counter))
    conn_errors: list[tuple[str, int, float, str]] = field(default_factory=list)  # kind, port, monotonic time, error


@dataclass
class Beliefs:
    votes: dict[tuple[int, str], bool] = field(default_factory=dict)  # (voter, arxiv id) → voted, as last answered
    unanswered_votes: int = 0  # votes given up on after VOTE_RETRIES (the check then fails: state unknown)
    comments_acked: list[str] = field(default_factory=list)
    comments_unknown: list[str] = field(default_factory=list)  # the connection broke: 0 or 1 copies may exist


class Balancer:
    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.down_until = dict.fromkeys(ports, 0.0)
        self._next = 0

    def pick(self) -> int:
        now = time.monotonic()
        for _ in self.ports:
            port = self.ports[self._next % len(self.ports)]
            self._next += 1
            if self.down_until[port] <= now:
                return port
        return min(self.ports, key=lambda p: self.down_until[p])

    def mark_down(self, port: int) -> None:
        self.down_until[port] = time.monotonic() + DOWN_SECONDS


class Load:
    def __init__(self, ports: list[int], papers: list[str], vote_papers: list[str], tokens: list[str],
                 commenter_tokens: list[str], seed: int = 1) -> None:
        self.balancer = Balancer(ports)
        self.papers, self.vote_papers = papers, vote_papers
        self.tokens, self.commenter_tokens = tokens, commenter_tokens
        self.stats, self.beliefs = Stats(), Beliefs()
        self.seed = seed
        self.http = httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=64))

    async def request(self, kind: str, method: str, path: str, **kw: object) -> httpx.Response | None:
        port = self.balancer.pick()
        t0 = time.perf_counter()
        try:
            r = await self.http.request(method, f"http://127.0.0.1:{port}{path}", **kw)  # type: ignore[arg-type]
        except httpx.TransportError as exc:
            self.stats.conn_errors.append((kind, port, time.monotonic(), type(exc).__name__))
            self.balancer.mark_down(port)
            return None
        self.stats.latencies[kind].append(time.perf_counter() - t0)
        self.stats.statuses[kind][r.status_code] += 1
        return r

    async def reader(self, n: int, until: float) -> None:
        rng = random.Random(self.seed * 1000 + n)
        while time.monotonic() < until:
            page = rng.choice(("/", "/trending", "paper", "paper"))
            if page == "paper":
                await self.request("paper", "GET", f"/papers/{rng.choice(self.papers)}")
            else:
                await self.request(page, "GET", page)

    async def searcher(self, n: int, until: float) -> None:
        rng = random.Random(self.seed * 2000 + n)
        while time.monotonic() < until:
            await self.request("search", "GET", "/search", params={"q": rng.choice(QUERIES)})

    async def voter(self, n: int, until: float) -> None:
        rng = random.Random(self.seed * 3000 + n)
        headers = {"Authorization": f"Bearer {self.tokens[n]}"}
        while time.monotonic() < until:
            aid = rng.choice(self.vote_papers)
            want = not self.beliefs.votes.get((n, aid), False)
            for _ in range(VOTE_RETRIES):
                r = await self.request("vote", "PUT" if want else "DELETE", f"/api/v1/papers/{aid}/vote", headers=headers)
                if r is not None and r.status_code == 200:
                    self.beliefs.votes[(n, aid)] = r.json()["voted"]
                    break
                await asyncio.sleep(0.2)  # lost answer or an error: the state is unknown until asked again
            else:
                self.beliefs.unanswered_votes += 1

    async def commenter(self, n: int, until: float) -> None:
        rng = random.Random(self.seed * 4000 + n)
        headers = {"Authorization": f"Bearer {self.commenter_tokens[n]}"}
        while time.monotonic() < until:
            body = f"chaos-comment {uuid.uuid4()}: a *short* remark on this paper."
            r = await self.request("comment", "POST", f"/api/v1/papers/{rng.choice(self.vote_papers)}/comments",
                                   json={"body": body}, headers=headers)
            if r is None:
                self.beliefs.comments_unknown.append(body)
            elif r.status_code == 201:
                self.beliefs.comments_acked.append(body)
            await asyncio.sleep(0.5)  # people write comments more slowly than they read

    async def run(self, seconds: float, readers: int, searchers: int) -> float:
        """Run every client for ``seconds``; returns the wall time."""
        until = time.monotonic() + seconds
        t0 = time.perf_counter()
        await asyncio.gather(
            *(self.reader(i, until) for i in range(readers)), *(self.searcher(i, until) for i in range(searchers)),
            *(self.voter(i, until) for i in range(len(self.tokens))),
            *(self.commenter(i, until) for i in range(len(self.commenter_tokens))),
        )
        return time.perf_counter() - t0

    async def close(self) -> None:
        await self.http.aclose()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def report_rows(stats: Stats, wall: float) -> list[str]:
    """A Markdown table: throughput, latency and statuses per request kind."""
    errors = collections.Counter(kind for kind, *_ in stats.conn_errors)
    rows = ["| kind | requests | req/s | p50 | p99 | statuses | connection errors |", "|---|---:|---:|---:|---:|---|---:|"]
    for kind in sorted(set(stats.latencies) | set(errors)):
        lat = stats.latencies.get(kind, [])
        rows.append(f"| {kind} | {len(lat):,} | {len(lat) / wall:.1f} | {percentile(lat, 0.5) * 1000:.0f} ms "
                    f"| {percentile(lat, 0.99) * 1000:.0f} ms | {dict(sorted(stats.statuses[kind].items()))} | {errors[kind]} |")
    total = sum(len(v) for v in stats.latencies.values())
    rows.append(f"| **all** | {total:,} | {total / wall:.1f} | | | | {len(stats.conn_errors)} |")
    return rows

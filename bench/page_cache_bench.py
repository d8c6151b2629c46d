"""Anonymous page cache: req/s and p50/p99 of HTML pages, cache on against off (a command, not a test).

    python bench/page_cache_bench.py [--limit N] [--seconds 10] [--connections 16] [--workers 2]
                                     [--data-dir DIR] [--port N] [--corpus FILE]

Imports the first ``--limit`` papers of ../shared/data/arxiv_corpus.jsonl.gz (default: all
241,792; the bundled demo corpus when the file is absent) plus the 1,500 demo papers (daily
listings) into a fresh SQLite database (or reuses ``DIR/papertide.db`` when ``--data-dir``
holds one), then starts ``papertide serve --workers 2`` on 127.0.0.1 twice: with the page
cache on (``PAPERTIDE_PAGE_CACHE_SECONDS=60``) and off (``=0``, today's uncached path), and
drives ``/``, ``/trending`` and a paper page with ``--connections`` keep-alive clients
(threads of this process, bounded by time and by ``--max-requests``), printing req/s,
p50 and p99 per page and the cached/uncached ratio. It also times the per-request
generation read the cache makes. The load generator runs on the same cores as the server:
the figures are what the machine does with both, and the host load average is printed.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from _serving import stop_server, wait_healthy  # noqa: E402 - beside this script (python puts its folder on the path)

from papertide.catalog import Catalog  # noqa: E402
from papertide.cli import demo_corpus_path  # noqa: E402
from papertide.ingest.bulk import import_file  # noqa: E402
from papertide.storage.db import Database  # noqa: E402
from papertide.storage.migrate import upgrade  # noqa: E402
from papertide.storage.page_generation import PageGeneration  # noqa: E402

CORPUS = REPO.parent / "shared" / "data" / "arxiv_corpus.jsonl.gz"
CACHE_ON_SECONDS = 60
TARGET_RPS = 1_000  # the target for / and /trending at 16 clients
TARGET_P99_MS = 50


def say(text: str) -> None:
    """Benchmarks report on stdout (they are commands, not library code)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def build_database(data_dir: Path, limit: int | None, corpus: Path) -> None:
    db = Database(f"sqlite:///{data_dir / 'papertide.db'}")
    upgrade(db)
    src = corpus if corpus.exists() else demo_corpus_path()
    part = data_dir / "slice.jsonl"
    with gzip.open(src, "rt", encoding="utf-8") as fh, open(part, "w", encoding="utf-8") as out:
        out.writelines(itertools.islice(fh, limit))
    t = time.perf_counter()
    report = import_file(db, part)
    demo = import_file(db, demo_corpus_path())
    say(f"imported {report.inserted:,} corpus papers + {demo.inserted:,} demo papers in {time.perf_counter() - t:.0f} s")
    part.unlink()
    db.dispose()


def generation_read_cost(db: Database, n: int = 20_000) -> tuple[float, float]:
    """µs per read: the cache's kept connection, and (for comparison) a pooled SQLAlchemy read."""
    generation = PageGeneration(db)
    t = time.perf_counter()
    for _ in range(n):
        generation.current()
    kept = (time.perf_counter() - t) / n * 1e6
    generation.close()
    t = time.perf_counter()
    for _ in range(n // 4):
        with db.read() as conn:
            conn.exec_driver_sql("SELECT generation FROM page_generation WHERE id = 1").scalar()
    pooled = (time.perf_counter() - t) / (n // 4) * 1e6
    return kept, pooled


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(data_dir: Path, port: int, cache_seconds: int, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "PAPERTIDE_DATA_DIR": str(data_dir),
           "PAPERTIDE_PAGE_CACHE_SECONDS": str(cache_seconds), "PAPERTIDE_LOG_LEVEL": "WARNING",
           "PAPERTIDE_BASE_URL": f"http://127.0.0.1:{port}"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "papertide", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--no-worker"],
        env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return wait_healthy(proc, port, 120)


def drive(port: int, path: str, seconds: float, connections: int, max_requests: int) -> dict[str, float]:
    """``connections`` keep-alive clients, each sending the next request when the last one is answered."""
    latencies: list[float] = []
    bad = [0]
    budget = itertools.count()
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.monotonic() < stop and next(budget) < max_requests:
            t0 = time.perf_counter()
            conn.request("GET", path)
            r = conn.getresponse()
            r.read()
            mine.append(time.perf_counter() - t0)
            if r.status != 200:
                bad[0] += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    t = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t
    lat = sorted(latencies)
    return {"rps": len(lat) / elapsed, "p50": 1000 * statistics.median(lat), "p99": 1000 * lat[int(0.99 * (len(lat) - 1))],
            "requests": float(len(lat)), "bad": float(bad[0])}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="corpus papers to import (default: all)")
    ap.add_argument("--data-dir", type=Path, default=None, help="reuse (or build and keep) DIR/papertide.db")
    ap.add_argument("--seconds", type=float, default=10, help="load per page and mode")
    ap.add_argument("--max-requests", type=int, default=50_000, help="requests per page and mode at most")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2)
    # A git worktree (/work/wt/NAME) has no ../shared beside it: say where the corpus is.
    ap.add_argument("--corpus", type=Path, default=CORPUS, help="the arXiv corpus (.jsonl.gz) to import")
    ap.add_argument("--port", type=int, default=0,
                    help="serve on this port (default: any free one), for a host where ports are shared out")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="pt_page_cache_bench_") as tmp:
        data_dir = (args.data_dir or Path(tmp)).resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        if not (data_dir / "papertide.db").exists():
            build_database(data_dir, args.limit, args.corpus)
        db = Database(f"sqlite:///{data_dir / 'papertide.db'}")
        catalog = Catalog(db, 1.5, 7, 50)
        stats, latest = catalog.stats(), catalog.latest_day()
        assert latest is not None, "the database has no daily listings"
        paper = catalog.period(latest).entries[0].paper.arxiv_id
        kept_us, pooled_us = generation_read_cost(db)
        db.dispose()
        paths = {"/": "/", "/trending": "/trending", "paper page": f"/papers/{paper}"}
        say(f"corpus: {stats.papers:,} papers, {stats.listings:,} listings (SQLite); paper page /papers/{paper}")
        say(f"generation read: {kept_us:.1f} µs on the cache's kept connection, {pooled_us:.1f} µs via a pooled "
            "SQLAlchemy connection")
        say(f"load: {args.connections} keep-alive clients (threads, same host), {args.seconds:.0f} s or "
            f"{args.max_requests:,} requests per run; server --workers {args.workers}; "
            f"load average before {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        results: dict[tuple[str, str], dict[str, float]] = {}
        for mode, ttl in (("cached", CACHE_ON_SECONDS), ("uncached", 0)):
            port = args.port or free_port()
            proc = start_server(data_dir, port, ttl, args.workers)
            try:
                for name, path in paths.items():
                    drive(port, path, 2, 4, 2_000)  # warm-up: both workers, their caches, SQLite pages
                    results[(name, mode)] = drive(port, path, args.seconds, args.connections, args.max_requests)
            finally:
                stop_server(proc)
        say(f"load average after {os.getloadavg()[0]:.1f}")
        say(f"{'page':<12}{'mode':<10}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'requests':>10}{'non-200':>9}")
        for (name, mode), r in results.items():
            say(f"{name:<12}{mode:<10}{r['rps']:>9.0f}{r['p50']:>9.2f}{r['p99']:>9.2f}{r['requests']:>10.0f}{r['bad']:>9.0f}")
        for name in paths:
            cached, uncached = results[(name, "cached")], results[(name, "uncached")]
            verdict = ""
            if name in ("/", "/trending"):
                met = cached["rps"] >= TARGET_RPS and cached["p99"] < TARGET_P99_MS
                verdict = f"   target ≥{TARGET_RPS} req/s and p99 <{TARGET_P99_MS} ms: {'met' if met else 'NOT met'}"
            say(f"{name}: cached/uncached throughput {cached['rps'] / uncached['rps']:.1f}x{verdict}")
        say(json.dumps({f"{n}/{m}": r for (n, m), r in results.items()}))


if __name__ == "__main__":
    main()

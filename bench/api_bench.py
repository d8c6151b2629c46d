"""API throughput and p99 under bounded load (a command, not a test).

    .venv/bin/python bench/api_bench.py --data-dir /tmp/pt_api_bench [--seconds 10] [--connections 16]

``--data-dir`` holds a papertide SQLite database (``papertide.db``); build one from the
241k-paper corpus with ``PAPERTIDE_DATA_DIR=DIR papertide db upgrade && papertide import
../shared/data/arxiv_corpus.jsonl.gz``. The script starts ``papertide serve --workers 2``
on 127.0.0.1 twice, first with the response cache on (``PAPERTIDE_API_CACHE_SECONDS=10``)
and then off (``=0``: the baseline, every request hits SQLite), and drives each endpoint
from a second process: ``wrk`` (Debian's) when installed, else a threaded Python client.
It prints req/s and p50/p99 latency per endpoint and the cached/uncached ratio.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from _serving import stop_server, wait_healthy  # noqa: E402 - beside this script (python puts its folder on the path)

from papertide.catalog import Catalog  # noqa: E402
from papertide.storage.db import Database  # noqa: E402


def say(text: str) -> None:
    """Benchmarks report on stdout (they are commands, not library code)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data_dir: Path, port: int, cache_seconds: float, workers: int) -> subprocess.Popen:
    env = {**os.environ, "PAPERTIDE_DATA_DIR": str(data_dir), "PAPERTIDE_API_CACHE_SECONDS": str(cache_seconds),
           "PAPERTIDE_LOG_LEVEL": "WARNING", "PAPERTIDE_BASE_URL": f"http://127.0.0.1:{port}"}
    proc = subprocess.Popen(
        [str(REPO / ".venv/bin/papertide"), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return wait_healthy(proc, port, 60)


def run_wrk(url: str, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url], capture_output=True, text=True, check=True
    ).stdout

    def ms(label: str) -> float:
        m = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {"rps": rps, "p50": ms("50%"), "p99": ms("99%"), "bad": float(non2xx.group(1)) if non2xx else 0.0,
            "socket_errors": 1.0 if errors else 0.0}


def run_python_load(url: str, seconds: int, connections: int) -> dict[str, float]:
    """Fallback load generator: one keep-alive connection per thread (slower than wrk)."""
    host_port, path = url.split("//", 1)[1].split("/", 1)
    host, port = host_port.split(":")
    latencies: list[float] = []
    bad = [0]
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        mine = []
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            conn.request("GET", "/" + path)
            r = conn.getresponse()
            r.read()
            mine.append(time.perf_counter() - t0)
            if r.status != 200:
                bad[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lat = sorted(latencies)
    return {"rps": len(lat) / seconds, "p50": 1000 * statistics.median(lat),
            "p99": 1000 * lat[int(0.99 * (len(lat) - 1))], "bad": float(bad[0]), "socket_errors": 0.0}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()

    db = Database(f"sqlite:///{(args.data_dir / 'papertide.db').resolve()}")
    catalog = Catalog(db, 1.5, 7, 50)
    stats = catalog.stats()
    latest = catalog.latest_day()
    assert latest is not None, "the database has no daily listings"
    per_day = len(catalog.period(latest, page_size=100).entries)
    db.dispose()
    load = run_wrk if shutil.which("wrk") else run_python_load
    paths = {
        "daily_papers": f"/api/daily_papers?date={latest.label}",
        "v1_trending": "/api/v1/trending",
        "healthz (floor)": "/healthz",
    }
    say(f"corpus: {stats.papers:,} papers, {stats.listings:,} listings; daily list {latest.label} has {per_day} papers")
    say(f"load: {load.__name__}, {args.connections} connections, {args.seconds}s per run, server --workers {args.workers}; "
          f"host load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    results: dict[tuple[str, str], dict[str, float]] = {}
    for mode, ttl in (("cached", 10.0), ("uncached", 0.0)):
        port = free_port()
        proc = start_server(args.data_dir, port, ttl, args.workers)
        try:
            for name, path in paths.items():
                url = f"http://127.0.0.1:{port}{path}"
                load(url, 2, 4)  # warm-up: both workers, caches, SQLite pages
                results[(name, mode)] = load(url, args.seconds, args.connections)
        finally:
            stop_server(proc, 20)
    say(f"{'endpoint':<18}{'mode':<10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'non-2xx':>9}")
    for (name, mode), r in results.items():
        say(f"{name:<18}{mode:<10}{r['rps']:>10.0f}{r['p50']:>10.2f}{r['p99']:>10.2f}{r['bad']:>9.0f}")
    for name in ("daily_papers", "v1_trending"):
        ratio = results[(name, "cached")]["rps"] / results[(name, "uncached")]["rps"]
        say(f"{name}: cached/uncached throughput ratio {ratio:.1f}x")
    say(json.dumps({f"{n}/{m}": r for (n, m), r in results.items()}))


if __name__ == "__main__":
    main()

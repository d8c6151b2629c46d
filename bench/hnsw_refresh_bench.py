"""Dense searches while a graph that serves them takes in a backlog of vectors (SQLite mode).

    PYTHONPATH=. .venv/bin/python bench/hnsw_refresh_bench.py --db /path/to/big.db --since 2026-12-03T08:01:40

A large SQLite instance keeps its HNSW graph in memory and adds the vectors written since
(re-embedded or new papers) in the background, while web requests search the same graph.
This copies the instance's saved graph to a scratch folder, marks it as saved at ``--since`` (so every
vector written from then on is its backlog), and runs ``HnswVectorIndex.refresh()`` in a
thread while the main thread searches it every 20 ms with stored paper vectors (k 200, as
the search page asks). Twice: the baseline adds the backlog in one call (what the product
did), then in ``LIVE_ADD_CHUNK`` slices (what it does). Prints refresh time and search
latency for each, and the ratio. Nothing in the instance's own files changes.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from papertide.search import vectors as V
from papertide.storage import embeddings as emb_store
from papertide.storage.db import Database


def run(db: Database, model: str, saved: Path, since: str, chunk: int, queries: np.ndarray,
        threads: int = 0) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="hnsw-refresh-") as tmp:
        path = Path(tmp) / saved.name
        shutil.copyfile(saved, path)
        meta = json.loads(saved.with_suffix(".json").read_text())
        path.with_suffix(".json").write_text(json.dumps({**meta, "since": since}))
        V.LIVE_ADD_CHUNK = chunk
        idx = V.HnswVectorIndex(db, model, path, threads=threads)  # the backlog is over INLINE_CATCH_UP: not added here
        done = threading.Event()
        took: list[float] = []

        def refresh() -> None:
            t = time.perf_counter()
            idx.refresh()
            took.append(time.perf_counter() - t)
            done.set()

        worker = threading.Thread(target=refresh)
        worker.start()
        lat: list[float] = []
        n = 0
        while not done.is_set():
            t = time.perf_counter()
            idx.search(queries[n % len(queries)], 200)
            lat.append((time.perf_counter() - t) * 1000)
            n += 1
            time.sleep(0.02)
        worker.join()
        lat.sort()
        return {"refresh_s": took[0], "searches": len(lat), "p50_ms": statistics.median(lat),
                "p99_ms": lat[int(len(lat) * 0.99)] if len(lat) > 1 else lat[-1], "max_ms": lat[-1]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, required=True, help="a SQLite instance with a saved HNSW graph")
    ap.add_argument("--model", default="all-MiniLM-L6-v2-onnx-int8")
    ap.add_argument("--since", required=True, help="when the copied graph is taken to have been saved (ISO time)")
    ap.add_argument("--chunk", type=int, default=V.LIVE_ADD_CHUNK)
    ap.add_argument("--threads", type=int, default=0, help="add threads for the sliced run (0: all cores)")
    args = ap.parse_args()
    db = Database(f"sqlite:///{args.db}")
    saved = V.hnsw_path(db, args.model)
    assert saved is not None and saved.exists(), f"no saved graph at {saved}"
    since = datetime.fromisoformat(args.since)
    with db.read() as conn:
        # refresh() re-reads a second before the saved time (whole-second timestamps)
        backlog = emb_store.count_written_since(conn, args.model, since - timedelta(seconds=1))
        ids = emb_store.load_vectors(conn, args.model)[0]
    probe = V.HnswVectorIndex(db, args.model, saved)
    rng = np.random.default_rng(7)
    queries = np.stack([v for i in rng.choice(ids, 200, replace=False) if (v := probe.vector_of(int(i))) is not None])
    print(f"graph {saved.name}: {len(probe):,} vectors; backlog {backlog:,} written since {args.since}")
    del probe
    base = run(db, args.model, saved, args.since, 10**9, queries)
    new = run(db, args.model, saved, args.since, args.chunk, queries, args.threads)
    for name, r in (("one add call (baseline)", base), (f"slices of {args.chunk}", new)):
        print(f"{name:>24}: refresh {r['refresh_s']:.1f} s; {r['searches']} searches meanwhile, "
              f"p50 {r['p50_ms']:.1f} / p99 {r['p99_ms']:.1f} / max {r['max_ms']:.1f} ms")
    print(f"worst search wait: {base['max_ms'] / new['max_ms']:.0f}x shorter; refresh "
          f"{new['refresh_s'] / base['refresh_s']:.2f}x the baseline's time")


if __name__ == "__main__":
    main()

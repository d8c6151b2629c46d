"""Search latency on the 241,792-paper corpus, against a brute-force Python scan.

    PYTHONPATH=. .venv/bin/python bench/search_bench.py --corpus ../shared/data/arxiv_corpus.jsonl.gz

Builds (once) bench/out/arxiv.db: the corpus imported through the normal importer, so
the FTS5 index is the real one, plus one stored vector per paper. Embedding 241k
abstracts on 2 CPU cores takes hours (16/s), so the stored vectors are random unit
vectors: exact search costs the same whatever the numbers are, and query embedding is
timed with the real ONNX model. The baseline is arxiv-sanity-lite's search: a Python
loop scoring every paper by query-term counts in title, authors and abstract.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import os
import random
import resource
import statistics
import time
from pathlib import Path

import numpy as np

from papertide.domain.search import SearchRequest, query_terms
from papertide.ingest.bulk import import_file
from papertide.search.embedders import make_embedder
from papertide.search.service import SearchService, source_hash
from papertide.search.vectors import NumpyVectorIndex
from papertide.storage import embeddings as emb_store
from papertide.storage.db import Database
from papertide.storage.migrate import upgrade

log = logging.getLogger("bench")
SEED = 7


def build(db: Database, corpus: Path, model_id: str, dim: int) -> None:
    import sqlalchemy as sa

    from papertide.storage.schema import papers

    with db.read() as conn:
        have = conn.execute(sa.select(sa.func.count()).select_from(papers)).scalar_one()
    if have == 0:
        t0 = time.perf_counter()
        report = import_file(db, corpus)
        log.info("imported %d papers in %.0fs (FTS5 kept by triggers)", report.inserted, time.perf_counter() - t0)
    with db.read() as conn:
        todo = list(emb_store.iter_stale(conn, model_id, source_hash))
    if todo:
        rng = np.random.default_rng(SEED)
        t0 = time.perf_counter()
        for i in range(0, len(todo), 5_000):
            chunk = todo[i : i + 5_000]
            v = rng.standard_normal((len(chunk), dim)).astype(np.float32)
            v /= np.linalg.norm(v, axis=1, keepdims=True)
            with db.write() as conn:
                emb_store.upsert_vectors(conn, model_id, [p.paper_id for p in chunk],
                                         [source_hash(p.title, p.abstract) for p in chunk], v)
        log.info("stored %d random unit vectors in %.0fs", len(todo), time.perf_counter() - t0)


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def timed(fn, items) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for it in items:
        t0 = time.perf_counter()
        fn(it)
        out.append(1000 * (time.perf_counter() - t0))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=Path("../shared/data/arxiv_corpus.jsonl.gz"))
    ap.add_argument("--db", type=Path, default=Path("bench/out/arxiv.db"))
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--baseline-queries", type=int, default=10)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    embedder = make_embedder("minilm", threads=2)
    db = Database(f"sqlite:///{args.db.resolve()}")
    upgrade(db)
    build(db, args.corpus, embedder.model_id, embedder.dim)

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    index = NumpyVectorIndex(db, embedder.model_id)
    log.info("vector index: %d vectors loaded in %.1fs, matrix %.0f MB", len(index), time.perf_counter() - t0,
             index._matrix.nbytes / 1e6)
    svc = SearchService(db, embedder, index)

    with gzip.open(args.corpus, "rt", encoding="utf-8") as fh:
        recs = [json.loads(line) for line in fh]
    rng = random.Random(SEED)
    # Queries: 2-6 consecutive words from random titles, like people type.
    queries = []
    for r in rng.sample(recs, args.queries):
        words = r["title"].split()
        n = rng.randint(2, min(6, max(2, len(words))))
        s = rng.randint(0, max(0, len(words) - n))
        queries.append(" ".join(words[s : s + n]))

    svc.rank(queries[0])  # warm caches
    results = {
        "query embedding": timed(embedder.embed_query, queries),
        "lexical (FTS5 top 200)": timed(lambda q: svc.rank(q, mode="lexical"), queries),
        "dense (exact numpy, incl. embedding)": timed(lambda q: svc.rank(q, mode="dense"), queries),
        "hybrid rank (incl. embedding)": timed(lambda q: svc.rank(q), queries),
        "hybrid search page (20 hits, highlights)": timed(lambda q: svc.search(SearchRequest(q)), queries),
    }
    # Baseline: arxiv-sanity-lite style Python scan over every paper.
    docs = [(r["title"].lower(), " ".join(r.get("authors", [])).lower(), r["abstract"].lower()) for r in recs]

    def scan(q: str) -> list[int]:
        terms = query_terms(q)
        scores = []
        for i, (t, a, b) in enumerate(docs):
            s = sum(3 * t.count(w) + a.count(w) + 0.5 * b.count(w) for w in terms)
            if s:
                scores.append((s, i))
        scores.sort(reverse=True)
        return [i for _, i in scores[:20]]

    results["baseline: Python scan (arxiv-sanity-lite)"] = timed(scan, queries[: args.baseline_queries])
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    base = statistics.median(results["baseline: Python scan (arxiv-sanity-lite)"])
    out = log.info
    out(f"papers {len(index)}, queries {len(queries)} (baseline {args.baseline_queries}), cpus {os.cpu_count()}")
    out(f"{'what':<44} {'p50 ms':>9} {'p99 ms':>9} {'baseline/p50':>13}")
    for k, xs in results.items():
        p50 = statistics.median(xs)
        out(f"{k:<44} {p50:9.1f} {pct(xs, 99):9.1f} {base / p50:12.0f}x")
    out(f"max RSS {rss1 / 1024:.0f} MB (before index load {rss0 / 1024:.0f} MB); "
        f"float32 matrix {index._matrix.nbytes / 1e6:.0f} MB; "
        f"at 1M papers: {1_000_000 * embedder.dim * 4 / 1e6:.0f} MB float32, "
          f"{1_000_000 * embedder.dim * 2 / 1e6:.0f} MB float16")
    db.dispose()


if __name__ == "__main__":
    main()

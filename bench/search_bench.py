"""Search latency at 241,792 papers (and a 1M replica), old engines vs new, against a Python scan.

    PYTHONPATH=. .venv/bin/python bench/search_bench.py --corpus ../shared/data/arxiv_corpus.jsonl.gz
    PYTHONPATH=. .venv/bin/python bench/search_bench.py --replicate 3 --db bench/out/arxiv_1m.db   # 967,168 papers

Builds (once) the database through the normal importer, stores one vector per paper,
then builds both SQLite-mode indexes (tantivy keyword index, usearch HNSW graph).
Stored vectors are the real MiniLM vectors of bench/embed_corpus_sample.py (title +
abstract cut to 48 word pieces) where present, random unit vectors otherwise; a
replica paper gets its original's vector plus noise (renormalised), and its text.
Query embedding is timed with the real ONNX model on every query. All engines answer
the same 200 queries (2-6 consecutive title words) in one run; the baseline is
arxiv-sanity-lite's search, a Python loop scoring every paper by term counts.
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
import tempfile
import time
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from papertide.domain.search import SearchRequest, make_filters, query_terms
from papertide.ingest.bulk import import_file
from papertide.search.embedders import make_embedder
from papertide.search.lexical import SqlLexicalIndex, index_path
from papertide.search.service import SearchService
from papertide.search.tantivy_index import TantivyLexicalIndex
from papertide.search.vectors import HnswVectorIndex, NumpyVectorIndex, hnsw_path
from papertide.storage import embeddings as emb_store
from papertide.storage.db import Database
from papertide.storage.migrate import upgrade
from papertide.storage.schema import papers

log = logging.getLogger("bench")
SEED = 7
NOISE = 0.02  # per-dimension noise of a replica's vector, before renormalising


def replica_id(n: int) -> str:
    """Valid, unused new-style arXiv ids for replica papers: 3001.00000, 3001.00001, ..."""
    block, num = divmod(n, 100_000)
    return f"{30 + block // 12}{block % 12 + 1:02d}.{num:05d}"


def load_real_vectors(folder: Path) -> np.ndarray | None:
    parts = sorted(folder.glob("[0-9][0-9][0-9][0-9].npy"))
    return np.vstack([np.load(p) for p in parts]).astype(np.float32) if parts else None


def build(db: Database, corpus: Path, recs: list[dict], model_id: str, dim: int, replicate: int,
          vectors: Path, import_only: bool = False) -> dict[str, float]:
    timings: dict[str, float] = {}
    with db.read() as conn:
        have = conn.execute(sa.select(sa.func.count()).select_from(papers)).scalar_one()
    if have == 0:
        source = corpus
        if replicate:
            tmp = Path(tempfile.mkdtemp()) / "replicated.jsonl"
            with tmp.open("w") as out:
                for r in recs:
                    out.write(json.dumps(r) + "\n")
                for n in range(replicate * len(recs)):
                    out.write(json.dumps({**recs[n % len(recs)], "arxiv_id": replica_id(n)}) + "\n")
            source = tmp
        t0 = time.perf_counter()
        report = import_file(db, source)
        timings["import"] = time.perf_counter() - t0
        log.info("imported %d papers in %.0fs", report.inserted, timings["import"])
    if import_only:
        return timings
    with db.read() as conn:
        rows = conn.execute(sa.select(papers.c.id, papers.c.arxiv_id)).all()
        stored = emb_store.count_vectors(conn, model_id)
    if stored < len(rows):
        real = load_real_vectors(vectors)
        rng = np.random.default_rng(SEED)
        base = rng.standard_normal((len(recs), dim)).astype(np.float32)
        if real is not None:
            base[: len(real)] = real[: len(recs)]
            log.info("real MiniLM vectors for %d of %d corpus papers; random for the rest", min(len(real), len(recs)),
                     len(recs))
        base /= np.linalg.norm(base, axis=1, keepdims=True)
        line = {r["arxiv_id"]: i for i, r in enumerate(recs)}
        t0 = time.perf_counter()
        for i in range(0, len(rows), 5_000):
            chunk = rows[i : i + 5_000]
            which = [line[a] if a in line else line_of_replica(a, len(recs)) for _, a in chunk]
            v = base[which]
            noisy = np.array([a not in line for _, a in chunk])
            if noisy.any():
                v = v.copy()
                v[noisy] += rng.standard_normal((int(noisy.sum()), dim)).astype(np.float32) * NOISE
                v /= np.linalg.norm(v, axis=1, keepdims=True)
            with db.write() as conn:
                emb_store.upsert_vectors(conn, model_id, [pid for pid, _ in chunk], ["bench"] * len(chunk), v)
        log.info("stored %d vectors in %.0fs", len(rows), time.perf_counter() - t0)
    lexical = TantivyLexicalIndex(db, index_path(db))
    if not lexical.built:
        t0 = time.perf_counter()
        lexical.rebuild()
        timings["tantivy build"] = time.perf_counter() - t0
        log.info("tantivy index built in %.0fs", timings["tantivy build"])
    path = hnsw_path(db, model_id)
    if not path.exists():
        t0 = time.perf_counter()
        HnswVectorIndex(db, model_id, path, threads=2).refresh()
        timings["hnsw build"] = time.perf_counter() - t0
        log.info("HNSW graph built in %.0fs", timings["hnsw build"])
    return timings


def line_of_replica(arxiv_id: str, n: int) -> int:
    yymm, num = arxiv_id.split(".")
    block = (int(yymm[:2]) - 30) * 12 + int(yymm[2:]) - 1
    return (block * 100_000 + int(num)) % n


def pct(xs: list[float], p: float) -> float:
    return float(np.percentile(xs, p))


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
    ap.add_argument("--vectors", type=Path, default=Path("bench/out/vec48"))
    ap.add_argument("--replicate", type=int, default=0, help="add this many copies of the corpus (3 → 967,168 papers)")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--baseline-queries", type=int, default=10)
    ap.add_argument("--import-only", action="store_true", help="build the database's papers, then stop")
    ap.add_argument("--skip-exact", action="store_true", help="leave out the old engines (FTS5, exact numpy)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    embedder = make_embedder("minilm", threads=2)
    db = Database(f"sqlite:///{args.db.resolve()}")
    upgrade(db)
    with gzip.open(args.corpus, "rt", encoding="utf-8") as fh:
        recs = [json.loads(line) for line in fh]
    build_times = build(db, args.corpus, recs, embedder.model_id, embedder.dim, args.replicate, args.vectors,
                        args.import_only)
    if args.import_only:
        return

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    hnsw = HnswVectorIndex(db, embedder.model_id, hnsw_path(db, embedder.model_id))
    load_s = time.perf_counter() - t0
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tantivy_idx = TantivyLexicalIndex(db, index_path(db))
    new = SearchService(db, embedder, hnsw, lexical=tantivy_idx)
    log.info("HNSW graph: %d vectors restored in %.1fs, %.0f MB (RSS +%.0f MB)", len(hnsw), load_s,
             hnsw._graph.memory_usage / 1e6, (rss1 - rss0) / 1024)

    rng = random.Random(SEED)
    queries = []
    for r in rng.sample(recs, args.queries):
        words = r["title"].split()
        n = rng.randint(2, min(6, max(2, len(words))))
        s = rng.randint(0, max(0, len(words) - n))
        queries.append(" ".join(words[s : s + n]))
    cs_lg = make_filters(categories="cs.LG")

    new.rank(queries[0])  # warm caches
    results: dict[str, list[float]] = {"query embedding": timed(embedder.embed_query, queries)}
    if not args.skip_exact:
        old = SearchService(db, embedder, NumpyVectorIndex(db, embedder.model_id), lexical=SqlLexicalIndex(db))
        old.rank(queries[0])
        results |= {
            "old lexical (FTS5 top 200)": timed(lambda q: old.rank(q, mode="lexical"), queries),
            "old dense (exact numpy, incl. embedding)": timed(lambda q: old.rank(q, mode="dense"), queries),
            "old hybrid rank (FTS5 + exact)": timed(lambda q: old.rank(q), queries),
        }
    results |= {
        "lexical (tantivy top 200)": timed(lambda q: new.rank(q, mode="lexical"), queries),
        "dense (HNSW top 200, incl. embedding)": timed(lambda q: new.rank(q, mode="dense"), queries),
        "hybrid rank (tantivy + HNSW, incl. embedding)": timed(lambda q: new.rank(q), queries),
        "hybrid search page (20 hits, highlights)": timed(lambda q: new.search(SearchRequest(q)), queries),
        "hybrid rank, category filter cs.LG": timed(lambda q: new.rank(q, cs_lg), queries[:50]),
    }
    docs = [(r["title"].lower(), " ".join(r.get("authors", [])).lower(), r["abstract"].lower()) for r in recs]
    docs *= args.replicate + 1

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
    base = statistics.median(results["baseline: Python scan (arxiv-sanity-lite)"])
    folder = [f for f in index_path(db).iterdir() if f.is_file()]
    tantivy_mb = sum(f.stat().st_size for f in folder if "vectors-" not in f.name) / 1e6
    print(f"\npapers {len(hnsw):,}, queries {len(queries)} (baseline {args.baseline_queries}), cpus {os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    print("| what | p50 ms | p99 ms | Python scan p50 / this p50 |")
    print("|---|---:|---:|---:|")
    for k, xs in results.items():
        p50 = statistics.median(xs)
        print(f"| {k} | {p50:.1f} | {pct(xs, 99):.1f} | {base / p50:,.0f}× |")
    print(f"\nbuild: {', '.join(f'{k} {v:.0f} s' for k, v in build_times.items()) or 'reused'}; "
          f"HNSW graph {hnsw._graph.memory_usage / 1e6:.0f} MB in memory; tantivy index {tantivy_mb:.0f} MB on disk; "
          f"float32 matrix of the exact index {len(hnsw) * embedder.dim * 4 / 1e6:.0f} MB; max RSS "
          f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    db.dispose()


if __name__ == "__main__":
    main()

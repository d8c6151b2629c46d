"""The whole web search path at 241,792 papers on SQLite, with realistic queries.

    PYTHONPATH=. .venv/bin/python bench/search_path_bench.py --db bench/out/arxiv.db \
        --vectors-db DATA_DIR/search-dev.db

Times :meth:`SearchService.search` — query reading, embedding (the real ONNX model, one
thread as the web process runs it), tantivy and the HNSW graph side by side, fusion with exact
similarities, the page's papers, highlighting and snippets — for the 225 development-set
queries (bench/devset: half-remembered descriptions, questions, topics; 10–15 words typical),
plain and with each kind of filter. Baseline in the same run: the same path on the engines a
fresh install starts with (FTS5 and the exact numpy product).

Vectors: papers that ``--vectors-db`` holds a vector for (the development slice, 41,937 real
MiniLM vectors) keep it; every other paper gets a random one of those plus noise, renormalised,
so the graph sees clustered, realistic neighbourhoods rather than uniform noise.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import time
from pathlib import Path

import numpy as np
import sqlalchemy as sa
from search_bench import pct, timed  # bench/ is on sys.path when a bench script runs

from papertide.domain.search import SearchRequest, make_filters
from papertide.ingest.bulk import import_file
from papertide.search.embedders import OnnxEmbedder
from papertide.search.lexical import SqlLexicalIndex, make_lexical_index
from papertide.search.service import SearchService
from papertide.search.vectors import HnswVectorIndex, NumpyVectorIndex, hnsw_path
from papertide.storage import embeddings as emb_store
from papertide.storage.db import Database
from papertide.storage.migrate import upgrade
from papertide.storage.schema import papers

log = logging.getLogger("bench")
NOISE = 0.03
SEED = 11
# The filters timed here and by bench/pg_path_bench.py.
CASES = [("no filter", make_filters()), ("category cs.CL", make_filters(categories="cs.CL")),
         ("published 2026-03..2026-04", make_filters("2026-03-01", "2026-04-30")),
         ("author contains 'wang'", make_filters(author="wang"))]


def store_vectors(db: Database, source: Database, model_id: str) -> None:
    with db.read() as conn:
        rows = conn.execute(sa.select(papers.c.id, papers.c.arxiv_id)).all()
        if emb_store.count_vectors(conn, model_id) >= len(rows):
            return
    with source.read() as conn:
        real = {r.arxiv_id: r.vector for r in emb_store.vectors_by_arxiv_id(conn) if r.model_id == model_id}
    pool = np.vstack(list(real.values())).astype(np.float32)
    rng = np.random.default_rng(SEED)
    t0 = time.perf_counter()
    for i in range(0, len(rows), 5_000):
        chunk = rows[i:i + 5_000]
        v = np.empty((len(chunk), pool.shape[1]), dtype=np.float32)
        for n, (_, aid) in enumerate(chunk):
            v[n] = real[aid] if aid in real else pool[rng.integers(len(pool))] + rng.standard_normal(pool.shape[1]) * NOISE
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        with db.write() as conn:
            emb_store.upsert_vectors(conn, model_id, [pid for pid, _ in chunk], ["bench"] * len(chunk), v)
    log.info("stored %d vectors (%d real) in %.0fs", len(rows), len(real), time.perf_counter() - t0)


def run(svc: SearchService, queries: list[str], filters, sort: str = "relevance") -> list[float]:  # type: ignore[no-untyped-def]
    return timed(lambda q: svc.search(SearchRequest(q, filters, sort)), queries)  # type: ignore[arg-type]


def sorted_listings(svc: SearchService, queries: list[str]) -> None:
    """Sorted by date or upvotes (every paper holding all the words, with the best matches) against
    the same queries by relevance, alternating so load changes hit both alike."""
    print(f"{'case':<30}{'sort':>9}{'p50 ms':>9}{'p99 ms':>9}{'relevance p50':>15}{'relevance p99':>15}"
          f"{'every word':>12}")
    for name, f in CASES[:2]:
        for sort in ("date", "upvotes"):
            a, b = run(svc, queries, f, sort), run(svc, queries, f)
            listed = sum(svc.search(SearchRequest(q, f, sort)).every_word for q in queries)  # type: ignore[arg-type]
            print(f"{name:<30}{sort:>9}{pct(a, 50):9.1f}{pct(a, 99):9.1f}{pct(b, 50):15.1f}{pct(b, 99):15.1f}"
                  f"{listed:>8}/{len(queries)}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=Path("../shared/data/arxiv_corpus.jsonl.gz"))
    ap.add_argument("--db", type=Path, default=Path("bench/out/arxiv.db"))
    ap.add_argument("--vectors-db", type=Path, required=True)
    ap.add_argument("--queries", type=Path, default=Path("bench/devset/queries.jsonl"))
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--sorted", action="store_true", help="time searches sorted by date and upvotes instead")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    args.db.parent.mkdir(parents=True, exist_ok=True)
    db = Database(f"sqlite:///{args.db.resolve()}")
    upgrade(db)
    with db.read() as conn:
        have = conn.execute(sa.select(sa.func.count()).select_from(papers)).scalar_one()
    if not have:
        t0 = time.perf_counter()
        import_file(db, args.corpus)
        log.info("imported in %.0fs", time.perf_counter() - t0)
    embedder = OnnxEmbedder(threads=1)  # the web process's setting (PAPERTIDE_SEARCH_THREADS=1)
    store_vectors(db, Database(f"sqlite:///{args.vectors_db.resolve()}"), embedder.model_id)
    lexical = make_lexical_index(db, "tantivy")
    t0 = time.perf_counter()
    if lexical.ensure_built():  # type: ignore[attr-defined]
        log.info("tantivy index built in %.0fs", time.perf_counter() - t0)
    path = hnsw_path(db, embedder.model_id)
    assert path is not None
    t0 = time.perf_counter()
    graph = HnswVectorIndex(db, embedder.model_id, path, threads=2)
    graph.refresh()
    log.info("HNSW graph ready in %.0fs (%d vectors)", time.perf_counter() - t0, len(graph))
    if args.build_only:
        return
    queries = [json.loads(line)["text"] for line in args.queries.open(encoding="utf-8") if line.strip()]
    words = statistics.median(len(q.split()) for q in queries)
    new = SearchService(db, embedder, graph, lexical=lexical, dense_floor=0.345)
    old = SearchService(db, embedder, NumpyVectorIndex(db, embedder.model_id), lexical=SqlLexicalIndex(db),
                        dense_floor=0.345)
    for q in queries[:10]:  # warm both paths (model, page cache, mmap)
        new.search(SearchRequest(q))
        old.search(SearchRequest(q))
    print(f"{len(queries)} development-set queries (median {words:.0f} words); load {os.getloadavg()[0]:.1f}")
    if args.sorted:
        sorted_listings(new, queries)
        print(f"load {os.getloadavg()[0]:.1f}")
        return
    print(f"{'case':<30}{'p50 ms':>9}{'p99 ms':>9}{'baseline p50':>14}{'baseline p99':>14}{'p50 ratio':>11}"
          f"{'first 2 ms':>12}")
    for name, f in CASES:
        # The first queries under a filter walk the graph, learn its pass rate and may start copying its
        # papers' vectors out of the graph in the background (for the next queries): timed apart.
        first = run(new, queries[-2:], f) if f.active else []
        for q in queries[:10]:
            old.search(SearchRequest(q, f))
        a, b = run(new, queries, f), run(old, queries, f)
        print(f"{name:<30}{pct(a, 50):9.1f}{pct(a, 99):9.1f}{pct(b, 50):14.1f}{pct(b, 99):14.1f}"
              f"{pct(b, 50) / max(pct(a, 50), 1e-9):10.1f}x{' / '.join(f'{t:.0f}' for t in first):>12}")
    t0 = time.perf_counter()
    for q in queries:
        embedder.embed_query(q)
    print(f"query embedding alone: {1000 * (time.perf_counter() - t0) / len(queries):.1f} ms mean; "
          f"load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

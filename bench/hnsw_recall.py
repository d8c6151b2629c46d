"""HNSW recall@10 and latency against exact search, on real MiniLM vectors of the arXiv corpus.

    PYTHONPATH=. .venv/bin/python bench/hnsw_recall.py --vectors bench/out/vec48 --corpus ../shared/data/arxiv_corpus.jsonl.gz

Vectors come from bench/embed_corpus_sample.py (real all-MiniLM-L6-v2 int8 vectors of
title + abstract cut to 48 word pieces). Two query sets: 500 held-out papers'
vectors ("similar papers") and 200 real query embeddings of 2-6 consecutive title words
(the search box, embedded like `SearchService` does). The graph uses the product's
settings (papertide/search/vectors.py); exact top-10 by numpy is the reference.
``--replicate N`` adds N perturbed copies of every vector (the issue's 1M-paper set).
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import statistics
import time
from pathlib import Path

import numpy as np

from papertide.search import vectors as V
from papertide.search.embedders import make_embedder

SEED = 7


def load(folder: Path) -> np.ndarray:
    parts = sorted(p for p in folder.glob("[0-9][0-9][0-9][0-9].npy"))
    return np.vstack([np.load(p) for p in parts]).astype(np.float32)


def replicate(base: np.ndarray, copies: int, noise: float, rng: np.random.Generator) -> np.ndarray:
    out = [base]
    for _ in range(copies):
        v = base + rng.standard_normal(base.shape).astype(np.float32) * noise
        out.append(v / np.linalg.norm(v, axis=1, keepdims=True))
    return np.vstack(out)


def title_queries(corpus: Path, n: int, rng: random.Random) -> list[str]:
    with gzip.open(corpus, "rt") as f:
        titles = [json.loads(line)["title"] for line in itertools.islice(f, 50_000)]
    return title_fragments(titles, n, rng)


def title_fragments(titles: list[str], n: int, rng: random.Random) -> list[str]:
    """Search-box-like queries: 2–6 consecutive words of ``n`` random titles."""
    out = []
    for t in rng.sample(titles, n):
        words = t.split()
        k = min(len(words), rng.randint(2, 6))
        s = rng.randint(0, len(words) - k)
        out.append(" ".join(words[s : s + k]))
    return out


def exact_top(base: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    out = np.empty((len(queries), k), dtype=np.int64)
    for i in range(0, len(queries), 50):
        s = queries[i : i + 50] @ base.T
        top = np.argpartition(-s, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(s, top, 1), axis=1)
        out[i : i + 50] = np.take_along_axis(top, order, 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--vectors", type=Path, default=Path("bench/out/vec48"))
    ap.add_argument("--corpus", type=Path, default=Path("../shared/data/arxiv_corpus.jsonl.gz"))
    ap.add_argument("--replicate", type=int, default=0, help="perturbed copies of each vector to add")
    ap.add_argument("--noise", type=float, default=0.02, help="per-dimension noise of a copy (before renormalising)")
    ap.add_argument("--dtypes", nargs="+", default=["f16", "i8"])
    ap.add_argument("--efs", type=int, nargs="+", default=[200, 256, 512])
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    rng = np.random.default_rng(SEED)
    vecs = load(args.vectors)
    held = rng.choice(len(vecs), 500, replace=False)
    mask = np.ones(len(vecs), dtype=bool)
    mask[held] = False
    base = vecs[mask]
    if args.replicate:
        base = replicate(base, args.replicate, args.noise, rng)
    emb = make_embedder("minilm", threads=2)
    texts = title_queries(args.corpus, 200, random.Random(SEED))
    qsets = {"similar papers (500 held out)": vecs[held], "search box (200 title-word queries)":
             np.vstack([emb.embed_query(t) for t in texts]).astype(np.float32)}
    print(f"base: {len(base):,} real MiniLM vectors{f' (+{args.replicate} perturbed copies each)' if args.replicate else ''}")
    truth, exact_ms = {}, {}
    for name, q in qsets.items():
        t0 = time.perf_counter()
        truth[name] = exact_top(base, q, 10)
        per = []
        for v in q[:50]:
            t = time.perf_counter()
            s = base @ v
            np.argpartition(-s, 199)[:200]
            per.append(1000 * (time.perf_counter() - t))
        exact_ms[name] = statistics.median(per)
        print(f"exact numpy top-200 [{name}]: p50 {exact_ms[name]:.1f} ms (float32 matrix {base.nbytes / 2**20:.0f} MiB)")
    keys = np.arange(len(base), dtype=np.uint64)
    for dtype in args.dtypes:
        V.HNSW_DTYPE = dtype
        graph = V.new_hnsw(base.shape[1])
        t0 = time.perf_counter()
        graph.add(keys, base, threads=args.threads)
        build = time.perf_counter() - t0
        print(f"\nHNSW {dtype} M={V.HNSW_CONNECTIVITY} ef_add={V.HNSW_EXPANSION_ADD}: built in {build:.0f} s "
              f"({len(base) / build:,.0f} vectors/s), memory {graph.memory_usage / 2**20:.0f} MiB")
        print("| query set | ef | recall@10 | top-200 p50 ms | p99 ms | exact p50 / HNSW p50 |")
        print("|---|---:|---:|---:|---:|---:|")
        for ef in args.efs:
            graph.expansion_search = max(ef, 200)
            for name, q in qsets.items():
                got, per = [], []
                for v in q:
                    t = time.perf_counter()
                    m = graph.search(v, 200)
                    per.append(1000 * (time.perf_counter() - t))
                    got.append(np.asarray(m.keys[:10], dtype=np.int64))
                rec = np.mean([len(set(g) & set(t)) / 10 for g, t in zip(got, truth[name], strict=True)])
                p50, p99 = statistics.median(per), float(np.percentile(per, 99))
                print(f"| {name} | {max(ef, 200)} | {rec:.4f} | {p50:.2f} | {p99:.2f} | {exact_ms[name] / p50:.0f}× |")
            if ef < 200:
                break  # the service always searches at least 200 deep


if __name__ == "__main__":
    main()

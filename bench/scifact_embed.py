"""Embed the SciFact corpus + queries once and cache the vectors under bench/out/ (gitignored).

    .venv/bin/python bench/scifact_embed.py --dataset ../shared/beir/scifact --model minilm
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import time
from pathlib import Path

import numpy as np

from papertide.search.embedders import document_text, make_embedder

log = logging.getLogger("bench")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", type=Path, default=Path("../shared/beir/scifact"))
    ap.add_argument("--model", default="minilm")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", type=Path, default=Path("bench/out"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with gzip.open(args.dataset / "corpus.jsonl.gz", "rt", encoding="utf-8") as fh:
        docs = [json.loads(line) for line in fh]
    queries = [json.loads(line) for line in (args.dataset / "queries.jsonl").open()]
    emb = make_embedder(args.model, threads=args.threads)
    texts = [document_text(d["title"], d["text"]) for d in docs]
    t0 = time.perf_counter()
    vecs = emb.embed_documents(texts, progress=lambda n: n % 640 == 0 and log.info("%d/%d", n, len(texts)))
    dt = time.perf_counter() - t0
    t1 = time.perf_counter()
    qv = np.stack([emb.embed_query(q["text"]) for q in queries])
    qdt = time.perf_counter() - t1
    args.out.mkdir(parents=True, exist_ok=True)
    np.save(args.out / f"scifact_{emb.model_id}_docs.npy", vecs)
    np.save(args.out / f"scifact_{emb.model_id}_queries.npy", qv)
    json.dump({"doc_ids": [d["_id"] for d in docs], "query_ids": [q["_id"] for q in queries]},
              (args.out / f"scifact_{emb.model_id}_ids.json").open("w"))
    log.info("model=%s docs=%d %.1fs %.1f docs/s; queries=%d %.2f ms/query", emb.model_id, len(docs), dt,
             len(docs) / dt, len(queries), 1000 * qdt / len(queries))


if __name__ == "__main__":
    main()

"""Real MiniLM vectors for the 241,792-paper corpus, truncated to 48 word pieces.

    PYTHONPATH=. .venv/bin/python bench/embed_corpus_sample.py --corpus ../shared/data/arxiv_corpus.jsonl.gz

Full 256-piece embedding of the corpus is ~4 h on 2 cores; 48 pieces (title + first
sentence or so) is ~1 h on one core and gives real MiniLM vectors of real arXiv text,
which is what the HNSW recall check needs (random vectors have no neighbourhoods).
Writes bench/out/vec48/NNNN.npy in 10,000-paper chunks (resumable) in corpus order.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import time
from pathlib import Path

import numpy as np

from papertide.search.embedders import OnnxEmbedder, document_text, minilm_int8_files

CHUNK = 10_000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--out", type=Path, default=Path("bench/out/vec48"))
    ap.add_argument("--tokens", type=int, default=48)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    emb = OnnxEmbedder(minilm_int8_files(), threads=args.threads, max_tokens=args.tokens)
    with gzip.open(args.corpus, "rt") as f:
        lines = iter(f)
        for n in itertools.count():
            chunk = list(itertools.islice(lines, CHUNK))
            if not chunk:
                break
            path = args.out / f"{n:04d}.npy"
            if path.exists():
                continue
            rows = [json.loads(line) for line in chunk]
            t0 = time.perf_counter()
            vecs = emb.embed_documents([document_text(r["title"], r["abstract"]) for r in rows])
            np.save(path.with_suffix(".tmp.npy"), vecs.astype(np.float32))
            path.with_suffix(".tmp.npy").rename(path)
            print(f"chunk {n}: {len(rows)} in {time.perf_counter() - t0:.0f}s", flush=True)


if __name__ == "__main__":
    main()

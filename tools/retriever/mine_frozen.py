"""Step 1 of the query-encoder run: mine (query, document) pairs and embed the documents with
the *served* model, so the query encoder is trained against the very vectors it will meet.

Runs in the site's environment (``.venv``: papertide's ONNX embedder, no torch). For each of
``--papers`` papers outside the search development slice (seeded reservoir sample, published
from ``--since``), one abstract sentence (not the first) is taken out; the document is the
rest of the abstract, and the paper gives two queries, its title and the removed sentence.
Neither query is contained in its document, so the pairs teach paraphrase, not copying.

Writes ``OUT/pairs.jsonl`` (one paper per line) and ``OUT/documents.npy`` (float32, unit rows).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from sampling import reservoir  # same folder, run as a script

from papertide.search.embedders import OnnxEmbedder

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def sample(corpus: Path, exclude: set[str], n: int, since: str, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)

    def rows() -> Iterator[dict[str, str]]:
        with gzip.open(corpus, "rt", encoding="utf-8") as fh:
            for line in fh:
                d = json.loads(line)
                if d["arxiv_id"] in exclude or d.get("published", "") < since:
                    continue
                sentences = _SENTENCE.split(" ".join(d.get("abstract", "").split()))
                if len(sentences) < 4:
                    continue
                i = rng.randrange(1, len(sentences))
                yield {"arxiv_id": d["arxiv_id"], "title": " ".join(d["title"].split()), "sentence": sentences[i],
                       "document": " ".join(sentences[:i] + sentences[i + 1:])}

    return reservoir(rows(), n, rng)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=Path("../shared/data/arxiv_corpus.jsonl.gz"))
    ap.add_argument("--exclude", type=Path, default=Path("bench/devset/corpus_ids.txt.gz"))
    ap.add_argument("--out", type=Path, default=Path("build/retriever-query"))
    ap.add_argument("--papers", type=int, default=8000)
    ap.add_argument("--since", default="2024-01-01")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    with gzip.open(args.exclude, "rt", encoding="utf-8") as fh:
        exclude = {line.strip() for line in fh if line.strip()}
    t0 = time.time()
    rows = sample(args.corpus, exclude, args.papers, args.since, args.seed)
    print(f"sampled {len(rows)} papers in {time.time() - t0:.0f}s ({len(exclude)} slice papers left out)", flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "pairs.jsonl").open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    embedder = OnnxEmbedder(threads=args.threads)
    t0 = time.time()
    last = [0.0]

    def progress(done: int) -> None:
        if time.time() - last[0] > 30:
            last[0] = time.time()
            print(f"embedded {done}/{len(rows)} ({done / (time.time() - t0):.1f}/s)", flush=True)

    docs = embedder.embed_documents([r["document"] for r in rows], progress)
    np.save(args.out / "documents.npy", docs)
    print(f"embedded {len(rows)} documents in {time.time() - t0:.0f}s with {embedder.model_id}", flush=True)


if __name__ == "__main__":
    main()

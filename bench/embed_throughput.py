"""Full-length embedding throughput on CPU, through the product's backfill, and what a backfill takes.

    nice -n 5 env PYTHONPATH=. .venv/bin/python bench/embed_throughput.py \\
        --corpus ../shared/data/arxiv_corpus.jsonl.gz --papers 1500

Imports ``--papers`` random corpus papers (seed 7) into a fresh SQLite database and runs
``SearchService.embed_pending`` — what ``papertide embed`` and the background embed job run:
"title. abstract" tokenised to 256 word pieces (MAX_TOKENS), batches of 32 sorted by length,
vectors written 64 to a transaction — once per ONNX thread count. Prints papers/s, word
pieces/s and the time a backfill of 241,792 and of 967,168 papers would take at that rate.
Baseline in the same run: the same papers cut to 48 word pieces (what bench/embed_corpus_sample.py
embeds for recall checks), one thread.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from papertide.config import Settings
from papertide.ingest.bulk import import_file
from papertide.search.embedders import MAX_TOKENS, OnnxEmbedder, document_text
from papertide.search.service import SearchService
from papertide.services import build_search
from papertide.storage.db import Database
from papertide.storage.migrate import upgrade
from papertide.storage.tables.search import paper_embeddings

SEED = 7
SIZES = (241_792, 967_168)


def sample(corpus: Path, n: int) -> list[str]:
    with gzip.open(corpus, "rt", encoding="utf-8") as fh:
        lines = [line for line in fh if line.strip()]
    return random.Random(SEED).sample(lines, n)


def run(svc: SearchService, db: Database) -> float:
    with db.write() as conn:
        conn.execute(sa.delete(paper_embeddings))
    t0 = time.perf_counter()
    done = svc.embed_pending()
    took = time.perf_counter() - t0
    assert done > 0
    return done / took


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=Path("../shared/data/arxiv_corpus.jsonl.gz"))
    ap.add_argument("--papers", type=int, default=1500)
    args = ap.parse_args()
    lines = sample(args.corpus, args.papers)
    recs = [json.loads(line) for line in lines]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), search_vector_index="exact")
        db = Database(settings.resolved_database_url)
        upgrade(db)
        (Path(tmp) / "sample.jsonl").write_text("".join(lines), encoding="utf-8")
        import_file(db, Path(tmp) / "sample.jsonl")
        texts = [document_text(str(r["title"]), str(r.get("abstract") or "")) for r in recs]
        tok = OnnxEmbedder()._runtime()[0]
        pieces = [sum(e.attention_mask) for e in tok.encode_batch(texts)]  # truncated to MAX_TOKENS, padding not counted
        print(f"{len(recs):,} random corpus papers; word pieces per 'title. abstract' after truncation: median "
              f"{statistics.median(pieces):.0f}, {sum(p >= MAX_TOKENS for p in pieces) / len(pieces):.0%} cut at "
              f"{MAX_TOKENS}; cpus {os.cpu_count()}, load {os.getloadavg()[0]:.1f}")
        print("| run | papers/s | word pieces/s | 241,792 papers | 967,168 papers | vs baseline | load |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        base_svc = SearchService(db, OnnxEmbedder(threads=1, max_tokens=48))
        base = run(base_svc, db)
        short = sum(min(p, 48) for p in pieces) / len(pieces)
        rows = [("baseline: 48 word pieces, 1 thread", base, short)]
        for threads in (1, 2):
            svc = build_search(settings, db, threads=threads)
            rows.append((f"{MAX_TOKENS} word pieces, {threads} thread{'s' * (threads > 1)}", run(svc, db),
                         sum(pieces) / len(pieces)))
        for name, rate, per in rows:
            hours = "| ".join(f"{n / rate / 3600:.1f} h " for n in SIZES)
            print(f"| {name} | {rate:.1f} | {rate * per:,.0f} | {hours}| {rate / base:.2f}× | {os.getloadavg()[0]:.1f} |")
        db.dispose()


if __name__ == "__main__":
    main()

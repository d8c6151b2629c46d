"""Ingest writer on PostgreSQL: bulk import throughput of the first N corpus papers, best of R runs.

    .venv/bin/python bench/ingest_pg_bench.py [--limit 5000] [--runs 3] [--pgdata /tmp/papertide-bench-pg/data]

Each run imports into a fresh database cloned from a migrated template (every trigger included):

1. our JSONL records into an empty database (every paper new: the insert path);
2. the same file again (every paper unchanged: the fingerprint fast path);
3. the same papers as a Kaggle snapshot on top (arXiv-kind records merged into held papers: the
   read, merge and update path, where concurrent writers have to take turns per paper);
4. the Kaggle snapshot into an empty database (merge + version history, every paper new).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import bench.ingest_bench as ingest_bench  # noqa: E402
from bench._pg import ensure_database, start_cluster  # noqa: E402
from bench.ingest_bench import _slice, corpus_records, kaggle_line, out  # noqa: E402
from papertide.config import Settings  # noqa: E402
from papertide.ingest.bulk import import_file  # noqa: E402
from papertide.ingest.service import IngestService  # noqa: E402
from papertide.storage.db import Database  # noqa: E402
from papertide.storage.migrate import upgrade  # noqa: E402

TEMPLATE = "pt_ingest_bench_template"


def _fresh(base: str, n: int) -> Database:
    name = f"pt_ingest_bench_{n}"
    admin = sa.create_engine(base.format(db="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    admin.dispose()
    return Database(base.format(db=name))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=5_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--corpus", type=Path, default=ingest_bench.CORPUS, help="arxiv_corpus.jsonl.gz")
    ap.add_argument("--pgdata", type=Path, default=Path("/tmp/papertide-bench-pg/data"))
    args = ap.parse_args()
    ingest_bench.CORPUS = args.corpus
    base = start_cluster(args.pgdata)
    url, created = ensure_database(base, TEMPLATE)
    if created:
        template = Database(url)
        upgrade(template)
        template.dispose()
    tmp = Path(tempfile.mkdtemp(prefix="pt-ingest-pg-"))
    jsonl = _slice(tmp, args.limit)
    snap = tmp / "kaggle.json"
    with open(snap, "w", encoding="utf-8") as fh:
        for rec in corpus_records(args.limit):
            fh.write(kaggle_line(rec) + "\n")
    best: dict[str, float] = {}

    def timed(label: str, n: int, fn) -> None:  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        fn()
        rate = n / (time.perf_counter() - t)
        best[label] = max(best.get(label, 0.0), rate)

    for run in range(args.runs):
        db = _fresh(base, run)
        svc = IngestService(db, Settings(_env_file=None))  # type: ignore[call-arg]
        timed("1. jsonl into an empty database", args.limit, lambda: import_file(db, jsonl))  # noqa: B023
        timed("2. jsonl again (all unchanged)", args.limit, lambda: import_file(db, jsonl))  # noqa: B023
        timed("3. kaggle over the held papers", args.limit, lambda: svc.import_snapshot(snap))  # noqa: B023
        db.dispose()
        db = _fresh(base, run)
        svc = IngestService(db, Settings(_env_file=None))  # type: ignore[call-arg]
        timed("4. kaggle into an empty database", args.limit, lambda: svc.import_snapshot(snap))  # noqa: B023
        db.dispose()
    out(f"## PostgreSQL ingest writer, {args.limit:,} papers, best of {args.runs}")
    for label, rate in best.items():
        out(f"{label}: {rate:,.0f} papers/s")


if __name__ == "__main__":
    main()

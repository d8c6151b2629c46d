"""The Alembic migrations build exactly the schema that storage/schema.py describes, and `db upgrade` says
why when it cannot run them."""

import os
import warnings

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from typer.testing import CliRunner

from papertide.cli import app as cli_app
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


def test_upgrade_by_a_user_who_cannot_create_pgvector_says_what_a_superuser_runs(pg_server, tmp_path, monkeypatch):
    # The README's `createdb papertide` as the app's own (non-superuser) role: pgvector is not a
    # trusted extension, and db upgrade ended in a ProgrammingError traceback.
    name = f"pt_noext_{os.getpid()}"
    with pg_server.admin.connect() as conn:
        conn.exec_driver_sql("DROP ROLE IF EXISTS pt_app")
        conn.exec_driver_sql("CREATE ROLE pt_app LOGIN")
        conn.exec_driver_sql(f"CREATE DATABASE {name} OWNER pt_app")
    try:
        url = pg_server.url(name).replace("postgres@", "pt_app@", 1)
        monkeypatch.setenv("PAPERTIDE_DATABASE_URL", url)
        monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
        result = CliRunner().invoke(cli_app, ["db", "upgrade"])
        assert result.exit_code == 2, result.output
        assert "cannot create pgvector's extension" in result.output and "CREATE EXTENSION vector" in result.output
        assert name in result.output
    finally:
        pg_server.drop(name)
        with pg_server.admin.connect() as conn:
            conn.exec_driver_sql("DROP ROLE IF EXISTS pt_app")


def test_deleting_an_outbox_row_finds_its_sent_paper_log_rows_by_index(db):
    # ON DELETE SET NULL runs this lookup once per deleted outbox row; without the index (0029)
    # it read the whole sent-paper log each time, which made pruning the outbox unaffordable.
    lookup = "UPDATE digest_items SET outbox_id = NULL WHERE outbox_id = 7"
    with db.write() as conn:
        if db.dialect == "postgresql":
            conn.exec_driver_sql("SET LOCAL enable_seqscan = off")  # an empty table: ask whether it *can*
            plan = " ".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {lookup}"))
        else:
            plan = " ".join(r[-1] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {lookup}"))
    assert "ix_digest_items_outbox_id" in plan


def test_db_upgrade_says_which_database_it_migrated_and_from_where_to_where(db, tmp_path, monkeypatch):
    # An upgrade said "Database is up to date" whatever it did: after nine migrations, after none,
    # and after creating an empty schema in a new file because PAPERTIDE_DATA_DIR was not the
    # instance's (the site then still refused to start, "run papertide db upgrade").
    from alembic import command

    from papertide.storage.db import shown_url
    from papertide.storage.migrate import alembic_config, schema_state

    head = schema_state(db).code[0]
    command.downgrade(alembic_config(db), "0019_search_changes")
    where = db.engine.url.database if db.is_sqlite else shown_url(db.url)
    monkeypatch.setenv("PAPERTIDE_DATABASE_URL", db.url)
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path / "elsewhere"))
    result = CliRunner().invoke(cli_app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert " ".join(result.output.split()) == f"Migrated {where} ({db.dialect}) from 0019_search_changes to {head}."
    result = CliRunner().invoke(cli_app, ["db", "upgrade"])
    assert " ".join(result.output.split()) == f"{where} ({db.dialect}) is already at {head}: nothing to migrate."
    monkeypatch.delenv("PAPERTIDE_DATABASE_URL")
    result = CliRunner().invoke(cli_app, ["db", "upgrade"])
    assert " ".join(result.output.split()) == (
        f"Created the schema ({head}) in a new database, {tmp_path / 'elsewhere' / 'papertide.db'} (sqlite).")

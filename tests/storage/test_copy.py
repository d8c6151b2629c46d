"""`papertide db copy`: a populated SQLite instance moved into PostgreSQL, interrupted and resumed,
then equal table by table and serving the same pages."""

from __future__ import annotations

import itertools
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from papertide.cli import app as cli_app
from papertide.config import Settings
from papertide.services import Edges, build_services
from papertide.storage.copy import CopyRefused, copy_instance, copy_state
from papertide.storage.db import Database
from papertide.storage.fingerprints import canonical_row, instance_tables, table_counts
from papertide.storage.migrate import upgrade
from tests.factories import app_for
from tests.populated import populate

# The populated instance must exercise every kind of row the copy handles.
MUST_HAVE_ROWS = {
    "papers", "paper_categories", "daily_listings", "users", "accounts", "sessions", "login_tokens", "upvotes",
    "comments", "comment_reports", "collections", "collection_items", "subscribers", "subscriptions", "outbox",
    "digest_items", "digest_archive", "api_tokens", "paper_embeddings", "ingest_runs", "audit_log",
}


_names = itertools.count()


class Interrupted(Exception):
    """Stands in for a kill: raised after a committed batch."""


def _settings(tmp_path: Path, url: str) -> Settings:
    return Settings(data_dir=tmp_path, database_url=url, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def source(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    path = tmp_path / "source.db"
    shutil.copy(sqlite_template, path)
    db = Database(f"sqlite:///{path}")
    yield db
    db.dispose()


@pytest.fixture
def target_url(pg_server) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """An empty PostgreSQL database, as an operator creates one (no schema yet)."""
    name = f"pt_copy_{os.getpid()}_{next(_names)}"
    with pg_server.admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    yield pg_server.url(name)
    pg_server.drop(name)


@pytest.fixture
def target(target_url: str) -> Iterator[Database]:
    db = Database(target_url)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS vector")
    upgrade(db)
    yield db
    db.dispose()


def _sample(db: Database, table: sa.Table, every: int = 3) -> list[tuple]:  # type: ignore[type-arg]
    """Every ``every``-th row by primary key, in a form comparable across dialects."""
    cols = list(table.columns)
    with db.read() as conn:
        rows = conn.execute(sa.select(*cols).order_by(*table.primary_key.columns)).all()
    return sorted(canonical_row(cols, r) for r in rows)[::every]


def test_interrupted_copy_resumes_and_the_copy_serves_the_same_pages(tmp_path, source, target):
    services = build_services(_settings(tmp_path, str(source.url)), Edges(db=source))
    instance = populate(services)
    with source.read() as conn:
        counts = table_counts(conn)
    assert {t for t, n in counts.items() if n} >= MUST_HAVE_ROWS

    batches = 0

    def kill_after_four_batches(table: str, done: int, total: int) -> None:
        nonlocal batches
        batches += 1
        if batches == 4:
            raise Interrupted(table)

    with pytest.raises(Interrupted):
        copy_instance(source, target, batch_rows=7, progress=kill_after_four_batches)
    with target.read() as conn:
        partial = table_counts(conn)
    assert 0 < sum(partial.values()) < sum(counts.values())

    with pytest.raises(CopyRefused, match="--resume"):
        copy_instance(source, target, batch_rows=7)
    report = copy_instance(source, target, resume=True, batch_rows=7)

    assert report.resumed and report.ok, [c for c in report.checks if not c.ok]
    assert report.rows_copied == sum(counts.values()) - sum(partial.values())  # nothing copied twice
    assert {c.table: c.target.rows for c in report.checks} == counts
    with target.read() as conn:
        assert table_counts(conn) == counts
        assert not sa.inspect(conn).has_table(copy_state.name)  # a finished copy leaves no trace
        # The vector index, dropped while rows arrived, is back as the migration made it.
        assert conn.execute(sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = "
                                    "'ix_paper_embeddings_vector_hnsw'")).scalar_one().endswith(
            "USING hnsw (vector halfvec_ip_ops) WITH (m='16', ef_construction='64')")
        assert conn.execute(sa.text("SELECT count(*) FROM search_documents")).scalar_one() == counts["papers"]
    for table in instance_tables():
        assert _sample(target, table) == _sample(source, table), table.name

    copied = build_services(_settings(tmp_path, str(target.url)), Edges(db=target))
    # Sequences moved past the copied ids: new rows get fresh ones.
    with target.read() as conn:
        top = conn.execute(sa.text("SELECT max(id) FROM users")).scalar_one()
    newcomer, created = copied.community.accounts.create_admin("newcomer@example.org")
    assert created and newcomer.id == top + 1

    pages = ["/", "/trending", f"/papers/{instance.arxiv_ids[0]}", f"/papers/{instance.arxiv_ids[1]}",
             "/api/daily_papers", "/api/v1/papers?limit=100", "/feeds/daily.rss"]
    with TestClient(app_for(_settings(tmp_path, str(source.url)), source)) as before, \
            TestClient(app_for(_settings(tmp_path, str(target.url)), target)) as after:
        for page in pages:
            old, new = before.get(page), after.get(page)
            assert (old.status_code, new.status_code) == (200, 200), page
            assert _comparable(new.text) == _comparable(old.text), page


def _comparable(body: str) -> str:
    # Each client gets its own CSRF token; nothing else may differ.
    return re.sub(r'(name="csrf[-_]token"\s+(?:value|content)=")[^"]*"', r'\1"', body)


def test_a_target_holding_other_data_is_refused(tmp_path, source, target, sqlite_template):
    populate(build_services(_settings(tmp_path, str(source.url)), Edges(db=source)), papers=5)
    other_path = tmp_path / "other.db"
    shutil.copy(sqlite_template, other_path)
    other = Database(f"sqlite:///{other_path}")
    populate(build_services(_settings(tmp_path, str(other.url)), Edges(db=other)), papers=5, prefix="2607")

    def stop(table: str, done: int, total: int) -> None:
        raise Interrupted(table)

    with pytest.raises(Interrupted):
        copy_instance(other, target, progress=stop)
    with pytest.raises(CopyRefused, match="different instance"):
        copy_instance(source, target, resume=True)
    other.dispose()

    with target.write() as conn:  # data that no copy of ours left
        copy_state.drop(conn)
    with pytest.raises(CopyRefused, match="already holds data"):
        copy_instance(source, target, resume=True)


def test_cli_copy_to_a_plain_postgresql_url(tmp_path, monkeypatch, source, target_url):
    populate(build_services(_settings(tmp_path, str(source.url)), Edges(db=source)), papers=8)
    source.dispose()
    monkeypatch.setenv("PAPERTIDE_DATABASE_URL", str(source.url))
    with Database(target_url).engine.begin() as conn:
        conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS vector")
    plain = target_url.replace("postgresql+psycopg://", "postgresql://")
    result = CliRunner().invoke(cli_app, ["db", "copy", "--to", plain, "--batch", "5"])
    assert result.exit_code == 0, result.output
    assert "every table verified" in result.output and "paper_embeddings" in result.output
    again = CliRunner().invoke(cli_app, ["db", "copy", "--to", plain])
    assert again.exit_code == 1 and "already holds data" in again.output
    wrong = CliRunner().invoke(cli_app, ["db", "copy", "--to", "mysql://x@y/z"])
    assert wrong.exit_code == 2 and "PostgreSQL URL" in wrong.output


def test_cli_copy_into_another_applications_database_is_refused_before_anything_is_created(
        tmp_path, monkeypatch, source, target_url):
    # A mistyped database name: the copy migrated it (pgvector, ~40 tables) and copied into it.
    populate(build_services(_settings(tmp_path, str(source.url)), Edges(db=source)), papers=3)
    source.dispose()
    monkeypatch.setenv("PAPERTIDE_DATABASE_URL", str(source.url))
    other = Database(target_url)
    with other.engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE customers (id serial PRIMARY KEY, name text)")
        conn.exec_driver_sql("INSERT INTO customers (name) VALUES ('acme')")
    result = CliRunner().invoke(cli_app, ["db", "copy", "--to", target_url])
    assert result.exit_code == 1, result.output
    assert "Refused" in result.output and "not papertide's (customers)" in result.output, result.output
    with other.engine.connect() as conn:
        assert sa.inspect(conn).get_table_names() == ["customers"]
    other.dispose()

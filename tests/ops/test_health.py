"""/readyz and the schema check at start-up: on a migrated, an empty, an older and a newer schema."""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from papertide.app import SchemaMismatch, create_app
from papertide.cli import app as cli_app
from papertide.config import Settings
from papertide.search.lexical import index_path
from papertide.storage.db import PG_CONNECT_TIMEOUT_SECONDS, Database
from papertide.storage.migrate import schema_state, upgrade
from tests.factories import app_for
from tests.live import free_port, silent_server


def _settings(tmp_path: Path, url: str) -> Settings:
    return Settings(data_dir=tmp_path, database_url=url, _env_file=None)  # type: ignore[call-arg]


def _fresh_sqlite(tmp_path: Path) -> Database:
    return Database(f"sqlite:///{tmp_path / 'fresh.db'}")


def test_readyz_is_200_and_names_every_check_on_a_migrated_database(client):
    r = client.get("/readyz")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ready"] is True and body["not_ready"] == []
    assert set(body["checks"]) == {"database", "schema", "search"}
    assert body["checks"]["database"] == body["checks"]["schema"] == "ok"
    assert body["checks"]["search"].startswith("ok: keywords: ")
    assert r.headers["cache-control"] == "no-store"


def test_readyz_logs_no_alembic_lines(client, caplog):
    # Load balancers probe /readyz every few seconds; alembic's "Context impl …" lines per probe
    # used to make up most of a quiet site's log.
    client.get("/readyz")
    with caplog.at_level(logging.DEBUG):
        r = client.get("/readyz")
    assert r.status_code == 200
    assert [rec.getMessage() for rec in caplog.records if rec.name.startswith("alembic")] == []


def test_readyz_is_503_naming_the_schema_on_a_database_without_migrations(tmp_path):
    db = _fresh_sqlite(tmp_path)
    with TestClient(app_for(_settings(tmp_path, db.url), db)) as client:
        r = client.get("/readyz")
    assert r.status_code == 503
    body = r.json()
    assert (body["ready"], body["not_ready"]) == (False, ["schema", "search"])
    assert body["checks"]["database"] == "ok"
    assert "run `papertide db upgrade`" in body["checks"]["schema"]
    db.dispose()


def test_readyz_is_503_naming_the_database_when_it_does_not_answer(tmp_path):
    url = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/nothing?connect_timeout=2"
    db = Database(url)
    with TestClient(app_for(_settings(tmp_path, url), db)) as client:
        r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json()["not_ready"] == ["database", "schema", "search"]
    assert r.json()["checks"]["database"].startswith("unreachable: OperationalError")
    assert "sqlalche.me" not in r.json()["checks"]["database"]  # the reason, not SQLAlchemy's help link
    db.dispose()


def test_readyz_is_503_within_seconds_when_the_database_host_never_answers(tmp_path):
    # No connect_timeout in the URL: a hung host used to hold /readyz (and every worker) forever.
    with silent_server() as port:
        url = f"postgresql+psycopg://nobody@127.0.0.1:{port}/nothing"
        db = Database(url)
        answered: list[httpx.Response] = []
        with TestClient(app_for(_settings(tmp_path, url), db)) as client:
            asking = threading.Thread(target=lambda: answered.append(client.get("/readyz")), daemon=True)
            t0 = time.monotonic()
            asking.start()
            asking.join(PG_CONNECT_TIMEOUT_SECONDS + 10)
            took = time.monotonic() - t0
        assert not asking.is_alive(), "/readyz still waiting for the database"
        assert took < PG_CONNECT_TIMEOUT_SECONDS + 5
        [r] = answered
        assert r.status_code == 503 and r.json()["not_ready"] == ["database", "schema", "search"]
        assert "timeout" in r.json()["checks"]["database"]
        db.dispose()


def _stamp(db: Database, *revisions: str) -> None:
    with db.write() as conn:
        conn.execute(sa.text("DELETE FROM alembic_version"))
        for rev in revisions:
            conn.execute(sa.text("INSERT INTO alembic_version (version_num) VALUES (:r)"), {"r": rev})


def test_schema_state_tells_current_behind_ahead_and_empty(db, tmp_path):
    current = schema_state(db)
    assert current.status == "current" and current.message() == ""
    code_heads = current.code
    _stamp(db, "0001_foundation")
    behind = schema_state(db)
    assert (behind.status, behind.database) == ("behind", ("0001_foundation",))
    assert "behind" in behind.message() and "run `papertide db upgrade`" in behind.message()
    _stamp(db, *code_heads, "0099_from_the_future")
    ahead = schema_state(db)
    assert ahead.status == "ahead"
    assert "newer than this papertide" in ahead.message() and "0099_from_the_future" in ahead.message()
    empty = _fresh_sqlite(tmp_path)
    assert schema_state(empty).status == "empty"
    empty.dispose()


def test_readyz_is_503_when_the_database_is_newer_than_the_code(db, settings):
    _stamp(db, *schema_state(db).code, "0099_from_the_future")
    with TestClient(app_for(settings, db)) as client:
        r = client.get("/readyz")
    assert r.status_code == 503 and "newer than this papertide" in r.json()["checks"]["schema"]


def test_a_served_app_refuses_to_start_on_a_schema_behind_the_code(tmp_path):
    db = _fresh_sqlite(tmp_path)
    upgrade(db, "0001_foundation")
    app = create_app(_settings(tmp_path, db.url))  # the way uvicorn's factory builds it
    with pytest.raises(SchemaMismatch, match="behind this papertide .* run `papertide db upgrade`"):
        with TestClient(app):
            pass
    upgrade(db)
    with TestClient(create_app(_settings(tmp_path, db.url))) as client:
        assert client.get("/readyz").status_code == 200
    db.dispose()


@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["worker"]])
def test_serve_and_worker_refuse_a_schema_behind_the_code_with_a_clear_message(tmp_path, command):
    db = _fresh_sqlite(tmp_path)
    upgrade(db, "0001_foundation")
    # `serve` hands PAPERTIDE_WITH_WORKER to its uvicorn processes through the environment; naming it
    # here makes the runner restore it afterwards, so later tests in this process don't inherit it.
    env = {"PAPERTIDE_DATABASE_URL": db.url, "PAPERTIDE_DATA_DIR": str(tmp_path), "PAPERTIDE_SEARCH_EMBEDDER": "null",
           "PAPERTIDE_WITH_WORKER": None}
    result = CliRunner().invoke(cli_app, command, env=env)
    assert result.exit_code == 2, result.output
    assert "The database schema is behind this papertide" in result.output
    assert "run `papertide db upgrade`" in result.output
    db.dispose()


def _old_keyword_index(db: Database) -> dict[str, bytes]:
    """A keyword index beside ``db`` in another layout, as an older release left it; returns its files."""
    folder = index_path(db)
    assert folder is not None
    folder.mkdir()
    (folder / "papertide.json").write_text(json.dumps({"layout": "tantivy 1 (an older release)", "cursor": [0, 0]}))
    (folder / "meta.json").write_text('{"segments": []}')
    (folder / "28b88a199071479a90612604771159c2.idx").write_bytes(b"postings of the older layout")
    return _files(folder)


def _files(folder: Path) -> dict[str, bytes]:
    return {f.name: f.read_bytes() for f in sorted(folder.iterdir())}


@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["worker"]])
def test_a_command_refusing_an_old_schema_leaves_the_keyword_index_as_it_was(tmp_path, command, caplog):
    # The index of another layout used to be emptied while the services were built, before the
    # schema check, with a log line promising a rebuild that the refusing command never runs.
    db = _fresh_sqlite(tmp_path)
    upgrade(db, "0001_foundation")
    before = _old_keyword_index(db)
    env = {"PAPERTIDE_DATABASE_URL": db.url, "PAPERTIDE_DATA_DIR": str(tmp_path), "PAPERTIDE_SEARCH_EMBEDDER": "null",
           "PAPERTIDE_WITH_WORKER": None}
    with caplog.at_level(logging.WARNING, logger="papertide.search.tantivy_index"):
        result = CliRunner().invoke(cli_app, command, env=env)
    assert result.exit_code == 2, result.output
    assert "The database schema is behind this papertide" in result.output
    assert _files(index_path(db)) == before  # type: ignore[arg-type]
    assert "rebuilding" not in caplog.text
    db.dispose()


def test_a_served_app_refusing_an_old_schema_leaves_the_keyword_index_as_it_was(tmp_path):
    db = _fresh_sqlite(tmp_path)
    upgrade(db, "0001_foundation")
    before = _old_keyword_index(db)
    app = create_app(_settings(tmp_path, db.url))  # the way uvicorn's factory builds it
    with pytest.raises(SchemaMismatch), TestClient(app):
        pass
    assert _files(index_path(db)) == before  # type: ignore[arg-type]
    db.dispose()

"""The database down: pages and the APIs say so with a 503 and Retry-After, the logs say so in one
line, and errors in our own statements stay 500s."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from papertide.config import Settings
from papertide.storage.db import Database
from tests.community.conftest import sign_in
from tests.factories import app_for
from tests.live import free_port

DOWN = "The site's database is unreachable; please try again in a minute."


def _settings(tmp_path: Path, url: str) -> Settings:
    return Settings(data_dir=tmp_path, database_url=url, _env_file=None)  # type: ignore[call-arg]


def _warnings(json_logs) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """Warnings and errors the requests caused (the in-process jobs' own one-line failures aside)."""
    return [r for r in json_logs.records() if r["level"] in ("WARNING", "ERROR")
            and r["logger"] not in ("papertide.access", "papertide.jobs.runner")]


@pytest.fixture
def refused(tmp_path: Path) -> Iterator[TestClient]:
    """An app whose PostgreSQL server is not running: nothing listens on its port."""
    url = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/nothing?connect_timeout=2"
    db = Database(url)
    with TestClient(app_for(_settings(tmp_path, url), db), raise_server_exceptions=False) as client:
        yield client
    db.dispose()


def test_pages_and_apis_answer_503_with_retry_after_when_the_database_refuses_connections(refused):
    page = refused.get("/")
    assert (page.status_code, page.headers["retry-after"]) == (503, "60")
    assert page.headers["content-type"].startswith("text/html")
    assert re.search(r"<h1>Temporarily unavailable</h1>\s*<p[^>]*>(.*?)</p>", page.text).group(1) == (  # type: ignore[union-attr]
        "The site&#39;s database is unreachable; please try again in a minute.")
    api = refused.get("/api/v1/papers")
    assert (api.status_code, api.headers["retry-after"], api.json()) == (
        503, "60", {"error": {"code": 503, "message": DOWN}})
    hf = refused.get("/api/daily_papers")
    assert (hf.status_code, hf.json()) == (503, {"error": DOWN})
    # A program that asks for JSON from a page address gets the JSON shape too.
    assert refused.get("/trending", headers={"Accept": "application/json"}).json() == {
        "error": {"code": 503, "message": DOWN}}


def test_healthz_stays_200_and_readyz_503_while_the_database_is_down(refused):
    assert (refused.get("/healthz").status_code, refused.get("/healthz").text) == (200, "ok")
    ready = refused.get("/readyz")
    assert ready.status_code == 503 and ready.json()["not_ready"] == ["database", "schema", "search"]


def test_an_outage_is_one_warning_line_without_a_traceback_not_one_per_request(refused, json_logs):
    for path in ("/", "/trending", "/papers/2401.00001", "/api/v1/papers", "/search?q=graphs", "/about"):
        assert refused.get(path).status_code == 503, path
    lines = _warnings(json_logs)
    assert [(r["logger"], "exc_info" in r) for r in lines] == [
        ("papertide.storage.page_generation", False), ("papertide.web.errors", False)]
    assert lines[1]["message"].startswith("the database is unreachable (connection failed: ")  # type: ignore[union-attr]
    assert lines[1]["message"].endswith("; answering 503 until it is back")  # type: ignore[union-attr]
    assert len(json_logs.matching(logger="papertide.access", status=503)) == 6


def test_a_sqlite_database_that_cannot_be_opened_is_503_too(tmp_path):
    (tmp_path / "papertide.db").mkdir()  # a folder where the file should be: "unable to open database file"
    url = f"sqlite:///{tmp_path / 'papertide.db'}"
    db = Database(url)
    with TestClient(app_for(_settings(tmp_path, url), db), raise_server_exceptions=False) as client:
        r = client.get("/")
        assert (r.status_code, r.headers["retry-after"]) == (503, "60")
        assert client.get("/readyz").json()["not_ready"] == ["database", "schema", "search"]
    db.dispose()


def test_an_error_in_our_own_statement_stays_a_500(sqlite_db, tmp_path):
    # "no such table" is an OperationalError too, but raised by a statement on a live connection: a bug.
    with sqlite_db.write() as conn:
        conn.exec_driver_sql("DROP TABLE daily_listings")
    with TestClient(app_for(_settings(tmp_path, sqlite_db.url), sqlite_db), raise_server_exceptions=False) as client:
        r = client.get("/")
    assert r.status_code == 500 and "retry-after" not in r.headers


@pytest.fixture
def pg_database(pg_server) -> Iterator[tuple[Database, str]]:  # type: ignore[no-untyped-def]
    name = f"pt_down_{free_port()}"
    db = Database(pg_server.create(name))
    yield db, name
    db.dispose()
    with pg_server.admin.connect() as conn:
        conn.exec_driver_sql(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
    pg_server.drop(name)


def _cut_off(pg_server, name: str, allow: bool) -> None:  # type: ignore[no-untyped-def]
    """Refuse (or allow again) new connections to ``name`` and end the ones it has: the server going away."""
    with pg_server.admin.connect() as conn:
        conn.exec_driver_sql(f"ALTER DATABASE {name} ALLOW_CONNECTIONS {'true' if allow else 'false'}")
        if not allow:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                         {"n": name})


def test_a_signed_in_member_gets_the_503_page_when_postgres_goes_away_and_pages_once_it_is_back(
        pg_server, pg_database, tmp_path, json_logs):
    db, name = pg_database
    with TestClient(app_for(_settings(tmp_path, db.url), db), raise_server_exceptions=False) as client:
        sign_in(client, "reader@example.org")
        assert client.get("/").status_code == 200
        _cut_off(pg_server, name, allow=False)
        # Rendering the error page must not ask the database who is signed in.
        for path in ("/", "/profile", "/for-you"):
            r = client.get(path)
            assert (r.status_code, r.headers.get("retry-after")) == (503, "60"), path
            assert "unreachable" in r.text
        _cut_off(pg_server, name, allow=True)
        assert client.get("/").status_code == 200
    assert not [r for r in _warnings(json_logs) if "exc_info" in r]


def test_the_page_cache_says_once_that_it_reads_the_generation_again(pg_server, pg_database, tmp_path, json_logs):
    db, name = pg_database
    with TestClient(app_for(_settings(tmp_path, db.url), db), raise_server_exceptions=False) as client:
        client.get("/")
        _cut_off(pg_server, name, allow=False)
        client.get("/")
        client.get("/about")
        _cut_off(pg_server, name, allow=True)
        client.get("/")
        client.get("/about")
    said = [(r["level"], r["message"]) for r in json_logs.matching(logger="papertide.storage.page_generation")]
    assert [level for level, _ in said] == ["WARNING", "INFO"], said
    assert said[1][1] == "the page generation can be read again; caching pages"



def test_metrics_scrapes_during_an_outage_log_one_line_not_a_traceback_each(tmp_path, json_logs):
    # Prometheus scrapes every 15 s: each scrape while PostgreSQL restarted logged "metrics: could
    # not read the database" with a 40-line traceback.
    from papertide.monitoring import DatabaseCollector

    db = Database(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/nothing?connect_timeout=2")
    collector = DatabaseCollector(db)
    for _ in range(3):
        assert [(m.name, [s.value for s in m.samples]) for m in collector.collect()] == [("papertide_database_up", [0])]
    db.dispose()
    lines = [r for r in json_logs.records() if r["logger"] == "papertide.monitoring"]
    assert [(r["level"], "exc_info" in r) for r in lines] == [("WARNING", False)]
    assert str(lines[0]["message"]).startswith("metrics: the database is unreachable (connection failed: ")


def test_metrics_that_fail_on_a_statement_keep_the_traceback(tmp_path, json_logs):
    from papertide.monitoring import DatabaseCollector

    db = Database(f"sqlite:///{tmp_path / 'unmigrated.db'}")  # no tables: a bug to fix, not an outage
    assert [m.name for m in DatabaseCollector(db).collect()] == ["papertide_database_up"]
    db.dispose()
    lines = [r for r in json_logs.records() if r["logger"] == "papertide.monitoring"]
    assert [(r["level"], "exc_info" in r) for r in lines] == [("WARNING", True)]

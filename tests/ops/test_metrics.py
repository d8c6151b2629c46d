"""/metrics over real HTTP: per-route latency and status counts, search and job metrics, the
database gauges read at scrape time, access rules, and the sum across `serve --workers 2`."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from papertide.domain.ingest import RunCounts, RunStatus
from papertide.jobs import Every, Job, JobRunner
from papertide.storage import ingest_runs, outbox
from papertide.storage.migrate import upgrade
from papertide.storage.tables.email import outbox as outbox_table
from papertide.telemetry.metrics import exposition
from papertide.web.routes.ops import metrics_access
from tests.factories import add_papers, app_for, make_paper
from tests.live import free_port, serve_app
from tests.ops.conftest import samples, value

REPO = Path(__file__).resolve().parents[2]


def _message(n: int) -> outbox.OutboxMessage:
    return outbox.OutboxMessage(f"test:{n}", "notice", f"r{n}@example.org", f"<m{n}@example.org>", "Hi", "Subject: Hi\n\nx")


def test_metrics_count_and_time_requests_by_route_template_and_read_queues_from_the_database(db, settings):
    add_papers(db, make_paper("2606.00001", title="Graph transformers"), make_paper("2606.00002"))
    now = datetime.now(UTC)
    with db.write() as conn:
        outbox.enqueue(conn, [_message(1), _message(2)], now - timedelta(minutes=10))
        # Queued ten minutes ago (the row's created_at is the database's clock at insert).
        conn.execute(sa.update(outbox_table).where(outbox_table.c.idempotency_key == "test:1")
                     .values(created_at=now - timedelta(minutes=10)))
        run = ingest_runs.start_run(conn, "oai", "2026-06-01", now - timedelta(hours=3))
        ingest_runs.finish_run(conn, run, RunStatus.SUCCEEDED, RunCounts(), now=now - timedelta(hours=2))
    with serve_app(app_for(settings, db)) as base, httpx.Client(base_url=base) as http:
        before = http.get("/metrics").text
        assert http.get("/papers/2606.00001").status_code == 200
        assert http.get("/papers/2606.00002").status_code == 200
        assert http.get("/papers/2999.99999").status_code == 404
        assert http.get("/search", params={"q": "graph transformers"}).status_code == 200
        r = http.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    after = r.text
    route = {"method": "GET", "route": "/papers/{raw_id}"}
    delta = value(after, "papertide_http_request_duration_seconds_count", **route) - value(
        before, "papertide_http_request_duration_seconds_count", **route)
    assert delta == 3
    for status, n in (("200", 2), ("404", 1)):
        assert value(after, "papertide_http_requests_total", **route, status=status) - value(
            before, "papertide_http_requests_total", **route, status=status) == n
    # Labels are templates, never the raw paths (bounded however many papers there are).
    assert not [k for k in samples(after) if any("2606.00001" in v for _, v in k[1])]
    assert value(after, "papertide_search_duration_seconds_count", mode="hybrid") > value(
        before, "papertide_search_duration_seconds_count", mode="hybrid")
    assert value(after, "papertide_database_up") == 1
    assert value(after, "papertide_outbox_messages", status="pending") == 2
    assert value(after, "papertide_outbox_messages", status="sent") == 0
    assert 590 <= value(after, "papertide_outbox_oldest_pending_age_seconds") <= 900
    assert 7190 <= value(after, "papertide_ingest_seconds_since_success", source="oai") <= 7500
    assert value(after, "papertide_ingest_last_success_timestamp_seconds", source="oai") == pytest.approx(
        (now - timedelta(hours=2)).timestamp(), abs=1)


def test_job_runs_failures_and_durations_are_counted_per_job(db):
    def boom(stop: threading.Event) -> None:
        raise RuntimeError("feed unreachable")

    runner = JobRunner(db, [Job("ops.ok", Every(60), lambda stop: None), Job("ops.boom", Every(60), boom)])
    before = exposition().decode()
    runner.run_now("ops.ok")
    runner.run_now("ops.ok")
    runner.run_now("ops.boom")
    after = exposition().decode()
    for job, outcome, n in (("ops.ok", "succeeded", 2), ("ops.boom", "failed", 1), ("ops.boom", "succeeded", 0)):
        assert value(after, "papertide_job_runs_total", job=job, outcome=outcome) - value(
            before, "papertide_job_runs_total", job=job, outcome=outcome) == n
    assert value(after, "papertide_job_duration_seconds_count", job="ops.ok") - value(
        before, "papertide_job_duration_seconds_count", job="ops.ok") == 2


@pytest.mark.parametrize(("client", "authorization", "allow", "token", "expected"), [
    ("127.0.0.1", None, "127.0.0.1,::1", "", "ok"),
    ("::1", None, "127.0.0.1,::1", "", "ok"),
    ("::ffff:127.0.0.1", None, "127.0.0.1", "", "ok"),
    ("203.0.113.9", None, "127.0.0.1,::1", "", "forbidden"),
    ("10.1.2.3", None, "10.0.0.0/8", "", "ok"),
    ("203.0.113.9", None, "127.0.0.1", "s3cret", "unauthorized"),
    ("203.0.113.9", "Bearer wrong", "", "s3cret", "unauthorized"),
    ("203.0.113.9", "Bearer s3cret", "", "s3cret", "ok"),
    ("203.0.113.9", "bearer s3cret", "127.0.0.1", "s3cret", "ok"),
    ("testclient", None, "127.0.0.1", "", "forbidden"),
    ("127.0.0.1", None, "", "", "off"),
])
def test_who_may_read_metrics(client, authorization, allow, token, expected):
    assert metrics_access(client, authorization, allow, token) == expected


def test_a_restricted_metrics_endpoint_refuses_without_the_token_over_real_http(sqlite_db, tmp_path):
    from papertide.config import Settings

    restricted = Settings(data_dir=tmp_path, database_url=sqlite_db.url, metrics_allow="", metrics_token="s3cret",
                          _env_file=None)  # type: ignore[call-arg]
    with serve_app(app_for(restricted, sqlite_db)) as base, httpx.Client(base_url=base) as http:
        refused = http.get("/metrics")
        assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith("Bearer")
        assert "papertide_" not in refused.text
        assert http.get("/metrics", headers={"Authorization": "Bearer nope"}).status_code == 401
        ok = http.get("/metrics", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200 and "papertide_http_requests_total" in ok.text
    elsewhere = restricted.model_copy(update={"metrics_allow": "10.0.0.0/8", "metrics_token": ""})
    with serve_app(app_for(elsewhere, sqlite_db)) as base:
        assert httpx.get(f"{base}/metrics").status_code == 403
    off = restricted.model_copy(update={"metrics_allow": "", "metrics_token": ""})
    with serve_app(app_for(off, sqlite_db)) as base:
        assert httpx.get(f"{base}/metrics").status_code == 404


def test_a_metrics_allow_list_with_a_typo_is_refused_at_start_up(tmp_path):
    from pydantic import ValidationError

    from papertide.config import Settings

    with pytest.raises(ValidationError, match="metrics_allow"):
        Settings(data_dir=tmp_path, metrics_allow="127.0.0.1,10.0.0.0/33", _env_file=None)  # type: ignore[call-arg]


def test_serve_with_two_workers_sums_every_process_in_each_scrape(tmp_path):
    """`papertide serve --workers 2`: whichever process answers /metrics reports both processes' requests."""
    db_path = tmp_path / "papertide.db"
    from papertide.storage.db import Database

    db = Database(f"sqlite:///{db_path}")
    upgrade(db)
    db.dispose()
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO), "PAPERTIDE_DATA_DIR": str(tmp_path), "PAPERTIDE_SEARCH_EMBEDDER": "null",
           "PAPERTIDE_LOG_FORMAT": "json", "PAPERTIDE_JOBS_SEARCH_ENABLED": "false"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    proc = subprocess.Popen([sys.executable, "-m", "papertide", "serve", "--port", str(port), "--workers", "2",
                             "--no-worker"], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/readyz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and proc.poll() is None, "serve did not become ready"
            time.sleep(0.2)
        access: list[dict[str, object]] = []
        reader = threading.Thread(target=_read_json_lines, args=(proc, access), daemon=True)
        reader.start()
        sent = 0
        # A new connection per request; the kernel hands each to either process. Go on until
        # both have answered some (the access lines name the pid), so the sum must span them.
        while len({r["process"] for r in list(access) if r.get("path") == "/healthz"}) < 2:
            assert sent < 400, "one worker answered every request"
            with httpx.Client(base_url=base) as http:
                assert http.get("/healthz", headers={"Connection": "close"}).status_code == 200
            sent += 1
            time.sleep(0.01)
        for _ in range(6):  # whichever process answers the scrape reports both
            text = httpx.get(f"{base}/metrics").text
            assert value(text, "papertide_http_requests_total", method="GET", route="/healthz", status="200") == sent
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    assert proc.returncode == 0


def _read_json_lines(proc: subprocess.Popen[str], into: list[dict[str, object]]) -> None:
    assert proc.stderr is not None
    for line in proc.stderr:
        if line.startswith("{"):
            into.append(json.loads(line))

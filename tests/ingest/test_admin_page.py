"""/admin/ingest lists recorded runs to signed-in admins, or to whoever holds the admin token."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from papertide.domain.ingest import RunCounts, RunStatus
from papertide.ingest.service import IngestService
from papertide.storage import ingest_runs
from tests.community.conftest import sign_in
from tests.factories import app_for
from tests.ingest.oai_docs import demo_records


def _record_runs(db) -> None:
    with db.write() as conn:
        ok = ingest_runs.start_run(conn, "oai", "cs (arXivRaw) 2026-06-01..2026-06-02")
        ingest_runs.finish_run(conn, ok, RunStatus.SUCCEEDED, RunCounts(fetched=8, inserted=8, pages=3))
        bad = ingest_runs.start_run(conn, "hf", "2026-06-02")
        ingest_runs.finish_run(conn, bad, RunStatus.FAILED, RunCounts(), "hf at 2026-06-02 page 1: malformed JSON <b>")


def test_admin_page_lists_runs_with_their_errors(client, db):
    _record_runs(db)
    assert client.get("/admin/ingest").status_code == 403  # anonymous, even in dev mode
    sign_in(client, "member@example.org")
    assert client.get("/admin/ingest").status_code == 403
    sign_in(client, "root@example.org", role="admin")
    r = client.get("/admin/ingest")
    assert r.status_code == 200
    assert "cs (arXivRaw) 2026-06-01..2026-06-02" in r.text and "succeeded" in r.text
    assert "malformed JSON &lt;b&gt;" in r.text  # escaped


def test_admin_page_needs_the_token_when_one_is_set(settings, db):
    app = app_for(settings.model_copy(update={"admin_token": "s3cret-admin-token"}), db)
    with TestClient(app) as c:
        assert c.get("/admin/ingest").status_code == 403
        assert c.get("/admin/ingest", headers={"X-Admin-Token": "wrong"}).status_code == 403
        assert c.get("/admin/ingest", headers={"X-Admin-Token": "s3cret-admin-token"}).status_code == 200
        assert c.get("/admin/ingest?token=s3cret-admin-token").status_code == 200


def test_admin_page_is_hidden_outside_dev_mode_without_a_token(settings, db):
    prod = settings.model_copy(update={"dev_mode": False, "secret_key": "x" * 40})
    with TestClient(app_for(prod, db)) as c:
        assert c.get("/admin/ingest").status_code == 404


def test_admin_jobs_page_shows_each_job_with_its_last_error(settings, db):
    # An offline instance: the scheduled ingest fails with a clear message, the other jobs don't care.
    app = app_for(settings.model_copy(update={"ingest_offline": True, "ingest_every_hours": 6}), db)
    with TestClient(app) as c:
        run = app.state.services.jobs.run_now("ingest.daily")
        assert run is not None and run.outcome == "failed"
        assert c.get("/admin/jobs").status_code == 403
        sign_in(c, "root@example.org", role="admin")
        page = c.get("/admin/jobs").text
    for name in ("digests.compose", "email.outbox", "ingest.daily", "search.index"):
        assert name in page
    assert "this instance does not fetch from the network" in page and "failed" in page
    assert "every 6 h" in page or "6h" in page or "21600" in page  # the schedule is shown


def test_an_import_stopped_with_ctrl_c_is_recorded_as_ended_not_running_for_ever(client, db, settings, tmp_path):
    """Ctrl-C (KeyboardInterrupt) during `papertide import` used to leave its run "running" on the page."""
    records = tmp_path / "records.jsonl"
    records.write_text("".join(json.dumps(r) + "\n" for r in demo_records(8)), encoding="utf-8")

    def ctrl_c(_done: int) -> None:
        raise KeyboardInterrupt

    service = IngestService(db, settings)
    with pytest.raises(KeyboardInterrupt):
        service.import_records_file(records, on_progress=ctrl_c)
    [run] = service.runs(5)
    assert (run.status, run.finished_at is not None) == (RunStatus.FAILED, True)
    assert run.error is not None and "interrupted" in run.error
    sign_in(client, "root@example.org", role="admin")
    page = client.get("/admin/ingest").text
    assert "run-failed" in page and "run-running" not in page

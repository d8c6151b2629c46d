"""What a running job shows: on which worker, since when (a hung job renewing its lease forever is
otherwise invisible), when its lease ends; and what `jobs run` says a run did."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import Enum

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from papertide.cli import app as papertide_cli
from papertide.domain.jobs import result_summary, span
from papertide.jobs import Every, Job, JobRunner
from papertide.storage import jobs as jobs_store
from tests.community.conftest import sign_in
from tests.factories import app_for
from tests.jobs.conftest import T0, job_cli


def test_a_hung_job_shows_since_when_it_runs_and_jobs_run_names_the_worker_and_its_lease(db, clock, monkeypatch):
    from papertide.cli import jobs as jobs_cli

    started, release = threading.Event(), threading.Event()

    def hang(stop: threading.Event) -> None:
        started.set()
        release.wait(30)

    # The heartbeat's second look at the clock after it moved comes after its first renewal at the
    # new time has committed: what the observer reads below is then settled, however slow the
    # machine (a fixed sleep here left the lease expired on a loaded one, and the run "not running").
    moved, renewals = T0 + timedelta(minutes=37), []
    renewed = threading.Event()

    def worker_clock() -> datetime:
        now = clock.now
        if threading.current_thread().name == "papertide-lease-hang" and now >= moved:
            renewals.append(now)
            if len(renewals) == 2:
                renewed.set()
        return now

    clock.now = T0 + timedelta(minutes=2)
    worker = JobRunner(db, [Job("hang", Every(3600), hang)], clock=worker_clock, lease_seconds=0.3,
                       worker_id="host-a:4242")
    running = threading.Thread(target=worker.tick)
    running.start()
    try:
        assert started.wait(20)
        clock.now = moved
        assert renewed.wait(20)  # the heartbeat renewed the lease at the new time: the start stays where it was
        observer = JobRunner(db, [Job("hang", Every(3600), hang)], clock=clock, worker_id="host-b:1")
        [s] = observer.status()
        assert (s.running_by, s.running_since) == ("host-a:4242", T0 + timedelta(minutes=2))
        assert s.lease_until is not None and s.lease_until > clock.now

        monkeypatch.setattr(jobs_cli.console, "width", 250)
        table = CliRunner().invoke(job_cli(observer), ["jobs", "status"]).output
        assert "running on host-a:4242 since 09:02 UTC (35 min)" in table, table
        monkeypatch.setattr(jobs_cli.console, "width", 80)
        lines = CliRunner().invoke(job_cli(observer), ["jobs", "status"]).output
        assert "now running on host-a:4242 since 09:02 UTC (35 min)" in lines, lines

        refused = CliRunner().invoke(job_cli(observer), ["jobs", "run", "hang"])
        assert refused.exit_code == 1
        assert " ".join(refused.output.split()) == (
            "hang is running on another worker, host-a:4242, since 09:02 UTC (35 min); its lease ends at "
            f"{s.lease_until:%H:%M:%S} UTC unless that worker renews it. Not started.")
    finally:
        release.set()
        running.join(30)
    [done] = JobRunner(db, [Job("hang", Every(3600), hang)], clock=clock).status()
    assert (done.running_by, done.running_since, done.lease_until) == (None, None, None)


def test_the_admin_jobs_page_shows_since_when_a_job_runs(settings, db):
    app = app_for(settings, db)
    now = datetime.now(UTC)
    with TestClient(app) as c:
        with db.write() as conn:
            jobs_store.ensure(conn, ["email.outbox"])
            assert jobs_store.claim_now(conn, "email.outbox", "host-b:77", now - timedelta(minutes=35, seconds=10),
                                        now + timedelta(minutes=5))
        sign_in(c, "root@example.org", role="admin")
        page = c.get("/admin/jobs").text
    since = (now - timedelta(minutes=35, seconds=10)).strftime("%H:%M")
    assert f"running on host-b:77 since {since} UTC (35 min)" in page, page


def test_jobs_run_prints_what_the_run_did(sqlite_db, tmp_path):
    # github.stars with ingest offline asks GitHub nothing: "succeeded in 0.00 s" alone read as if it had.
    env = {"PAPERTIDE_DATABASE_URL": sqlite_db.url, "PAPERTIDE_DATA_DIR": str(tmp_path),
           "PAPERTIDE_SEARCH_EMBEDDER": "null", "PAPERTIDE_INGEST_OFFLINE": "true"}
    result = CliRunner().invoke(papertide_cli, ["jobs", "run", "github.stars"], env=env)
    assert result.exit_code == 0, result.output
    assert "github.stars succeeded in " in result.output
    assert "asked 0, changed 0, unchanged 0, missing 0, stopped offline (PAPERTIDE_INGEST_OFFLINE)" in " ".join(
        result.output.split()), result.output


class _Said:
    def summary(self) -> str:
        return "composed 2 digests"


class _Status(Enum):
    OK = "succeeded"


@dataclass
class _Report:
    asked: int = 0
    status: _Status = _Status.OK
    seconds: float = 1.5
    errors: list[str] = field(default_factory=list)
    ids: list[int] = field(default_factory=lambda: [7, 8])
    stopped: str = ""
    day: date | None = None
    nested: object = None


def test_a_runs_summary_is_its_own_words_or_its_reports_fields():
    assert [result_summary(r) for r in (_Said(), _Report(), [_Report(asked=3), _Said()], 3, True, None, [], _Report)] == [
        "composed 2 digests",
        "asked 0, status succeeded, seconds 1.50, ids 2",
        "asked 3, status succeeded, seconds 1.50, ids 2; composed 2 digests",
        None, None, None, None, None,
    ]


def test_a_running_time_reads_in_minutes_then_hours_then_days():
    assert [span(timedelta(minutes=m)) for m in (-1, 0, 35, 119, 125, 47 * 60 + 59, 50 * 60)] == [
        "0 min", "0 min", "35 min", "119 min", "2 h 5 min", "47 h 59 min", "2 d 2 h"]

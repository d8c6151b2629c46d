"""``worker`` and ``jobs status|run`` (papertide/cli/jobs.py), and workers that get SIGTERM or SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta

from typer.testing import CliRunner

from papertide.jobs import Every, Job, JobRunner
from papertide.storage.db import PG_CONNECT_TIMEOUT_SECONDS
from tests.jobs.conftest import T0, Clock, job_cli
from tests.jobs.worker_script import HANG_AT
from tests.live import silent_server

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_jobs_status_and_run(db, clock, monkeypatch):
    from papertide.cli import jobs as jobs_cli

    monkeypatch.setattr(jobs_cli.console, "width", 250)  # the status table is wide; the test terminal may not be
    def boom(stop: threading.Event) -> None:
        raise RuntimeError("feed unreachable")

    runner = JobRunner(db, [Job("ok", Every(60), lambda stop: None), Job("boom", Every(3600), boom, enabled=False)],
                       clock=clock)
    app, cli = job_cli(runner), CliRunner()
    ok = cli.invoke(app, ["jobs", "run", "ok"])
    assert ok.exit_code == 0 and "ok succeeded" in ok.output, ok.output
    failed = cli.invoke(app, ["jobs", "run", "boom"])
    assert failed.exit_code == 1 and "RuntimeError: feed unreachable" in failed.output
    unknown = cli.invoke(app, ["jobs", "run", "nope"])
    assert unknown.exit_code == 2 and "jobs: ok, boom" in unknown.output
    status = cli.invoke(app, ["jobs", "status"], env={"COLUMNS": "250"})
    assert status.exit_code == 0, status.output
    lines = {line.split()[1]: line for line in status.output.splitlines() if line.startswith("│ ")}
    assert "every 1 min" in lines["ok"] and "succeeded" in lines["ok"] and "now" in lines["ok"]
    assert "off (every 1 h)" in lines["boom"] and "failed" in lines["boom"] and "RuntimeError: feed unreachable" in lines[
        "boom"]


def test_jobs_status_in_an_80_column_terminal_keeps_names_and_times_whole(db, clock, monkeypatch):
    # The names are what `jobs run NAME` takes; they used to be cut to "digests.…" (and every
    # date to "2026-06-…") in a default-width terminal, a pipe or a journal.
    from papertide.cli import jobs as jobs_cli

    monkeypatch.setattr(jobs_cli.console, "width", 80)
    names = ["digests.compose", "recs.fetch_pending", "recs.vocabulary", "thumbnails.render"]
    runner = JobRunner(db, [Job(n, Every(3600), lambda stop: None) for n in names], clock=clock)
    runner.tick()
    status = CliRunner().invoke(job_cli(runner), ["jobs", "status"])
    assert status.exit_code == 0, status.output
    assert "…" not in status.output and all(n in status.output for n in names), status.output
    assert status.output.count(f"{T0:%Y-%m-%d %H:%M:%S} UTC") == len(names), status.output
    monkeypatch.setattr(jobs_cli.console, "width", 150)  # wide enough for the table: one line per job
    table = CliRunner().invoke(job_cli(runner), ["jobs", "status"]).output
    assert all(any(line.startswith(f"│ {n} ") and f"{T0:%Y-%m-%d %H:%M:%S} UTC" in line for line in table.splitlines())
               for n in names), table


def _spawn(db_url: str, mode: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": REPO}
    proc = subprocess.Popen([sys.executable, "-m", "tests.jobs.worker_script", db_url, mode], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "started"  # blocks until the job runs
    return proc


def test_sigterm_stops_the_worker_promptly_and_releases_the_slot(db):
    proc = _spawn(db.url, "serve")
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    assert time.monotonic() - t0 < 10
    [s] = JobRunner(db, [Job("drain", Every(3600), lambda stop: None)]).status()
    assert (s.last_outcome, s.running_by) == ("interrupted", None)
    assert s.next_run is not None and s.next_run <= datetime.now(s.next_run.tzinfo)  # its slot is due again


def test_a_crashed_workers_claim_expires_after_its_lease(db):
    at = datetime.fromisoformat(HANG_AT)
    proc = _spawn(db.url, "hang")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=15)
    clock = Clock(at + timedelta(seconds=30))
    ran: list[int] = []
    survivor = JobRunner(db, [Job("hang", Every(3600), lambda stop: ran.append(1))], clock=clock, lease_seconds=60)
    assert survivor.tick() == []  # the dead worker's lease still runs
    assert survivor.status()[0].running_by == "crashed-worker"
    clock.now = at + timedelta(seconds=61)
    assert [(r.slot, r.outcome) for r in survivor.tick()] == [(at.replace(minute=0), "succeeded")]
    assert ran == [1] and survivor.status()[0].running_by is None


def test_jobs_status_against_a_database_host_that_never_answers_says_so_within_seconds(tmp_path, monkeypatch):
    from papertide.cli import app as papertide_cli

    with silent_server() as port:
        monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
        monkeypatch.setenv("PAPERTIDE_DATABASE_URL", f"postgresql+psycopg://nobody@127.0.0.1:{port}/nothing")
        results: list = []
        asking = threading.Thread(target=lambda: results.append(CliRunner().invoke(papertide_cli, ["jobs", "status"])),
                                  daemon=True)
        asking.start()
        asking.join(PG_CONNECT_TIMEOUT_SECONDS + 10)
        assert not asking.is_alive(), "`papertide jobs status` still waiting for the database"
    [result] = results
    assert result.exit_code == 2 and "cannot connect to the database" in result.output, result.output


def test_jobs_run_in_a_terminal_shows_how_far_a_long_job_has_got(db, clock, monkeypatch):
    # `jobs run search.keywords` printed nothing for 4 minutes on a 241k-paper instance.
    import io

    from rich.console import Console

    from papertide.cli import jobs as jobs_cli

    def count(stop: threading.Event, progress) -> int:  # type: ignore[no-untyped-def]
        for done in range(0, 241_793, 60_448):
            progress(done, 241_792)
        return 241_792

    screen = io.StringIO()
    monkeypatch.setattr(jobs_cli, "err", Console(file=screen, force_terminal=True, width=100))
    runner = JobRunner(db, [Job("count", Every(60), count, reports_progress=True)], clock=clock)
    result = CliRunner().invoke(job_cli(runner), ["jobs", "run", "count"])
    assert result.exit_code == 0 and "count succeeded" in result.output, result.output
    assert "count" in screen.getvalue() and "241792/241792" in screen.getvalue(), screen.getvalue()


def test_ctrl_c_during_jobs_run_says_the_run_stopped_and_was_recorded(db, clock):
    # Typer turned Ctrl-C into a silent exit 130: had the job done anything, was it still running?
    import _thread

    def pressed(stop: threading.Event) -> None:
        _thread.interrupt_main()  # this job runs in the main thread: Ctrl-C lands inside it
        time.sleep(5)

    runner = JobRunner(db, [Job("long", Every(3600), pressed)], clock=clock)
    result = CliRunner().invoke(job_cli(runner), ["jobs", "run", "long"])
    assert result.exit_code == 130, result.output
    said = " ".join(result.output.split())
    assert "Interrupted: long stopped before it finished; its run is recorded as interrupted" in said, said
    [status] = runner.status()
    assert (status.last_outcome, status.running_by) == ("interrupted", None)

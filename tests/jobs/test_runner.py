"""The job runner on real SQLite and PostgreSQL: once per slot, failures, status, disable, stop, leases."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from datetime import timedelta

import sqlalchemy as sa

from papertide.jobs import Every, Job, JobFailed, JobRunner, JobStatus
from papertide.storage import jobs as jobs_store
from papertide.storage.db import Database
from tests.jobs.conftest import T0, Clock


def _counter() -> tuple[list[threading.Event], Job]:
    ran: list[threading.Event] = []
    return ran, Job("count", Every(60), lambda stop: ran.append(stop))


def test_two_runners_racing_run_a_job_once_per_slot(db, clock):
    other = Database(db.url)  # its own engine and pool, as another worker process has
    ran, job = _counter()
    runners = [JobRunner(d, [job], clock=clock) for d in (db, other)]
    barrier = threading.Barrier(2)
    runs: list = []

    def race(runner: JobRunner) -> None:
        for minute in range(6):
            barrier.wait()
            for second in (1, 30):  # two ticks in each slot
                runs.extend(runner.tick(T0 + timedelta(minutes=minute, seconds=second)))

    threads = [threading.Thread(target=race, args=(r,)) for r in runners]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    other.dispose()
    assert sorted(r.slot for r in runs) == [T0 + timedelta(minutes=m) for m in range(6)]
    assert len(ran) == 6


def test_a_failing_job_is_logged_and_recorded_while_the_others_still_run(db, clock, caplog):
    ran, ok = _counter()

    def boom(stop: threading.Event) -> None:
        raise RuntimeError("the source is down")

    runner = JobRunner(db, [Job("boom", Every(60), boom), ok], clock=clock)
    with caplog.at_level(logging.ERROR, logger="papertide.jobs.runner"):
        runs = runner.tick()
    assert [(r.name, r.slot, r.outcome, r.error) for r in runs] == [
        ("boom", T0, "failed", "RuntimeError: the source is down"), ("count", T0, "succeeded", None)]
    assert [(r.getMessage(), r.exc_info[0]) for r in caplog.records] == [("job boom failed", RuntimeError)]
    # A failed slot is used up (no hammering); the next slot tries again.
    assert runner.tick(T0 + timedelta(seconds=30)) == []
    assert [r.name for r in runner.tick(T0 + timedelta(minutes=1))] == ["boom", "count"]


def test_a_job_that_states_why_it_failed_is_logged_in_one_line_without_a_traceback(db, clock, caplog):
    def away(stop: threading.Event) -> None:
        raise JobFailed("GitHub unreachable")

    runner = JobRunner(db, [Job("away", Every(60), away)], clock=clock)
    with caplog.at_level(logging.WARNING, logger="papertide.jobs.runner"):
        [run] = runner.tick()
    assert (run.outcome, run.error) == ("failed", "JobFailed: GitHub unreachable")
    assert [(r.levelname, r.getMessage(), r.exc_info) for r in caplog.records] == [
        ("WARNING", "job away failed: GitHub unreachable", None)]
    with db.read() as conn:
        assert jobs_store.records(conn)["away"].last_error == "JobFailed: GitHub unreachable"


def test_a_failed_statement_is_recorded_as_the_database_said_it_without_the_sql_or_its_values(db, clock, caplog):
    # /admin/jobs and `jobs status` showed 4,000 characters of SQLAlchemy's "[SQL: INSERT …]
    # [parameters: …]" (a batch of vectors, or a member's address) instead of the reason.
    def bad_statement(stop: threading.Event) -> None:
        with db.read() as conn:
            conn.execute(sa.text("SELECT * FROM no_such_table WHERE email = :email"), {"email": "someone@example.org"})

    runner = JobRunner(db, [Job("bad", Every(60), bad_statement)], clock=clock)
    with caplog.at_level(logging.ERROR, logger="papertide.jobs.runner"):
        [run] = runner.tick()
    with db.read() as conn:
        recorded = jobs_store.records(conn)["bad"].last_error
    assert run.error == recorded
    if db.is_sqlite:
        assert recorded == "OperationalError: no such table: no_such_table"
    else:
        assert recorded is not None and recorded.startswith(
            'ProgrammingError: relation "no_such_table" does not exist\nLINE 1: SELECT * FROM no_such_table WHERE')
        assert "someone@example.org" not in recorded and "[SQL" not in recorded
    assert caplog.records[0].exc_info is not None  # the log keeps the traceback, statement and all

def test_a_failing_job_does_not_stop_the_others_in_worker_threads(db):
    ran_three_times = threading.Event()
    ran: list[int] = []

    def ok(stop: threading.Event) -> None:
        ran.append(1)
        if len(ran) >= 3:
            ran_three_times.set()

    boomed = threading.Event()

    def boom(stop: threading.Event) -> None:
        boomed.set()
        raise RuntimeError("always")

    runner = JobRunner(db, [Job("boom", Every(0.05), boom), Job("ok", Every(0.05), ok)])
    runner.start()
    try:
        # Both, not only "ok": on a loaded machine boom's thread may not have run yet when ok has run
        # three times, leaving its status empty. stop() joins the threads, so each run
        # begun is recorded before the status is read.
        assert ran_three_times.wait(20) and boomed.wait(20)
    finally:
        assert runner.stop()
    by_name = {s.name: s for s in runner.status()}
    assert (by_name["boom"].last_outcome, by_name["boom"].last_error) == ("failed", "RuntimeError: always")
    assert (by_name["ok"].last_outcome, by_name["ok"].last_error) == ("succeeded", None)


def test_status_shows_last_run_next_run_and_last_error(db, clock):
    fail = [True]

    def flaky(stop: threading.Event) -> None:
        if fail[0]:
            raise ValueError("bad feed")

    runner = JobRunner(db, [Job("flaky", Every(60), flaky, description="Flaky."), Job("later", Every(3600), flaky)],
                       clock=clock)
    never = runner.status()
    assert [(s.name, s.last_started_at, s.next_run) for s in never] == [("flaky", None, T0), ("later", None, T0)]

    clock.now = T0 + timedelta(seconds=5)
    runner.tick()
    fail[0] = False
    clock.now = T0 + timedelta(minutes=1, seconds=5)
    runner.tick()  # flaky succeeds in the next slot; "later" already ran this hour
    flaky_status, later_status = (replace(s, last_duration_seconds=None) for s in runner.status())
    assert flaky_status == JobStatus(
        name="flaky", description="Flaky.", schedule="every 1 min", enabled=True, scope="cluster",
        last_started_at=T0 + timedelta(minutes=1, seconds=5), last_finished_at=T0 + timedelta(minutes=1, seconds=5),
        last_duration_seconds=None, last_outcome="succeeded", last_error="ValueError: bad feed",
        last_error_at=T0 + timedelta(seconds=5), running_by=None, next_run=T0 + timedelta(minutes=2),
    )
    assert (later_status.last_outcome, later_status.last_error, later_status.next_run) == (
        "failed", "ValueError: bad feed", T0 + timedelta(hours=1))
    assert all(s.last_duration_seconds is not None and s.last_duration_seconds >= 0 for s in runner.status())


def test_a_disabled_job_never_runs(db, clock):
    disabled: list[int] = []
    probe_ran_twice = threading.Event()
    probe: list[int] = []

    def probe_job(stop: threading.Event) -> None:
        probe.append(1)
        if len(probe) >= 2:
            probe_ran_twice.set()

    jobs = [Job("off", Every(0.05), lambda stop: disabled.append(1), enabled=False), Job("probe", Every(0.05), probe_job)]
    assert JobRunner(db, jobs, clock=clock).tick() != []  # the probe ran, "off" did not
    runner = JobRunner(db, jobs)
    runner.start()
    try:
        assert probe_ran_twice.wait(20)
    finally:
        runner.stop()
    assert disabled == []
    off = runner.status()[0]
    assert (off.name, off.enabled, off.last_started_at, off.next_run, off.schedule) == ("off", False, None, None,
                                                                                        "every 0.05 s")


def test_stop_during_a_long_job_returns_promptly_and_releases_its_slot(db, clock):
    started = threading.Event()

    def drain(stop: threading.Event) -> None:  # like OutboxSender.drain: works until told to stop
        started.set()
        stop.wait()

    clock.now = T0 + timedelta(minutes=30)
    runner = JobRunner(db, [Job("drain", Every(3600), drain, stoppable=True)], clock=clock)
    runner.start()
    assert started.wait(20)
    busy = JobRunner(db, [Job("drain", Every(3600), drain)], clock=clock)
    assert busy.tick() == [] and busy.run_now("drain") is None  # running elsewhere: neither starts it
    assert runner.status()[0].running_by == runner.worker_id

    t0 = time.monotonic()
    assert runner.stop(timeout=10)
    assert time.monotonic() - t0 < 5
    [s] = runner.status()
    assert (s.last_outcome, s.running_by, s.next_run) == ("interrupted", None, T0)  # released: due again

    ran, _ = _counter()
    later = JobRunner(db, [Job("drain", Every(3600), lambda stop: ran.append(stop))], clock=clock)
    assert [(r.slot, r.outcome) for r in later.tick()] == [(T0, "succeeded")]
    assert later.tick() == []


def test_a_job_does_not_overlap_itself_across_slots(db, clock):
    started, release = threading.Event(), threading.Event()

    def slow(stop: threading.Event) -> None:
        started.set()
        release.wait(20)

    job = Job("slow", Every(60), slow)
    first = JobRunner(db, [job], clock=clock)
    t = threading.Thread(target=first.tick)
    t.start()
    assert started.wait(20)
    clock.now = T0 + timedelta(minutes=1)  # the next slot begins while the first run is still going
    assert JobRunner(db, [job], clock=clock).tick() == []
    release.set()
    t.join()
    assert [r.slot for r in JobRunner(db, [job], clock=clock).tick()] == [T0 + timedelta(minutes=1)]


def test_process_scoped_jobs_run_in_every_runner_once_per_slot(db, clock):
    ran: list[str] = []
    runners = [JobRunner(db, [Job("refresh", Every(60), lambda stop, n=n: ran.append(n), scope="process")], clock=clock)
               for n in ("web-1", "web-2")]
    for r in runners:
        r.tick()
        r.tick(T0 + timedelta(seconds=30))
    assert ran == ["web-1", "web-2"]
    assert runners[0].status()[0].next_run == T0 + timedelta(minutes=1)


def test_run_now_runs_a_job_outside_its_schedule_without_using_up_the_slot(db, clock):
    ran, job = _counter()
    runner = JobRunner(db, [replace(job, enabled=False)], clock=clock)
    run = runner.run_now("count")
    assert run is not None and (run.slot, run.outcome) == (None, "succeeded")
    assert len(ran) == 1
    scheduled = JobRunner(db, [job], clock=clock)
    assert [r.slot for r in scheduled.tick()] == [T0]


def test_job_names_are_unique(db):
    _, job = _counter()
    try:
        JobRunner(db, [job, job])
    except ValueError as exc:
        assert "unique" in str(exc)
    else:
        raise AssertionError("duplicate job names were accepted")


def test_a_runner_with_its_own_clock_is_still_a_clock(clock: Clock):
    assert clock() == T0


def test_a_database_that_is_down_is_one_warning_line_per_job_not_a_traceback(clock, caplog):
    # A restart of the database server used to print ~50 traceback lines per job per slot.
    down = Database("postgresql+psycopg://nobody@127.0.0.1:1/papertide")  # port 1: refused at once

    def reads(stop: threading.Event) -> None:
        with down.read():
            pass

    runner = JobRunner(down, [Job("count", Every(60), lambda stop: None), Job("local", Every(60), reads,
                                                                              scope="process")], clock=clock)
    with caplog.at_level(logging.WARNING, logger="papertide.jobs.runner"):
        runs = runner.tick()
    down.dispose()
    assert [(r.name, r.outcome) for r in runs] == [("local", "failed")]
    refused = "Connection refused"
    assert [(r.levelname, r.getMessage().split(": ", 1)[0], refused in r.getMessage(), r.exc_info) for r in
            caplog.records] == [
        ("WARNING", "job count", True, None),  # could not claim its slot
        ("WARNING", "job local failed", True, None),
        ("WARNING", "job local", True, None),  # could not record its run
    ]


def test_a_stop_requested_while_the_stop_events_lock_is_held_returns_and_stops_the_runner(db):
    # A signal handler runs on the main thread, which may be inside Event.wait() holding the event's
    # (non-reentrant) lock: a request_stop that took that lock hung the worker for good.
    ran = threading.Event()
    runner = JobRunner(db, [Job("wait", Every(3600), lambda stop: (ran.set(), stop.wait()), stoppable=True)])
    done: list[bool] = []
    serving = threading.Thread(target=lambda: done.append(runner.run_forever(5)), daemon=True)
    serving.start()
    assert ran.wait(10)

    def handler_inside_wait() -> None:
        with runner._stop._cond:  # what the main thread holds between Event.wait()'s first lines
            runner.request_stop()

    handler = threading.Thread(target=handler_inside_wait, daemon=True)
    handler.start()
    handler.join(5)
    assert not handler.is_alive(), "request_stop blocked on the stop event's lock"
    serving.join(10)
    assert done == [True] and not serving.is_alive()
    [s] = runner.status()
    assert s.last_outcome == "interrupted"


def _reporting(name: str = "count") -> Job:
    def count(stop: threading.Event, progress) -> int:  # type: ignore[no-untyped-def]
        for done in range(4):
            progress(done, 3)
        return 3

    return Job(name, Every(60), count, reports_progress=True)


def test_a_job_that_reports_progress_is_logged_once_it_has_gone_on_a_while(db, clock, caplog):
    # search.index ran for hours on a 241k-paper instance with no line in the worker's log.
    def lines() -> list[str]:
        return [r.getMessage() for r in caplog.records if "done" in r.getMessage()]

    with caplog.at_level(logging.INFO, logger="papertide.jobs.runner"):
        JobRunner(db, [_reporting()], clock=clock, progress_log_seconds=0).tick()
        assert lines() == ["job count: 0 of 3 done", "job count: 1 of 3 done", "job count: 2 of 3 done",
                           "job count: 3 of 3 done"]
        caplog.clear()
        JobRunner(db, [_reporting()], clock=clock).tick(T0 + timedelta(minutes=1))  # seconds long: no progress lines
        assert lines() == []


def test_run_now_tells_the_caller_how_far_a_reporting_job_has_got_and_others_run_as_before(db, clock):
    seen: list[tuple[int, int | None]] = []
    ran, plain = _counter()
    runner = JobRunner(db, [_reporting("reports"), plain], clock=clock)
    run = runner.run_now("reports", progress=lambda done, total: seen.append((done, total)))
    assert run is not None and (run.outcome, seen) == ("succeeded", [(0, 3), (1, 3), (2, 3), (3, 3)])
    assert runner.run_now("count", progress=lambda done, total: seen.append((done, total))) is not None
    assert len(ran) == 1 and len(seen) == 4  # called as run(stop), as before

"""The job runner: runs declared jobs on their schedules, once per slot across workers.

``JobRunner.start()`` gives each enabled job its own thread (so a long embedding pass
never delays digests), which sleeps until the job's next slot, claims it
(storage/jobs.py) and runs it; ``stop()`` sets the stop event that stoppable jobs watch
and joins the threads. ``tick()`` runs every due job once in the caller's thread (tests,
cron). A claim is a lease renewed by a heartbeat thread while the job runs, so a worker
that dies mid-run holds its slot for at most ``lease_seconds``; one that shuts down while a
job that cannot stop still runs gives the slot back at once (:meth:`release_unfinished`).

Each run gets its own id (``job-<hex>``), set as the work id, so every log line the run
causes — its own and those of the services it calls — carries it; runs are counted and
timed in the process's Prometheus metrics.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime, timedelta

from papertide.domain.jobs import (
    Job,
    JobFailed,
    JobRun,
    JobStatus,
    Outcome,
    Progress,
    job_status,
    next_after,
    result_summary,
    slot_at,
)
from papertide.storage import jobs as jobs_store
from papertide.storage.db import Connection, Database, error_text, unreachable_reason
from papertide.telemetry.context import carry_context, new_id, work_id
from papertide.telemetry.metrics import JOB_RUNS, JOB_SECONDS

log = logging.getLogger(__name__)

DEFAULT_LEASE_SECONDS = 60.0  # a claim's lease; renewed every third of it while the job runs
POLL_SECONDS = 30.0  # longest sleep between looks at a job (to notice a released or expired claim)
STOP_POLL_SECONDS = 0.2  # how often run_forever looks for a stop request (from a signal handler)
MIN_SLEEP_SECONDS = 0.01
# A job that reports progress logs "job search.index: 12,000 of 241,792 done" at most this often,
# from this long into the run: a run of hours on a big instance is not silent in the worker's log.
PROGRESS_LOG_SECONDS = 60.0


class JobRunner:
    """Runs ``jobs`` against ``db``; any number of runners may share one database."""

    def __init__(
        self, db: Database, jobs: Sequence[Job], *, lease_seconds: float = DEFAULT_LEASE_SECONDS,
        poll_seconds: float = POLL_SECONDS, clock: Callable[[], datetime] | None = None, worker_id: str | None = None,
        progress_log_seconds: float = PROGRESS_LOG_SECONDS,
    ) -> None:
        self.db = db
        self.jobs = {j.name: j for j in jobs}
        if len(self.jobs) != len(jobs):
            raise ValueError("job names must be unique")
        self.lease = timedelta(seconds=lease_seconds)
        self.poll_seconds = poll_seconds
        self.progress_log_seconds = progress_log_seconds
        self.clock = clock or (lambda: datetime.now(UTC))
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._stop = threading.Event()
        self._stop_requested = False  # set by request_stop, which a signal handler may call
        self._threads: list[threading.Thread] = []
        self._ran_slots: dict[str, datetime] = {}  # process-scoped jobs: the last slot this runner ran
        self._rows_ensured = False
        # Claimed runs in progress, by job name: (job, slot, started), for release_unfinished.
        self._running: dict[str, tuple[Job, datetime | None, datetime, float]] = {}
        self._running_lock = threading.Lock()

    def process_scoped(self) -> JobRunner:
        """A runner of this one's per-process jobs only, for a web process beside separate workers."""
        jobs = [j for j in self.jobs.values() if j.scope == "process"]
        return JobRunner(self.db, jobs, lease_seconds=self.lease.total_seconds(), poll_seconds=self.poll_seconds,
                         clock=self.clock, worker_id=self.worker_id, progress_log_seconds=self.progress_log_seconds)

    # ------------------------------------------------------------------ control

    def start(self) -> None:
        """Start one thread per enabled job; returns at once."""
        if self._threads:
            return
        self._stop.clear()
        self._stop_requested = False
        for job in self.jobs.values():
            if job.enabled:
                t = threading.Thread(target=self._loop, args=(job,), name=f"papertide-job-{job.name}", daemon=True)
                t.start()
                self._threads.append(t)

    def request_stop(self) -> None:
        """Ask :meth:`run_forever` to stop the jobs and return (safe in a signal handler).

        Only a flag is set here: ``Event.set()`` takes the event's lock, and a signal handler runs
        on the main thread, which may be holding that very lock inside ``Event.wait()`` — a SIGTERM
        arriving as a worker started waiting hung it for good.
        """
        self._stop_requested = True

    def stop(self, timeout: float = 10.0) -> bool:
        """Stop and wait up to ``timeout`` seconds; False when a job that cannot stop is still running.

        Such a job's thread is a daemon: if the process then exits, its claim expires with the lease.
        """
        self._stop.set()
        deadline = time.monotonic() + timeout
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
        alive = [t.name for t in self._threads if t.is_alive()]
        if alive:
            log.warning("jobs still running after %.0f s: %s; their claims expire after the lease", timeout, alive)
        self._threads = []
        return not alive

    def run_forever(self, grace_seconds: float = 30.0) -> bool:
        """Start, block until :meth:`request_stop`, then stop (see :meth:`stop`); a job still
        running after ``grace_seconds`` has its claim released (the caller is about to exit)."""
        self.start()
        while not (self._stop_requested or self._stop.is_set()):  # neither takes a lock
            time.sleep(STOP_POLL_SECONDS)  # a signal's handler runs, then the sleep goes on: at most this late
        stopped = self.stop(grace_seconds)
        if not stopped:
            self.release_unfinished()
        return stopped

    def release_unfinished(self) -> list[str]:
        """Give back the slots of claimed runs that are still going, as interrupted; returns their names.

        Only for a process about to exit (after :meth:`stop` returned False): the run's thread
        dies with it, and another worker may take the slot at once instead of after the lease.
        """
        with self._running_lock:
            running = list(self._running.values())
            self._running.clear()
        for job, slot, started, t0 in running:
            log.warning("job %s: still running at shutdown; releasing its slot for another worker", job.name)
            self._record(job, True, slot, "interrupted", started, time.monotonic() - t0, None)
        return [job.name for job, *_ in running]

    # ------------------------------------------------------------------ runs

    def tick(self, now: datetime | None = None) -> list[JobRun]:
        """Run every enabled job whose current slot is due, one after another, in this thread."""
        runs = []
        for job in self.jobs.values():
            if self._stop.is_set():
                break
            run = self._run_if_due(job, now)
            if run is not None:
                runs.append(run)
        return runs

    def run_now(self, name: str, progress: Progress | None = None) -> JobRun | None:
        """Run job ``name`` now, outside its schedule (even when disabled); None when a worker is running it.

        ``progress(done, total)`` is told how far a job that reports progress has got (a CLI's bar).
        Raises KeyError for an unknown name.
        """
        job = self.jobs[name]
        if job.scope == "process":
            return self._execute(job, None, claimed=False, progress=progress)
        now = self.clock()
        with self.db.write() as conn:
            self._ensure_rows(conn)
            if not jobs_store.claim_now(conn, name, self.worker_id, now, now + self.lease):
                return None
        return self._execute(job, None, claimed=True, progress=progress)

    def status(self, now: datetime | None = None) -> list[JobStatus]:
        """Every declared job with its last run, last error, and next run."""
        now = now or self.clock()
        with self.db.read() as conn:
            rows = jobs_store.records(conn)
        return [job_status(j, rows.get(j.name), now, self._ran_slots.get(j.name)) for j in self.jobs.values()]

    # ------------------------------------------------------------------ internals

    def _loop(self, job: Job) -> None:
        while not self._stop.is_set():
            try:
                self._run_if_due(job)
            except Exception as exc:  # a bad round (database restarting) must not end the job's thread
                _log_db_error(exc, "job %s: round failed; trying again", job.name)
            self._stop.wait(self._sleep_seconds(job))

    def _sleep_seconds(self, job: Job) -> float:
        now = self.clock()
        nxt = next_after(job.schedule, now)
        wait = self.poll_seconds if nxt is None else min(self.poll_seconds, (nxt - now).total_seconds())
        return max(wait, MIN_SLEEP_SECONDS)

    def _run_if_due(self, job: Job, now: datetime | None = None) -> JobRun | None:
        if not job.enabled:
            return None
        now = now or self.clock()
        slot = slot_at(job.schedule, now)
        if slot is None:
            return None
        if job.scope == "process":
            if self._ran_slots.get(job.name) == slot:
                return None
            self._ran_slots[job.name] = slot
            return self._execute(job, slot, claimed=False)
        try:
            with self.db.write() as conn:
                self._ensure_rows(conn)
                claimed = jobs_store.claim_slot(conn, job.name, slot, self.worker_id, now, now + self.lease)
        except Exception as exc:
            _log_db_error(exc, "job %s: could not claim slot %s", job.name, slot.isoformat())
            return None
        return self._execute(job, slot, claimed=True) if claimed else None

    def _ensure_rows(self, conn: Connection) -> None:
        if not self._rows_ensured:
            jobs_store.ensure(conn, sorted(self.jobs))
            self._rows_ensured = True

    def _execute(self, job: Job, slot: datetime | None, claimed: bool, progress: Progress | None = None) -> JobRun:
        with work_id(new_id("job-")) as run_id:
            return self._execute_as(run_id, job, slot, claimed, progress)

    def _execute_as(self, run_id: str, job: Job, slot: datetime | None, claimed: bool,
                    progress: Progress | None) -> JobRun:
        started, t0 = self.clock(), time.monotonic()
        if claimed:
            with self._running_lock:
                self._running[job.name] = (job, slot, started, t0)
        # Stays "interrupted" only if something beyond Exception (KeyboardInterrupt) ends the run:
        # the finally block still releases the claim so the slot is not held until the lease ends.
        outcome: Outcome = "interrupted"
        error = summary = None
        try:
            with self._heartbeat(job.name) if claimed else nullcontext():
                if job.reports_progress:
                    result = job.run(self._stop, self._reporter(job.name, progress))
                else:
                    result = job.run(self._stop)
            summary = result_summary(result)  # what it did, for `jobs run` ("asked 0 … stopped offline")
            outcome = "interrupted" if job.stoppable and self._stop.is_set() else "succeeded"
        except Exception as exc:
            if isinstance(exc, JobFailed):  # the outside world, named: one line, no traceback
                log.warning("job %s failed: %s", job.name, exc)
            elif (reason := unreachable_reason(exc)) is not None:  # so is a database that is down
                log.warning("job %s failed: database unreachable: %s", job.name, reason)
            else:
                log.exception("job %s failed", job.name)
            outcome, error = "failed", error_text(exc)
        finally:
            duration = time.monotonic() - t0
            with self._running_lock:
                still_ours = self._running.pop(job.name, None) is not None
            if still_ours or not claimed:  # else release_unfinished already recorded it
                self._record(job, claimed, slot, outcome, started, duration, error)
            JOB_RUNS.labels(job.name, outcome).inc()
            JOB_SECONDS.labels(job.name).observe(duration)
        level = logging.INFO if outcome != "succeeded" or duration >= 1 else logging.DEBUG
        log.log(level, "job %s %s in %.2f s", job.name, outcome, duration,
                extra={"job": job.name, "run_id": run_id, "outcome": outcome, "duration_s": round(duration, 3)})
        return JobRun(job.name, slot, outcome, started, duration, error, summary)

    def _record(self, job: Job, claimed: bool, slot: datetime | None, outcome: Outcome, started: datetime,
                duration: float, error: str | None) -> None:
        # A stopped run leaves its slot open, so the next worker to look finishes the work.
        slot_done = None if slot is None else outcome != "interrupted"
        try:
            with self.db.write() as conn:
                self._ensure_rows(conn)
                jobs_store.finish(conn, job.name, self.worker_id if claimed else None, outcome, started, self.clock(),
                                  duration, error, slot_done)
        except Exception as exc:
            _log_db_error(exc, "job %s: could not record its run", job.name)

    def _reporter(self, name: str, show: Progress | None) -> Progress:
        """What a run's ``progress`` does: tell ``show`` every time, the log once the run has gone on a while."""
        every = self.progress_log_seconds
        next_line = time.monotonic() + every  # a run of a few seconds, every few minutes, says nothing

        def report(done: int, total: int | None) -> None:
            nonlocal next_line
            if show is not None:
                show(done, total)
            if (now := time.monotonic()) >= next_line:
                next_line = now + every
                log.info("job %s: %s done", name, f"{done:,}" if total is None else f"{done:,} of {total:,}",
                         extra={"job": name, "done": done, "total": total})

        return report

    @contextmanager
    def _heartbeat(self, name: str) -> Iterator[None]:
        done = threading.Event()
        t = threading.Thread(target=carry_context(self._renew_until), args=(name, done), name=f"papertide-lease-{name}",
                             daemon=True)
        t.start()
        try:
            yield
        finally:
            done.set()
            t.join()

    def _renew_until(self, name: str, done: threading.Event) -> None:
        while not done.wait(self.lease.total_seconds() / 3):
            try:
                with self.db.write() as conn:
                    if not jobs_store.renew(conn, name, self.worker_id, self.clock() + self.lease):
                        log.warning("job %s: lost its claim (lease expired); another worker may run it", name)
            except Exception as exc:
                _log_db_error(exc, "job %s: could not renew its lease", name)


def _log_db_error(exc: Exception, message: str, *args: object) -> None:
    """A database that is down (it will be retried) in one warning line; anything else with its traceback.

    Every job thread retries on its own, so a database restart would otherwise print a
    traceback per job per slot until it is back.
    """
    reason = unreachable_reason(exc)
    if reason is None:
        log.error(message, *args, exc_info=exc)
    else:
        log.warning(message + ": database unreachable: %s", *args, reason)

"""Graceful shutdown on SIGTERM: a web process finishes the request in flight; a worker whose job
cannot stop gives its claim back, so another runner takes the slot at once, not after the lease."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

import httpx

from papertide.jobs import Every, Job, JobRunner
from papertide.storage.db import Database
from papertide.storage.migrate import upgrade
from tests.live import free_port

REPO = Path(__file__).resolve().parents[2]


def test_sigterm_lets_the_request_in_flight_finish_then_the_server_exits(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'papertide.db'}")
    upgrade(db)
    db.dispose()
    port, marker = free_port(), tmp_path / "slow-started"
    env = {**os.environ, "PYTHONPATH": str(REPO), "PAPERTIDE_DATA_DIR": str(tmp_path), "PAPERTIDE_SEARCH_EMBEDDER": "null",
           "PAPERTIDE_WITH_WORKER": "true", "PAPERTIDE_SHUTDOWN_GRACE_SECONDS": "10", "PAPERTIDE_LOG_FORMAT": "json"}
    proc = subprocess.Popen([sys.executable, "-m", "tests.ops.shutdown_app", "web", str(port), str(marker)], cwd=REPO,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and proc.poll() is None, "server did not start"
            time.sleep(0.1)
        result: dict[str, httpx.Response] = {}
        client = threading.Thread(target=lambda: result.setdefault("r", httpx.get(f"{base}/test/slow", timeout=30)))
        client.start()
        while not marker.exists():
            time.sleep(0.01)
        t0 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        try:  # a new connection is no longer accepted while the old request finishes
            refused = httpx.get(f"{base}/healthz", timeout=1).status_code != 200
        except httpx.TransportError:
            refused = True
        client.join(timeout=30)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    stderr = proc.stderr.read() if proc.stderr else ""
    assert result["r"].status_code == 200 and result["r"].text == "finished"
    assert refused
    # uvicorn re-raises the signal once it has shut down cleanly, so the exit is "killed by SIGTERM".
    assert proc.returncode in (0, -signal.SIGTERM), stderr[-3000:]
    assert "Application shutdown complete." in stderr
    assert time.monotonic() - t0 < 10  # the job runner stopped too (its threads wait on the stop event)
    assert '"path": "/test/slow", "route": "/test/slow", "status": 200' in stderr


def _stubborn_worker(db: Database, *options: str, **env: str) -> subprocess.Popen[str]:
    """``papertide worker OPTIONS`` running a job that never stops, once that job has started."""
    proc = subprocess.Popen([sys.executable, "-m", "tests.ops.shutdown_app", "worker", db.url, *options], cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO), **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "started"  # blocks until the job runs
    return proc


def test_sigterm_releases_the_claim_of_a_job_that_cannot_stop_and_another_runner_takes_the_slot(db):
    proc = _stubborn_worker(db, "--grace", "1")
    [held] = JobRunner(db, [Job("stubborn", Every(3600), lambda stop: None)]).status()
    assert held.running_by == "stopping-worker"
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    assert time.monotonic() - t0 < 5  # the one-second grace, not the 60-second lease
    assert "still running at shutdown; releasing its slot" in (proc.stderr.read() if proc.stderr else "")
    ran: list[datetime] = []
    other = JobRunner(db, [Job("stubborn", Every(3600), lambda stop: ran.append(datetime.now()))], worker_id="next-worker")
    [s] = other.status()
    assert (s.running_by, s.last_outcome) == (None, "interrupted")
    runs = other.tick()
    assert [r.outcome for r in runs] == ["succeeded"] and len(ran) == 1  # the same slot, at once
    assert other.status()[0].running_by is None


def test_worker_without_grace_waits_as_long_as_shutdown_grace_seconds_says(db):
    # The admin sets PAPERTIDE_SHUTDOWN_GRACE_SECONDS once for serve and worker alike; the worker
    # used to ignore it and wait its own 30 s, past a systemd or compose stop timeout set from it.
    proc = _stubborn_worker(db, PAPERTIDE_SHUTDOWN_GRACE_SECONDS="1")
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert time.monotonic() - t0 < 5
    assert "still running at shutdown; releasing its slot" in (proc.stderr.read() if proc.stderr else "")

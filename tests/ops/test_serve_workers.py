"""`papertide serve --workers N` on a busy host: worker processes that take a while to import
still come up, instead of being killed by uvicorn's health check and respawned forever."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from papertide.storage.db import Database
from papertide.storage.migrate import upgrade
from tests.live import free_port

REPO = Path(__file__).resolve().parents[2]

# Runs at the start of every Python process that finds it on PYTHONPATH; it slows down only
# uvicorn's spawned workers, before they import anything (what a loaded 2-core host does to
# `--workers 4`: each child spends 3-4 s of CPU importing the app, 6-10 s of wall time).
SLOW_START = """\
import sys, time
if "--multiprocessing-fork" in sys.orig_argv:
    time.sleep(7)
"""


def test_serve_workers_that_start_slowly_are_not_killed_as_hung(tmp_path):
    # uvicorn pings each worker 0.5 s after spawning it and kills it when it has not answered
    # within 5 s; a worker still importing cannot answer yet. The log said only "Child process
    # [pid] died" every 5 s, and the site never served.
    db = Database(f"sqlite:///{tmp_path / 'papertide.db'}")
    upgrade(db)
    db.dispose()
    (tmp_path / "slow").mkdir()
    (tmp_path / "slow" / "sitecustomize.py").write_text(SLOW_START)
    port = free_port()
    env = {**os.environ, "PYTHONPATH": f"{tmp_path / 'slow'}{os.pathsep}{REPO}", "PAPERTIDE_DATA_DIR": str(tmp_path),
           "PAPERTIDE_SEARCH_EMBEDDER": "null", "PAPERTIDE_JOBS_SEARCH_ENABLED": "false"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    env.pop("PAPERTIDE_DATABASE_URL", None)
    proc = subprocess.Popen([sys.executable, "-m", "papertide", "serve", "--port", str(port), "--workers", "2",
                             "--no-worker"], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr or []), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 90
        ready = False
        while not ready:
            died = [line for line in list(lines) if "died" in line]
            assert not died, f"a worker was killed while it started: {died}"
            assert time.monotonic() < deadline and proc.poll() is None, f"serve did not become ready: {lines}"
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200
            except httpx.TransportError:
                time.sleep(0.2)
        # Both workers up: the supervisor has checked on them since and killed neither.
        time.sleep(2)
        assert not [line for line in list(lines) if "died" in line]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)

"""Shared by the benchmarks that start `papertide serve` in a subprocess."""

from __future__ import annotations

import http.client
import subprocess
import time


def wait_healthy(proc: subprocess.Popen[bytes], port: int, timeout: float) -> subprocess.Popen[bytes]:
    """Return ``proc`` once 127.0.0.1:``port`` answers /healthz; stop it and raise after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("server did not start")


def stop_server(proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """SIGTERM, then SIGKILL if it has not exited within ``timeout`` s."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()

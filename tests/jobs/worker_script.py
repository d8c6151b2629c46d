"""A worker process for the tests that signal or kill one: ``python -m tests.jobs.worker_script URL MODE``.

MODE ``hang``: tick once, at a fixed time, into a job that never returns and ignores stop
(then the test kills it with SIGKILL). MODE ``serve``: ``papertide worker`` (our Typer
command) running a stoppable job that waits for stop (then the test sends SIGTERM).
Each job writes "started" to stdout when it runs, which the test waits for.
"""

from __future__ import annotations

import sys
import threading
from datetime import datetime

import typer

from papertide.cli.jobs import add_job_commands
from papertide.jobs import Every, Job, JobRunner
from papertide.storage.db import Database

HANG_AT = "2026-06-04T09:30:00+00:00"


def _started() -> None:
    sys.stdout.write("started\n")
    sys.stdout.flush()


def hang(stop: threading.Event) -> None:
    _started()
    threading.Event().wait()


def drain(stop: threading.Event) -> None:
    _started()
    stop.wait()


def main(url: str, mode: str) -> None:
    db = Database(url)
    if mode == "hang":
        at = datetime.fromisoformat(HANG_AT)
        JobRunner(db, [Job("hang", Every(3600), hang)], clock=lambda: at, worker_id="crashed-worker").tick()
        return
    cli = typer.Typer()

    @cli.callback()
    def _root() -> None:
        """Test CLI."""

    add_job_commands(cli, lambda: JobRunner(db, [Job("drain", Every(3600), drain, stoppable=True)]))
    cli(["worker", "--grace", "10"])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

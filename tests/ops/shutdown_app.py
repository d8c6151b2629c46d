"""Processes for the graceful-shutdown tests (run as ``python -m tests.ops.shutdown_app …``).

``web PORT MARKER``: the production app (``create_app`` from the environment, as uvicorn's
factory builds it) with one extra slow route, served by :func:`serve_with_uvicorn`, the
function ``papertide serve`` uses. The route creates MARKER when it starts, so the test
knows the request is in flight before it sends SIGTERM.

``worker URL [OPTION…]``: ``papertide worker OPTION…`` (our Typer command) running a job that
ignores the stop request, so shutdown has to give its claim back.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import typer
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

from papertide.app import create_app
from papertide.cli.jobs import add_job_commands
from papertide.cli.serving import serve_with_uvicorn
from papertide.config import Settings
from papertide.jobs import Every, Job, JobRunner
from papertide.storage.db import Database

SLOW_SECONDS = 2.0


def make_app() -> FastAPI:
    app = create_app()
    marker = Path(os.environ["SHUTDOWN_MARKER"])

    @app.get("/test/slow")
    def slow() -> PlainTextResponse:
        marker.touch()
        time.sleep(SLOW_SECONDS)
        return PlainTextResponse("finished")

    return app


def stubborn(stop: threading.Event) -> None:
    sys.stdout.write("started\n")
    sys.stdout.flush()
    threading.Event().wait()  # never looks at stop


def main(argv: list[str]) -> None:
    if argv[0] == "web":
        os.environ["SHUTDOWN_MARKER"] = argv[2]
        serve_with_uvicorn("tests.ops.shutdown_app:make_app", Settings(), "127.0.0.1", int(argv[1]))
        return
    db = Database(argv[1])
    cli = typer.Typer()

    @cli.callback()
    def _root() -> None:
        """Test CLI."""

    add_job_commands(cli, lambda: JobRunner(db, [Job("stubborn", Every(3600), stubborn)], worker_id="stopping-worker"))
    cli(["worker", *argv[2:]])


if __name__ == "__main__":
    main(sys.argv[1:])

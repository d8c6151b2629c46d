"""Job runner fixtures: a settable clock; the email, ingest and search fixtures the declarations need."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import typer

from papertide.cli.jobs import add_job_commands
from papertide.jobs.runner import JobRunner
from tests.email.conftest import (  # noqa: F401 - fixtures shared with the email tests
    june_papers,
    june_papers_sqlite,
    smtp_sink,
    sqlite_mail_settings,
)
from tests.ingest.conftest import fake, fake_server, ingest_settings  # noqa: F401 - the fake arXiv/HF
from tests.search.conftest import embedder  # noqa: F401 - the real ONNX embedder, loaded once

T0 = datetime(2026, 6, 4, 9, 0, tzinfo=UTC)  # a slot start for Every(60) and Every(3600)


@dataclass
class Clock:
    """The runner's clock, moved by the test (the only fake: time is an external boundary)."""

    now: datetime = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def job_cli(runner: JobRunner) -> typer.Typer:
    """The real `jobs` commands around ``runner``, as a Typer app a CliRunner can invoke."""
    app = typer.Typer()

    @app.callback()
    def _root() -> None:
        """Test CLI."""

    add_job_commands(app, lambda: runner)
    return app

"""``papertide worker`` and ``papertide jobs status|run``: thin over a :class:`JobRunner`.

The commands get their runner from a factory passed in (the composition root builds it),
so this module knows nothing of the services behind the jobs. Register them with
:func:`add_job_commands`.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.progress import Progress as RichProgress

from papertide.cli.context import load_settings
from papertide.cli.tables import fitting_table
from papertide.domain.jobs import JobStatus, Progress
from papertide.jobs.runner import JobRunner

RunnerFactory = Callable[[], JobRunner]
ERROR_CHARS_SHOWN = 80
STATUS_COLUMNS = ("job", "schedule", "last run", "took", "outcome", "next run", "last error")

log = logging.getLogger(__name__)
console = Console()
err = Console(stderr=True, soft_wrap=True)  # paths and URLs in errors stay whole for copying


def add_job_commands(cli: typer.Typer, runner_factory: RunnerFactory) -> None:
    """Add ``worker`` and the ``jobs`` group (``status``, ``run``) to ``cli``."""
    cli.command("worker")(_worker_command(runner_factory))
    cli.add_typer(jobs_app(runner_factory), name="jobs")


def _worker_command(runner_factory: RunnerFactory) -> Callable[..., None]:
    def worker(
        grace: Annotated[float | None, typer.Option(
            help="Seconds to wait after SIGTERM for a job that cannot stop early "
                 "(default PAPERTIDE_SHUTDOWN_GRACE_SECONDS).", min=0, show_default=False)] = None,
    ) -> None:
        """Run the scheduled jobs until SIGTERM or Ctrl-C (several workers on PostgreSQL; one on SQLite)."""
        runner = runner_factory()
        if grace is None:  # the same setting serve's in-process runner waits for
            grace = load_settings().shutdown_grace_seconds

        def on_signal(signum: int, _frame: object) -> None:
            log.info("worker: %s received; stopping", signal.Signals(signum).name)
            runner.request_stop()

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        log.info("worker %s: running %s", runner.worker_id, ", ".join(n for n, j in runner.jobs.items() if j.enabled))
        runner.run_forever(grace)

    return worker


def jobs_app(runner_factory: RunnerFactory) -> typer.Typer:
    """The ``jobs`` command group."""
    app = typer.Typer(help="Scheduled jobs: status, and running one now.", no_args_is_help=True)

    @app.command("status")
    def status() -> None:
        """Each job: schedule, last run, duration, outcome, next run and last error."""
        runner = runner_factory()
        now = runner.clock()  # the runner's time: what its status and "since" are measured against
        _print_status(runner.status(now), now)

    @app.command("run")
    def run(name: Annotated[str, typer.Argument(help="The job to run, as `papertide jobs status` names it.")]) -> None:
        """Run one job now, outside its schedule (even when it is disabled)."""
        runner = runner_factory()
        if name not in runner.jobs:
            err.print(f"[red]no job {name!r}; jobs: {', '.join(runner.jobs)}[/red]")
            raise typer.Exit(2)
        try:
            with _progress_bar(name) as show:
                result = runner.run_now(name, progress=show)
        except KeyboardInterrupt as e:  # typer would exit 130 without a word; the runner recorded it
            err.print(f"[yellow]Interrupted: {escape(name)} stopped before it finished; its run is recorded as "
                      "interrupted (`papertide jobs status`).[/yellow]")
            raise typer.Exit(130) from e
        if result is None:
            err.print(f"[yellow]{escape(_held_elsewhere(runner, name))}[/yellow]")
            raise typer.Exit(1)
        colour = {"succeeded": "green", "failed": "red"}.get(result.outcome, "yellow")
        # The job's own account of the run: "succeeded in 0.00 s" alone reads the same whether it
        # did its work or found nothing to do (github.stars offline asks GitHub nothing).
        said = f": {escape(result.summary)}" if result.summary else ""
        console.print(f"[{colour}]{name} {result.outcome}[/{colour}] in {result.duration_seconds:.2f} s{said}")
        if result.error:
            err.print(f"[red]{result.error}[/red]")
            raise typer.Exit(1)

    return app


@contextmanager
def _progress_bar(name: str) -> Iterator[Progress | None]:
    """In a terminal, a bar for the run: elapsed time for every job, done/total for one that reports
    progress. Elsewhere (cron, a pipe) None: the runner's periodic log lines say how far it has got."""
    if not err.is_terminal:
        yield None
        return
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TimeRemainingColumn())
    with RichProgress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(escape(name), total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


def _held_elsewhere(runner: JobRunner, name: str) -> str:
    """Why ``jobs run`` did not start ``name``: which worker runs it, since when, and when its lease ends."""
    now = runner.clock()
    status = next(s for s in runner.status(now) if s.name == name)
    if status.running_by is None:  # it ended between our claim and this look
        return f"{name} was running on another worker a moment ago and has just finished; run it again."
    running = status.running_note(now).removeprefix(f"running on {status.running_by}")
    lease = "" if status.lease_until is None else (
        f"; its lease ends at {status.lease_until.astimezone(UTC):%H:%M:%S} UTC unless that worker renews it")
    return f"{name} is running on another worker, {status.running_by},{running}{lease}. Not started."


def _print_status(rows: list[JobStatus], now: datetime) -> None:
    cells = [(s.name, _schedule(s), _when(s.last_started_at), _took(s), _outcome(s, now), _next(s, now), _error(s))
             for s in rows]
    table = fitting_table("jobs", STATUS_COLUMNS, cells, console.width)
    if table is None:
        _print_status_lines(rows, now)
        return
    console.print(table)


def _print_status_lines(rows: list[JobStatus], now: datetime) -> None:
    for s in rows:
        console.print(f"[bold]{escape(s.name)}[/bold]  {escape(_schedule(s))}", highlight=False)
        last = "-" if s.last_started_at is None else f"{_when(s.last_started_at)}, {_took(s)}, {s.last_outcome}"
        if s.running_by:
            last += f"; now {s.running_note(now)}"
        console.print(f"  last run: {escape(last)}\n  next run: {escape(_next(s, now))}", highlight=False)
        if s.last_error:
            console.print(f"  last error: {escape(_error(s))}", highlight=False)


def _schedule(s: JobStatus) -> str:
    return s.schedule if s.enabled else f"off ({s.schedule})"


def _took(s: JobStatus) -> str:
    return "-" if s.last_duration_seconds is None else f"{s.last_duration_seconds:.1f} s"


def _outcome(s: JobStatus, now: datetime) -> str:
    return s.running_note(now) if s.running_by else s.last_outcome or "-"


def _next(s: JobStatus, now: datetime) -> str:
    return "-" if s.next_run is None else ("now" if s.next_run <= now else _when(s.next_run))


def _error(s: JobStatus) -> str:
    return "-" if not s.last_error else f"{_when(s.last_error_at)} {s.last_error[:ERROR_CHARS_SHOWN]}"


def _when(t: datetime | None) -> str:
    return "-" if t is None else t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")

"""``papertide ingest …``: harvest arXiv and Hugging Face, and show recorded runs. Thin over IngestService."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from papertide.cli.context import load_services
from papertide.cli.tables import fitting_table
from papertide.domain.arxiv_categories import oai_set_mistake
from papertide.domain.periods import InvalidPeriod, parse_month, parse_week
from papertide.ingest.oai_parse import PREFIXES
from papertide.ingest.service import IngestService, RunResult
from papertide.services import Services

ingest_app = typer.Typer(help="Keep papertide fed from arXiv and Hugging Face.", no_args_is_help=True)
console = Console()
ERROR_CHARS_SHOWN = 160  # an error's first line; the whole text is on /admin/ingest
err = Console(stderr=True, soft_wrap=True)  # paths and URLs in errors stay whole for copying


def _service() -> IngestService:
    return load_services().ingest


def _report(results) -> None:  # type: ignore[no-untyped-def]
    failed = False
    for r in results:
        c = r.counts
        colour = "green" if r.ok else "red"
        console.print(
            f"[{colour}]{r.status.value}[/{colour}] {r.source} {r.window}: {c.fetched} fetched, {c.inserted} new, "
            f"{c.updated} updated, {c.skipped} unchanged, {c.withdrawn} withdrawn, {c.failed} failed ({c.pages} pages)"
        )
        if r.error:
            err.print(f"[red]{escape(r.error)}[/red]", soft_wrap=True)
        for note in r.notes:  # bounded by the tally (MAX_REPORTED_ERRORS)
            err.print(f"[yellow]{escape(note)}[/yellow]", soft_wrap=True)
        failed = failed or not r.ok
    if failed:
        raise typer.Exit(1)


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"not a YYYY-MM-DD date: {value!r}") from None


@ingest_app.command("daily")
def daily() -> None:
    """Run the configured sources (PAPERTIDE_INGEST_SOURCES) for yesterday and today."""
    service = _service()
    try:
        _report(service.run_daily())
    finally:
        service.close()


@ingest_app.command("oai")
def oai(
    set_spec: Annotated[
        list[str] | None, typer.Option("--set", help="OAI-PMH set, e.g. cs (repeatable; default PAPERTIDE_INGEST_OAI_SETS).")
    ] = None,
    prefix: Annotated[str | None, typer.Option(help="metadataPrefix: arXivRaw or arXiv.")] = None,
    from_: Annotated[str | None, typer.Option("--from", help="First datestamp YYYY-MM-DD (default: incremental).")] = None,
    until: Annotated[str | None, typer.Option(help="Last datestamp YYYY-MM-DD (default: today).")] = None,
) -> None:
    """Harvest arXiv over OAI-PMH, incrementally from each set's checkpoint unless a window is given."""
    first, last = _day(from_), _day(until)
    if first and last and first > last:
        raise typer.BadParameter(f"--from {first} is after --until {last}")
    for spec in set_spec or ():
        if (mistake := oai_set_mistake(spec)) is not None:
            raise typer.BadParameter(mistake, param_hint="--set")
    if prefix is not None and prefix not in PREFIXES:
        raise typer.BadParameter(f"unknown metadataPrefix {prefix!r}; use one of {', '.join(PREFIXES)}",
                                 param_hint="--prefix")
    service = _service()
    sets = set_spec or [s.strip() for s in service.settings.ingest_oai_sets.split(",") if s.strip()] or [None]
    try:
        _report([service.harvest_oai(s, prefix, first, last) for s in sets])
    finally:
        service.close()


@ingest_app.command("arxiv-ids")
def arxiv_ids(
    ids: Annotated[list[str], typer.Argument(help="arXiv ids or URLs, e.g. 2405.12345 hep-th/9901001v2.")],
) -> None:
    """Fetch papers by arXiv id through the arXiv API (up to 100 per request, 3 s apart)."""
    from papertide.domain.papers import is_arxiv_id

    bad = [i for i in ids if not is_arxiv_id(i)]
    if bad:
        err.print(f"[red]Not arXiv ids: {', '.join(bad)}[/red]")
        raise typer.Exit(2)
    service = _service()
    try:
        _report([service.fetch_arxiv_ids(ids)])
    finally:
        service.close()


@ingest_app.command("hf")
def hf(
    day: Annotated[str | None, typer.Option("--date", help="Day YYYY-MM-DD (default today).")] = None,
    week: Annotated[str | None, typer.Option(help="ISO week, e.g. 2026-W22.")] = None,
    month: Annotated[str | None, typer.Option(help="Month, e.g. 2026-06.")] = None,
) -> None:
    """Import Hugging Face daily papers (upvotes, comments, GitHub repo, submitter) for a day, week or month."""
    # Checked here, before a run is recorded or a request is sent: a typo is a usage error, not a failed run.
    if sum(x is not None for x in (day, week, month)) > 1:
        raise typer.BadParameter("give one of --date, --week or --month")
    try:
        if week is not None:
            parse_week(week)
        if month is not None:
            parse_month(month)
    except InvalidPeriod as exc:
        raise typer.BadParameter(str(exc), param_hint="--week" if week is not None else "--month") from None
    first = _day(day)
    service = _service()
    try:
        _report([service.import_hf_daily(first, week, month)])
    finally:
        service.close()


RUN_COLUMNS = ("id", "source", "window", "status", "started (UTC)", "duration", "fetched", "new", "updated",
               "withdrawn", "failed", "error")


@ingest_app.command("status")
def status(limit: Annotated[int, typer.Option(help="How many recent runs to show.", min=1)] = 20) -> None:
    """Show recorded ingest runs and harvest checkpoints."""
    service = _service()
    runs = service.runs(limit)
    cells = [(
        str(r.id), r.source, r.window, r.status.value, r.started_at.strftime("%Y-%m-%d %H:%M:%S"),
        f"{r.duration_s:.1f} s" if r.duration_s is not None else "—", str(r.fetched), str(r.inserted),
        str(r.updated), str(r.withdrawn), str(r.failed), _first_line(r.error),
    ) for r in runs]
    # Twelve columns squeezed into 80 were cut to "arx…", "fai…" and an error one word a line.
    table = fitting_table("ingest runs (most recent first)", RUN_COLUMNS, cells, console.width)
    if table is not None:
        console.print(table)
    else:
        console.print("[bold]ingest runs[/bold] (most recent first)" if runs else "no ingest runs yet")
        for r, row in zip(runs, cells, strict=True):
            console.print(f"#{r.id} {escape(r.source)}  {escape(r.window)}  {r.status.value}", highlight=False)
            console.print(f"  started {row[4]} UTC, took {row[5]}\n  {r.fetched} fetched, {r.inserted} new, "
                          f"{r.updated} updated, {r.withdrawn} withdrawn, {r.failed} failed", highlight=False)
            if r.error:
                console.print(f"  error: {escape(row[-1])}", highlight=False)
    cps = service.checkpoints()
    if cps:
        console.print("[bold]harvest checkpoints[/bold]")
        for cp in cps:
            console.print(f"{escape(cp.key)}  last complete datestamp {cp.last_datestamp or '—'}, window "
                          f"{cp.window_from or '…'}..{cp.window_until or '…'}", highlight=False)
            if cp.resumption_token:
                console.print(f"  resumes with token {escape(cp.resumption_token)}", highlight=False)


def _first_line(error: str | None) -> str:
    return error.splitlines()[0][:ERROR_CHARS_SHOWN] if error else ""


def import_file(file: Path, fmt: str = "auto", services: Services | None = None) -> RunResult:
    """`papertide import FILE` and `papertide demo`: one recorded run through the ingest service, with progress.

    Bad records are listed as ``file:line: field: reason`` and skipped; the command exits 1
    when the run failed (a file that breaks off, or one without a single usable record).
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from papertide.cli.search import sync_lexical_index

    services = services or load_services()
    service = services.ingest
    try:
        with Progress(TextColumn("[bold]importing"), BarColumn(), MofNCompleteColumn(), TextColumn("papers"),
                      TimeElapsedColumn(), console=err) as progress:
            task = progress.add_task("import", total=None)
            result = service.import_file(file, fmt, on_progress=lambda n: progress.advance(task, n))
        c = result.counts
        console.print(
            f"Imported {file.name}: {c.inserted} inserted, {c.updated} updated, {c.skipped} skipped (unchanged), "
            f"{c.failed} failed; {c.new_listings} new daily listings."
        )
        if result.ok and not c.fetched and not c.failed:
            # Not an error (a nightly diff can be empty), but a wrong or truncated file often is.
            err.print(f"[yellow]{escape(file.name)} holds no records: nothing was imported.[/yellow]", soft_wrap=True)
        if c.inserted or c.updated:
            sync_lexical_index(services.search)
    except KeyboardInterrupt as e:  # typer would exit 130 without a word
        err.print("[yellow]Interrupted: the papers imported so far are kept (each batch commits). Run the same "
                  "command again to finish: it upserts by arXiv id, so nothing is doubled.[/yellow]", soft_wrap=True)
        raise typer.Exit(130) from e
    finally:
        service.close()
    _report([result])
    return result

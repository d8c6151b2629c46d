"""The ``papertide`` command line: a thin shell over the same services the web app uses."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from papertide.cli import search as _search_commands
from papertide.cli.context import load_services, load_settings, upgrade_schema
from papertide.cli.db import add_db_commands
from papertide.cli.email import digest_app, email_app
from papertide.cli.ingest import import_file, ingest_app
from papertide.cli.jobs import add_job_commands
from papertide.cli.tokens import tokens_app
from papertide.cli.users import users_app
from papertide.services import Services
from papertide.storage.db import shown_url
from papertide.storage.migrate import schema_state
from papertide.telemetry.logs import configure_logging


class _SaysWhenInterrupted(TyperGroup):
    """Every command: Ctrl-C says so in one line, where Typer exits 130 without a word.

    Commands that can say more (what was kept, how to resume: `import`, `db backup`, `jobs run`)
    catch KeyboardInterrupt themselves and exit 130 before it gets here.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as e:
            err.print("[yellow]Interrupted (Ctrl-C): the command stopped before it finished.[/yellow]")
            raise typer.Exit(130) from e


app = typer.Typer(cls=_SaysWhenInterrupted, help="papertide: trending research papers, searchable, in your inbox.",
                  no_args_is_help=True)
db_app = typer.Typer(help="Database schema, backup and copy commands.", no_args_is_help=True)
app.add_typer(db_app, name="db")
add_db_commands(db_app)  # db backup, db restore, db copy
_search_commands.register(app)  # search, search reindex, embed, eval beir
app.add_typer(tokens_app, name="tokens")
app.add_typer(digest_app, name="digest")
app.add_typer(email_app, name="email")
app.add_typer(ingest_app, name="ingest")
app.add_typer(users_app, name="users")
add_job_commands(app, lambda: _worker_services().jobs)

console = Console()
err = Console(stderr=True, soft_wrap=True)  # paths and URLs in errors stay whole for copying


def _worker_services() -> Services:
    services = load_services()  # refuses a schema behind or ahead of the code (exit 2)
    configure_logging(services.settings.log_level, services.settings.log_format)
    return services


def demo_corpus_path() -> Path:
    """The demo corpus that ships inside the package."""
    return Path(str(resources.files("papertide") / "data" / "demo_papers.jsonl.gz"))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the latest version."""
    services = load_services(require_schema=False)
    db = services.db
    try:
        before = schema_state(db)
        upgrade_schema(db)
        after = ", ".join(schema_state(db).database)
    finally:
        services.close()
    # Name the database and what was done: "up to date" alone read the same after nine migrations
    # and after an empty schema made in a new file because PAPERTIDE_DATA_DIR was not the instance's.
    where = f"{db.engine.url.database if db.is_sqlite else shown_url(db.url)} ({db.dialect})"
    if before.status == "empty":
        console.print(f"Created the schema ({after}) in a new database, {where}.", soft_wrap=True)
    elif before.status == "current":
        console.print(f"{where} is already at {after}: nothing to migrate.", soft_wrap=True)
    else:
        console.print(f"Migrated {where} from {', '.join(before.database)} to {after}.", soft_wrap=True)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(
        help="A .jsonl or .jsonl.gz file in papertide's record format, or a Kaggle arXiv metadata snapshot.")],
    format_: Annotated[
        str, typer.Option("--format", help="jsonl (papertide records), kaggle (arXiv metadata snapshot) or auto.")
    ] = "auto",
) -> None:
    """Import papers from FILE (idempotent: upserts by arXiv id)."""
    if not file.is_file():
        err.print(f"[red]{file} is a folder; give a file inside it.[/red]" if file.is_dir()
                  else f"[red]No such file: {file}[/red]")
        raise typer.Exit(2)
    if format_ not in ("auto", "jsonl", "kaggle"):
        err.print(f"[red]Unknown format {format_!r}: use jsonl, kaggle or auto.[/red]")
        raise typer.Exit(2)
    import_file(file, format_)


@app.command("demo")
def demo() -> None:
    """Migrate the database and load the bundled demo corpus if the database has no papers."""
    services = load_services(require_schema=False)
    upgrade_schema(services.db)
    if services.catalog.paper_count() > 0:
        console.print("Database already has papers; keeping them.")
        return
    counts = import_file(demo_corpus_path(), "jsonl", services).counts
    console.print(f"Loaded the demo corpus: {counts.inserted} papers, {counts.new_listings} daily listings.")


@app.command("stats")
def stats() -> None:
    """Print counts of papers and listings in the database."""
    s = load_services().catalog.stats()
    table = Table(title="papertide", show_header=False)
    table.add_row("papers", f"{s.papers:,}")
    table.add_row("daily listings", f"{s.listings:,}")
    # A new instance has no dates: say so rather than "None → None".
    table.add_row("listed", f"{s.first_listing} → {s.last_listing}" if s.last_listing else "nothing listed yet")
    table.add_row("published", f"{s.first_published} → {s.last_published}" if s.last_published else "—")
    table.add_row("top categories", ", ".join(f"{c} ({n:,})" for c, n in s.top_categories[:5]) or "—")
    console.print(table)


@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address (default PAPERTIDE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default PAPERTIDE_PORT).", min=1, max=65535)] = None,
    workers: Annotated[int, typer.Option(
        help="Worker processes (use PostgreSQL for more than one busy writer).", min=1)] = 1,
    with_worker: Annotated[
        bool, typer.Option("--with-worker/--no-worker", help="Run every scheduled job in-process.")
    ] = True,
) -> None:
    """Serve the web site with uvicorn."""
    import os

    from papertide.cli.serving import base_url_warning, dev_secret_warning, export_served_address, serve_with_uvicorn

    # uvicorn builds the app from the environment in each worker process.
    os.environ["PAPERTIDE_WITH_WORKER"] = "true" if with_worker else "false"
    export_served_address(host, port)  # so a derived base URL names what we actually bind
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    for warning in (base_url_warning(settings.base_url, settings.host, settings.port),
                    dev_secret_warning(settings.secret_key, settings.host, settings.port)):
        if warning:
            logging.getLogger("papertide.serve").warning(warning)
    load_services(settings=settings).close()  # refuse a schema behind or ahead of the code, once, clearly
    serve_with_uvicorn("papertide.app:create_app", settings, settings.host, settings.port, workers)


def main() -> None:
    app()

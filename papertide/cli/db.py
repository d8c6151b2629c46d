"""``papertide db backup|restore|copy``: thin shells over :mod:`papertide.storage.backup` and
:mod:`papertide.storage.copy`, with progress bars and a verification table."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from papertide.cli.context import load_services, open_database, require_reachable, upgrade_schema
from papertide.storage import backup as backups
from papertide.storage.copy import BATCH_ROWS, CopyRefused, copy_instance, normalise_target_url, refuse_foreign_target
from papertide.storage.fingerprints import TableCheck
from papertide.storage.migrate import schema_state
from papertide.storage.pg_tools import PgToolError

console = Console()
err = Console(stderr=True, soft_wrap=True)  # paths and URLs in errors stay whole for copying


def add_db_commands(db_app: typer.Typer) -> None:
    """Add ``backup``, ``restore`` and ``copy`` to the ``db`` group."""
    db_app.command("backup")(backup)
    db_app.command("restore")(restore)
    db_app.command("copy")(copy)


def backup(file: Annotated[Path, typer.Argument(help="Where to write the backup.")]) -> None:
    """Write a consistent backup of the database to FILE while the site keeps serving."""
    # No reachability check for SQLite: connecting creates the file, and a missing one (a wrong
    # PAPERTIDE_DATA_DIR) must be refused, not backed up empty over an earlier backup.
    services = load_services(require_schema=False, reachable=False)
    if not services.db.is_sqlite or backups.sqlite_path(services.db).is_file():
        require_reachable(services)  # a damaged file, an unreachable server: one clear line
    try:
        result = backups.backup(services.db, file, services.settings.pg_bin_dir)
    except (PgToolError, backups.BackupError) as e:
        err.print(f"[red]{e}[/red]")
        raise typer.Exit(1) from e
    except KeyboardInterrupt as e:  # typer would exit 130 without a word
        err.print(f"[yellow]Interrupted: no backup was written ({file} was not touched). "
                  f"Run `papertide db backup {file}` again to take one.[/yellow]")
        raise typer.Exit(130) from e
    finally:
        services.close()
    what = "SQLite online backup, integrity checked" if result.kind == "sqlite" else "pg_dump custom format"
    console.print(f"Backed up to {result.path} ({result.bytes:,} bytes; {what}).")


def restore(
    file: Annotated[Path, typer.Argument(help="A backup written by `papertide db backup`.")],
    force: Annotated[bool, typer.Option("--force", help="Replace a database that holds data.")] = False,
    reindex: Annotated[
        bool, typer.Option("--reindex/--no-reindex", help="Rebuild the SQLite keyword index at once.")
    ] = True,
) -> None:
    """Replace the database with the backup in FILE (stop the site and workers first)."""
    # A SQLite file that cannot be opened (damaged) is what a forced restore replaces: no check here.
    services = load_services(require_schema=False, reachable=False)
    if not services.db.is_sqlite:
        require_reachable(services)
    try:
        result = backups.restore(services.db, file, force=force, pg_bin_dir=services.settings.pg_bin_dir)
    except backups.RestoreRefused as e:
        err.print(f"[red]Refused: {e}.[/red] Nothing was changed.")
        raise typer.Exit(1) from e
    except (PgToolError, backups.BackupError) as e:
        err.print(f"[red]{e}[/red]")
        raise typer.Exit(1) from e
    finally:
        services.close()
    replaced = "replacing the data it held" if result.replaced_data else "into an empty database"
    console.print(f"Restored {file} {replaced}.")
    if result.damaged_kept is not None:
        console.print(f"The damaged database it replaced is kept as {result.damaged_kept}.", soft_wrap=True)
    fresh = load_services(require_schema=False)
    try:
        state = schema_state(fresh.db)
        if not state.current:  # behind: upgrade; ahead: a newer release wrote it (the message says which)
            console.print(f"The backup's schema is not current. {state.message()}", soft_wrap=True)
        elif result.search_index_removed is not None:
            console.print(f"Removed the search index of the old data ({result.search_index_removed}).")
            if reindex:
                fresh.search.reindex_lexical()
                console.print("Rebuilt the keyword index from the restored papers.")
    finally:
        fresh.close()


def copy(
    to: Annotated[str, typer.Option("--to", help="Target: postgresql+psycopg://user:pass@host/db (an empty database).")],
    resume: Annotated[bool, typer.Option("--resume", help="Continue a copy that was interrupted.")] = False,
    batch: Annotated[int, typer.Option(help="Rows per insert transaction.", min=1)] = BATCH_ROWS,
) -> None:
    """Copy this (SQLite) instance into PostgreSQL, resumably, and verify every table."""
    services = load_services()
    if not services.db.is_sqlite:
        err.print("[red]`db copy` moves a SQLite instance; this one already runs on PostgreSQL "
                  "(use `db backup` / `db restore`).[/red]")
        raise typer.Exit(2)
    try:
        url = normalise_target_url(to)
    except ValueError as e:
        err.print(f"[red]{e}[/red]")
        raise typer.Exit(2) from e
    target = open_database(url, pool_size=2)
    try:
        refuse_foreign_target(target)  # a mistyped database name: before migrations create anything there
        upgrade_schema(target)  # the target's schema comes from the same migrations as ever
        with _copy_progress() as bar:
            tasks: dict[str, TaskID] = {}

            def show(table: str, done: int, total: int) -> None:
                if table not in tasks:
                    tasks[table] = bar.add_task(table, total=total)
                bar.update(tasks[table], completed=done, total=total)

            report = copy_instance(services.db, target, resume=resume, batch_rows=batch, progress=show)
    except CopyRefused as e:
        err.print(f"[red]Refused: {e}.[/red]")
        raise typer.Exit(1) from e
    finally:
        target.dispose()
        services.close()
    console.print(_checks_table(report.checks))
    if not report.ok:
        err.print("[red]The copy differs from the source (see the table). Stop every writer to the SQLite "
                  "database and copy again into an empty database.[/red]")
        raise typer.Exit(1)
    console.print(f"Copied {report.rows_copied:,} rows{' (resumed)' if report.resumed else ''}; every table "
                  "verified. Point PAPERTIDE_DATABASE_URL at the new database to use it.")


def _copy_progress() -> Progress:
    return Progress(TextColumn("{task.description:<22}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err)


def _checks_table(checks: list[TableCheck]) -> Table:
    table = Table(title="Verification: source (SQLite) against target (PostgreSQL)")
    for name in ("table", "source rows", "target rows", "source checksum", "target checksum", "ok"):
        table.add_column(name, justify="right" if "rows" in name else "left")
    for c in checks:
        mark = "[green]yes[/green]" if c.ok else "[red]NO[/red]"
        table.add_row(c.table, f"{c.source.rows:,}", f"{c.target.rows:,}", c.source.checksum, c.target.checksum, mark)
    return table

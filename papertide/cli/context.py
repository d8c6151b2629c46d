"""How a CLI command gets its services: the same composition root as the web app."""

from __future__ import annotations

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from papertide.config import Settings
from papertide.services import Edges, Services, build_services
from papertide.storage.db import Database, DatabaseUnavailable
from papertide.storage.migrate import UpgradeError, schema_state, upgrade

err = Console(stderr=True, soft_wrap=True)  # paths and URLs in errors stay whole for copying


def load_settings() -> Settings:
    """``Settings()`` from ``PAPERTIDE_*`` and ``.env``; a bad value exits 2 naming its variable, not a traceback."""
    try:
        return Settings()
    except ValidationError as e:
        for problem in e.errors():
            name = "PAPERTIDE_" + "_".join(str(part) for part in problem["loc"]).upper()
            err.print(f"[red]{name}={escape(repr(problem.get('input')))}: {escape(problem['msg'])}[/red]",
                      soft_wrap=True)
        err.print("Fix these in the environment or in .env, then run the command again.")
        raise typer.Exit(2) from None


def load_services(*, require_schema: bool = True, reachable: bool = True, settings: Settings | None = None,
                  edges: Edges | None = None) -> Services:
    """Services built from ``PAPERTIDE_*``; refuses (exit 2) a database that cannot be used or reached,
    and one whose schema is behind or ahead of this code, saying which and what to do.

    ``reachable=False`` skips the reachability check (``db restore`` replaces a damaged SQLite file
    it could not open); the caller then runs :func:`require_reachable` where it needs one."""
    try:
        services = build_services(settings or load_settings(), edges)
    except DatabaseUnavailable as e:
        err.print(f"[red]{escape(str(e))}[/red]", soft_wrap=True)
        raise typer.Exit(2) from None
    if reachable:
        require_reachable(services)
    if require_schema:
        state = schema_state(services.db)
        if not state.current:
            err.print(f"[red]{state.message()}[/red]", soft_wrap=True)
            services.close()
            raise typer.Exit(2)
    return services


def require_reachable(services: Services) -> None:
    """Exit 2, closing ``services``, unless the database answers; the message says why and what to check."""
    try:
        services.db.require_reachable()
    except DatabaseUnavailable as e:
        services.close()
        hint = "" if services.db.is_sqlite else " Check PAPERTIDE_DATABASE_URL and that the server is running."
        err.print(f"[red]{escape(str(e))}.[/red]{hint}", soft_wrap=True)
        raise typer.Exit(2) from None


def open_database(url: str, pool_size: int = 5) -> Database:
    """A database named on the command line (``db copy --to``, ``eval … --database-url``), reachable,
    or exit 2 saying why."""
    try:
        db = Database(url, pool_size)
    except DatabaseUnavailable as e:
        err.print(f"[red]{escape(str(e))}[/red]", soft_wrap=True)
        raise typer.Exit(2) from None
    try:
        db.require_reachable()
    except DatabaseUnavailable as e:
        db.dispose()
        err.print(f"[red]{escape(str(e))}.[/red] Check the URL and that the server is running.", soft_wrap=True)
        raise typer.Exit(2) from None
    return db


def upgrade_schema(db: Database) -> None:
    """Migrate ``db`` (``db upgrade``, ``demo``, the target of ``db copy``), or exit 2 saying why it cannot be."""
    try:
        upgrade(db)
    except UpgradeError as e:
        err.print(f"[red]{escape(str(e))}[/red]", soft_wrap=True)
        raise typer.Exit(2) from None

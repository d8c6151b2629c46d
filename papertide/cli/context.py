"""How a CLI command gets its services: the same composition root as the web app."""

from __future__ import annotations

import typer
from rich.console import Console

from papertide.config import Settings
from papertide.services import Edges, Services, build_services
from papertide.storage.migrate import is_up_to_date

err = Console(stderr=True)


def load_services(*, require_schema: bool = True, settings: Settings | None = None, edges: Edges | None = None) -> Services:
    """Services built from ``PAPERTIDE_*``; refuses (exit 2) a database whose schema is not current."""
    services = build_services(settings or Settings(), edges)
    if require_schema and not is_up_to_date(services.db):
        err.print("[red]The database schema is not current; run `papertide db upgrade` first.[/red]")
        services.close()
        raise typer.Exit(2)
    return services

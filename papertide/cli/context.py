"""How a CLI command gets its services: the same composition root as the web app."""

from __future__ import annotations

import typer
from rich.console import Console

from papertide.config import Settings
from papertide.services import Edges, Services, build_services
from papertide.storage.migrate import schema_state

err = Console(stderr=True)


def load_services(*, require_schema: bool = True, settings: Settings | None = None, edges: Edges | None = None) -> Services:
    """Services built from ``PAPERTIDE_*``; refuses (exit 2) a database whose schema is behind or
    ahead of this code, saying which and what to do."""
    services = build_services(settings or Settings(), edges)
    if require_schema:
        state = schema_state(services.db)
        if not state.current:
            err.print(f"[red]{state.message()}[/red]", soft_wrap=True)
            services.close()
            raise typer.Exit(2)
    return services

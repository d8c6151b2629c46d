"""``papertide tokens …``: create, list and revoke personal API tokens from the shell."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from papertide.api.tokens import TokenService
from papertide.cli.context import load_services

tokens_app = typer.Typer(help="Personal API tokens (hashed at rest, revocable, scoped read/write).", no_args_is_help=True)
console = Console()
err = Console(stderr=True, soft_wrap=True)  # paths and URLs in errors stay whole for copying


def _service() -> TokenService:
    return load_services().tokens


@tokens_app.command("create")
def create(
    email: Annotated[str, typer.Argument(help="E-mail address of an existing account.")],
    scope: Annotated[str, typer.Option(help="read, or write (which can also read).")] = "read",
    name: Annotated[str, typer.Option(help="A label to tell tokens apart.")] = "",
) -> None:
    """Create an API token for the account with EMAIL; prints the token once."""
    from papertide.api.tokens import UnknownUser
    from papertide.domain.api_tokens import InvalidScope, parse_scope

    try:
        created = _service().create_for_email(email, parse_scope(scope), name)
    except (InvalidScope, UnknownUser) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    err.print(f"Created {created.token.scope} token {created.token.uuid} ({created.token.prefix}…). "
              "Store it now: it is not shown again.")
    console.print(created.secret, soft_wrap=True, highlight=False)


@tokens_app.command("list")
def list_(email: Annotated[str, typer.Argument(help="E-mail address of an account.")]) -> None:
    """List the API tokens of the account with EMAIL (never the secrets)."""
    from papertide.api.tokens import UnknownUser

    try:
        tokens = _service().list_for_email(email)
    except UnknownUser as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    # Plain tab-separated lines (not a table): scripts read this, and terminals never wrap it.
    console.print("uuid\tprefix\tscope\tstate\tname\tcreated\tlast_used", highlight=False)
    for t in tokens:
        state = "active" if t.active else f"revoked {t.revoked_at:%Y-%m-%d}"  # type: ignore[str-format]
        line = "\t".join([t.uuid, t.prefix, t.scope, state, t.name or "-", f"{t.created_at or ''}", f"{t.last_used_at or '-'}"])
        console.print(line, highlight=False, soft_wrap=True, markup=False)


@tokens_app.command("revoke")
def revoke(token_uuid: Annotated[str, typer.Argument(help="The token's uuid (see `papertide tokens list`).")]) -> None:
    """Revoke an API token by its uuid; it stops working at once."""
    if not _service().revoke(token_uuid.strip()):
        err.print(f"[red]No active token with uuid {token_uuid[:40]!r}.[/red]")
        raise typer.Exit(1)
    console.print(f"Revoked {token_uuid}.")

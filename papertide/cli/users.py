"""``papertide users …``: account administration from the command line."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from papertide.cli.context import load_services
from papertide.community.accounts import Accounts
from papertide.domain.accounts import ROLES, InvalidInput

users_app = typer.Typer(help="User accounts: admins, roles, bans.", no_args_is_help=True)
console = Console()
err = Console(stderr=True, soft_wrap=True)  # paths and URLs in errors stay whole for copying


def _accounts() -> tuple[Accounts, None]:
    return load_services().community.accounts, None


@users_app.command("create-admin")
def create_admin(email: Annotated[str, typer.Argument(help="Email address of the admin.")]) -> None:
    """Create an admin account for EMAIL (or promote the existing one); they sign in with an emailed link."""
    accounts, _ = _accounts()
    try:
        user, created = accounts.create_admin(email)
    except InvalidInput as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    verb = "Created" if created else "Promoted"
    console.print(f"{verb} admin {user.email} ({user.uuid}). Sign in at /auth/sign-in with this address.")


@users_app.command("list")
def list_users(query: Annotated[str, typer.Argument(help="Filter by email or name.")] = "") -> None:
    """List accounts (newest first) with role and status."""
    accounts, _ = _accounts()
    table = Table("email", "display name", "role", "status", "uuid")
    for u in accounts.list_all(query):
        table.add_row(u.email, u.display_name, u.role, u.status, u.uuid)
    console.print(table)


@users_app.command("set-role")
def set_role(
    email: Annotated[str, typer.Argument(help="Email address of the account.")],
    role: Annotated[str, typer.Argument(help=f"One of {', '.join(ROLES)}.")],
) -> None:
    """Give the account for EMAIL a role: member, curator or admin."""
    from papertide.community import NotFound

    accounts, _ = _accounts()
    try:
        user = accounts.set_role_by_email(email, role)
    except InvalidInput as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    except NotFound:
        err.print(f"[red]No account for {email}.[/red]")
        raise typer.Exit(1) from None
    console.print(f"{user.email} is now {role}.")

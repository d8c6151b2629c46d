"""``papertide users …``: account administration from the command line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from papertide.cli.context import load_services
from papertide.community.accounts import Accounts
from papertide.domain.accounts import ROLES, InvalidInput

users_app = typer.Typer(help="User accounts: admins, roles and bans.", no_args_is_help=True)
SIGN_IN_LINK_GOES = {
    "console": "PAPERTIDE_EMAIL_BACKEND is console: the sign-in link is not mailed but written to the log of the "
               "process that serves the site (`papertide serve`); set PAPERTIDE_EMAIL_BACKEND=smtp to mail it.",
    "null": "PAPERTIDE_EMAIL_BACKEND is null: email is dropped, so no sign-in link can reach this address; set "
            "PAPERTIDE_EMAIL_BACKEND=smtp (or console, to read the link in the server's log).",
}
LIST_LIMIT = 1000  # accounts `users list` prints; more would scroll past any terminal
console = Console()
err = Console(stderr=True, soft_wrap=True)  # paths and URLs in errors stay whole for copying


def _accounts() -> tuple[Accounts, None]:
    return load_services().community.accounts, None


@users_app.command("create-admin")
def create_admin(email: Annotated[str, typer.Argument(help="Email address of the admin.")]) -> None:
    """Create an admin account for EMAIL (or promote the existing one); they sign in with an emailed link."""
    services = load_services()
    accounts = services.community.accounts
    try:
        before = accounts.find_by_email(email)
        user, created = accounts.create_admin(email)
    except InvalidInput as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    if created or before is None:
        did = f"Created admin {user.email}"
    elif before.role == "admin" and not before.is_banned:
        did = f"{user.email} is already an admin; nothing changed"
    else:
        did = (f"Made {user.email} an admin" + (f" (was {before.role})" if before.role != "admin" else "")
               + (" and lifted their ban" if before.is_banned else ""))
    settings = services.settings
    console.print(f"{did} ({user.uuid}). Sign in at {settings.base_url.rstrip('/')}/auth/sign-in "
                  "with this address.", soft_wrap=True)
    # Sign-in is by emailed link only (a password is set once signed in): on a new instance the
    # default backend mails nothing, and the admin waited for a link that was in the server's log.
    hint = SIGN_IN_LINK_GOES.get(settings.email_backend)
    if hint:
        err.print(f"[yellow]{hint}[/yellow]", soft_wrap=True)


@users_app.command("add")
def add(
    email: Annotated[str, typer.Argument(help="Email address of the new account.")],
    role: Annotated[str, typer.Option(help=f"One of {', '.join(ROLES)}.")] = "member",
) -> None:
    """Make an account for EMAIL (any address, also outside PAPERTIDE_SIGNUP_DOMAINS); they sign in with an emailed link."""
    services = load_services()
    try:
        user, created = services.community.accounts.add_account(email, role)
    except InvalidInput as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    if not created:
        console.print(f"{user.email} already has an account ({user.role}); nothing changed.", soft_wrap=True)
        return
    settings = services.settings
    console.print(f"Created {role} {user.email} ({user.uuid}). Sign in at {settings.base_url.rstrip('/')}/auth/sign-in "
                  "with this address.", soft_wrap=True)
    hint = SIGN_IN_LINK_GOES.get(settings.email_backend)
    if hint:
        err.print(f"[yellow]{hint}[/yellow]", soft_wrap=True)


@users_app.command("list")
def list_users(query: Annotated[str, typer.Argument(help="Filter by email or name.")] = "") -> None:
    """List accounts (newest first) with role and status."""
    accounts, _ = _accounts()
    table = Table("email", "display name", "role", "status", "uuid")
    found = accounts.list_all(query, limit=LIST_LIMIT + 1)  # one more: whether there are more than shown
    for u in found[:LIST_LIMIT]:
        table.add_row(u.email, u.display_name, u.role, u.status, u.uuid)
    console.print(table)
    if len(found) > LIST_LIMIT:
        err.print(f"[yellow]Only the newest {LIST_LIMIT:,} shown; give a QUERY (part of an email or name) to "
                  "find others.[/yellow]")


@users_app.command("set-role")
def set_role(
    email: Annotated[str, typer.Argument(help="Email address of the account.")],
    role: Annotated[str, typer.Argument(help=f"One of {', '.join(ROLES)}.")],
) -> None:
    """Give the account for EMAIL a role: member, curator or admin."""
    accounts, _ = _accounts()
    with _refusals(email):
        user = accounts.set_role_by_email(email, role)
    console.print(f"{user.email} is now {role}.")


@contextmanager
def _refusals(email: str) -> Iterator[None]:
    """A command on the account for EMAIL: bad input exits 2, no such account 1, each saying so."""
    from papertide.community import NotFound

    try:
        yield
    except InvalidInput as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    except NotFound:
        # A lab lead naming a member who has not signed in yet was told only "No account".
        err.print(f"[red]No account for {email}: it is made when they first sign in, or now by "
                  f"`papertide users add {email}`.[/red]")
        raise typer.Exit(1) from None


def _ban(email: str, banned: bool) -> None:
    accounts, _ = _accounts()
    with _refusals(email):
        user, changed = accounts.set_banned_by_email(email, banned)
    if changed:
        console.print(f"{user.email} is {'banned' if banned else 'no longer banned'}.")
    else:
        console.print(f"{user.email} {'was already banned' if banned else 'is not banned'}; nothing changed.")


@users_app.command("ban")
def ban(email: Annotated[str, typer.Argument(help="Email address of the account.")]) -> None:
    """Ban the account for EMAIL, as /admin does: signed out everywhere, their votes stop counting,
    their comments and public collections are hidden."""
    _ban(email, True)


@users_app.command("unban")
def unban(email: Annotated[str, typer.Argument(help="Email address of the account.")]) -> None:
    """Lift the ban on the account for EMAIL: what it hid shows again."""
    _ban(email, False)

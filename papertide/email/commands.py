"""``papertide digest …`` and ``papertide email …``: thin shells over the email services."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from papertide.config import Settings

digest_app = typer.Typer(help="Email digests: compose, send, preview.", no_args_is_help=True)
email_app = typer.Typer(help="Email delivery: bounces and outbox status.", no_args_is_help=True)

console = Console()
err = Console(stderr=True)


def _services(settings: Settings):  # type: ignore[no-untyped-def]
    from papertide.catalog import Catalog
    from papertide.email.composing import DigestComposer
    from papertide.email.delivery import OutboxSender
    from papertide.email.notices import Notices
    from papertide.email.senders import make_sender
    from papertide.email.subscribing import SubscriptionService
    from papertide.storage.db import Database

    db = Database(settings.resolved_database_url, settings.db_pool_size)
    catalog = Catalog(db, settings.trending_gravity, settings.trending_window_days, settings.page_size)
    notices = Notices(settings)
    return (
        db,
        DigestComposer(db, settings, notices, catalog),
        OutboxSender(db, make_sender(settings), settings),
        SubscriptionService(db, settings, notices),
    )


def _now(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        err.print(f"[red]--now must be an ISO date-time like 2026-06-04T08:00:00+00:00, not {text!r}[/red]")
        raise typer.Exit(2) from None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


@digest_app.command("run")
def digest_run(
    send: Annotated[bool, typer.Option("--send/--no-send", help="Also drain the outbox afterwards.")] = True,
    now: Annotated[str | None, typer.Option(help="Pretend it is this time (ISO 8601); for testing schedules.")] = None,
    processes: Annotated[int, typer.Option(min=1, max=64, help="Composer processes (each takes a shard).")] = 1,
) -> None:
    """Compose every digest that is due now (idempotent per period; safe from cron) and send."""
    from papertide.email.composing import compose_in_processes

    settings = Settings()
    logging.basicConfig(level=settings.log_level)
    db, composer, sender, _ = _services(settings)
    r = composer.run(_now(now)) if processes == 1 else compose_in_processes(settings, _now(now), processes)
    console.print(
        f"digests: {r.considered} subscriptions, {r.due} due, {r.composed} composed, {r.already} already composed, "
        f"{r.empty} empty (not sent), {r.expired_unconfirmed} unconfirmed expired"
        + (f"; archived {r.archived}" if r.archived else "")
    )
    if send:
        d = sender.drain()
        console.print(f"sent {d.sent}, retry later {d.retried}, failed {d.failed}, cancelled {d.cancelled}")
    db.dispose()


@digest_app.command("send")
def digest_send(
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Wait for retries until nothing is pending.")] = False,
    timeout: Annotated[float | None, typer.Option(help="With --wait: give up after this many seconds.")] = None,
    concurrency: Annotated[int | None, typer.Option(help="SMTP connections (default PAPERTIDE_EMAIL_SEND_CONCURRENCY).")] = None,
) -> None:
    """Drain the outbox: send every message that is due (several senders may run at once)."""
    from papertide.email.delivery import OutboxSender

    settings = Settings()
    logging.basicConfig(level=settings.log_level)
    db, _, sender, _ = _services(settings)
    if concurrency:
        sender = OutboxSender(db, sender.sender, settings, concurrency)
    d = sender.drain(wait=wait, timeout=timeout)
    console.print(
        f"sent {d.sent}, retry later {d.retried}, failed {d.failed}, cancelled {d.cancelled} in {d.seconds:.1f} s "
        f"({sender.concurrency} connections)"
    )
    db.dispose()


@digest_app.command("preview")
def digest_preview(
    email: Annotated[str | None, typer.Option(help="A subscriber's address: their next digest.")] = None,
    categories: Annotated[str, typer.Option(help="Comma-separated arXiv categories.")] = "",
    keywords: Annotated[str, typer.Option(help="Comma-separated keywords.")] = "",
    authors: Annotated[str, typer.Option(help="Comma-separated author names.")] = "",
    trending: Annotated[bool, typer.Option("--trending/--no-trending", help="Include trending papers.")] = True,
    max_papers: Annotated[int, typer.Option(help="Size cap (5–30).")] = 10,
    out: Annotated[Path | None, typer.Option(help="Write the HTML here instead of standard output.")] = None,
) -> None:
    """Render the HTML of a digest (a subscriber's next one, or for the given preferences)."""
    from papertide.domain.subscriptions import InvalidSubscription, parse_preferences

    settings = Settings()
    db, composer, _, service = _services(settings)
    sub = None
    if email:
        sub = service.get_by_email(email)
        if sub is None:
            err.print(f"[red]No subscription for {email}[/red]")
            raise typer.Exit(1)
        prefs = sub.prefs
    else:
        try:
            prefs = parse_preferences({"categories": categories, "keywords": keywords, "authors": authors,
                                       "trending": trending, "max_papers": max_papers})
        except InvalidSubscription as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from None
    html = composer.preview_html(prefs, sub)
    if out:
        out.write_text(html, encoding="utf-8")
        console.print(f"wrote {out}")
    else:
        typer.echo(html)
    db.dispose()


@email_app.command("bounce")
def email_bounce(
    address: Annotated[str, typer.Argument(help="The address that bounced or complained.")],
    kind: Annotated[str, typer.Argument(help="hard, soft or complaint.")],
    detail: Annotated[str, typer.Option(help="Free text kept with the record (e.g. the DSN status).")] = "",
) -> None:
    """Record a bounce or complaint (hard → disabled; soft → disabled at the threshold; complaint → unsubscribed)."""
    from papertide.domain.bounces import InvalidBounce, parse_bounce_kind

    try:
        k = parse_bounce_kind(kind)
    except InvalidBounce as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    settings = Settings()
    db, _, _, service = _services(settings)
    outcome = service.record_bounce(address, k, detail, source="cli")
    if not outcome.known:
        err.print(f"[yellow]No subscriber has the address {address}; nothing recorded.[/yellow]")
        raise typer.Exit(1)
    console.print(f"recorded {k} bounce for {address}: {outcome.action}")
    db.dispose()


@email_app.command("unsubscribe")
def email_unsubscribe(address: Annotated[str, typer.Argument(help="The address to unsubscribe.")]) -> None:
    """Unsubscribe an address (e.g. from mail to the List-Unsubscribe mailto address)."""
    settings = Settings()
    db, _, _, service = _services(settings)
    if not service.unsubscribe_address(address):
        err.print(f"[yellow]No subscription for {address}.[/yellow]")
        raise typer.Exit(1)
    console.print(f"unsubscribed {address}")
    db.dispose()


@email_app.command("outbox")
def email_outbox() -> None:
    """Print outbox counts by status (pending, sending, sent, failed, cancelled)."""
    from papertide.storage import outbox as outbox_store

    settings = Settings()
    db, *_ = _services(settings)
    with db.read() as conn:
        console.print(json.dumps(outbox_store.counts(conn), sort_keys=True))
    db.dispose()

"""``papertide digest …`` and ``papertide email …``: thin shells over the email services."""

from __future__ import annotations

import functools
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from papertide.cli.context import load_services
from papertide.config import Settings
from papertide.email.composing import RunReport, compose_in_processes
from papertide.email.delivery import OutboxSender
from papertide.services import build_services

digest_app = typer.Typer(help="Email digests: compose, send, preview.", no_args_is_help=True)
email_app = typer.Typer(help="Email delivery: bounces and outbox status.", no_args_is_help=True)

console = Console()
err = Console(stderr=True, soft_wrap=True)  # paths and URLs in errors stay whole for copying


def _compose_shard(settings: Settings, now: datetime, k: int, n: int) -> RunReport:
    """One composer process's share (module level: it is pickled to a spawned process)."""
    services = build_services(settings)
    try:
        report = services.digests.run(now, shard=(k, n))
        report.outbox_ids = []  # not worth shipping back across processes
        return report
    finally:
        services.close()


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
    services = load_services()
    logging.basicConfig(level=services.settings.log_level)
    when = _now(now)
    r = (services.digests.run(when) if processes == 1
         else compose_in_processes(functools.partial(_compose_shard, services.settings, when), processes))
    console.print(
        f"digests: {r.considered} subscriptions, {r.due} due, {r.composed} composed, {r.already} already composed, "
        f"{r.empty} empty (not sent), {r.earlier_today} had one earlier today, "
        f"{r.expired_unconfirmed} unconfirmed expired"
        + (f"; archived {r.archived}" if r.archived else "")
    )
    if send:
        d = services.outbox_sender.drain()
        console.print(f"sent {d.sent}, retry later {d.retried}, failed {d.failed}, cancelled {d.cancelled}")
        _say_what_waits(services.outbox_sender)
    services.close()


@digest_app.command("send")
def digest_send(
    wait: Annotated[bool, typer.Option("--wait/--no-wait", help="Wait for retries until nothing is pending.")] = False,
    timeout: Annotated[float | None, typer.Option(help="With --wait: give up after this many seconds.", min=0)] = None,
    concurrency: Annotated[int | None, typer.Option(
        help="SMTP connections (default PAPERTIDE_EMAIL_SEND_CONCURRENCY).", min=1)] = None,
) -> None:
    """Drain the outbox: send every message that is due (several senders may run at once)."""
    services = load_services()
    logging.basicConfig(level=services.settings.log_level)
    sender = services.outbox_sender.with_concurrency(concurrency) if concurrency else services.outbox_sender
    d = sender.drain(wait=wait, timeout=timeout)
    console.print(
        f"sent {d.sent}, retry later {d.retried}, failed {d.failed}, cancelled {d.cancelled} in {d.seconds:.1f} s "
        f"({sender.concurrency} connections)"
    )
    waiting = _say_what_waits(sender)
    services.close()
    if wait and waiting:  # --wait promised an empty outbox; --timeout ran out first
        err.print(f"[red]gave up after {d.seconds:.0f} s (--timeout) with {waiting} still to send[/red]")
        raise typer.Exit(1)


def _say_what_waits(sender: OutboxSender) -> int:
    """Print how many messages are still to send and when the next is due; return that count.

    A drain that sent nothing used to end with all zeros, as if the outbox were empty, while a
    message refused by the SMTP server sat waiting for its retry.
    """
    count, next_due = sender.waiting()
    if count:
        when = "now" if next_due is None or next_due <= datetime.now(UTC) else f"{next_due:%Y-%m-%d %H:%M:%S} UTC"
        err.print(f"[yellow]{count} message{'s' if count != 1 else ''} still to send (next due {when}); "
                  "the worker or the next `papertide digest send` will try again[/yellow]")
    return count


@digest_app.command("preview")
def digest_preview(
    email: Annotated[str | None, typer.Option(help="A subscriber's address: their next digest.")] = None,
    categories: Annotated[str, typer.Option(help="Comma-separated arXiv categories.")] = "",
    keywords: Annotated[str, typer.Option(help="Comma-separated keywords.")] = "",
    authors: Annotated[str, typer.Option(help="Comma-separated author names.")] = "",
    trending: Annotated[bool, typer.Option("--trending/--no-trending", help="Include trending papers.")] = True,
    max_papers: Annotated[int, typer.Option(help="Size cap (5–30).")] = 10,
    out: Annotated[Path | None, typer.Option(
        dir_okay=False, writable=True, help="Write the HTML here instead of standard output.")] = None,
) -> None:
    """Render the HTML of a digest (a subscriber's next one, or for the given preferences)."""
    from papertide.domain.subscriptions import InvalidSubscription, parse_preferences

    services = load_services()
    composer, service = services.digests, services.subscriptions
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
            service.check_categories(prefs)  # a typo would otherwise just drop its section
        except InvalidSubscription as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from None
    html = composer.preview_html(prefs, sub)
    services.close()
    if out:
        try:
            out.write_text(html, encoding="utf-8")
        except OSError as exc:  # a missing folder, no permission, a full disk
            err.print(f"[red]Cannot write {out}: {exc.strerror or exc}[/red]")
            raise typer.Exit(1) from None
        console.print(f"wrote {out}")
    else:
        typer.echo(html)


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
    services = load_services()
    outcome = services.subscriptions.record_bounce(address, k, detail, source="cli")
    if not outcome.known:
        err.print(f"[yellow]No subscriber has the address {address}; nothing recorded.[/yellow]")
        raise typer.Exit(1)
    console.print(f"recorded {k} bounce for {address}: {outcome.action}")
    services.close()


@email_app.command("unsubscribe")
def email_unsubscribe(address: Annotated[str, typer.Argument(help="The address to unsubscribe.")]) -> None:
    """Unsubscribe an address (e.g. from mail to the List-Unsubscribe mailto address)."""
    services = load_services()
    done = services.subscriptions.unsubscribe_address(address)
    if done is None:
        err.print(f"[yellow]No subscription for {address}.[/yellow]")
        raise typer.Exit(1)
    # Said apart, so whoever processes List-Unsubscribe mail sees a repeat for what it is.
    console.print(f"unsubscribed {address}" if done == "unsubscribed" else f"{address} was already unsubscribed")
    services.close()


@email_app.command("outbox")
def email_outbox() -> None:
    """Print outbox counts by status (pending, sending, sent, failed, cancelled), or say it is empty."""
    services = load_services()
    counts = services.outbox_sender.counts()
    if counts:
        console.print(json.dumps(counts, sort_keys=True))
    else:  # a bare {} reads as a glitch
        console.print("The outbox is empty: no email queued, sent or failed.")
    services.close()

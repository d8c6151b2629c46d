"""Subscriptions: digest preferences and opt-in state, one per subscriber."""

from __future__ import annotations

import uuid as uuidlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.domain.subscriptions import Preferences
from papertide.storage.tables.email import subscribers, subscriptions


@dataclass(frozen=True, slots=True)
class SubscriptionRecord:
    """A subscription joined with its subscriber's address and delivery status."""

    id: int
    uuid: str
    subscriber_id: int
    email: str
    name: str
    status: str
    subscriber_status: str
    soft_bounces: int
    prefs: Preferences
    token_version: int
    notice_sent_at: datetime | None
    requested_at: datetime
    last_digest_at: datetime | None = None


def _prefs_values(p: Preferences) -> dict[str, Any]:
    return {
        "frequency": p.frequency, "weekday": p.weekday, "send_hour": p.send_hour, "timezone": p.timezone,
        "trending": p.trending, "categories": list(p.categories), "keywords": list(p.keywords),
        "authors": list(p.authors), "max_papers": p.max_papers,
    }


def _select() -> sa.Select[*tuple[Any, ...]]:
    return sa.select(
        subscriptions, subscribers.c.email, subscribers.c.name, subscribers.c.status.label("subscriber_status"),
        subscribers.c.soft_bounces,
    ).join(subscribers, subscribers.c.id == subscriptions.c.subscriber_id)


def _record(r: Any) -> SubscriptionRecord:
    prefs = Preferences(
        frequency=r.frequency, weekday=r.weekday, send_hour=r.send_hour, timezone=r.timezone,
        trending=bool(r.trending), categories=tuple(r.categories or ()), keywords=tuple(r.keywords or ()),
        authors=tuple(r.authors or ()), max_papers=r.max_papers,
    )
    return SubscriptionRecord(
        r.id, r.uuid, r.subscriber_id, r.email, r.name, r.status, r.subscriber_status, r.soft_bounces, prefs,
        r.token_version, r.notice_sent_at, r.requested_at, r.last_digest_at,
    )


def get_by_uuid(conn: Connection, uuid: str, lock: bool = False) -> SubscriptionRecord | None:
    """The subscription; ``lock``: also lock its row until the transaction ends (PostgreSQL), so a
    change decided from what was read cannot land over another process's change made meanwhile."""
    q = _select().where(subscriptions.c.uuid == uuid)
    if lock:
        q = q.with_for_update(of=subscriptions)
    r = conn.execute(q).first()
    return _record(r) if r else None


def get_by_subscriber(conn: Connection, subscriber_id: int) -> SubscriptionRecord | None:
    r = conn.execute(_select().where(subscriptions.c.subscriber_id == subscriber_id)).first()
    return _record(r) if r else None


def get_by_email(conn: Connection, email: str) -> SubscriptionRecord | None:
    r = conn.execute(_select().where(sa.func.lower(subscribers.c.email) == email.lower())).first()
    return _record(r) if r else None


def create(conn: Connection, subscriber_id: int, prefs: Preferences, now: datetime) -> SubscriptionRecord:
    conn.execute(
        sa.insert(subscriptions).values(
            uuid=str(uuidlib.uuid4()), subscriber_id=subscriber_id, status="unconfirmed", requested_at=now,
            **_prefs_values(prefs),
        )
    )
    return get_by_subscriber(conn, subscriber_id)  # type: ignore[return-value]


def restart_optin(conn: Connection, subscription_id: int, prefs: Preferences, now: datetime, bump_tokens: bool) -> None:
    """Back to unconfirmed with new preferences (a fresh request, or coming back after leaving)."""
    values: dict[str, Any] = {
        "status": "unconfirmed", "requested_at": now, "updated_at": sa.func.now(), **_prefs_values(prefs),
    }
    if bump_tokens:
        values["token_version"] = subscriptions.c.token_version + 1
    conn.execute(sa.update(subscriptions).where(subscriptions.c.id == subscription_id).values(values))


def update_preferences(conn: Connection, subscription_id: int, prefs: Preferences) -> None:
    conn.execute(
        sa.update(subscriptions).where(subscriptions.c.id == subscription_id)
        .values(updated_at=sa.func.now(), **_prefs_values(prefs))
    )


def set_status(conn: Connection, subscription_id: int, status: str, now: datetime) -> None:
    values: dict[str, Any] = {"status": status, "updated_at": sa.func.now()}
    if status == "confirmed":
        values["confirmed_at"] = now
    elif status == "unsubscribed":
        values["unsubscribed_at"] = now
    conn.execute(sa.update(subscriptions).where(subscriptions.c.id == subscription_id).values(values))


def mark_notice_sent(conn: Connection, subscription_id: int, now: datetime) -> None:
    conn.execute(sa.update(subscriptions).where(subscriptions.c.id == subscription_id).values(notice_sent_at=now))


def mark_digest_composed(conn: Connection, subscription_ids: list[int], now: datetime) -> None:
    """Record that these subscriptions' digests were composed at ``now`` (see had_digest_today)."""
    for i in range(0, len(subscription_ids), 500):
        conn.execute(sa.update(subscriptions).where(subscriptions.c.id.in_(subscription_ids[i : i + 500]))
                     .values(last_digest_at=now))


def bump_token_version(conn: Connection, subscription_id: int) -> None:
    conn.execute(
        sa.update(subscriptions).where(subscriptions.c.id == subscription_id)
        .values(token_version=subscriptions.c.token_version + 1, updated_at=sa.func.now())
    )


def iter_deliverable(
    conn: Connection, batch: int = 2000, shard: tuple[int, int] = (0, 1)
) -> Iterator[list[SubscriptionRecord]]:
    """Confirmed subscriptions of enabled subscribers, in id order, a batch at a time (keyset paging).

    ``shard=(k, n)`` keeps the ids with ``id % n == k``, so n composer processes split the work.
    """
    last = 0
    k, n = shard
    while True:
        q = (
            _select()
            .where(subscriptions.c.status == "confirmed", subscribers.c.status == "enabled", subscriptions.c.id > last)
            .order_by(subscriptions.c.id)
            .limit(batch)
        )
        if n > 1:
            q = q.where(subscriptions.c.id % n == k)
        rows = [_record(r) for r in conn.execute(q)]
        if not rows:
            return
        yield rows
        last = rows[-1].id


def delete_expired_unconfirmed(conn: Connection, now: datetime, ttl_days: int) -> int:
    """Delete unconfirmed subscriptions requested ``ttl_days`` ago or more, and their subscribers
    when nothing else (a bounce history) refers to them; returns how many subscriptions went."""
    cutoff = now - timedelta(days=ttl_days)
    expired = conn.execute(
        sa.select(subscriptions.c.id, subscriptions.c.subscriber_id)
        .where(subscriptions.c.status == "unconfirmed", subscriptions.c.requested_at <= cutoff)
    ).all()
    if not expired:
        return 0
    conn.execute(sa.delete(subscriptions).where(subscriptions.c.id.in_([r.id for r in expired])))
    # The address was never confirmed, so we keep nothing about it.
    conn.execute(sa.delete(subscribers).where(subscribers.c.id.in_([r.subscriber_id for r in expired])))
    return len(expired)


def count_by_status(conn: Connection) -> dict[str, int]:
    q = sa.select(subscriptions.c.status, sa.func.count()).group_by(subscriptions.c.status)
    return {r[0]: r[1] for r in conn.execute(q)}


def bulk_create_confirmed(conn: Connection, rows: list[tuple[str, Preferences]], now: datetime) -> int:
    """Insert confirmed subscribers in bulk (imports from another list tool, benchmarks).

    Addresses must be validated and new; returns how many were inserted.
    """
    if not rows:
        return 0
    conn.execute(sa.insert(subscribers), [{"uuid": str(uuidlib.uuid4()), "email": e, "name": ""} for e, _ in rows])
    ids: dict[str, int] = {}
    emails = [e.lower() for e, _ in rows]
    for i in range(0, len(emails), 500):
        q = sa.select(sa.func.lower(subscribers.c.email), subscribers.c.id).where(
            sa.func.lower(subscribers.c.email).in_(emails[i : i + 500])
        )
        ids.update({r[0]: r[1] for r in conn.execute(q)})
    conn.execute(sa.insert(subscriptions), [
        {"uuid": str(uuidlib.uuid4()), "subscriber_id": ids[e.lower()], "status": "confirmed", "requested_at": now,
         "confirmed_at": now, **_prefs_values(p)}
        for e, p in rows
    ])
    return len(rows)

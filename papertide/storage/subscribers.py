"""Subscribers: one row per email address (case-insensitive) with its delivery status."""

from __future__ import annotations

import uuid as uuidlib
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from papertide.storage.tables.email import subscribers


@dataclass(frozen=True, slots=True)
class SubscriberRecord:
    id: int
    uuid: str
    email: str
    name: str
    status: str
    soft_bounces: int


def _record(r: sa.Row[*tuple[Any, ...]]) -> SubscriberRecord:
    return SubscriberRecord(r.id, r.uuid, r.email, r.name, r.status, r.soft_bounces)


def get_by_email(conn: Connection, email: str, lock: bool = False) -> SubscriberRecord | None:
    """The subscriber with this address (case-insensitive); ``lock``: as committed now, with its row
    locked until the transaction ends, for a change computed from what it holds (PostgreSQL; SQLite's
    writes already go one at a time)."""
    q = sa.select(subscribers).where(sa.func.lower(subscribers.c.email) == email.lower())
    r = conn.execute(q.with_for_update() if lock else q).first()
    return _record(r) if r else None


def get_by_id(conn: Connection, subscriber_id: int) -> SubscriberRecord | None:
    r = conn.execute(sa.select(subscribers).where(subscribers.c.id == subscriber_id)).first()
    return _record(r) if r else None


def create(conn: Connection, email: str, name: str = "") -> SubscriberRecord:
    sid = conn.execute(
        sa.insert(subscribers).values(uuid=str(uuidlib.uuid4()), email=email, name=name).returning(subscribers.c.id)
    ).scalar_one()
    return get_by_id(conn, sid)  # type: ignore[return-value]


def locked_or_created(conn: Connection, email: str, name: str = "") -> SubscriberRecord:
    """The subscriber with this address, created when new, with its row locked until the transaction
    ends: two requests for one address (a double submit) take turns, the second seeing the first's
    subscriber, subscription and notice instead of inserting the address again (a unique-index
    error) or sending a second notice. The insert skips an address that exists (ON CONFLICT DO
    NOTHING), waiting on PostgreSQL for a concurrent insert of it to commit first."""
    found = get_by_email(conn, email, lock=True)
    if found is not None:
        return found
    insert = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(subscribers)
    conn.execute(insert.values(uuid=str(uuidlib.uuid4()), email=email, name=name).on_conflict_do_nothing())
    created = get_by_email(conn, email, lock=True)
    assert created is not None
    return created


def update_delivery(conn: Connection, subscriber_id: int, status: str, soft_bounces: int) -> None:
    conn.execute(
        sa.update(subscribers)
        .where(subscribers.c.id == subscriber_id)
        .values(status=status, soft_bounces=soft_bounces, updated_at=sa.func.now())
    )


def set_name(conn: Connection, subscriber_id: int, name: str) -> None:
    conn.execute(sa.update(subscribers).where(subscribers.c.id == subscriber_id).values(name=name, updated_at=sa.func.now()))


def delete_orphans(conn: Connection, subscriber_ids: list[int]) -> int:
    """Delete the given subscribers (used after their only subscription expired)."""
    if not subscriber_ids:
        return 0
    return conn.execute(sa.delete(subscribers).where(subscribers.c.id.in_(subscriber_ids))).rowcount or 0

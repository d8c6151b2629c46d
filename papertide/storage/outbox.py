"""The outbox: built messages waiting to be sent, claimed by senders, marked as they go.

Row life: ``pending`` → (claimed) ``sending`` → ``sent`` | ``pending`` again with a later
``next_attempt_at`` (temporary failure) | ``failed`` (permanent, or out of attempts) |
``cancelled`` (the digest's subscription ended before it went out).

Claiming is one statement shape for both databases: ``SELECT … FOR UPDATE SKIP LOCKED``
then ``UPDATE`` in the same transaction. On PostgreSQL concurrent senders skip each
other's locked rows; SQLite has no row locks (SQLAlchemy drops the clause) and does not
need them, because our write transactions are ``BEGIN IMMEDIATE`` and so serialised.
A claim is a lease: a sender that dies leaves rows ``sending`` until ``claim_expires_at``,
after which any sender may take them again.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from papertide.storage.tables.email import outbox, subscribers, subscriptions

RAW_COMPRESSION_LEVEL = 1  # zlib: level 1 gets ~4.3x on digests at a fraction of level 6's time


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A new row to enqueue."""

    idempotency_key: str
    kind: str
    recipient: str
    message_id: str
    subject: str
    raw: str
    subscription_id: int | None = None


@dataclass(frozen=True, slots=True)
class ClaimedMessage:
    id: int
    idempotency_key: str
    kind: str
    recipient: str
    raw: str
    attempts: int  # including this one
    claim: str
    deliverable: bool  # False: a digest whose subscription or address is no longer active


def pack(raw: str) -> bytes:
    """Messages are stored zlib-compressed: a digest's inline-styled HTML shrinks about 4x,
    which is most of the bytes a composing run writes (bench/digest_bench.py)."""
    return zlib.compress(raw.encode("utf-8"), RAW_COMPRESSION_LEVEL)


def unpack(stored: bytes) -> str:
    return zlib.decompress(stored).decode("utf-8")


def _insert(conn: Connection):  # type: ignore[no-untyped-def]
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(outbox)


def enqueue(conn: Connection, messages: list[OutboxMessage], now: datetime) -> dict[str, int]:
    """Insert messages whose idempotency key is new; returns key → row id of those *this call*
    inserted (a key that already existed, even from a concurrent transaction, is left out)."""
    if not messages:
        return {}
    stmt = (
        _insert(conn).on_conflict_do_nothing(index_elements=["idempotency_key"])
        .returning(outbox.c.idempotency_key, outbox.c.id)
    )
    return {r[0]: r[1] for r in conn.execute(stmt, [_as_row(m, now) for m in messages])}


def _as_row(m: OutboxMessage, now: datetime) -> dict[str, Any]:
    return {
        "idempotency_key": m.idempotency_key, "kind": m.kind, "recipient": m.recipient, "message_id": m.message_id,
        "subject": m.subject, "raw": pack(m.raw), "subscription_id": m.subscription_id, "status": "pending",
        "next_attempt_at": now,
    }


def existing_keys(conn: Connection, keys: list[str]) -> set[str]:
    out: set[str] = set()
    for i in range(0, len(keys), 500):
        q = sa.select(outbox.c.idempotency_key).where(outbox.c.idempotency_key.in_(keys[i : i + 500]))
        out.update(conn.execute(q).scalars())
    return out


def claim(
    conn: Connection, claim_id: str, now: datetime, lease: timedelta, limit: int, only_ids: list[int] | None = None
) -> list[ClaimedMessage]:
    """Take up to ``limit`` due rows: sending with an expired lease (a dead sender's), then pending.

    Two queries rather than one OR: each walks ``ix_outbox_status_next_attempt_at`` in order
    and stops at ``limit``, where the OR made both planners sort every due row (21 ms per
    claim with 100,000 pending on SQLite, instead of well under one).
    """
    def pick(cond: sa.ColumnElement[bool], order: tuple[sa.ColumnElement[Any], ...], n: int) -> list[int]:
        if only_ids is not None:
            cond = sa.and_(cond, outbox.c.id.in_(only_ids))
        q = sa.select(outbox.c.id).where(cond).order_by(*order).limit(n).with_for_update(skip_locked=True)
        return list(conn.execute(q).scalars())

    ids = pick(sa.and_(outbox.c.status == "sending", outbox.c.claim_expires_at <= now), (outbox.c.id,), limit)
    if len(ids) < limit:
        ids += pick(sa.and_(outbox.c.status == "pending", outbox.c.next_attempt_at <= now),
                    (outbox.c.next_attempt_at, outbox.c.id), limit - len(ids))
    if not ids:
        return []
    conn.execute(
        sa.update(outbox).where(outbox.c.id.in_(ids)).values(
            status="sending", claimed_by=claim_id, claim_expires_at=now + lease, attempts=outbox.c.attempts + 1,
            updated_at=now,
        )
    )
    q = (
        sa.select(
            outbox.c.id, outbox.c.idempotency_key, outbox.c.kind, outbox.c.recipient, outbox.c.raw, outbox.c.attempts,
            subscriptions.c.status.label("sub_status"), subscribers.c.status.label("subscriber_status"),
        )
        .select_from(outbox.outerjoin(subscriptions, subscriptions.c.id == outbox.c.subscription_id)
                     .outerjoin(subscribers, subscribers.c.id == subscriptions.c.subscriber_id))
        .where(outbox.c.id.in_(ids))
        .order_by(outbox.c.id)
    )
    return [
        ClaimedMessage(
            r.id, r.idempotency_key, r.kind, r.recipient, unpack(r.raw), r.attempts, claim_id,
            deliverable=r.kind != "digest" or (r.sub_status == "confirmed" and r.subscriber_status == "enabled"),
        )
        for r in conn.execute(q)
    ]


def _mine(message_id: int, claim_id: str) -> sa.ColumnElement[bool]:
    # Only the holder of the current claim may settle a row; a sender whose lease ran out
    # (and whose row another sender took) must not overwrite the newer outcome.
    return sa.and_(outbox.c.id == message_id, outbox.c.claimed_by == claim_id, outbox.c.status == "sending")


def mark_sent(conn: Connection, message_id: int, claim_id: str, now: datetime) -> bool:
    r = conn.execute(
        sa.update(outbox).where(_mine(message_id, claim_id))
        .values(status="sent", sent_at=now, last_error=None, claim_expires_at=None, updated_at=now)
    )
    return bool(r.rowcount)


def mark_retry(conn: Connection, message_id: int, claim_id: str, error: str, next_attempt_at: datetime, now: datetime) -> bool:
    r = conn.execute(
        sa.update(outbox).where(_mine(message_id, claim_id)).values(
            status="pending", last_error=error[:2000], next_attempt_at=next_attempt_at, claim_expires_at=None,
            updated_at=now,
        )
    )
    return bool(r.rowcount)


def mark_final(conn: Connection, message_id: int, claim_id: str, status: str, error: str, now: datetime) -> bool:
    """``failed`` (permanent) or ``cancelled`` (no longer wanted)."""
    r = conn.execute(
        sa.update(outbox).where(_mine(message_id, claim_id))
        .values(status=status, last_error=error[:2000], claim_expires_at=None, updated_at=now)
    )
    return bool(r.rowcount)


def cancel_pending_for(conn: Connection, subscription_id: int, now: datetime) -> int:
    """Unsubscribing cancels digests still waiting in the outbox."""
    r = conn.execute(
        sa.update(outbox)
        .where(outbox.c.subscription_id == subscription_id, outbox.c.kind == "digest", outbox.c.status == "pending")
        .values(status="cancelled", last_error="unsubscribed", updated_at=now)
    )
    return r.rowcount or 0


def counts(conn: Connection) -> dict[str, int]:
    q = sa.select(outbox.c.status, sa.func.count()).group_by(outbox.c.status)
    return {r[0]: r[1] for r in conn.execute(q)}


def outstanding(conn: Connection) -> int:
    """Rows that still need a sender: pending (now or later) or sending."""
    q = sa.select(sa.func.count()).select_from(outbox).where(outbox.c.status.in_(("pending", "sending")))
    return conn.execute(q).scalar_one()


def next_due_at(conn: Connection) -> datetime | None:
    """The earliest time a row becomes claimable (for senders that wait)."""
    pending = conn.execute(sa.select(sa.func.min(outbox.c.next_attempt_at)).where(outbox.c.status == "pending")).scalar()
    sending = conn.execute(sa.select(sa.func.min(outbox.c.claim_expires_at)).where(outbox.c.status == "sending")).scalar()
    times = [t for t in (pending, sending) if t is not None]
    return min(times) if times else None


FINAL_STATUSES = ("sent", "failed", "cancelled")  # rows no sender will touch again


def delete_finished(conn: Connection, before: datetime, limit: int) -> int:
    """Delete up to ``limit`` sent, failed or cancelled rows last tried before ``before``; returns
    how many went. The caller repeats it, one transaction per call, until it returns less than
    ``limit``: a first run over a large backlog then never holds the write lock for long.

    ``next_attempt_at`` is when the row was last tried (composing sets it to the run's clock,
    each retry moves it on), and it is what ``ix_outbox_status_next_attempt_at`` orders rows by
    within a status, so finding a batch is a range scan of that index, never of the table.
    """
    batch = (
        sa.select(outbox.c.id)
        .where(outbox.c.status.in_(FINAL_STATUSES), outbox.c.next_attempt_at < before)
        .limit(limit)
        .scalar_subquery()
    )
    return int(conn.execute(sa.delete(outbox).where(outbox.c.id.in_(batch))).rowcount)


def _row_dict(r: sa.Row[*tuple[Any, ...]]) -> dict[str, Any]:
    d = r._asdict()
    d["raw"] = unpack(d["raw"])
    return d


def get(conn: Connection, message_id: int) -> dict[str, Any] | None:
    r = conn.execute(sa.select(outbox).where(outbox.c.id == message_id)).first()
    return _row_dict(r) if r else None


def by_status(conn: Connection, status: str) -> list[dict[str, Any]]:
    return [_row_dict(r) for r in conn.execute(sa.select(outbox).where(outbox.c.status == status).order_by(outbox.c.id))]


def oldest_outstanding_at(conn: Connection) -> datetime | None:
    """When the oldest message still waiting for a sender (pending or sending) was queued."""
    q = sa.select(sa.func.min(outbox.c.created_at)).where(outbox.c.status.in_(("pending", "sending")))
    oldest: datetime | None = conn.execute(q).scalar()
    return None if oldest is None else (oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC))

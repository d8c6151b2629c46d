"""Recorded bounces and complaints, applied to subscriber/subscription state atomically."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.domain.bounces import Action, BounceKind, DeliveryState, apply_bounce
from papertide.storage import outbox as outbox_store
from papertide.storage import subscribers as subscribers_store
from papertide.storage import subscriptions as subscriptions_store
from papertide.storage.tables.email import bounces


@dataclass(frozen=True, slots=True)
class BounceOutcome:
    known: bool  # False: no subscriber has that address (recorded nowhere)
    action: Action
    state: DeliveryState | None


def record_bounce(
    conn: Connection, email: str, kind: BounceKind, detail: str, source: str, soft_threshold: int, now: datetime
) -> BounceOutcome:
    """Log the event and apply the policy of :func:`papertide.domain.bounces.apply_bounce`.

    Call inside one write transaction so the log and the state change land together.
    """
    # Locked: the new state is computed from the old one, and two bounces recorded at once (two
    # webhook calls) each wrote theirs over the other's; a soft one undid a hard one's "disabled".
    subscriber = subscribers_store.get_by_email(conn, email, lock=True)
    if subscriber is None:
        return BounceOutcome(False, "none", None)
    sub = subscriptions_store.get_by_subscriber(conn, subscriber.id)
    state = DeliveryState(subscriber.status, sub.status if sub else None, subscriber.soft_bounces)  # type: ignore[arg-type]
    new, action = apply_bounce(state, kind, soft_threshold)
    conn.execute(sa.insert(bounces).values(subscriber_id=subscriber.id, kind=kind, source=source[:32], detail=detail[:2000]))
    if (new.subscriber, new.soft_bounces) != (state.subscriber, state.soft_bounces):
        subscribers_store.update_delivery(conn, subscriber.id, new.subscriber, new.soft_bounces)
    if sub is not None and new.subscription != state.subscription and new.subscription is not None:
        subscriptions_store.set_status(conn, sub.id, new.subscription, now)
        outbox_store.cancel_pending_for(conn, sub.id, now)
    return BounceOutcome(True, action, new)


def count_for(conn: Connection, subscriber_id: int) -> dict[str, int]:
    q = sa.select(bounces.c.kind, sa.func.count()).where(bounces.c.subscriber_id == subscriber_id).group_by(bounces.c.kind)
    return {r[0]: r[1] for r in conn.execute(q)}

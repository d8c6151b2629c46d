"""The audit log: who did what to which thing, append-only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.storage.schema import users
from papertide.storage.tables.community import audit_log


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str | None
    action: str
    target: str
    detail: str


def record(
    conn: Connection, actor_id: int | None, action: str, target: str, detail: str = "", now: datetime | None = None
) -> None:
    values: dict[str, str | int | datetime | None] = {
        "actor_id": actor_id, "action": action, "target": target[:200], "detail": detail[:2000]
    }
    if now is not None:
        values |= {"created_at": now, "updated_at": now}
    conn.execute(sa.insert(audit_log).values(**values))


def recent(conn: Connection, limit: int = 100, before: int | None = None) -> list[AuditEntry]:
    """The newest entries first; ``before`` (an entry's id) pages on to older ones."""
    q = (
        sa.select(audit_log.c.id, audit_log.c.created_at, users.c.display_name, audit_log.c.action, audit_log.c.target,
                  audit_log.c.detail)
        .select_from(audit_log.outerjoin(users, users.c.id == audit_log.c.actor_id))
        .order_by(audit_log.c.id.desc())
        .limit(limit)
    )
    if before is not None:
        q = q.where(audit_log.c.id < before)
    return [AuditEntry(*r) for r in conn.execute(q)]

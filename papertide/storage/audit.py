"""The audit log: who did what to which thing, append-only."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.storage.schema import users
from papertide.storage.tables.community import audit_log, collections, comments

# Entries with no acting account: the command line's (their detail ends with this), and those
# of a moderator who has since deleted their account (actor_id SET NULL), who is not "system".
BY_CLI = "via CLI"
DELETED_ACTOR = "[deleted account]"
# Actions whose detail is the member's email address (who was banned), and what curators see instead.
ADDRESS_DETAIL = frozenset({"user.ban", "user.unban"})
ADMINS_ONLY = "(shown to admins)"
ACCOUNT_TARGET = "user:"  # targets that are accounts: "user:<uuid>" (account_target)


def account_target(user_uuid: str) -> str:
    """The target an entry about a member's account names, which :func:`recent` reads back."""
    return f"{ACCOUNT_TARGET}{user_uuid}"


def collection_target(collection_uuid: str) -> str:
    """The target an entry about a collection names (a moderator hiding it)."""
    return f"collection:{collection_uuid}"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str | None
    action: str
    target: str
    detail: str
    target_name: str | None = None  # the display name of a target account ("user:<uuid>") that still exists

    @property
    def who(self) -> str:
        """Who to show as having acted: the account's name, "system" or the deleted account."""
        if self.actor is not None:
            return self.actor
        return "system" if self.detail.endswith(BY_CLI) else DELETED_ACTOR


def about_member(user_id: int, user_uuid: str) -> sa.ColumnElement[bool]:
    """Entries the member made, or made about their account, their comments or their collections
    (what a moderator reviews of one member, and what the member's data download holds)."""
    theirs = sa.select(sa.literal("comment:") + comments.c.uuid).where(comments.c.user_id == user_id)
    lists = sa.select(sa.literal("collection:") + collections.c.uuid).where(collections.c.user_id == user_id)
    return sa.or_(audit_log.c.actor_id == user_id, audit_log.c.target == account_target(user_uuid),
                  audit_log.c.member_uuid == user_uuid,  # their collections, deleted or not
                  audit_log.c.target.in_(theirs.scalar_subquery()), audit_log.c.target.in_(lists.scalar_subquery()))


def record(
    conn: Connection, actor_id: int | None, action: str, target: str, detail: str = "", now: datetime | None = None,
    member_uuid: str | None = None,
) -> int:
    """Append an entry; returns its id (a bulk action's undo names the entry it undoes). ``member_uuid``:
    the member it is about, when ``target`` may not always lead to them (a collection they may delete)."""
    values: dict[str, str | int | datetime | None] = {
        "actor_id": actor_id, "action": action, "target": target[:200], "detail": detail[:2000], "member_uuid": member_uuid,
    }
    if now is not None:
        values |= {"created_at": now, "updated_at": now}
    return int(conn.execute(sa.insert(audit_log).values(**values).returning(audit_log.c.id)).scalar_one())


def _entries() -> sa.Select[Any]:
    """Entries with the acting account's name and, for an entry about an account, that account's."""
    # The target account by its uuid (the users.uuid index), so the log names whom an action was about.
    targets = users.alias("targets")
    account = sa.and_(audit_log.c.target.like(f"{ACCOUNT_TARGET}%"),
                      targets.c.uuid == sa.func.substr(audit_log.c.target, len(ACCOUNT_TARGET) + 1))
    return (
        sa.select(audit_log.c.id, audit_log.c.created_at, users.c.display_name, audit_log.c.action, audit_log.c.target,
                  audit_log.c.detail, targets.c.display_name)
        .select_from(audit_log.outerjoin(users, users.c.id == audit_log.c.actor_id).outerjoin(targets, account))
    )


def recent(
    conn: Connection, limit: int = 100, before: int | None = None, member: tuple[int, str] | None = None
) -> list[AuditEntry]:
    """The newest entries first; ``before`` (an entry's id) pages on to older ones; ``member``
    (id, uuid) keeps only the entries by or about that member (:func:`about_member`)."""
    q = _entries().order_by(audit_log.c.id.desc()).limit(limit)
    if before is not None:
        q = q.where(audit_log.c.id < before)
    if member is not None:
        q = q.where(about_member(*member))
    return [AuditEntry(*r) for r in conn.execute(q)]


def by_ids(conn: Connection, ids: Sequence[int]) -> dict[int, AuditEntry]:
    """The entries ``ids``, by id: a page that names an earlier action says when and by whom."""
    if not ids:
        return {}
    return {r.id: r for r in (AuditEntry(*row) for row in conn.execute(_entries().where(audit_log.c.id.in_(list(ids)))))}

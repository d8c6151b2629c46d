"""Comments on papers, their reports, and moderation state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.domain.comments import Comment
from papertide.storage.dialects.conflicts import execute_inserted, insert_ignore
from papertide.storage.schema import papers, users
from papertide.storage.tables.community import accounts, comment_reports, comments

_COLUMNS = (
    comments.c.id, comments.c.uuid, papers.c.arxiv_id, comments.c.user_id, users.c.display_name, users.c.uuid.label("user_uuid"),
    comments.c.parent_id, comments.c.body, comments.c.status, comments.c.created_at, comments.c.edited_at,
    (sa.func.coalesce(accounts.c.status, "active") == "banned").label("author_banned"),
)
_FROM = (
    comments.join(papers, papers.c.id == comments.c.paper_id).outerjoin(users, users.c.id == comments.c.user_id)
    .outerjoin(accounts, accounts.c.user_id == comments.c.user_id)
)
# Comments everyone sees: visible, and not by a member who is banned (a ban hides what they wrote;
# lifting it shows it again, so the ban is read here rather than written onto each comment).
# (An alias: queries over ``_FROM`` already join ``accounts``, which would swallow the subquery's.)
_authors = accounts.alias("authors")
_AUTHOR_BANNED = sa.exists().where(_authors.c.user_id == comments.c.user_id, _authors.c.status == "banned")
PUBLIC = sa.and_(comments.c.status == "visible", ~_AUTHOR_BANNED)


@dataclass(frozen=True, slots=True)
class Report:
    comment: Comment
    reports: int
    reasons: tuple[str, ...]


def _comment(r: Any) -> Comment:
    return Comment(
        id=r.id, uuid=r.uuid, paper_arxiv_id=r.arxiv_id, author_id=r.user_id, author_name=r.display_name,
        author_uuid=r.user_uuid, parent_id=r.parent_id, body=r.body, status=r.status,
        created_at=_aware(r.created_at), edited_at=None if r.edited_at is None else _aware(r.edited_at),
        author_banned=bool(r.author_banned),
    )


def _aware(dt: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone=True columns; we only ever store UTC, and
    # pages print the offset, so both dialects must hand back the same aware value.
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def add_comment(
    conn: Connection, comment_uuid: str, paper_id: int, user_id: int, parent_id: int | None, body: str, now: datetime
) -> int:
    return int(conn.execute(
        sa.insert(comments).values(
            uuid=comment_uuid, paper_id=paper_id, user_id=user_id, parent_id=parent_id, body=body,
            created_at=now, updated_at=now,
        ).returning(comments.c.id)
    ).scalar_one())


def get_comment(conn: Connection, comment_uuid: str) -> Comment | None:
    r = conn.execute(sa.select(*_COLUMNS).select_from(_FROM).where(comments.c.uuid == comment_uuid)).first()
    return _comment(r) if r else None


def get_comment_by_id(conn: Connection, comment_id: int) -> Comment | None:
    r = conn.execute(sa.select(*_COLUMNS).select_from(_FROM).where(comments.c.id == comment_id)).first()
    return _comment(r) if r else None


def comments_for_paper(conn: Connection, arxiv_id: str) -> list[Comment]:
    """Every comment on the paper, oldest first; by arXiv id through the join (no row-id lookup first)."""
    q = sa.select(*_COLUMNS).select_from(_FROM).where(papers.c.arxiv_id == arxiv_id).order_by(comments.c.id)
    return [_comment(r) for r in conn.execute(q)]


def latest_by_user_on_paper(conn: Connection, user_id: int, paper_id: int) -> Comment | None:
    """The user's newest comment on the paper (to tell a double submit; see ``users.lock_member``)."""
    q = (
        sa.select(*_COLUMNS).select_from(_FROM)
        .where(comments.c.user_id == user_id, comments.c.paper_id == paper_id)
        .order_by(comments.c.id.desc()).limit(1)
    )
    r = conn.execute(q).first()
    return _comment(r) if r else None


def comments_by_user(conn: Connection, user_id: int, limit: int = 100, with_hidden: bool = False) -> list[Comment]:
    """The member's newest comments that everyone sees; ``with_hidden`` adds those hidden by a
    moderator or by the member's ban (what a moderator reviews), never deleted ones."""
    shown = comments.c.status != "deleted" if with_hidden else PUBLIC
    q = (
        sa.select(*_COLUMNS).select_from(_FROM)
        .where(comments.c.user_id == user_id, shown)
        .order_by(comments.c.id.desc()).limit(limit)
    )
    return [_comment(r) for r in conn.execute(q)]


def update_body(conn: Connection, comment_id: int, body: str, now: datetime) -> bool:
    """Edit a visible comment's words; False when it is no longer visible (hidden or deleted meanwhile)."""
    stmt = (
        sa.update(comments).where(comments.c.id == comment_id, comments.c.status == "visible")
        .values(body=body, edited_at=now, updated_at=now)
    )
    return conn.execute(stmt).rowcount == 1


def set_status(conn: Connection, comment_id: int, status: str, now: datetime) -> None:
    conn.execute(sa.update(comments).where(comments.c.id == comment_id).values(status=status, updated_at=now))


def set_hidden(conn: Connection, comment_id: int, hidden: bool, now: datetime) -> bool:
    """Hide a visible comment or show a hidden one; False when it was not in the other state (already
    so, or deleted meanwhile), so a double submit changes it once and a deleted comment stays deleted."""
    new, old = ("hidden", "visible") if hidden else ("visible", "hidden")
    # A comment judged on its own leaves any bulk hide: that action's undo no longer shows it.
    return conn.execute(
        sa.update(comments).where(comments.c.id == comment_id, comments.c.status == old)
        .values(status=new, bulk_hide_id=None, updated_at=now)
    ).rowcount > 0


def count_visible_by_user(conn: Connection, user_id: int) -> int:
    """How many of the member's comments are visible (what "hide all their comments" would hide)."""
    q = sa.select(sa.func.count()).where(comments.c.user_id == user_id, comments.c.status == "visible")
    return int(conn.execute(q).scalar_one())


def hide_all_by_user(conn: Connection, user_id: int, entry_id: int, now: datetime) -> int:
    """Hide every visible comment of the member, marked as hidden by the audit entry ``entry_id``,
    and close their open reports (the action answers them, as hiding one comment does)."""
    hidden = conn.execute(
        sa.update(comments).where(comments.c.user_id == user_id, comments.c.status == "visible")
        .values(status="hidden", bulk_hide_id=entry_id, updated_at=now)
    ).rowcount
    batch = (sa.select(comments.c.id)
             .where(comments.c.user_id == user_id, comments.c.bulk_hide_id == entry_id).scalar_subquery())
    conn.execute(
        sa.update(comment_reports).where(comment_reports.c.comment_id.in_(batch), comment_reports.c.status == "open")
        .values(status="resolved", updated_at=now)
    )
    return hidden


def unhide_bulk(conn: Connection, user_id: int, entry_id: int, now: datetime) -> int:
    """Show again the member's comments the bulk hide ``entry_id`` hid and nobody has judged since."""
    return conn.execute(
        sa.update(comments)
        .where(comments.c.user_id == user_id, comments.c.bulk_hide_id == entry_id, comments.c.status == "hidden")
        .values(status="visible", bulk_hide_id=None, updated_at=now)
    ).rowcount


def standing_bulk_hides(conn: Connection, user_id: int) -> list[tuple[int, int]]:
    """(audit entry id, comments it still keeps hidden) of the member's bulk hides, newest first."""
    q = (
        sa.select(comments.c.bulk_hide_id, sa.func.count())
        .where(comments.c.user_id == user_id, comments.c.status == "hidden", comments.c.bulk_hide_id.is_not(None))
        .group_by(comments.c.bulk_hide_id).order_by(comments.c.bulk_hide_id.desc())
    )
    return [(r[0], r[1]) for r in conn.execute(q)]


def add_report(conn: Connection, comment_id: int, reporter_id: int, reason: str) -> bool:
    """One report per person per comment; False when they had already reported it."""
    stmt = insert_ignore(conn, comment_reports, ["comment_id", "reporter_id"]).values(
        comment_id=comment_id, reporter_id=reporter_id, reason=reason
    )
    return execute_inserted(conn, stmt)


def resolve_reports(conn: Connection, comment_id: int) -> int:
    return conn.execute(
        sa.update(comment_reports)
        .where(comment_reports.c.comment_id == comment_id, comment_reports.c.status == "open")
        .values(status="resolved", updated_at=sa.func.now())
    ).rowcount


def open_reports(conn: Connection, limit: int = 100) -> list[Report]:
    """Reported comments still to decide on, most reported first.

    A deleted comment is left out: there is nothing to hide, and hiding or dismissing it answers
    404, so its reports would otherwise stay at the top of the queue for good. So is a banned
    member's: the ban already hid it, and a spam wave's reports would bury everyone else's (they
    come back if the ban is lifted).
    """
    agg = (
        sa.select(comment_reports.c.comment_id, sa.func.count().label("n"))
        .where(comment_reports.c.status == "open")
        .group_by(comment_reports.c.comment_id)
        .subquery()
    )
    q = (
        sa.select(*_COLUMNS, agg.c.n).select_from(_FROM.join(agg, agg.c.comment_id == comments.c.id))
        .where(comments.c.status != "deleted", ~_AUTHOR_BANNED).order_by(agg.c.n.desc(), comments.c.id).limit(limit)
    )
    out = []
    for r in conn.execute(q).all():
        reasons = conn.execute(
            sa.select(comment_reports.c.reason).where(
                comment_reports.c.comment_id == r.id, comment_reports.c.status == "open", comment_reports.c.reason != ""
            )
        ).scalars()
        out.append(Report(_comment(r), r.n, tuple(reasons)))
    return out


def visible_counts(conn: Connection, paper_ids: list[int]) -> dict[int, int]:
    """paper id → comments here everyone sees (for list cards; add to ``num_comments_baseline``)."""
    if not paper_ids:
        return {}
    q = (
        sa.select(comments.c.paper_id, sa.func.count())
        .where(comments.c.paper_id.in_(paper_ids), PUBLIC)
        .group_by(comments.c.paper_id)
    )
    return {r[0]: r[1] for r in conn.execute(q)}

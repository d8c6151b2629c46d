"""Recommendation signals: marks on papers, pending imports, follows and the per-member profile.

The training side reads :func:`profile_inputs`, :func:`users_needing_training` and writes
:func:`save_model`; everything that changes a member's signals calls :func:`touch` in the same
transaction, so ``signals_changed_at`` is never behind what is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.domain.recs_signals import Follow, ProfileInputs, Signal
from papertide.storage.dialects.conflicts import execute_inserted, insert_ignore
from papertide.storage.schema import papers, upvotes, users
from papertide.storage.tables.community import accounts, collection_items, collections
from papertide.storage.tables.recs import SIGNAL_KINDS, rec_follows, rec_pending, rec_profiles, rec_signals


def _aware(dt: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone=True columns; we only ever store UTC.
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class MarkedPaper:
    """A paper a member marked (imported, mine, not interested), for their interests page."""

    arxiv_id: str
    title: str
    kind: str
    source: str
    at: datetime


@dataclass(frozen=True, slots=True)
class FollowRow:
    id: int
    kind: str
    value: str
    label: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Pending:
    id: int
    user_id: int
    arxiv_id: str
    kind: str
    source: str
    attempts: int
    last_error: str | None


@dataclass(frozen=True, slots=True)
class Profile:
    paused: bool = False
    signals_changed_at: datetime | None = None
    trained_at: datetime | None = None
    model_kind: str | None = None
    has_feed_token: bool = False


# -- the profile row -------------------------------------------------------------------------


def _ensure_profile(conn: Connection, user_id: int) -> None:
    conn.execute(insert_ignore(conn, rec_profiles, ["user_id"]).values(user_id=user_id))


def touch(conn: Connection, user_id: int, now: datetime) -> None:
    """Record that the member's signals changed (the model is stale from ``now``)."""
    _ensure_profile(conn, user_id)
    conn.execute(sa.update(rec_profiles).where(rec_profiles.c.user_id == user_id).values(signals_changed_at=now))


def profile(conn: Connection, user_id: int) -> Profile:
    r = conn.execute(sa.select(rec_profiles).where(rec_profiles.c.user_id == user_id)).first()
    if r is None:
        return Profile()
    return Profile(
        bool(r.paused), r.signals_changed_at and _aware(r.signals_changed_at), r.trained_at and _aware(r.trained_at),
        r.model_kind, r.feed_token_hash is not None,
    )


def set_paused(conn: Connection, user_id: int, paused: bool) -> None:
    _ensure_profile(conn, user_id)
    conn.execute(sa.update(rec_profiles).where(rec_profiles.c.user_id == user_id).values(paused=paused))


def set_feed_token_hash(conn: Connection, user_id: int, token_hash: str | None) -> None:
    """Store the private feed's token hash (None revokes; a new one replaces the old)."""
    _ensure_profile(conn, user_id)
    conn.execute(sa.update(rec_profiles).where(rec_profiles.c.user_id == user_id).values(feed_token_hash=token_hash))


def feed_owner(conn: Connection, token_hash: str) -> int | None:
    """The member whose private feed this token hash opens; None for a suspended account (a ban
    ends every way in: sessions, API tokens and this URL)."""
    q = (
        sa.select(rec_profiles.c.user_id)
        .outerjoin(accounts, accounts.c.user_id == rec_profiles.c.user_id)
        .where(rec_profiles.c.feed_token_hash == token_hash, sa.func.coalesce(accounts.c.status, "active") != "banned")
    )
    return conn.execute(q).scalar()


def save_model(conn: Connection, user_id: int, kind: str, blob: bytes, trained_at: datetime) -> None:
    _ensure_profile(conn, user_id)
    conn.execute(
        sa.update(rec_profiles).where(rec_profiles.c.user_id == user_id)
        .values(model=blob, model_kind=kind, trained_at=trained_at)
    )


def load_model(conn: Connection, user_id: int) -> tuple[str, bytes, datetime] | None:
    q = sa.select(rec_profiles.c.model_kind, rec_profiles.c.model, rec_profiles.c.trained_at).where(
        rec_profiles.c.user_id == user_id, rec_profiles.c.model.is_not(None)
    )
    r = conn.execute(q).first()
    return (r.model_kind or "", bytes(r.model), _aware(r.trained_at)) if r and r.trained_at else None


def _has_signals(uid: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    """The member has at least one vote, saved paper, mark or follow."""
    return sa.or_(
        sa.exists().where(upvotes.c.user_id == uid),
        sa.exists().where(collections.c.user_id == uid, collection_items.c.collection_id == collections.c.id),
        sa.exists().where(rec_signals.c.user_id == uid),
        sa.exists().where(rec_follows.c.user_id == uid),
    )


def members_with_signals(conn: Connection, emails: list[str]) -> dict[str, tuple[int, str]]:
    """Lower-cased address → (member id, member uuid), for those of ``emails`` that belong to a
    member with any signal (the digest's For-you section): one query per 1,000 addresses."""
    found: dict[str, tuple[int, str]] = {}
    lowered = sorted({e.lower() for e in emails})
    for start in range(0, len(lowered), 1000):
        email = sa.func.lower(users.c.email)
        q = sa.select(email.label("email"), users.c.id, users.c.uuid).where(email.in_(lowered[start:start + 1000]),
                                                                            _has_signals(users.c.id))
        found.update({r.email: (r.id, r.uuid) for r in conn.execute(q)})
    return found


def users_needing_training(conn: Connection, limit: int) -> list[int]:
    """Members whose signals changed since their model was trained (or who have none), not paused,
    with at least one signal or follow; the longest-waiting first."""
    uid = rec_profiles.c.user_id
    has_any = _has_signals(uid)
    q = (
        sa.select(uid)
        .where(
            rec_profiles.c.paused.is_(False), rec_profiles.c.signals_changed_at.is_not(None),
            sa.or_(rec_profiles.c.trained_at.is_(None), rec_profiles.c.signals_changed_at > rec_profiles.c.trained_at),
            has_any,
        )
        .order_by(rec_profiles.c.signals_changed_at, uid)
        .limit(limit)
    )
    return list(conn.execute(q).scalars())


def profile_inputs(conn: Connection, user_id: int) -> ProfileInputs:
    votes = sa.select(upvotes.c.paper_id, sa.literal("upvote").label("kind"), upvotes.c.created_at.label("at")).where(
        upvotes.c.user_id == user_id
    )
    # A paper saved to several collections is one "save", dated by its first.
    saves = (
        sa.select(collection_items.c.paper_id, sa.literal("save").label("kind"),
                  sa.func.min(collection_items.c.created_at).label("at"))
        .join(collections, collections.c.id == collection_items.c.collection_id)
        .where(collections.c.user_id == user_id)
        .group_by(collection_items.c.paper_id)
    )
    marks = sa.select(rec_signals.c.paper_id, rec_signals.c.kind, rec_signals.c.created_at.label("at")).where(
        rec_signals.c.user_id == user_id
    )
    rows = conn.execute(sa.union_all(votes, saves, marks)).all()
    signals = sorted((Signal(r.paper_id, r.kind, _aware(r.at)) for r in rows), key=lambda s: (s.at, s.paper_id, s.kind))
    return ProfileInputs(
        positives=tuple(s for s in signals if s.kind != "not_interested"),
        negatives=tuple(s for s in signals if s.kind == "not_interested"),
        follows=tuple(Follow(f.kind, f.value, f.label) for f in follows_for(conn, user_id)),
        paused=profile(conn, user_id).paused,
    )


# -- marks on papers -------------------------------------------------------------------------


def add_signal(conn: Connection, user_id: int, paper_id: int, kind: str, source: str) -> bool:
    """Mark the paper; False when it already carried that mark."""
    stmt = insert_ignore(conn, rec_signals, ["user_id", "paper_id", "kind"]).values(
        user_id=user_id, paper_id=paper_id, kind=kind, source=source
    )
    return execute_inserted(conn, stmt)


def remove_signal(conn: Connection, user_id: int, paper_id: int, kind: str) -> bool:
    q = sa.delete(rec_signals).where(
        rec_signals.c.user_id == user_id, rec_signals.c.paper_id == paper_id, rec_signals.c.kind == kind
    )
    return bool(conn.execute(q).rowcount)


def paper_ids_by_arxiv(conn: Connection, arxiv_ids: list[str]) -> dict[str, int]:
    """arXiv id → paper row id, for those we hold."""
    found: dict[str, int] = {}
    for start in range(0, len(arxiv_ids), 1000):  # keep well under SQLite's bound-parameter limit
        q = sa.select(papers.c.arxiv_id, papers.c.id).where(papers.c.arxiv_id.in_(arxiv_ids[start:start + 1000]))
        found.update({r.arxiv_id: r.id for r in conn.execute(q)})
    return found


def not_interested_ids(conn: Connection, user_id: int) -> set[int]:
    q = sa.select(rec_signals.c.paper_id).where(rec_signals.c.user_id == user_id, rec_signals.c.kind == "not_interested")
    return set(conn.execute(q).scalars())


def marked_arxiv_ids(conn: Connection, user_id: int, kinds: tuple[str, ...] = SIGNAL_KINDS) -> dict[str, frozenset[str]]:
    """kind → arXiv ids the member marked with it: what cards and the paper page show, in one query."""
    q = sa.select(rec_signals.c.kind, papers.c.arxiv_id).join(papers, papers.c.id == rec_signals.c.paper_id).where(
        rec_signals.c.user_id == user_id, rec_signals.c.kind.in_(kinds)
    )
    found: dict[str, set[str]] = {}
    for kind, arxiv_id in conn.execute(q):
        found.setdefault(kind, set()).add(arxiv_id)
    return {k: frozenset(v) for k, v in found.items()}


def marked_papers(conn: Connection, user_id: int) -> list[MarkedPaper]:
    """Every mark of the member, newest first."""
    q = (
        sa.select(papers.c.arxiv_id, papers.c.title, rec_signals.c.kind, rec_signals.c.source, rec_signals.c.created_at)
        .join(papers, papers.c.id == rec_signals.c.paper_id)
        .where(rec_signals.c.user_id == user_id)
        .order_by(rec_signals.c.id.desc())
    )
    return [MarkedPaper(r.arxiv_id, r.title, r.kind, r.source, _aware(r.created_at)) for r in conn.execute(q)]


# -- imported ids we do not hold yet -----------------------------------------------------------


def _pending(r: Any) -> Pending:
    return Pending(r.id, r.user_id, r.arxiv_id, r.kind, r.source, r.attempts, r.last_error)


def add_pending(conn: Connection, user_id: int, arxiv_id: str, kind: str, source: str) -> bool:
    stmt = insert_ignore(conn, rec_pending, ["user_id", "arxiv_id", "kind"]).values(
        user_id=user_id, arxiv_id=arxiv_id, kind=kind, source=source
    )
    return execute_inserted(conn, stmt)


def pending_for(conn: Connection, user_id: int) -> list[Pending]:
    q = sa.select(rec_pending).where(rec_pending.c.user_id == user_id).order_by(rec_pending.c.id)
    return [_pending(r) for r in conn.execute(q)]


def open_pending(conn: Connection, max_attempts: int, limit: int = 200) -> list[Pending]:
    """Pending ids still to be tried, oldest first."""
    q = sa.select(rec_pending).where(rec_pending.c.attempts < max_attempts).order_by(rec_pending.c.id).limit(limit)
    return [_pending(r) for r in conn.execute(q)]


def record_attempt(conn: Connection, pending_id: int, max_attempts: int) -> int | None:
    """Count one more missed fetch of a pending id still under ``max_attempts``; returns its attempts
    now, or None when there was none to count (the row settled, removed or given up meanwhile).

    An increment in the database, not a count read before the fetch: two runs missing the id at
    once each wrote "what I read + 1", so two misses counted as one."""
    q = (
        sa.update(rec_pending)
        .where(rec_pending.c.id == pending_id, rec_pending.c.attempts < max_attempts)
        .values(attempts=rec_pending.c.attempts + 1)
    )
    if not conn.execute(q).rowcount:
        return None
    attempts: int = conn.execute(sa.select(rec_pending.c.attempts).where(rec_pending.c.id == pending_id)).scalar_one()
    return attempts


def set_last_error(conn: Connection, pending_id: int, error: str) -> None:
    conn.execute(sa.update(rec_pending).where(rec_pending.c.id == pending_id).values(last_error=error))


def remove_pending(conn: Connection, pending_id: int, user_id: int | None = None) -> bool:
    q = sa.delete(rec_pending).where(rec_pending.c.id == pending_id)
    if user_id is not None:
        q = q.where(rec_pending.c.user_id == user_id)
    return bool(conn.execute(q).rowcount)


# -- follows ---------------------------------------------------------------------------------


def add_follow(conn: Connection, user_id: int, kind: str, value: str, label: str) -> bool:
    stmt = insert_ignore(conn, rec_follows, ["user_id", "kind", "value"]).values(
        user_id=user_id, kind=kind, value=value, label=label
    )
    return execute_inserted(conn, stmt)


def remove_follow(conn: Connection, user_id: int, follow_id: int) -> bool:
    q = sa.delete(rec_follows).where(rec_follows.c.id == follow_id, rec_follows.c.user_id == user_id)
    return bool(conn.execute(q).rowcount)


def follows_for(conn: Connection, user_id: int) -> list[FollowRow]:
    q = sa.select(rec_follows).where(rec_follows.c.user_id == user_id).order_by(rec_follows.c.kind, rec_follows.c.label)
    return [FollowRow(r.id, r.kind, r.value, r.label, _aware(r.created_at)) for r in conn.execute(q)]


def find_follow(conn: Connection, user_id: int, kind: str, value: str) -> int | None:
    q = sa.select(rec_follows.c.id).where(
        rec_follows.c.user_id == user_id, rec_follows.c.kind == kind, rec_follows.c.value == value
    )
    return conn.execute(q).scalar()


def count_follows(conn: Connection, user_id: int) -> int:
    q = sa.select(sa.func.count()).select_from(rec_follows).where(rec_follows.c.user_id == user_id)
    return int(conn.execute(q).scalar_one())


# -- reset -------------------------------------------------------------------------------------


def reset(conn: Connection, user_id: int, now: datetime) -> None:
    """Forget the member's marks, pending imports, follows and model; pause and feed token stay.

    Pending imports go first: a fetch job settling one deletes it and adds its mark in one
    transaction, and deleting the pending rows waits for that transaction (PostgreSQL's row lock),
    so the marks deleted next include the one it added."""
    for table in (rec_pending, rec_signals, rec_follows):
        conn.execute(sa.delete(table).where(table.c.user_id == user_id))
    _ensure_profile(conn, user_id)
    conn.execute(
        sa.update(rec_profiles).where(rec_profiles.c.user_id == user_id)
        .values(model=None, model_kind=None, trained_at=None, signals_changed_at=now)
    )

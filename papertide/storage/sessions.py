"""Sign-in links and sessions. Only SHA-256 digests of their secrets are stored.

Consuming a link is one conditional UPDATE (``used_at IS NULL AND expires_at > now``), so
two clicks racing on the same link cannot both sign in.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.domain.accounts import User
from papertide.storage.schema import users
from papertide.storage.tables.community import accounts, login_tokens, sessions
from papertide.storage.users import user_from_row


def create_login_token(conn: Connection, token_hash: str, email: str, expires_at: datetime) -> None:
    conn.execute(sa.insert(login_tokens).values(token_hash=token_hash, email=email, expires_at=expires_at))


def unused_login_tokens_since(conn: Connection, email: str, expiring_after: datetime) -> list[datetime]:
    """Expiry times, oldest first, of the address's unused links that expire after ``expiring_after``
    (the caller turns "created in the last hour" into that, from the links' fixed lifetime).
    Case-insensitive, as accounts are: Ada@ and ada@ are one inbox. Aware (UTC) on both databases:
    SQLite gives back naive times, which cannot be compared with the clock's."""
    return [t if t.tzinfo else t.replace(tzinfo=UTC) for t in conn.execute(
        sa.select(login_tokens.c.expires_at)
        .where(sa.func.lower(login_tokens.c.email) == email.lower(), login_tokens.c.used_at.is_(None),
               login_tokens.c.expires_at > expiring_after)
        .order_by(login_tokens.c.expires_at)
    ).scalars()]


def peek_login_token(conn: Connection, token_hash: str, now: datetime) -> str | None:
    """The email a still-usable link is for, without using it up."""
    return conn.execute(
        sa.select(login_tokens.c.email).where(
            login_tokens.c.token_hash == token_hash, login_tokens.c.used_at.is_(None), login_tokens.c.expires_at > now
        )
    ).scalar()


def consume_login_token(conn: Connection, token_hash: str, now: datetime) -> str | None:
    """Use the link up and return its email, or None when it is unknown, used or expired."""
    email = peek_login_token(conn, token_hash, now)
    if email is None:
        return None
    used = conn.execute(
        sa.update(login_tokens)
        .where(login_tokens.c.token_hash == token_hash, login_tokens.c.used_at.is_(None), login_tokens.c.expires_at > now)
        .values(used_at=now, updated_at=now)
    ).rowcount
    return email if used == 1 else None


def create_session(conn: Connection, token_hash: str, user_id: int, expires_at: datetime, user_agent: str = "") -> None:
    conn.execute(
        sa.insert(sessions).values(
            token_hash=token_hash, user_id=user_id, expires_at=expires_at, user_agent=user_agent[:300] or None
        )
    )


def session_user(conn: Connection, token_hash: str, now: datetime) -> User | None:
    q = (
        sa.select(
            users.c.id, users.c.uuid, users.c.email, users.c.display_name, users.c.role,
            sa.func.coalesce(accounts.c.status, "active").label("status"), accounts.c.password_hash,
        )
        .select_from(sessions.join(users, users.c.id == sessions.c.user_id).outerjoin(accounts, accounts.c.user_id == users.c.id))
        .where(sessions.c.token_hash == token_hash, sessions.c.expires_at > now)
    )
    r = conn.execute(q).first()
    return user_from_row(r) if r else None


def delete_session(conn: Connection, token_hash: str) -> int:
    return conn.execute(sa.delete(sessions).where(sessions.c.token_hash == token_hash)).rowcount


def delete_user_sessions(conn: Connection, user_id: int, keep_hash: str | None = None) -> int:
    """Delete the user's sessions, all of them or all but the one whose digest is ``keep_hash``."""
    q = sa.delete(sessions).where(sessions.c.user_id == user_id)
    if keep_hash is not None:
        q = q.where(sessions.c.token_hash != keep_hash)
    return conn.execute(q).rowcount


def count_user_sessions(conn: Connection, user_id: int, now: datetime) -> int:
    return conn.execute(
        sa.select(sa.func.count()).select_from(sessions).where(sessions.c.user_id == user_id, sessions.c.expires_at > now)
    ).scalar_one()


def purge_expired(conn: Connection, now: datetime) -> int:
    """Drop expired sessions and links (run opportunistically on sign-in)."""
    n = conn.execute(sa.delete(sessions).where(sessions.c.expires_at <= now)).rowcount
    return n + conn.execute(sa.delete(login_tokens).where(login_tokens.c.expires_at <= now)).rowcount

"""Users and their accounts: lookups, sign-up on first sign-in, passwords, roles, bans.

``users`` (foundation) holds identity; ``accounts`` (community) holds the password hash
and status. A user created elsewhere may have no accounts row yet; reads treat that as an
active account without a password, and writes create the row on demand.
"""

from __future__ import annotations

import uuid as uuidlib
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from papertide.domain.accounts import User, default_display_name, display_name_key
from papertide.storage import submissions as submissions_store
from papertide.storage import votes as votes_store
from papertide.storage.dialects.conflicts import insert_ignore
from papertide.storage.schema import users
from papertide.storage.tables.community import accounts

_COLUMNS = (
    users.c.id, users.c.uuid, users.c.email, users.c.display_name, users.c.role,
    sa.func.coalesce(accounts.c.status, "active").label("status"),
    accounts.c.password_hash,
)
_FROM = users.outerjoin(accounts, accounts.c.user_id == users.c.id)


def user_from_row(r: Any) -> User:
    return User(
        id=r.id, uuid=r.uuid, email=r.email, display_name=r.display_name, role=r.role,
        status=r.status, has_password=bool(r.password_hash),
    )


def _one(conn: Connection, where: sa.ColumnElement[bool]) -> Any:
    return conn.execute(sa.select(*_COLUMNS).select_from(_FROM).where(where)).first()


def get_user(conn: Connection, user_id: int) -> User | None:
    r = _one(conn, users.c.id == user_id)
    return user_from_row(r) if r else None


def get_user_by_uuid(conn: Connection, user_uuid: str) -> User | None:
    r = _one(conn, users.c.uuid == user_uuid)
    return user_from_row(r) if r else None


def get_user_by_email(conn: Connection, email: str) -> User | None:
    r = _one(conn, sa.func.lower(users.c.email) == email.lower())
    return user_from_row(r) if r else None


def password_hash_for(conn: Connection, email: str) -> tuple[User, str | None] | None:
    r = _one(conn, sa.func.lower(users.c.email) == email.lower())
    return (user_from_row(r), r.password_hash) if r else None


def find_or_create_user(conn: Connection, email: str, role: str = "member") -> tuple[User, bool]:
    """The user with this email (case-insensitive), created when new. Returns (user, created)."""
    existing = get_user_by_email(conn, email)
    if existing is not None:
        return existing, False
    new_uuid = str(uuidlib.uuid4())
    try:
        # A savepoint, so losing a race with a concurrent sign-up leaves our transaction usable.
        with conn.begin_nested():
            user_id = conn.execute(
                sa.insert(users).values(uuid=new_uuid, email=email, display_name=default_display_name(new_uuid), role=role)
                .returning(users.c.id)
            ).scalar_one()
    except IntegrityError:
        again = get_user_by_email(conn, email)
        if again is None:
            raise
        return again, False
    ensure_account(conn, user_id)
    user = get_user(conn, user_id)
    assert user is not None
    return user, True


def ensure_account(conn: Connection, user_id: int) -> None:
    conn.execute(insert_ignore(conn, accounts, ["user_id"]).values(user_id=user_id))


def lock_member(conn: Connection, user_id: int) -> None:
    """Make this transaction the member's only writer of things that must not be doubled (a comment,
    a collection) until it ends, so the second request of a double submit waits and sees the first.

    PostgreSQL: FOR NO KEY UPDATE on their row, which foreign-key checks of their other writes do not
    wait on. SQLite needs nothing: its writes already go one at a time.
    """
    conn.execute(sa.select(users.c.id).where(users.c.id == user_id).with_for_update(key_share=True))


def set_password_hash(conn: Connection, user_id: int, password_hash: str | None) -> None:
    ensure_account(conn, user_id)
    conn.execute(
        sa.update(accounts).where(accounts.c.user_id == user_id)
        .values(password_hash=password_hash, updated_at=sa.func.now())
    )


# The first key of the transaction-level advisory locks taken on display names (PostgreSQL); the
# second is the hash of the name's display_name_key.
NAME_LOCKS = 0x7074_6E6D  # "ptnm"


def lock_name(conn: Connection, name: str) -> None:
    """Make this transaction the only one choosing ``name`` (ignoring case) until it ends, so "is
    it taken?" and taking it are one step: two members choosing one name at once each found it
    free and both got it. PostgreSQL: an advisory lock on the name's key (there is no row to lock
    for a name nobody has yet; a hash collision only makes two renames take turns). SQLite needs
    nothing: its writes already go one at a time."""
    if conn.dialect.name == "postgresql":  # keyed as name_taken compares, so look-alikes take turns too
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(NAME_LOCKS, sa.func.hashtext(display_name_key(name)))))


def name_taken(conn: Connection, name: str, user_id: int) -> bool:
    """Whether a member other than ``user_id`` goes by ``name`` as :func:`display_name_key` compares
    names (a scan of every name: renames are rare).

    Compared in Python: SQLite's lower() folds ASCII only ("JOSÉ" passed as free beside "José"),
    and neither database folds Unicode forms or invisible characters."""
    key = display_name_key(name)
    rows = conn.execute(sa.select(users.c.display_name).where(users.c.id != user_id))
    return any(display_name_key(other) == key for other in rows.scalars())


def set_display_name(conn: Connection, user_id: int, name: str) -> None:
    conn.execute(sa.update(users).where(users.c.id == user_id).values(display_name=name, updated_at=sa.func.now()))


def set_role(conn: Connection, user_id: int, role: str) -> None:
    conn.execute(sa.update(users).where(users.c.id == user_id).values(role=role, updated_at=sa.func.now()))


def set_status(conn: Connection, user_id: int, status: str) -> None:
    """Ban or reinstate; a banned member's upvotes stop counting in the totals, and count again
    when the ban is lifted (callers lock the member first, so a vote cast meanwhile waits).

    Their name leaves "Submitted by" on the lists while banned (a spammer's name is often the spam)
    and comes back with the ban lifted; their comments and public collections are hidden where
    they are read (``comments.PUBLIC``, ``ReadingLists.view``).
    """
    ensure_account(conn, user_id)
    was = conn.execute(sa.select(accounts.c.status).where(accounts.c.user_id == user_id)).scalar_one()
    conn.execute(
        sa.update(accounts).where(accounts.c.user_id == user_id).values(status=status, updated_at=sa.func.now())
    )
    if (was == "banned") != (status == "banned"):
        votes_store.shift_member_votes(conn, user_id, -1 if status == "banned" else 1)
        name = None if status == "banned" else conn.execute(
            sa.select(users.c.display_name).where(users.c.id == user_id)).scalar_one()
        submissions_store.rename_submitter(conn, user_id, name)
        # The page cache's triggers watch ``users``, not ``accounts``: without this, a signed-out
        # reader kept being served the banned member's comments until the cache timed out.
        conn.execute(sa.update(users).where(users.c.id == user_id).values(updated_at=sa.func.now()))


def record_sign_in(conn: Connection, user_id: int, now: datetime) -> None:
    ensure_account(conn, user_id)
    conn.execute(sa.update(accounts).where(accounts.c.user_id == user_id).values(last_sign_in_at=now))


def list_users(conn: Connection, query: str = "", limit: int = 100, offset: int = 0) -> list[User]:
    """Accounts, newest first; with ``query``, those whose address or name holds it as
    :func:`display_name_key` compares names (ignoring case, in any script).

    Matched in Python over every account's address and name, as :func:`name_taken` does: SQLite's
    lower() folds ASCII only ("josé" did not find "JOSÉ MÜLLER"), LIKE read a "_" or "%" typed in
    the box as a wildcard, and neither database folds Unicode forms. Finding users is an admin's
    occasional search, so a scan of two short columns is fine."""
    q = sa.select(*_COLUMNS).select_from(_FROM).order_by(users.c.id.desc())
    if not query:
        return [user_from_row(r) for r in conn.execute(q.limit(limit).offset(offset))]
    key = display_name_key(query)
    wanted: list[int] = []
    with conn.execute(sa.select(users.c.id, users.c.email, users.c.display_name).order_by(users.c.id.desc())) as rows:
        for row in rows:
            if key in display_name_key(row.display_name) or key in display_name_key(row.email):
                wanted.append(row.id)
                if len(wanted) == offset + limit:
                    break
    page = wanted[offset:]
    if not page:
        return []
    return [user_from_row(r) for r in conn.execute(q.where(users.c.id.in_(page)))]

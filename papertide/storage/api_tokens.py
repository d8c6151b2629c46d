"""Persistence for personal API tokens: create, verify by hash, list, revoke."""

from __future__ import annotations

import uuid as uuid_mod
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.domain.api_tokens import ApiToken, Scope, TokenPrincipal
from papertide.storage.schema import users
from papertide.storage.tables.api import api_tokens
from papertide.storage.tables.community import accounts


def user_id_by_email(conn: Connection, email: str) -> int | None:
    """The id of the user with this e-mail (case-insensitive), or None."""
    q = sa.select(users.c.id).where(sa.func.lower(users.c.email) == email.strip().lower())
    return conn.execute(q).scalar()


def _token(r: Any) -> ApiToken:
    return ApiToken(
        uuid=r.uuid, user_id=r.user_id, name=r.name, prefix=r.token_prefix, scope=r.scope,
        created_at=r.created_at, last_used_at=r.last_used_at, revoked_at=r.revoked_at,
    )


def insert_token(conn: Connection, user_id: int, name: str, prefix: str, token_hash: str, scope: Scope) -> ApiToken:
    token_uuid = str(uuid_mod.uuid4())
    conn.execute(
        sa.insert(api_tokens).values(
            uuid=token_uuid, user_id=user_id, name=name, token_prefix=prefix, token_hash=token_hash, scope=scope
        )
    )
    r = conn.execute(sa.select(api_tokens).where(api_tokens.c.uuid == token_uuid)).one()
    return _token(r)


def principal_for_hash(conn: Connection, token_hash: str) -> TokenPrincipal | None:
    """The user behind an unrevoked token with this hash (saying whether the account is suspended), or None."""
    q = (
        sa.select(api_tokens.c.uuid, api_tokens.c.scope, users.c.id, users.c.uuid.label("user_uuid"),
                  users.c.email, users.c.display_name, accounts.c.status)
        .join(users, users.c.id == api_tokens.c.user_id)
        .outerjoin(accounts, accounts.c.user_id == users.c.id)
        .where(api_tokens.c.token_hash == token_hash, api_tokens.c.revoked_at.is_(None))
    )
    r = conn.execute(q).first()
    if r is None:
        return None
    return TokenPrincipal(r.id, r.user_uuid, r.email, r.display_name, r.scope, r.uuid, suspended=r.status == "banned")


def mark_used(conn: Connection, token_uuid: str, now: datetime) -> None:
    conn.execute(sa.update(api_tokens).where(api_tokens.c.uuid == token_uuid).values(last_used_at=now))


def list_tokens(conn: Connection, user_id: int) -> list[ApiToken]:
    q = sa.select(api_tokens).where(api_tokens.c.user_id == user_id).order_by(api_tokens.c.id)
    return [_token(r) for r in conn.execute(q)]


def revoke_token(conn: Connection, token_uuid: str, now: datetime, user_id: int | None = None) -> bool:
    """Revoke a token by uuid (only the owner's when ``user_id`` is given); False if none matched."""
    q = sa.update(api_tokens).where(api_tokens.c.uuid == token_uuid, api_tokens.c.revoked_at.is_(None))
    if user_id is not None:
        q = q.where(api_tokens.c.user_id == user_id)
    return conn.execute(q.values(revoked_at=now, updated_at=now)).rowcount > 0

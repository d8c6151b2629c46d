"""Personal API tokens: create (shown once), verify, list, revoke.

The profile page (community capability) and the ``papertide tokens`` CLI both call
:class:`TokenService`; only SHA-256 hashes reach the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from papertide.domain.accounts import stored_address
from papertide.domain.api_tokens import (
    ApiToken,
    Scope,
    TokenPrincipal,
    hash_token,
    new_token_secret,
    token_prefix,
)
from papertide.storage import api_tokens as store
from papertide.storage.db import Database

MAX_NAME_CHARS = 100


class UnknownUser(LookupError):
    """Raised when a token is requested for an e-mail no account has."""


@dataclass(frozen=True, slots=True)
class CreatedToken:
    """A new token: ``secret`` is the only copy and is shown to its owner once."""

    secret: str
    token: ApiToken


class TokenService:
    def __init__(self, db: Database, now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.db = db
        self.now = now

    def create_for_user(self, user_id: int, scope: Scope, name: str = "") -> CreatedToken:
        secret = new_token_secret()
        with self.db.write() as conn:
            token = store.insert_token(
                conn, user_id, name.strip()[:MAX_NAME_CHARS], token_prefix(secret), hash_token(secret), scope
            )
        return CreatedToken(secret, token)

    def create_for_email(self, email: str, scope: Scope, name: str = "") -> CreatedToken:
        with self.db.read() as conn:
            user_id = store.user_id_by_email(conn, stored_address(email))
        if user_id is None:
            raise UnknownUser(f"no account has the e-mail address {email.strip()[:320]!r}")
        return self.create_for_user(user_id, scope, name)

    def verify(self, secret: str) -> TokenPrincipal | None:
        """The principal for a live token, recording its use; None for unknown or revoked (a
        suspended account's comes back marked so, and unused: callers refuse it)."""
        with self.db.read() as conn:
            principal = store.principal_for_hash(conn, hash_token(secret))
        if principal is not None and not principal.suspended:
            with self.db.write() as conn:
                store.mark_used(conn, principal.token_uuid, self.now())
        return principal

    def list_for_email(self, email: str) -> list[ApiToken]:
        with self.db.read() as conn:
            user_id = store.user_id_by_email(conn, stored_address(email))
            if user_id is None:
                raise UnknownUser(f"no account has the e-mail address {email.strip()[:320]!r}")
            return store.list_tokens(conn, user_id)

    def list_for_user(self, user_id: int) -> list[ApiToken]:
        with self.db.read() as conn:
            return store.list_tokens(conn, user_id)

    def revoke(self, token_uuid: str, user_id: int | None = None) -> bool:
        """Revoke by uuid (only the owner's when ``user_id`` is given); False if nothing matched."""
        with self.db.write() as conn:
            return store.revoke_token(conn, token_uuid, self.now(), user_id)

"""Personal API tokens as plain values: format, hashing, scopes, bearer parsing.

Pure apart from drawing random bytes for a new token. A token looks like
``pt_<43 url-safe chars>`` (256 bits); we store only its SHA-256 and show the first
characters (``token_prefix``) so a person can tell tokens apart and revoke one.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

TOKEN_PREFIX = "pt_"
TOKEN_BYTES = 32  # 256 bits of randomness
SHOWN_CHARS = 10  # characters of a token kept in clear for display ("pt_AbCdEfG")
Scope = Literal["read", "write"]
SCOPES: tuple[Scope, ...] = ("read", "write")


class InvalidScope(ValueError):
    """Raised for a scope other than ``read`` or ``write``."""


@dataclass(frozen=True, slots=True)
class ApiToken:
    """A stored token (never the secret itself)."""

    uuid: str
    user_id: int
    name: str
    prefix: str
    scope: Scope
    created_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True, slots=True)
class TokenPrincipal:
    """Who a verified token speaks for, and what it may do."""

    user_id: int
    user_uuid: str
    email: str
    display_name: str
    scope: Scope
    token_uuid: str
    # A banned account's tokens are refused outright (403), reads included: a ban ends every
    # way in, as it ends the account's sessions.
    suspended: bool = False


def new_token_secret() -> str:
    """A fresh token string; shown to its owner once and never stored."""
    return TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """SHA-256 hex of a token: what we store and look up.

    >>> hash_token("pt_x")[:12]
    '5c99bd028631'
    """
    return hashlib.sha256(token.encode()).hexdigest()


def token_prefix(token: str) -> str:
    return token[:SHOWN_CHARS]


def parse_scope(text: str) -> Scope:
    """``read`` or ``write``; anything else raises :class:`InvalidScope`."""
    value = text.strip().lower()
    if value == "read":
        return "read"
    if value == "write":
        return "write"
    raise InvalidScope(f"scope must be one of read, write (got {text[:20]!r})")


def scope_allows(granted: Scope, needed: Scope) -> bool:
    """A write token can also read; a read token cannot write.

    >>> scope_allows("write", "read"), scope_allows("read", "write")
    (True, False)
    """
    return granted == needed or granted == "write"


def parse_bearer(header: str | None) -> str | None:
    """The token in an ``Authorization: Bearer …`` header, or None when absent/other.

    >>> parse_bearer("Bearer pt_abc"), parse_bearer("Basic eHk="), parse_bearer(None)
    ('pt_abc', None, None)
    """
    if not header:
        return None
    kind, _, value = header.strip().partition(" ")
    if kind.lower() != "bearer" or not value.strip():
        return None
    return value.strip()

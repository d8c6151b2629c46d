"""API tables: personal API tokens.

A token is shown once at creation; we keep only its SHA-256. Tokens are 256-bit
random strings, so a fast hash is enough (no salt or KDF is needed against guessing,
as with GitHub's and PyPI's tokens); ``token_prefix`` lets people tell tokens apart.
"""

from __future__ import annotations

import sqlalchemy as sa

from papertide.storage.schema import metadata

TOKEN_SCOPES = ("read", "write")

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("uuid", sa.String(36), nullable=False, unique=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("name", sa.String(100), nullable=False, server_default=""),
    sa.Column("token_prefix", sa.String(16), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("scope", sa.String(8), nullable=False),
    sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.CheckConstraint("scope IN ('read', 'write')", name="scope"),
)

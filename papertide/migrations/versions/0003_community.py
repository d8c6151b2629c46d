"""Community: accounts, sign-in tokens, sessions, comments, reports, collections, audit log.

Revision ID: 0003_community
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_community"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    ]


def _fk(table: str, col: str, ref: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([col], [f"{ref}.id"], ondelete=ondelete, name=f"fk_{table}_{col}_{ref}")


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("password_hash", sa.Text, nullable=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="active"),
        sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("user_id", name="pk_accounts"),
        _fk("accounts", "user_id", "users", "CASCADE"),
        sa.CheckConstraint("status IN ('active', 'banned')", name="ck_accounts_status"),
    )
    op.create_table(
        "login_tokens",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_login_tokens"),
        sa.UniqueConstraint("token_hash", name="uq_login_tokens_token_hash"),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_agent", sa.String(300), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        sa.UniqueConstraint("token_hash", name="uq_sessions_token_hash"),
        _fk("sessions", "user_id", "users", "CASCADE"),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("paper_id", sa.Integer, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=True),
        sa.Column("parent_id", sa.Integer, nullable=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="visible"),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_comments"),
        sa.UniqueConstraint("uuid", name="uq_comments_uuid"),
        _fk("comments", "paper_id", "papers", "CASCADE"),
        _fk("comments", "user_id", "users", "SET NULL"),
        _fk("comments", "parent_id", "comments", "CASCADE"),
        sa.CheckConstraint("status IN ('visible', 'hidden', 'deleted')", name="ck_comments_status"),
    )
    op.create_index("ix_comments_paper_id", "comments", ["paper_id", "id"])
    op.create_index("ix_comments_user_id", "comments", ["user_id"])
    op.create_table(
        "comment_reports",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("comment_id", sa.Integer, nullable=False),
        sa.Column("reporter_id", sa.Integer, nullable=True),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("status", sa.String(16), nullable=False, server_default="open"),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_comment_reports"),
        _fk("comment_reports", "comment_id", "comments", "CASCADE"),
        _fk("comment_reports", "reporter_id", "users", "SET NULL"),
        sa.CheckConstraint("status IN ('open', 'resolved')", name="ck_comment_reports_status"),
        sa.UniqueConstraint("comment_id", "reporter_id", name="uq_comment_reports_comment_id_reporter_id"),
    )
    op.create_table(
        "collections",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("is_public", sa.Boolean, nullable=False, server_default=sa.false()),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_collections"),
        sa.UniqueConstraint("uuid", name="uq_collections_uuid"),
        _fk("collections", "user_id", "users", "CASCADE"),
    )
    op.create_index("ix_collections_user_id", "collections", ["user_id"])
    op.create_table(
        "collection_items",
        sa.Column("collection_id", sa.Integer, nullable=False),
        sa.Column("paper_id", sa.Integer, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("collection_id", "paper_id", name="pk_collection_items"),
        _fk("collection_items", "collection_id", "collections", "CASCADE"),
        _fk("collection_items", "paper_id", "papers", "CASCADE"),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("actor_id", sa.Integer, nullable=True),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        _fk("audit_log", "actor_id", "users", "SET NULL"),
    )
    op.create_index("ix_audit_log_created_at", "audit_log", ["created_at"])


def downgrade() -> None:
    for table in (
        "audit_log", "collection_items", "collections", "comment_reports", "comments", "sessions",
        "login_tokens", "accounts",
    ):
        op.drop_table(table)

"""Community tables: accounts (credentials, status), sign-in tokens, sessions, comments,
reports, collections and the audit log. ``users`` and ``upvotes`` live in the foundation schema.

Secrets are never stored: login tokens and session tokens are kept as SHA-256 hex digests.
"""

from __future__ import annotations

import sqlalchemy as sa

from papertide.storage.schema import metadata, timestamp_columns

# One row per user: what signing in and moderation need beyond the foundation's users row.
accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("password_hash", sa.Text, nullable=True),
    sa.Column("status", sa.String(16), nullable=False, server_default="active"),
    sa.Column("last_sign_in_at", sa.DateTime(timezone=True), nullable=True),
    *timestamp_columns(),
    sa.CheckConstraint("status IN ('active', 'banned')", name="status"),
)

login_tokens = sa.Table(
    "login_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    *timestamp_columns(),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user_agent", sa.String(300), nullable=True),
    *timestamp_columns(),
    sa.Index("ix_sessions_user_id", "user_id"),
)

comments = sa.Table(
    "comments",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("uuid", sa.String(36), nullable=False, unique=True),
    sa.Column("paper_id", sa.Integer, sa.ForeignKey("papers.id", ondelete="CASCADE"), nullable=False),
    # SET NULL: a deleted account's comments stay as "[deleted]" so threads keep their shape.
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    sa.Column("parent_id", sa.Integer, sa.ForeignKey("comments.id", ondelete="CASCADE"), nullable=True),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="visible"),
    sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
    # The audit entry of the "hide all their comments" that hid it (NULL when shown, or hidden one at
    # a time), so that action's undo shows exactly what it hid. No foreign key: entries are never deleted.
    sa.Column("bulk_hide_id", sa.Integer, nullable=True),
    *timestamp_columns(),
    sa.CheckConstraint("status IN ('visible', 'hidden', 'deleted')", name="status"),
    sa.Index("ix_comments_paper_id", "paper_id", "id"),
    sa.Index("ix_comments_user_id", "user_id"),
)

comment_reports = sa.Table(
    "comment_reports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("comment_id", sa.Integer, sa.ForeignKey("comments.id", ondelete="CASCADE"), nullable=False),
    sa.Column("reporter_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("status", sa.String(16), nullable=False, server_default="open"),
    *timestamp_columns(),
    sa.CheckConstraint("status IN ('open', 'resolved')", name="status"),
    sa.UniqueConstraint("comment_id", "reporter_id"),
)

collections = sa.Table(
    "collections",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("uuid", sa.String(36), nullable=False, unique=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("is_public", sa.Boolean, nullable=False, server_default=sa.false()),
    # A moderator took a public collection down (spam in its name or papers): others no longer see
    # it, whatever ``is_public`` says, until a moderator shows it again. The reason is shown to its
    # owner; who hid it and when is in the audit log. NULL: not hidden.
    sa.Column("hidden_reason", sa.Text, nullable=True),
    *timestamp_columns(),
    sa.Index("ix_collections_user_id", "user_id"),
)

collection_items = sa.Table(
    "collection_items",
    metadata,
    sa.Column("collection_id", sa.Integer, sa.ForeignKey("collections.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("paper_id", sa.Integer, sa.ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    *timestamp_columns(),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("actor_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("target", sa.String(200), nullable=False),
    sa.Column("detail", sa.Text, nullable=False, server_default=""),
    # The member the entry is about when its target may outlive the link to them (a collection its
    # owner deletes); audit.about_member finds entries by it. NULL: the target says (or nobody).
    sa.Column("member_uuid", sa.String(36), nullable=True),
    *timestamp_columns(),
    sa.Index("ix_audit_log_created_at", "created_at"),
)

# A member asked to list a paper the instance does not hold yet: the arXiv fetch runs in a job
# (never in the web request), then the paper is listed on ``listed_on`` as their submission.
paper_requests = sa.Table(
    "paper_requests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("arxiv_id", sa.String(64), nullable=False),
    sa.Column("listed_on", sa.Date, nullable=False),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False, server_default="fetching"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("message", sa.Text, nullable=True),
    *timestamp_columns(),
    sa.UniqueConstraint("arxiv_id", "listed_on"),
    sa.CheckConstraint("status IN ('fetching', 'listed', 'failed')", name="status"),
)

# A curator took a paper off a day's list: it stays off that day, whoever submits it again (curators
# excepted, who may change their minds) and whatever a later import of that day brings. Who removed it
# is in the audit log; this row is only the decision, so it holds nothing about any member.
listing_removals = sa.Table(
    "listing_removals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("paper_id", sa.Integer, sa.ForeignKey("papers.id", ondelete="CASCADE"), nullable=False),
    sa.Column("listed_on", sa.Date, nullable=False),
    *timestamp_columns(),
    sa.UniqueConstraint("paper_id", "listed_on"),
)

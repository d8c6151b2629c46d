"""Email digests: subscribers, subscriptions, outbox, sent-papers log, archive, bounces.

Revision ID: 0004_email
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004_email"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

JSONList = sa.JSON().with_variant(JSONB(), "postgresql")


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    ]


def upgrade() -> None:
    op.create_table(
        "subscribers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("name", sa.String(200), nullable=False, server_default=""),
        sa.Column("status", sa.String(16), nullable=False, server_default="enabled"),
        sa.Column("soft_bounces", sa.Integer, nullable=False, server_default="0"),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_subscribers"),
        sa.UniqueConstraint("uuid", name="uq_subscribers_uuid"),
        sa.CheckConstraint("status IN ('enabled', 'disabled', 'blocklisted')", name="ck_subscribers_status"),
    )
    op.create_index("uq_subscribers_email_lower", "subscribers", [sa.text("lower(email)")], unique=True)

    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("subscriber_id", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="unconfirmed"),
        sa.Column("frequency", sa.String(8), nullable=False, server_default="daily"),
        sa.Column("weekday", sa.Integer, nullable=False, server_default="0"),
        sa.Column("send_hour", sa.Integer, nullable=False, server_default="7"),
        sa.Column("timezone", sa.String(64), nullable=False, server_default="UTC"),
        sa.Column("trending", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("categories", JSONList, nullable=False),
        sa.Column("keywords", JSONList, nullable=False),
        sa.Column("authors", JSONList, nullable=False),
        sa.Column("max_papers", sa.Integer, nullable=False, server_default="10"),
        sa.Column("token_version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("notice_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unsubscribed_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_subscriptions"),
        sa.UniqueConstraint("uuid", name="uq_subscriptions_uuid"),
        sa.UniqueConstraint("subscriber_id", name="uq_subscriptions_subscriber_id"),
        sa.ForeignKeyConstraint(
            ["subscriber_id"], ["subscribers.id"], ondelete="CASCADE", name="fk_subscriptions_subscriber_id_subscribers"
        ),
        sa.CheckConstraint("status IN ('unconfirmed', 'confirmed', 'unsubscribed')", name="ck_subscriptions_status"),
        sa.CheckConstraint("frequency IN ('daily', 'weekly')", name="ck_subscriptions_frequency"),
    )
    op.create_index("ix_subscriptions_status", "subscriptions", ["status"])

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subscription_id", sa.Integer, nullable=True),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("message_id", sa.String(255), nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("raw", sa.LargeBinary, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("claimed_by", sa.String(120), nullable=True),
        sa.Column("claim_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
        sa.UniqueConstraint("idempotency_key", name="uq_outbox_idempotency_key"),
        sa.ForeignKeyConstraint(
            ["subscription_id"], ["subscriptions.id"], ondelete="SET NULL", name="fk_outbox_subscription_id_subscriptions"
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')", name="ck_outbox_status"
        ),
    )
    op.create_index("ix_outbox_status_next_attempt_at", "outbox", ["status", "next_attempt_at"])
    op.create_index("ix_outbox_recipient", "outbox", ["recipient"])

    op.create_table(
        "digest_items",
        sa.Column("subscription_id", sa.Integer, nullable=False),
        sa.Column("arxiv_id", sa.String(64), nullable=False),
        sa.Column("outbox_id", sa.Integer, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("subscription_id", "arxiv_id", name="pk_digest_items"),
        sa.ForeignKeyConstraint(
            ["subscription_id"], ["subscriptions.id"], ondelete="CASCADE",
            name="fk_digest_items_subscription_id_subscriptions",
        ),
        sa.ForeignKeyConstraint(["outbox_id"], ["outbox.id"], ondelete="SET NULL", name="fk_digest_items_outbox_id_outbox"),
    )

    op.create_table(
        "digest_archive",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("day", sa.Date, nullable=False),
        sa.Column("papers", JSONList, nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_digest_archive"),
        sa.UniqueConstraint("day", name="uq_digest_archive_day"),
    )

    op.create_table(
        "bounces",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("subscriber_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("source", sa.String(32), nullable=False, server_default="api"),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_bounces"),
        sa.ForeignKeyConstraint(
            ["subscriber_id"], ["subscribers.id"], ondelete="CASCADE", name="fk_bounces_subscriber_id_subscribers"
        ),
        sa.CheckConstraint("kind IN ('hard', 'soft', 'complaint')", name="ck_bounces_kind"),
    )
    op.create_index("ix_bounces_subscriber_id", "bounces", ["subscriber_id"])


def downgrade() -> None:
    for table in ("bounces", "digest_archive", "digest_items", "outbox", "subscriptions", "subscribers"):
        op.drop_table(table)

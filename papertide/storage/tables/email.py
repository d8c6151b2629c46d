"""Email tables: subscribers, subscriptions, the outbox, the sent-papers log,
the public digest archive and recorded bounces.

Listmonk's model, trimmed to what a digest needs: a *subscriber* is an address with a
delivery status (bounces disable it); a *subscription* is that address's digest
preferences with an opt-in status. The *outbox* holds fully built messages, one row per
(recipient, purpose, period) under a unique idempotency key, drained by senders.
"""

from __future__ import annotations

import sqlalchemy as sa

from papertide.storage.schema import JSONList, metadata, timestamp_columns

subscribers = sa.Table(
    "subscribers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("uuid", sa.String(36), nullable=False, unique=True),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("name", sa.String(200), nullable=False, server_default=""),
    sa.Column("status", sa.String(16), nullable=False, server_default="enabled"),
    # Soft bounces since the last successful delivery; the threshold disables the address.
    sa.Column("soft_bounces", sa.Integer, nullable=False, server_default="0"),
    *timestamp_columns(),
    sa.CheckConstraint("status IN ('enabled', 'disabled', 'blocklisted')", name="status"),
    sa.Index("uq_subscribers_email_lower", sa.func.lower(sa.column("email")), unique=True),
)

subscriptions = sa.Table(
    "subscriptions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("uuid", sa.String(36), nullable=False, unique=True),
    sa.Column(
        "subscriber_id", sa.Integer, sa.ForeignKey("subscribers.id", ondelete="CASCADE"), nullable=False, unique=True
    ),
    sa.Column("status", sa.String(16), nullable=False, server_default="unconfirmed"),
    sa.Column("frequency", sa.String(8), nullable=False, server_default="daily"),
    sa.Column("weekday", sa.Integer, nullable=False, server_default="0"),  # 0 = Monday (weekly only)
    sa.Column("send_hour", sa.Integer, nullable=False, server_default="7"),  # local hour, 0–23
    sa.Column("timezone", sa.String(64), nullable=False, server_default="UTC"),
    sa.Column("trending", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("categories", JSONList, nullable=False),
    sa.Column("keywords", JSONList, nullable=False),
    sa.Column("authors", JSONList, nullable=False),
    sa.Column("max_papers", sa.Integer, nullable=False, server_default="10"),
    # Bumped to revoke every emailed link (re-subscribe after unsubscribing, "revoke links").
    sa.Column("token_version", sa.Integer, nullable=False, server_default="1"),
    # When we last emailed a confirmation / "already subscribed" notice: resend rate limit.
    sa.Column("notice_sent_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("unsubscribed_at", sa.DateTime(timezone=True), nullable=True),
    # When the last digest was composed: at most one a local day, whatever the period says (0025).
    sa.Column("last_digest_at", sa.DateTime(timezone=True), nullable=True),
    *timestamp_columns(),
    sa.CheckConstraint("status IN ('unconfirmed', 'confirmed', 'unsubscribed')", name="status"),
    sa.CheckConstraint("frequency IN ('daily', 'weekly')", name="frequency"),
    sa.Index("ix_subscriptions_status", "status"),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    # e.g. "digest:<subscription uuid>:d2026-06-04"; a second compose of the same period is a no-op.
    sa.Column("idempotency_key", sa.String(200), nullable=False, unique=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column(
        "subscription_id", sa.Integer, sa.ForeignKey("subscriptions.id", ondelete="SET NULL"), nullable=True
    ),
    sa.Column("recipient", sa.String(320), nullable=False),
    sa.Column("message_id", sa.String(255), nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("raw", sa.LargeBinary, nullable=False),  # the RFC 5322 message, zlib; sent byte-for-byte on every try
    sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("claimed_by", sa.String(120), nullable=True),
    sa.Column("claim_expires_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    *timestamp_columns(),
    sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed', 'cancelled')", name="status"),
    sa.Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    sa.Index("ix_outbox_recipient", "recipient"),
)

digest_items = sa.Table(
    "digest_items",
    metadata,
    # One row per paper ever put in a subscriber's digest: "never the same paper twice".
    sa.Column(
        "subscription_id", sa.Integer, sa.ForeignKey("subscriptions.id", ondelete="CASCADE"), primary_key=True
    ),
    sa.Column("arxiv_id", sa.String(64), primary_key=True),
    sa.Column("outbox_id", sa.Integer, sa.ForeignKey("outbox.id", ondelete="SET NULL"), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    # Deleting an outbox row sets its log rows' outbox_id to NULL: without this index each deleted
    # row scanned the whole log. Partial, because pruned digests leave NULL there for good.
    sa.Index("ix_digest_items_outbox_id", "outbox_id", sqlite_where=sa.text("outbox_id IS NOT NULL"),
             postgresql_where=sa.text("outbox_id IS NOT NULL")),
    # retention.prune deletes the oldest rows a batch at a time.
    sa.Index("ix_digest_items_created_at", "created_at"),
)

digest_archive = sa.Table(
    "digest_archive",
    metadata,
    # The public daily trending digest: a snapshot of what went out that day.
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("day", sa.Date, nullable=False, unique=True),
    sa.Column("papers", JSONList, nullable=False),
    *timestamp_columns(),
)

bounces = sa.Table(
    "bounces",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column(
        "subscriber_id", sa.Integer, sa.ForeignKey("subscribers.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("source", sa.String(32), nullable=False, server_default="api"),
    sa.Column("detail", sa.Text, nullable=False, server_default=""),
    *timestamp_columns(),
    sa.CheckConstraint("kind IN ('hard', 'soft', 'complaint')", name="kind"),
    sa.Index("ix_bounces_subscriber_id", "subscriber_id"),
)

"""When each subscription's last digest was composed: at most one digest per local day.

Revision ID: 0025_last_digest_at
Revises: 0024_detex_text

A digest's outbox key names its period (the local day, or the ISO week), so a subscriber who
switches from daily to weekly on today's weekday, or to a time zone where today's send hour
comes round again, gets a new key and, without this column, a second digest the same day
(domain.subscriptions.had_digest_today). Filled from the outbox's digests of the last three
days (older ones cannot share a local day with today), read in one pass grouped by
subscription rather than a subquery per row: the outbox has no index on subscription_id.
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0025_last_digest_at"
down_revision = "0024_detex_text"
branch_labels = None
depends_on = None

BACKFILL_DAYS = 3  # a local day spans at most 50 hours of UTC (UTC-12 to UTC+14)


def upgrade() -> None:
    op.add_column("subscriptions", sa.Column("last_digest_at", sa.DateTime(timezone=True), nullable=True))
    # Lightweight tables, so SQLAlchemy converts the timestamps for each dialect.
    outbox = sa.table("outbox", sa.column("subscription_id", sa.Integer), sa.column("kind", sa.String),
                      sa.column("created_at", sa.DateTime(timezone=True)))
    subscriptions = sa.table("subscriptions", sa.column("id", sa.Integer),
                             sa.column("last_digest_at", sa.DateTime(timezone=True)))
    conn = op.get_bind()
    last = sa.func.max(outbox.c.created_at)
    rows = conn.execute(
        sa.select(outbox.c.subscription_id, last)
        .where(outbox.c.kind == "digest", outbox.c.subscription_id.is_not(None),
               outbox.c.created_at >= datetime.now(UTC) - timedelta(days=BACKFILL_DAYS))
        .group_by(outbox.c.subscription_id)
    ).all()
    if rows:
        conn.execute(
            sa.update(subscriptions).where(subscriptions.c.id == sa.bindparam("sid"))
            .values(last_digest_at=sa.bindparam("at")),
            [{"sid": sid, "at": at} for sid, at in rows],
        )


def downgrade() -> None:
    # A plain DROP COLUMN (SQLite 3.35+), not batch mode: rebuilding the table would fire the
    # ON DELETE actions of outbox and digest_items that refer to it.
    op.drop_column("subscriptions", "last_digest_at")

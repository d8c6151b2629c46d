"""Index the sent-paper log by outbox row, so deleting outbox rows does not scan the log.

Revision ID: 0029_digest_items_outbox_index
Revises: 0028_listing_removals

``digest_items.outbox_id`` references ``outbox.id`` with ON DELETE SET NULL, and neither
database indexes a referencing column by itself: each deleted outbox row made the database
look through the whole sent-paper log (~17 rows per digest, for ever) for rows to set to
NULL. The retention job deletes outbox rows in batches of thousands, so it needs this.

The index is partial (``outbox_id IS NOT NULL``): once a digest's outbox row is pruned its
log rows hold NULL for good, so the index covers only the retention window instead of the
whole log. Both databases use a partial ``IS NOT NULL`` index for ``outbox_id = ?``, which
is the lookup the foreign key makes.
"""

import sqlalchemy as sa
from alembic import op

revision = "0029_digest_items_outbox_index"
down_revision = "0028_listing_removals"
branch_labels = None
depends_on = None

_LIVE = sa.text("outbox_id IS NOT NULL")


def upgrade() -> None:
    op.create_index("ix_digest_items_outbox_id", "digest_items", ["outbox_id"],
                    sqlite_where=_LIVE, postgresql_where=_LIVE)


def downgrade() -> None:
    op.drop_index("ix_digest_items_outbox_id", table_name="digest_items")

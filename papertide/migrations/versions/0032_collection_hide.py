"""A moderator hides a public collection (spam) with a reason its owner reads.

Revision ID: 0032_collection_hide
Revises: 0031_comment_bulk_hide

Only an admin's ban took down a spammer's public collection, and with it everything else the
member made. A curator now hides one collection: ``hidden_reason`` (NULL: not hidden) keeps it
from everyone but its owner and moderators, and the owner's "Public" switch does not undo it.
Who hid it and when is in the audit log.
"""

import sqlalchemy as sa
from alembic import op

revision = "0032_collection_hide"
down_revision = "0031_comment_bulk_hide"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("collections", sa.Column("hidden_reason", sa.Text, nullable=True))


def downgrade() -> None:
    # In place (not a batch copy of the table, which would drop its page-cache triggers).
    op.drop_column("collections", "hidden_reason")

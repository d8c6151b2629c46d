"""Which "hide all their comments" hid a comment, so undoing it shows exactly those again.

Revision ID: 0031_comment_bulk_hide
Revises: 0030_digest_items_created_index

A moderator cleaning up after a spammer hid their comments one at a time. The bulk action hides
every visible comment of a member at once; its undo must not also show comments hidden one by one
(for other reasons, before or after), so each hidden comment names the audit entry that hid it.
"""

import sqlalchemy as sa
from alembic import op

revision = "0031_comment_bulk_hide"
down_revision = "0030_digest_items_created_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("comments", sa.Column("bulk_hide_id", sa.Integer, nullable=True))


def downgrade() -> None:
    op.drop_column("comments", "bulk_hide_id")

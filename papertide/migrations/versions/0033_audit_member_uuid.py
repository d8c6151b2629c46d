"""The member an audit entry is about, when its target does not say so for good.

Revision ID: 0033_audit_member_uuid
Revises: 0032_collection_hide

A moderator hiding a collection is logged against the collection ("collection:<uuid>"), which
found the owner only while the collection existed: once they deleted it, the entry left their
member log (/admin?member=) and their data download, and deleting their account left their name
in its detail. ``member_uuid`` names the owner for good (a uuid: never reused, unlike an id, so
no foreign key is needed). Existing collection entries are filled in from their collections.
"""

import sqlalchemy as sa
from alembic import op

revision = "0033_audit_member_uuid"
down_revision = "0032_collection_hide"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("member_uuid", sa.String(36), nullable=True))
    op.execute(
        "UPDATE audit_log SET member_uuid = (SELECT users.uuid FROM collections JOIN users ON users.id = collections.user_id"
        " WHERE 'collection:' || collections.uuid = audit_log.target) WHERE audit_log.target LIKE 'collection:%'"
    )


def downgrade() -> None:
    op.drop_column("audit_log", "member_uuid")

"""Card thumbnails: one row per paper whose first page was rendered (or failed to be).

Revision ID: 0014_thumbnails
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_thumbnails"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "paper_thumbnails",
        sa.Column("paper_id", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="1"),
        sa.Column("message", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("paper_id", name="pk_paper_thumbnails"),
        sa.ForeignKeyConstraint(["paper_id"], ["papers.id"], name="fk_paper_thumbnails_paper_id_papers",
                                ondelete="CASCADE"),
        sa.CheckConstraint("status IN ('ok', 'failed')", name="ck_paper_thumbnails_status"),
    )


def downgrade() -> None:
    op.drop_table("paper_thumbnails")

"""Listing removals: a paper a curator took off a day's list stays off that day.

Revision ID: 0028_listing_removals
Revises: 0027_job_claimed_at

Removing a listing deleted its row and nothing remembered the decision, so a member's
resubmission (or the next import of that day) put the paper straight back.
"""

import sqlalchemy as sa
from alembic import op

revision = "0028_listing_removals"
down_revision = "0027_job_claimed_at"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "listing_removals",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("paper_id", sa.Integer, nullable=False),
        sa.Column("listed_on", sa.Date, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_listing_removals"),
        sa.UniqueConstraint("paper_id", "listed_on", name="uq_listing_removals_paper_id_listed_on"),
        sa.ForeignKeyConstraint(["paper_id"], ["papers.id"], name="fk_listing_removals_paper_id_papers",
                                ondelete="CASCADE"),
    )


def downgrade() -> None:
    op.drop_table("listing_removals")

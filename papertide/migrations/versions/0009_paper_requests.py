"""Paper requests: submissions of papers the instance does not hold, fetched by a job.

Revision ID: 0009_paper_requests
Revises: 0003_community
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_paper_requests"
down_revision = "0003_community"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "paper_requests",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("arxiv_id", sa.String(64), nullable=False),
        sa.Column("listed_on", sa.Date, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="fetching"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("message", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_paper_requests"),
        sa.UniqueConstraint("arxiv_id", "listed_on", name="uq_paper_requests_arxiv_id_listed_on"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_paper_requests_user_id_users", ondelete="CASCADE"),
        sa.CheckConstraint("status IN ('fetching', 'listed', 'failed')", name="ck_paper_requests_status"),
    )
    op.create_index("ix_paper_requests_user_id", "paper_requests", ["user_id"])


def downgrade() -> None:
    op.drop_table("paper_requests")

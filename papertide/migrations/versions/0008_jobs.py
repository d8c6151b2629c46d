"""Jobs: one row per scheduled job, its once-per-slot claim and its last run.

Revision ID: 0008_jobs
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_jobs"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("slot_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("slot_done", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("claimed_by", sa.String(200), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_duration_seconds", sa.Float, nullable=True),
        sa.Column("last_outcome", sa.String(16), nullable=True),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("name", name="pk_jobs"),
        sa.CheckConstraint("last_outcome IN ('succeeded', 'failed', 'interrupted')", name="ck_jobs_last_outcome"),
    )


def downgrade() -> None:
    op.drop_table("jobs")

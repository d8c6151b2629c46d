"""When the run holding a job's claim started: status shows "running on host:pid since 09:12 (35 min)".

Revision ID: 0027_job_claimed_at
Revises: 0026_embeddings_written_index

A hung job renews its lease for ever, and status said only "running on host:pid": not since
when. ``last_started_at`` is written when a run ends (with its duration and outcome), and
``updated_at`` moves whenever another worker's late run records its end, so the claim keeps
its own time. Claims held during the upgrade take ``updated_at``, which was their claim time
unless such a late run has written since.
"""

import sqlalchemy as sa
from alembic import op

revision = "0027_job_claimed_at"
down_revision = "0026_embeddings_written_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("jobs", sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True))
    jobs = sa.table("jobs", sa.column("claimed_by", sa.String), sa.column("claimed_at", sa.DateTime(timezone=True)),
                    sa.column("updated_at", sa.DateTime(timezone=True)))
    op.get_bind().execute(sa.update(jobs).where(jobs.c.claimed_by.is_not(None)).values(claimed_at=jobs.c.updated_at))


def downgrade() -> None:
    op.drop_column("jobs", "claimed_at")

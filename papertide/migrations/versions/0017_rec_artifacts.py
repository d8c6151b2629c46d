"""Recommendation artefacts shared by every process: the tf-idf vocabulary and the community model.

Revision ID: 0017_rec_artifacts
Revises: 0016_recs_signals
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_rec_artifacts"
down_revision = "0016_recs_signals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rec_artifacts",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("blob", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table("rec_artifacts")

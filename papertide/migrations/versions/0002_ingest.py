"""Ingest: recorded runs, harvest checkpoints, paper version history.

Revision ID: 0002_ingest
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002_ingest"
down_revision = "0001_foundation"
branch_labels = None
depends_on = None

JSONList = sa.JSON().with_variant(JSONB(), "postgresql")


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    ]


def upgrade() -> None:
    op.create_table(
        "ingest_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("window", sa.String(400), nullable=False, server_default=""),
        sa.Column("status", sa.String(16), nullable=False, server_default="running"),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        *(sa.Column(c, sa.Integer, nullable=False, server_default="0")
          for c in ("fetched", "inserted", "updated", "skipped", "withdrawn", "failed", "pages")),
        sa.Column("error", sa.Text, nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_ingest_runs"),
        sa.CheckConstraint("status IN ('running', 'succeeded', 'failed')", name="ck_ingest_runs_status"),
    )
    op.create_index("ix_ingest_runs_started_at", "ingest_runs", ["started_at"])

    op.create_table(
        "ingest_checkpoints",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("last_datestamp", sa.Date, nullable=True),
        sa.Column("resumption_token", sa.Text, nullable=True),
        sa.Column("window_from", sa.Date, nullable=True),
        sa.Column("window_until", sa.Date, nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_ingest_checkpoints"),
        sa.UniqueConstraint("key", name="uq_ingest_checkpoints_key"),
    )

    op.create_table(
        "paper_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("paper_id", sa.Integer, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("submitted", sa.DateTime(timezone=True), nullable=True),
        sa.Column("title", sa.Text, nullable=True),
        sa.Column("abstract", sa.Text, nullable=True),
        sa.Column("authors", JSONList, nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_paper_versions"),
        sa.UniqueConstraint("paper_id", "version", name="uq_paper_versions_paper_id_version"),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["papers.id"], ondelete="CASCADE", name="fk_paper_versions_paper_id_papers"
        ),
    )


def downgrade() -> None:
    for table in ("paper_versions", "ingest_checkpoints", "ingest_runs"):
        op.drop_table(table)

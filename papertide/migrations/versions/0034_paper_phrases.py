"""Recent papers' phrase counts, kept for the For-you ranking's first request of a window.

Revision ID: 0034_paper_phrases
Revises: 0033_audit_member_uuid

The first /for-you of a month (12k candidates on a 241,792-paper instance) spent most of its
~10 s hashing every candidate's title and abstract into word 1–2-grams. The counts depend only on
the paper's text, so the recs.phrases job keeps them for the papers recent enough to be
candidates; the table starts empty (the job fills it) and nothing reads it as authoritative.
"""

import sqlalchemy as sa
from alembic import op

revision = "0034_paper_phrases"
down_revision = "0033_audit_member_uuid"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "paper_phrases",
        sa.Column("paper_id", sa.Integer, nullable=False),
        sa.Column("source_hash", sa.String(40), nullable=False),
        sa.Column("source_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("buckets", sa.LargeBinary, nullable=False),
        sa.Column("counts", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("paper_id", name="pk_paper_phrases"),
        sa.ForeignKeyConstraint(["paper_id"], ["papers.id"], name="fk_paper_phrases_paper_id_papers", ondelete="CASCADE"),
    )


def downgrade() -> None:
    op.drop_table("paper_phrases")

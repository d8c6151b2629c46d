"""Recommendation signals: not-interested / library / mine marks, pending imports, follows and
per-member profiles (paused, model, private feed token digest).

Revision ID: 0016_recs_signals
Revises: every head before it (this migration also merges the branches into one line)
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_recs_signals"
# The earlier capabilities each branched from the foundation; we join them here so later
# migrations have one parent to name.
down_revision = (
    "0002_ingest", "0004_email", "0006_api", "0007_search_pending", "0008_jobs", "0009_paper_requests",
    "0011_readable_names", "0012_paper_authors", "0013_github", "0014_thumbnails", "0015_project_page",
)
branch_labels = None
depends_on = None

_KINDS = "kind IN ('not_interested', 'library', 'mine')"


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=f"fk_{table}_user_id_users", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "rec_signals",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("paper_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_rec_signals"),
        _user_fk("rec_signals"),
        sa.ForeignKeyConstraint(["paper_id"], ["papers.id"], name="fk_rec_signals_paper_id_papers", ondelete="CASCADE"),
        sa.UniqueConstraint("user_id", "paper_id", "kind", name="uq_rec_signals_user_id_paper_id_kind"),
        sa.CheckConstraint(_KINDS, name="ck_rec_signals_kind"),
    )
    op.create_index("ix_rec_signals_user_id", "rec_signals", ["user_id"])
    op.create_index("ix_rec_signals_paper_id", "rec_signals", ["paper_id"])
    op.create_table(
        "rec_pending",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("arxiv_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_rec_pending"),
        _user_fk("rec_pending"),
        sa.UniqueConstraint("user_id", "arxiv_id", "kind", name="uq_rec_pending_user_id_arxiv_id_kind"),
        sa.CheckConstraint(_KINDS, name="ck_rec_pending_kind"),
    )
    op.create_table(
        "rec_follows",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_rec_follows"),
        _user_fk("rec_follows"),
        sa.UniqueConstraint("user_id", "kind", "value", name="uq_rec_follows_user_id_kind_value"),
        sa.CheckConstraint("kind IN ('author', 'category', 'query')", name="ck_rec_follows_kind"),
    )
    op.create_table(
        "rec_profiles",
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("paused", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("feed_token_hash", sa.String(64), nullable=True),
        sa.Column("signals_changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("trained_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("model", sa.LargeBinary, nullable=True),
        sa.Column("model_kind", sa.String(32), nullable=True),
        sa.PrimaryKeyConstraint("user_id", name="pk_rec_profiles"),
        _user_fk("rec_profiles"),
        sa.UniqueConstraint("feed_token_hash", name="uq_rec_profiles_feed_token_hash"),
    )
    # Members who already upvoted or saved papers have signals: give them a profile marked as
    # changed, so the first training run picks them up without waiting for their next vote.
    op.execute(
        "INSERT INTO rec_profiles (user_id, paused, signals_changed_at) "
        "SELECT user_id, false, CURRENT_TIMESTAMP FROM ("
        " SELECT user_id FROM upvotes UNION"
        " SELECT c.user_id FROM collections c JOIN collection_items i ON i.collection_id = c.id"
        ") AS signalled"
    )


def downgrade() -> None:
    op.drop_table("rec_profiles")
    op.drop_table("rec_follows")
    op.drop_table("rec_pending")
    op.drop_index("ix_rec_signals_paper_id", table_name="rec_signals")
    op.drop_index("ix_rec_signals_user_id", table_name="rec_signals")
    op.drop_table("rec_signals")

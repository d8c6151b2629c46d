"""Foundation: papers, categories, users, daily listings, upvotes.

Revision ID: 0001_foundation
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001_foundation"
down_revision = None
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
        "papers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("arxiv_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("abstract", sa.Text, nullable=False, server_default=""),
        sa.Column("authors", JSONList, nullable=False),
        sa.Column("categories", JSONList, nullable=False),
        sa.Column("primary_category", sa.String(32), nullable=True),
        sa.Column("published", sa.Date, nullable=True),
        sa.Column("published_approx", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("github_repo", sa.Text, nullable=True),
        sa.Column("keywords", JSONList, nullable=False),
        sa.Column("upvotes_baseline", sa.Integer, nullable=False, server_default="0"),
        sa.Column("upvotes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("num_comments_baseline", sa.Integer, nullable=False, server_default="0"),
        sa.Column("withdrawn", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("content_hash", sa.String(40), nullable=False, server_default=""),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_papers"),
        sa.UniqueConstraint("arxiv_id", name="uq_papers_arxiv_id"),
    )
    op.create_index("ix_papers_primary_category", "papers", ["primary_category"])
    op.create_index("ix_papers_published", "papers", ["published"])

    op.create_table(
        "paper_categories",
        sa.Column("paper_id", sa.Integer, nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("paper_id", "category", name="pk_paper_categories"),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["papers.id"], ondelete="CASCADE", name="fk_paper_categories_paper_id_papers"
        ),
    )
    op.create_index("ix_paper_categories_category", "paper_categories", ["category", "paper_id"])

    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False, server_default="member"),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_users"),
        sa.UniqueConstraint("uuid", name="uq_users_uuid"),
        sa.CheckConstraint("role IN ('member', 'curator', 'admin')", name="ck_users_role"),
    )
    op.create_index("uq_users_email_lower", "users", [sa.text("lower(email)")], unique=True)

    op.create_table(
        "daily_listings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("paper_id", sa.Integer, nullable=False),
        sa.Column("listed_on", sa.Date, nullable=False),
        sa.Column("position", sa.Integer, nullable=True),
        sa.Column("submitted_by", sa.Integer, nullable=True),
        sa.Column("submitter_name", sa.String(200), nullable=True),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name="pk_daily_listings"),
        sa.UniqueConstraint("paper_id", "listed_on", name="uq_daily_listings_paper_id_listed_on"),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["papers.id"], ondelete="CASCADE", name="fk_daily_listings_paper_id_papers"
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"], ["users.id"], ondelete="SET NULL", name="fk_daily_listings_submitted_by_users"
        ),
    )
    op.create_index("ix_daily_listings_listed_on", "daily_listings", ["listed_on", "paper_id"])

    op.create_table(
        "upvotes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, nullable=False),
        sa.Column("paper_id", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_upvotes"),
        sa.UniqueConstraint("user_id", "paper_id", name="uq_upvotes_user_id_paper_id"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE", name="fk_upvotes_user_id_users"),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["papers.id"], ondelete="CASCADE", name="fk_upvotes_paper_id_papers"
        ),
    )
    op.create_index("ix_upvotes_paper_id", "upvotes", ["paper_id"])


def downgrade() -> None:
    for table in ("upvotes", "daily_listings", "users", "paper_categories", "papers"):
        op.drop_table(table)

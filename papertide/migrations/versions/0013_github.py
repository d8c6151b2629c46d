"""GitHub repos of papers: latest state (stars, ETag, last check) and star history.

Revision ID: 0013_github
Revises: 0010_page_generation
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_github"
down_revision = "0010_page_generation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "github_repos",
        sa.Column("repo", sa.String(200), nullable=False),
        sa.Column("stars", sa.Integer, nullable=True),
        sa.Column("etag", sa.String(200), nullable=True),
        sa.Column("homepage", sa.Text, nullable=True),
        sa.Column("status", sa.String(16), nullable=False, server_default="ok"),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("repo", name="pk_github_repos"),
        sa.CheckConstraint("status IN ('ok', 'missing', 'error')", name="ck_github_repos_status"),
    )
    op.create_table(
        "github_stars",
        sa.Column("id", sa.Integer, nullable=False),
        sa.Column("repo", sa.String(200), nullable=False),
        sa.Column("stars", sa.Integer, nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_github_stars"),
        sa.ForeignKeyConstraint(["repo"], ["github_repos.repo"], name="fk_github_stars_repo_github_repos",
                                ondelete="CASCADE"),
    )
    op.create_index("ix_github_stars_repo_fetched_at", "github_stars", ["repo", "fetched_at"])


def downgrade() -> None:
    op.drop_table("github_stars")
    op.drop_table("github_repos")

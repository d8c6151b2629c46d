"""SQLAlchemy Core tables shared by SQLite and PostgreSQL.

The schema is created and changed only through Alembic migrations
(``papertide/migrations``); a test checks the two agree.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

JSONList = sa.JSON().with_variant(JSONB(), "postgresql")
ROLES = ("member", "curator", "admin")


def timestamp_columns() -> list[sa.Column[Any]]:
    """``created_at`` and ``updated_at``, which every table has (STYLE 10)."""
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    ]


papers = sa.Table(
    "papers",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("arxiv_id", sa.String(64), nullable=False, unique=True),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("abstract", sa.Text, nullable=False, server_default=""),
    sa.Column("authors", JSONList, nullable=False),
    sa.Column("categories", JSONList, nullable=False),
    sa.Column("primary_category", sa.String(32), nullable=True, index=True),
    sa.Column("published", sa.Date, nullable=True, index=True),
    sa.Column("published_approx", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("github_repo", sa.Text, nullable=True),
    sa.Column("project_page", sa.Text, nullable=True),
    sa.Column("keywords", JSONList, nullable=False),
    # Imported (e.g. Hugging Face) counts; real votes add to upvotes_baseline.
    sa.Column("upvotes_baseline", sa.Integer, nullable=False, server_default="0"),
    sa.Column("upvotes", sa.Integer, nullable=False, server_default="0"),
    sa.Column("num_comments_baseline", sa.Integer, nullable=False, server_default="0"),
    sa.Column("withdrawn", sa.Boolean, nullable=False, server_default=sa.false()),
    # Hash of the imported fields, so a re-import can tell "unchanged" without comparing columns.
    sa.Column("content_hash", sa.String(40), nullable=False, server_default=""),
    *timestamp_columns(),
    # Covers /stats' papers per category per day, so the count never visits the wide rows.
    sa.Index("ix_papers_published_primary_category", "published", "primary_category"),
    # Only the upvoted papers (a few percent), in upvote order: "most upvoted" browsing walks them.
    sa.Index("ix_papers_upvoted", "upvotes", "published", "id",
             sqlite_where=sa.text("upvotes > 0"), postgresql_where=sa.text("upvotes > 0")),
)

paper_categories = sa.Table(
    "paper_categories",
    metadata,
    sa.Column("paper_id", sa.Integer, sa.ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("category", sa.String(32), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Index("ix_paper_categories_category", "category", "paper_id"),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("uuid", sa.String(36), nullable=False, unique=True),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(16), nullable=False, server_default="member"),
    *timestamp_columns(),
    sa.CheckConstraint("role IN ('member', 'curator', 'admin')", name="role"),
    sa.Index("uq_users_email_lower", sa.func.lower(sa.column("email")), unique=True),
)

daily_listings = sa.Table(
    "daily_listings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("paper_id", sa.Integer, sa.ForeignKey("papers.id", ondelete="CASCADE"), nullable=False),
    sa.Column("listed_on", sa.Date, nullable=False),
    sa.Column("position", sa.Integer, nullable=True),
    sa.Column("submitted_by", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    # Who submitted it on the source site (HF username) when not a local user.
    sa.Column("submitter_name", sa.String(200), nullable=True),
    *timestamp_columns(),
    sa.UniqueConstraint("paper_id", "listed_on"),
    sa.Index("ix_daily_listings_listed_on", "listed_on", "paper_id"),
)

upvotes = sa.Table(
    "upvotes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("paper_id", sa.Integer, sa.ForeignKey("papers.id", ondelete="CASCADE"), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.UniqueConstraint("user_id", "paper_id"),
    sa.Index("ix_upvotes_paper_id", "paper_id"),
)


def _load_capability_tables() -> None:
    # Later capabilities (ingest runs, community, email, search, API) keep their tables in
    # storage/tables/<area>.py so they can grow without editing this file.
    import importlib
    import pkgutil

    from papertide.storage import tables

    for mod in pkgutil.iter_modules(tables.__path__):
        importlib.import_module(f"{tables.__name__}.{mod.name}")


_load_capability_tables()

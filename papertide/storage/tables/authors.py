"""Who wrote what, one row per (paper, author position), keyed for author pages.

``papers.authors`` (a JSON list) stays the source of truth for how a paper is shown; this
table is derived from it by the paper writer in the same transaction, so the author page
and co-author queries are index lookups instead of a scan of every paper's JSON (see
migration 0012 for the measured difference at 241k papers).
"""

from __future__ import annotations

import sqlalchemy as sa

from papertide.storage.schema import metadata

paper_authors = sa.Table(
    "paper_authors",
    metadata,
    sa.Column("paper_id", sa.Integer, sa.ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("author_key", sa.String(200), nullable=False),  # domain.authors.author_key of name
    sa.Column("name", sa.Text, nullable=False),  # as the paper spells it
    # domain.authors.search_key of name (no diacritics): what the search page's author filter compares.
    sa.Column("search_key", sa.String(200), nullable=False, server_default=""),
    sa.Index("ix_paper_authors_author_key", "author_key", "paper_id"),
    sa.Index("ix_paper_authors_search_key", "search_key", "paper_id"),
)

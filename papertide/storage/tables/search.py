"""Search tables: stored embeddings, and the names of each dialect's lexical index.

``paper_embeddings`` is shared by both dialects (a pgvector ``halfvec`` on PostgreSQL,
float16 bytes on SQLite). The lexical indexes are dialect-only objects created by
migration 0005_search and listed in :data:`DIALECT_ONLY_OBJECTS`, which the schema
comparison must skip: SQLite's FTS5 virtual table (and its shadow tables) and
PostgreSQL's ``search_documents`` tsvector table and HNSW index have no portable
SQLAlchemy form.
"""

from __future__ import annotations

import sqlalchemy as sa
from pgvector.sqlalchemy import HALFVEC

from papertide.storage.schema import metadata

EMBEDDING_DIM = 384  # all-MiniLM-L6-v2; another size needs a migration

paper_embeddings = sa.Table(
    "paper_embeddings",
    metadata,
    sa.Column("paper_id", sa.Integer, sa.ForeignKey("papers.id", ondelete="CASCADE"), primary_key=True),
    # Which model produced the vector; a different configured model means "re-embed".
    sa.Column("model_id", sa.String(80), nullable=False, index=True),
    # sha1 of the embedded text (title + abstract): an edited abstract means "re-embed".
    sa.Column("source_hash", sa.String(40), nullable=False),
    sa.Column("vector", sa.LargeBinary().with_variant(HALFVEC(EMBEDDING_DIM), "postgresql"), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# Created by raw DDL in 0005_search, one dialect each; schema comparison skips them.
DIALECT_ONLY_OBJECTS = frozenset(
    {
        "papers_fts", "papers_fts_data", "papers_fts_idx", "papers_fts_docsize", "papers_fts_config",
        "papers_fts_content",
        "search_pending",
        "search_documents", "ix_search_documents_document", "ix_paper_embeddings_vector_hnsw",
    }
)


def include_in_schema_compare(name: str | None, type_: str, parent_names: object) -> bool:
    """An Alembic ``include_name`` hook that skips the dialect-only search objects."""
    return name not in DIALECT_ONLY_OBJECTS

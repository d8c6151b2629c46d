"""Search tables: stored embeddings, and the names of each dialect's lexical index.

``paper_embeddings`` is shared by both dialects (a pgvector ``halfvec`` on PostgreSQL,
float16 bytes on SQLite). ``search_changes`` is the log of changed papers that tantivy
keyword indexes follow (0019_search_changes; storage/search_changes.py); the triggers
that fill it are raw DDL. The lexical indexes are dialect-only objects created by
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
    sa.Column("model_id", sa.String(80), nullable=False),
    # sha1 of the embedded text (title + abstract): an edited abstract means "re-embed".
    sa.Column("source_hash", sa.String(40), nullable=False),
    sa.Column("vector", sa.LargeBinary().with_variant(HALFVEC(EMBEDDING_DIM), "postgresql"), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    # A model's vectors, and "the newest written" as one probe (processes ask it every minute).
    sa.Index("ix_paper_embeddings_model_written", "model_id", "updated_at"),
)

search_changes = sa.Table(
    "search_changes",
    metadata,
    # AUTOINCREMENT on SQLite: ids are never reused, even after a prune empties the log's tail.
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
    # NULL marks where a prune cut the log (storage/search_changes.py); no foreign key, as a
    # deleted paper's row must outlive it.
    sa.Column("paper_id", sa.Integer, nullable=True),
    # PostgreSQL: the writing transaction's id (commit order); SQLite: 0, its ids are in commit order.
    sa.Column("txid", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Index("ix_search_changes_txid_id", "txid", "id"),
    sqlite_autoincrement=True,
)

# Created by raw DDL in 0005_search (and 0020), one dialect each; schema comparison skips them.
DIALECT_ONLY_OBJECTS = frozenset(
    {
        "papers_fts", "papers_fts_data", "papers_fts_idx", "papers_fts_docsize", "papers_fts_config",
        "papers_fts_content",
        "search_documents", "ix_search_documents_document", "ix_paper_embeddings_vector_hnsw",
        "ix_papers_newest",  # 0020: PostgreSQL's newest-first order (NULLS LAST has no SQLite index form)
    }
)


def include_in_schema_compare(name: str | None, type_: str, parent_names: object) -> bool:
    """An Alembic ``include_name`` hook that skips the dialect-only search objects."""
    return name not in DIALECT_ONLY_OBJECTS

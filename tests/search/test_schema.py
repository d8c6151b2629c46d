"""Migration 0005_search builds what storage/tables/search.py declares, plus the dialect-only indexes."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from papertide.storage.schema import metadata
from papertide.storage.tables.search import include_in_schema_compare


def test_search_tables_match_the_declared_schema(db):
    with db.engine.connect() as conn, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ctx = MigrationContext.configure(conn, opts={"include_name": include_in_schema_compare})
        diff = compare_metadata(ctx, metadata)
    ours = [d for d in diff if "embedding" in repr(d) or "fts" in repr(d) or "search" in repr(d)]
    assert ours == []


def test_dialect_lexical_index_exists(db):
    with db.read() as conn:
        if db.dialect == "postgresql":
            assert conn.exec_driver_sql("SELECT to_regclass('search_documents')").scalar() == "search_documents"
        else:
            assert conn.exec_driver_sql("SELECT count(*) FROM papers_fts").scalar() == 0

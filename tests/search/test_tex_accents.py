"""Titles and abstracts that arrived as TeX (``Schr\\"odinger``) read and search as letters.

Ingest stores the letters; migration 0024 rewrote the rows stored before it, and the keyword
index must follow that rewrite, not keep the old "schr" / "odinger" words.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from papertide.domain.search import SearchFilters, query_terms
from papertide.search.lexical import SqlLexicalIndex
from papertide.storage import search_changes
from papertide.storage.migrate import alembic_config, upgrade
from papertide.storage.schema import papers
from tests.factories import add_papers, make_paper


def _found(db, words: str) -> set[str]:  # type: ignore[no-untyped-def]
    hits = SqlLexicalIndex(db).search(query_terms(words), SearchFilters(), 20)
    with db.read() as conn:
        ids = dict(conn.execute(sa.select(papers.c.id, papers.c.arxiv_id)).all())
    return {ids[i] for i, _ in hits}


def test_migration_0024_rewrites_tex_accents_and_reindexes_the_rows(db):
    add_papers(db, make_paper("2606.00001", title="Bridges", abstract="Plain words."),
               make_paper("2606.00002", title="Costs of $\\ddot{x}$ at \\$5", abstract="Nothing to change."))
    command.downgrade(alembic_config(db), "0023_json_utf8")
    with db.write() as conn:  # as ingest stored arXiv's TeX before
        conn.execute(sa.text("UPDATE papers SET title = :t, abstract = :a WHERE arxiv_id = '2606.00001'"),
                     {"t": 'Schr\\"odinger bridges', "a": "After Poincar\\'e.\nSecond paragraph."})
    assert _found(db, "Schrödinger") == set()
    with db.read() as conn:
        cursor = search_changes.horizon(conn)
    upgrade(db)
    with db.read() as conn:
        rows = {r.arxiv_id: (r.title, r.abstract) for r in conn.execute(
            sa.select(papers.c.arxiv_id, papers.c.title, papers.c.abstract))}
    assert rows == {"2606.00001": ("Schrödinger bridges", "After Poincaré.\nSecond paragraph."),
                    "2606.00002": ("Costs of $\\ddot{x}$ at \\$5", "Nothing to change.")}
    assert _found(db, "Schrödinger") == {"2606.00001"}
    assert _found(db, "Poincaré") == {"2606.00001"}
    assert _found(db, "odinger") == set()  # the TeX spelling's words left the index
    with db.read() as conn:  # tantivy follows this log: only the rewritten paper is in it
        changed = search_changes.read(conn, cursor).paper_ids
        first = conn.execute(sa.select(papers.c.id).where(papers.c.arxiv_id == "2606.00001")).scalar_one()
    assert changed == (first,)

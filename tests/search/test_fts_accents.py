"""SQLite's FTS5 keyword index finds authors whose names hold non-ASCII letters.

FTS5 answers keyword search before tantivy's first build and with PAPERTIDE_SEARCH_LEXICAL=sql.
It indexes the text of ``papers.authors``, which SQLAlchemy used to store as escaped JSON
("M\\u00fcller"), so such names were no words it could find.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from papertide.domain.search import SearchFilters, query_terms
from papertide.search.lexical import SqlLexicalIndex
from papertide.storage.migrate import alembic_config, upgrade
from papertide.storage.schema import papers
from tests.factories import add_papers, make_paper


def _found(db, words: str) -> set[str]:  # type: ignore[no-untyped-def]
    hits = SqlLexicalIndex(db).search(query_terms(words), SearchFilters(), 20)
    with db.read() as conn:
        ids = dict(conn.execute(sa.select(papers.c.id, papers.c.arxiv_id)).all())
    return {ids[i] for i, _ in hits}


def _corpus(db) -> None:  # type: ignore[no-untyped-def]
    add_papers(db, make_paper("2606.00001", authors=("Jürgen Müller", "Łukasz Kaiser")),
               make_paper("2606.00002", authors=("Grace Hopper",)))


def test_accented_author_names_are_words_the_keyword_index_finds(sqlite_db):
    _corpus(sqlite_db)
    with sqlite_db.read() as conn:
        stored = conn.execute(sa.text("SELECT authors FROM papers WHERE arxiv_id = '2606.00001'")).scalar_one()
    assert stored == '["Jürgen Müller", "Łukasz Kaiser"]'
    for words in ("Müller", "muller", "MÜLLER", "Jürgen", "Łukasz"):
        assert _found(sqlite_db, words) == {"2606.00001"}, words
    assert _found(sqlite_db, "hopper") == {"2606.00002"}


def test_migration_0023_rewrites_escaped_rows_and_their_index_entries(sqlite_db):
    _corpus(sqlite_db)
    command.downgrade(alembic_config(sqlite_db), "0022_author_search_key")
    with sqlite_db.write() as conn:  # as the default serializer wrote them before
        conn.execute(sa.text("UPDATE papers SET authors = :a WHERE arxiv_id = '2606.00001'"),
                     {"a": '["J\\u00fcrgen M\\u00fcller", "\\u0141ukasz Kaiser"]'})
    assert _found(sqlite_db, "Müller") == set()
    upgrade(sqlite_db)
    assert _found(sqlite_db, "Müller") == {"2606.00001"}
    assert _found(sqlite_db, "u00fcller") == set()  # the escape's old index entries are gone
    with sqlite_db.read() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM papers WHERE instr(authors, '\\u') > 0")).scalar_one() == 0

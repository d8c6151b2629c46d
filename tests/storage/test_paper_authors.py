"""The derived paper_authors rows: written with every paper, filled by migration 0012 for papers
stored before it, removed with the paper."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from papertide.storage.migrate import alembic_config, upgrade
from papertide.storage.schema import papers
from papertide.storage.tables.authors import paper_authors
from tests.factories import add_papers, make_paper


def rows(db) -> list[tuple[str, int, str, str]]:  # type: ignore[no-untyped-def]
    q = (sa.select(papers.c.arxiv_id, paper_authors.c.position, paper_authors.c.author_key, paper_authors.c.name)
         .join(papers, papers.c.id == paper_authors.c.paper_id).order_by(papers.c.arxiv_id, paper_authors.c.position))
    with db.read() as conn:
        return [tuple(r) for r in conn.execute(q)]


EXPECTED = [
    ("2606.00001", 0, "émilie du châtelet", "E\u0301milie  du Châtelet"),
    ("2606.00001", 1, "ada lovelace", "Ada Lovelace"),
    ("2606.00002", 0, "ada lovelace", "ADA LOVELACE"),
]


def test_writer_keeps_rows_in_step_with_the_papers_author_list(db):
    add_papers(db, make_paper("2606.00001", authors=("E\u0301milie  du Châtelet", "Ada Lovelace", " ")),
               make_paper("2606.00002", authors=("ADA LOVELACE",)))
    assert rows(db) == EXPECTED  # a blank name gets no row
    add_papers(db, make_paper("2606.00002", version=2, authors=("Grace Hopper",)))
    assert rows(db)[2:] == [("2606.00002", 0, "grace hopper", "Grace Hopper")]
    with db.write() as conn:
        conn.execute(sa.delete(papers).where(papers.c.arxiv_id == "2606.00002"))
    assert rows(db) == EXPECTED[:2]


def test_migration_fills_the_table_for_papers_stored_before_it(db):
    add_papers(db, make_paper("2606.00001", authors=("E\u0301milie  du Châtelet", "Ada Lovelace")),
               make_paper("2606.00002", authors=("ADA LOVELACE",)))
    # Since 0016 joined the branches, going below 0012 means going down to the foundation.
    command.downgrade(alembic_config(db), "0001_foundation")
    with db.read() as conn:
        assert "paper_authors" not in sa.inspect(conn).get_table_names()
    upgrade(db)
    assert rows(db) == EXPECTED


def test_migration_0022_gives_stored_names_their_search_keys(db):
    add_papers(db, make_paper("2606.00001", authors=("E\u0301milie  du Châtelet", "Łukasz Kaiser", "Ada Lovelace")))
    command.downgrade(alembic_config(db), "0021_papers_upvoted")
    with db.read() as conn:
        assert "search_key" not in {c["name"] for c in sa.inspect(conn).get_columns("paper_authors")}
    upgrade(db)
    with db.read() as conn:
        keys = list(conn.execute(sa.select(paper_authors.c.search_key).order_by(paper_authors.c.position)).scalars())
    assert keys == ["emilie du chatelet", "lukasz kaiser", "ada lovelace"]

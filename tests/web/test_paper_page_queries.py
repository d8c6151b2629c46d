"""What an uncached paper page asks the database: every part by arXiv id, no row-id lookups first.

The paper page grew a discussion, a sparkline and similar papers, each of which used to look the
paper's row id up again in a statement of its own (bench/RESULTS.md, "Paper page").
"""

from __future__ import annotations

from datetime import date

from papertide.storage import comments as comments_store
from papertide.storage import votes as votes_store
from tests.factories import add_papers, make_paper
from tests.plans import sqlite_plans, statements

ROW_ID_LOOKUP = "SELECT papers.id \nFROM papers \nWHERE papers.arxiv_id = "


def test_a_signed_out_uncached_paper_page_looks_its_row_id_up_at_most_once(client, db) -> None:
    add_papers(db, (make_paper("2606.00001", title="Sparse gains", upvotes_baseline=4), date(2026, 6, 1)),
               make_paper("2606.00002"))
    client.get("/papers/2606.00002")  # the first similar-papers lookup loads the vectors
    with statements(db) as run:
        r = client.get("/papers/2606.00001")  # another path: not from the page cache
    seen = [s for s in run if s != "BEGIN"]  # the statements themselves
    assert r.status_code == 200 and "Sparse gains" in r.text
    # The paper and its listings; the similar papers' row id (their vectors are keyed by it);
    # comments and upvote times, each by arXiv id through a join. PostgreSQL reads the paper's
    # vector from pgvector (SQLite's graph is in memory).
    assert sum(s.startswith(ROW_ID_LOOKUP) for s in seen) == 1, seen
    assert len(seen) == 5 + (db.dialect == "postgresql"), "\n---\n".join(seen)


def test_comments_and_vote_times_by_arxiv_id_start_from_the_papers_unique_index(sqlite_db) -> None:
    add_papers(sqlite_db, make_paper("2606.00001"))
    for plan in sqlite_plans(sqlite_db, [lambda conn: comments_store.comments_for_paper(conn, "2606.00001"),
                                         lambda conn: votes_store.vote_times(conn, "2606.00001")]):
        assert plan.startswith("SEARCH papers USING COVERING INDEX sqlite_autoindex_papers_1 (arxiv_id=?)"), plan
        assert "USING INDEX ix_comments_paper_id (paper_id=?)" in plan or \
            "USING INDEX ix_upvotes_paper_id (paper_id=?)" in plan, plan

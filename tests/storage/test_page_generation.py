"""The page generation counter: which writes move it, and how often, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from papertide.storage import users as users_store
from papertide.storage.page_generation import PageGeneration
from tests.factories import add_papers, make_paper


def test_writes_to_what_pages_show_move_the_counter_and_other_writes_do_not(db):
    generation = PageGeneration(db)
    start = generation.current()
    assert start is not None
    add_papers(db, (make_paper("2606.00001"), date(2026, 6, 9)))
    after_paper = generation.current()
    assert after_paper is not None and after_paper > start

    with db.write() as conn:  # a job's bookkeeping is not something a page shows
        conn.exec_driver_sql("INSERT INTO jobs (name) VALUES ('page-generation-test')")
    assert generation.current() == after_paper

    with db.write() as conn:
        users_store.find_or_create_user(conn, "reader@example.org")
    after_user = generation.current()
    assert after_user is not None and after_user > after_paper
    generation.close()


def test_postgres_bumps_once_per_transaction_however_many_rows(db):
    generation = PageGeneration(db)
    start = generation.current()
    assert start is not None
    add_papers(db, *[(make_paper(f"2606.{n:05d}"), date(2026, 6, 9)) for n in range(1, 41)])
    moved = generation.current()
    assert moved is not None
    # SQLite has row triggers only; PostgreSQL's deferred trigger bumps once at commit.
    assert moved - start == 1 if db.dialect == "postgresql" else moved - start >= 40 * 2
    generation.close()

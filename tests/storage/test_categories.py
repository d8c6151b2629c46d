"""A category's newest papers read both ways (gathered and sorted, or walked newest first),
on SQLite and PostgreSQL: the same papers in the same order, pages included."""

from __future__ import annotations

from datetime import date

import pytest

from papertide.storage import categories as categories_store
from papertide.storage.db import Database
from tests.factories import add_papers, make_paper


@pytest.fixture
def shelf(db: Database) -> Database:
    # 12 papers: 9 in cs.LG (3 only as a cross-list), 2 in q-bio.GN; ties on the date and a paper
    # with no date, so the order's tie-breaks (newest stored first, undated last) are exercised.
    days = [date(2026, 5, d) for d in (3, 9, 9, 1, 7, 9, 2, 5, 4)]
    lg = [make_paper(f"2605.000{k:02d}", published=day, categories=("cs.LG",) if k % 3 else ("stat.ML", "cs.LG"))
          for k, day in enumerate(days, 1)]
    undated = make_paper("2605.00010", published=None, categories=("cs.LG",))
    bio = [make_paper(f"2605.000{k}", published=date(2026, 5, k), categories=("q-bio.GN",)) for k in (11, 12)]
    add_papers(db, *lg, undated, *bio)
    return db


def _ids(entries) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.paper.arxiv_id for e in entries]


def test_a_large_category_walked_newest_first_matches_the_gathered_order(shelf: Database) -> None:
    with shelf.read() as conn:
        members = categories_store.count_category(conn, "cs.LG")
        assert members == 10
        # 10 of 12 papers are members: two wanted cost less walked (2 x 12 < 10 x 10), twenty gathered.
        assert categories_store._walk_is_cheaper(conn, members, 2)
        assert not categories_store._walk_is_cheaper(conn, members, 20)
        gathered = _ids(categories_store.category_latest(conn, "cs.LG", 20))
        walked = [aid for offset in range(0, 10, 2) for aid in _ids(categories_store.category_latest(conn, "cs.LG", 2, offset))]
    assert gathered == walked
    assert gathered[:3] == ["2605.00006", "2605.00003", "2605.00002"]  # 9 May thrice: newest stored first
    assert gathered[-1] == "2605.00010"  # no date: last


def test_a_small_category_and_pages_past_the_end(shelf: Database) -> None:
    with shelf.read() as conn:
        assert _ids(categories_store.category_latest(conn, "q-bio.GN", 20)) == ["2605.00012", "2605.00011"]
        assert categories_store.category_latest(conn, "q-bio.GN", 20, offset=2) == []
        assert categories_store.category_latest(conn, "math.AP", 20) == []

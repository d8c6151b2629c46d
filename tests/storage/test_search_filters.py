"""Filter checks over many candidate ids (what filtered vector search and the author pre-filter ask)."""

from __future__ import annotations

from datetime import date

from papertide.domain.search import make_filters
from papertide.storage import search as search_store
from papertide.storage.papers import paper_row_id
from tests.factories import add_papers, make_paper

N = 700  # more than one old IN-list chunk (500), so a single-parameter list must carry them all


def _papers(db):  # type: ignore[no-untyped-def]
    add_papers(db, *[
        make_paper(f"2504.{n:05d}", categories=("cs.CV",) if n % 7 == 0 else ("cs.LG", "stat.ML"),
                   authors=("Wang Li",) if n % 3 == 0 else ("Ada 100%_Lovelace",), published=date(2025, 4, 1 + n % 28))
        for n in range(N)
    ])
    with db.read() as conn:
        return [paper_row_id(conn, f"2504.{n:05d}") for n in range(N)]


def test_filter_among_keeps_exactly_the_passing_ids_of_a_long_list(db):
    ids = _papers(db)
    unknown = max(ids) + 10_000
    with db.read() as conn:
        cv = search_store.filter_among(conn, make_filters(categories="cs.CV"), [*ids, unknown])
        wang_late = search_store.filter_among(conn, make_filters("2025-04-15", author="WANG"), ids[::-1])
        literal = search_store.filter_among(conn, make_filters(author="100%_"), ids)
        assert search_store.filter_among(conn, make_filters(categories="cs.CV"), []) == set()
        assert cv == search_store.filtered_ids(conn, make_filters(categories="cs.CV"))
    assert cv == {ids[n] for n in range(N) if n % 7 == 0}
    assert wang_late == {ids[n] for n in range(N) if n % 3 == 0 and 1 + n % 28 >= 15}
    assert literal == {ids[n] for n in range(N) if n % 3}  # % and _ match themselves, not any text

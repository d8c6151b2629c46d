"""Filtered search without words: the keyword index lists what SQL lists, on SQLite and PostgreSQL.

SQL's own walk (storage.search.browse) is the reference: every filter, both sorts and pages
across date and upvote ties must come back the same from the tantivy index, including author
names whose n-grams a paper holds without holding the name.
"""

from __future__ import annotations

import time
from datetime import date

import pytest
import sqlalchemy as sa

from papertide.domain.search import SearchFilters, SearchRequest
from papertide.search import tantivy_browse
from papertide.search.browsing import browse
from papertide.search.lexical import SqlLexicalIndex
from papertide.search.service import SearchService
from papertide.search.tantivy_index import TantivyLexicalIndex
from papertide.storage import search as search_store
from papertide.storage.db import Database
from tests.factories import make_paper
from tests.search.test_change_log import _settled, add_papers

D1, D2, D3 = date(2024, 3, 1), date(2024, 3, 2), date(2024, 3, 3)
PAPERS = [
    # Three on one day and two with no date: the order falls back to the row id.
    (make_paper("2403.00001", authors=("Anton Weber",), categories=("cs.CL",), published=D1, upvotes_baseline=5), D1),
    (make_paper("2403.00002", authors=("Dante Alighieri", "Lynton Crosby"), categories=("cs.CL", "cs.LG"),
                published=D2), None),  # holds "ant", "nto" and "ton" but not "anton"
    (make_paper("2403.00003", authors=("Marc Antony",), categories=("cs.LG",), published=D2, upvotes_baseline=5), D2),
    (make_paper("2403.00004", authors=("Wang Li",), categories=("cs.CV",), published=D2,
                github_repo="https://github.com/x/y"), None),
    (make_paper("2403.00005", authors=("Li Wang", "Anton Weber"), categories=("cs.CL",), published=D3,
                upvotes_baseline=9), D3),
    (make_paper("2403.00006", authors=("Swan Ang",), categories=("cs.CL",), published=None), None),  # "wan" + "ang"
    (make_paper("2403.00007", authors=("Xiaowang Zhou",), categories=("math.PR",), published=None,
                upvotes_baseline=1), None),
    (make_paper("2403.00008", authors=("Ada Lovelace",), categories=("cs.CL",), published=D1), None),
]
FILTERS = [
    SearchFilters(categories=("cs.CL",)),
    SearchFilters(exclude_categories=("cs.CL",)),
    SearchFilters(published_from=D2, published_to=D3),
    SearchFilters(listed_only=True),
    SearchFilters(has_code=True),
    SearchFilters(author="anton"),
    SearchFilters(author="wang"),
    SearchFilters(author="wang", categories=("cs.CL",)),
    SearchFilters(author="li"),
    SearchFilters(author="a"),  # one letter: no n-gram, every paper is a candidate
    SearchFilters(author="nobody at all"),
]
PAGES = [(0, 20), (0, 2), (2, 2), (3, 3), (7, 5)]


@pytest.fixture
def corpus(db: Database) -> Database:
    add_papers(db, *PAPERS)
    return db


def _index(db: Database, folder) -> TantivyLexicalIndex:  # type: ignore[no-untyped-def]
    index = TantivyLexicalIndex(db, folder)
    index.ensure_built()
    _settled(db)
    return index


def _sql(db: Database, filters: SearchFilters, sort: str, start: int, size: int) -> tuple[list[int], int]:
    with db.read() as conn:
        return search_store.browse(conn, filters, sort, size, start)


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: repr(f)[14:60])
def test_the_index_lists_and_counts_what_sql_does(corpus, tmp_path, filters: SearchFilters) -> None:
    index = _index(corpus, tmp_path / "idx")
    assert index.newest(filters, 20) is not None  # the index answers, not SQL behind it
    for sort in ("date", "upvotes"):
        for start, size in PAGES:
            assert browse(corpus, index, filters, sort, size, start) == _sql(corpus, filters, sort, start, size)


def test_an_author_superset_too_big_to_check_whole_is_checked_slice_by_slice(corpus, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(tantivy_browse, "AUTHOR_EXACT_MAX", 1)
    index = _index(corpus, tmp_path / "idx")
    for name in ("anton", "wang", "a"):
        filters = SearchFilters(author=name)
        for start, size in PAGES:
            assert browse(corpus, index, filters, "date", size, start) == _sql(corpus, filters, "date", start, size)


def test_a_name_asked_for_again_is_answered_from_its_kept_list(corpus, tmp_path, monkeypatch) -> None:
    checks: list[int] = []
    real_check = search_store.filter_among
    monkeypatch.setattr(search_store, "filter_among",
                        lambda conn, f, ids: checks.append(len(ids)) or real_check(conn, f, ids))
    index = _index(corpus, tmp_path / "idx")
    wang = SearchFilters(author="wang")
    expected = _sql(corpus, wang, "date", 0, 20)
    deadline = time.monotonic() + 30
    while True:  # the second request starts listing the name's papers in the background
        checks.clear()
        assert browse(corpus, index, wang, "date", 20, 0) == expected
        if not checks:
            break
        assert time.monotonic() < deadline, "the name's papers were never listed"
        time.sleep(0.05)
    # A kept name whose n-grams too many papers hold is read slice by slice, still without SQL checks.
    monkeypatch.setattr(tantivy_browse, "KEPT_EXACT_MAX", 1)
    for filters in (wang, SearchFilters(author="wang", categories=("cs.CL",))):
        for start, size in PAGES:
            checks.clear()
            assert browse(corpus, index, filters, "date", size, start) == _sql(corpus, filters, "date", start, size)
            assert not checks


def test_a_paper_added_or_upvoted_after_the_build_is_listed_in_its_place(corpus, tmp_path) -> None:
    index = _index(corpus, tmp_path / "idx")
    add_papers(corpus, make_paper("2403.00009", authors=("Anton Weber",), categories=("cs.CL",), published=D3,
                                  upvotes_baseline=7))
    for filters in (SearchFilters(categories=("cs.CL",)), SearchFilters(author="anton")):
        for sort in ("date", "upvotes"):
            got = browse(corpus, index, filters, sort, 20, 0)
            assert got == _sql(corpus, filters, sort, 0, 20)
            assert len(got[0]) == got[1]


def test_without_a_keyword_index_sql_browses(corpus) -> None:
    lexical = SqlLexicalIndex(corpus)
    filters = SearchFilters(author="anton")
    assert lexical.newest(filters, 20) is None
    assert browse(corpus, lexical, filters, "upvotes", 2, 1) == _sql(corpus, filters, "upvotes", 1, 2)


def test_the_search_page_browses_through_the_index(corpus, tmp_path) -> None:
    service = SearchService(corpus, lexical=_index(corpus, tmp_path / "idx"))
    page = service.search(SearchRequest(text="", filters=SearchFilters(author="anton"), sort="upvotes"))
    # Most upvoted first (a tie goes to the newer), "Antony" holds the name; Dante and Lynton only its n-grams.
    assert [h.entry.paper.arxiv_id for h in page.hits] == ["2403.00005", "2403.00003", "2403.00001"]
    assert page.total == 3


NAMES = [
    make_paper("2404.00001", authors=("Detlef Müller",), categories=("cs.CL",), published=D1,
               title="Müller writes about parsing"),
    make_paper("2404.00002", authors=("Łukasz Kaiser", "Émilie du Châtelet"), categories=("cs.LG",), published=D2,
               title="Kaiser writes about parsing"),
    make_paper("2404.00003", authors=("ÖMER FARUK", "Li Wang"), categories=("cs.LG",), published=D3,
               title="Faruk writes about parsing"),
]


@pytest.mark.parametrize(("typed", "expected"), [
    ("müller", ["2404.00001"]),
    ("MÜLLER", ["2404.00001"]),
    ("łukasz", ["2404.00002"]),
    ("Ömer", ["2404.00003"]),
    ("émilie du châtelet", ["2404.00002"]),
    ("E\u0301milie", ["2404.00002"]),  # the same letter written as e + combining accent
    ("muller", ["2404.00001"]),  # typed without the accent
    ("lukasz", ["2404.00002"]),
    ("omer faruk", ["2404.00003"]),
    ("wang li", []),  # one name's end and the next one's start are not a name
])
def test_an_author_is_found_by_any_case_accent_and_unicode_form_of_the_name(
    db, tmp_path, typed: str, expected: list[str]
) -> None:
    add_papers(db, *NAMES)
    index = _index(db, tmp_path / "idx")
    filters = SearchFilters(author=typed)
    with db.read() as conn:
        rows = dict(conn.execute(sa.text("SELECT id, arxiv_id FROM papers")).all())
    for lexical in (index, SqlLexicalIndex(db)):
        ids, total = browse(db, lexical, filters, "date", 20, 0)
        assert sorted(rows[i] for i in ids) == expected and total == len(expected)
        assert sorted(rows[i] for i, _ in lexical.search(("parsing",), filters, 20)) == expected


def test_a_misspelt_short_name_is_offered_though_other_names_share_more_of_its_letters(db, tmp_path) -> None:
    # Each crowd paper holds all three trigrams of "bengo" (a Ben, a Cheng, a Ngo); Bengio's only two.
    crowd = [make_paper(f"2405.{n:05d}", authors=("Ben Carter", "Wei Cheng", "Thi Ngo")) for n in range(230)]
    add_papers(db, *crowd, make_paper("2406.00001", authors=("Yoshua Bengio", "Aaron Courville")))
    service = SearchService(db, lexical=_index(db, tmp_path / "idx"))
    assert service.author_suggestions("bengo") == ["Bengio"]
    assert service.author_suggestions("courvile") == ["Courville"]
    assert service.author_suggestions("zzyzx") == []

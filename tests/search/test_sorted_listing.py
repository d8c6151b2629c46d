"""A search sorted by date or upvotes lists every paper holding all its words, with its best matches.

Relevance alone would reorder only the best few matches (SORTED_CANDIDATES), so on a common topic
the newest paper, ranked below the classics, never showed and the page claimed a handful of results.
The reference here is the corpus itself: which papers hold every word is known by construction.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from papertide.domain.search import SearchFilters, SearchRequest
from papertide.search import browsing
from papertide.search import service as service_module
from papertide.search.lexical import SqlLexicalIndex
from papertide.search.service import SearchService
from papertide.search.tantivy_index import TantivyLexicalIndex
from papertide.storage.db import Database
from tests.factories import make_paper
from tests.search.test_change_log import _settled, add_papers

DAY = date(2024, 1, 1)
# Nine papers hold both "graph" and "sampler"; the older ones say it most, so they rank first.
BOTH = [make_paper(f"2401.{i:05d}", title=("Graph sampler " * (10 - i)).strip(),
                   abstract=f"A graph sampler study number {i}.", published=DAY + timedelta(days=i),
                   upvotes_baseline=i % 3, categories=("cs.LG",) if i % 2 else ("cs.DS",))
        for i in range(1, 10)]
ONE_WORD = [make_paper("2401.00020", title="Graph colouring", abstract="Colouring graphs greedily.",
                       published=DAY + timedelta(days=40)),
            make_paper("2401.00021", title="A sampler for lattices", abstract="Sampling lattice points.",
                       published=DAY + timedelta(days=41), upvotes_baseline=50)]
ALL_WORDS = {p.arxiv_id for p in BOTH}


@pytest.fixture
def corpus(db: Database) -> Database:
    add_papers(db, *BOTH, *ONE_WORD)
    return db


@pytest.fixture
def search(corpus, tmp_path, monkeypatch) -> SearchService:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(service_module, "SORTED_CANDIDATES", 3)  # the best three matches only
    index = TantivyLexicalIndex(corpus, tmp_path / "idx")
    index.ensure_built()
    _settled(corpus)
    return SearchService(corpus, lexical=index)


def _listed(search: SearchService, text: str, **kw) -> tuple[list[str], int, bool]:  # type: ignore[no-untyped-def]
    page = search.search(SearchRequest(text, mode="lexical", **kw))
    return [h.entry.paper.arxiv_id for h in page.hits], page.total, page.every_word


def test_sorted_by_date_every_paper_with_all_the_words_is_listed_newest_first(search) -> None:
    ids, total, every_word = _listed(search, "graph sampler", sort="date")
    # The best three by relevance are the oldest; the listing still holds all nine, newest first.
    assert ids == sorted(ALL_WORDS, reverse=True)
    assert (total, every_word) == (9, True)
    relevance, _, _ = _listed(search, "graph sampler")
    assert relevance[0] == "2401.00001"  # what the sorted listing used to be limited to


def test_pages_of_a_sorted_listing_join_up(search) -> None:
    full, total, _ = _listed(search, "graph sampler", sort="date")
    pages = [_listed(search, "graph sampler", sort="date", page=p, page_size=4) for p in range(3)]
    assert [i for ids, _, _ in pages for i in ids] == full
    assert {t for _, t, _ in pages} == {total}


def test_sorted_by_upvotes_the_most_upvoted_paper_with_all_the_words_leads(search, corpus) -> None:
    ids, total, _ = _listed(search, "graph sampler", sort="upvotes")
    upvotes = {p.arxiv_id: p.upvotes_baseline for p in BOTH}
    assert set(ids) == ALL_WORDS and total == 9
    # Most upvoted first, a tie to the newer; "A sampler for lattices" (50 upvotes) lacks "graph".
    assert ids == sorted(ALL_WORDS, key=lambda a: (upvotes[a], a), reverse=True)
    assert "2401.00021" not in ids


def test_filters_narrow_the_listing(search) -> None:
    ids, total, _ = _listed(search, "graph sampler", sort="date", filters=SearchFilters(categories=("cs.LG",)))
    odd = sorted((p.arxiv_id for p in BOTH if "cs.LG" in p.categories), reverse=True)
    assert (ids, total) == (odd, len(odd))


def test_best_matches_without_every_word_stay_in_the_listing(search) -> None:
    # No paper holds "lattices" and "graph" both: the best matches alone, newest first, as before.
    ids, total, every_word = _listed(search, "graph lattices", sort="date")
    assert every_word is False and total == len(ids) <= 3
    assert ids == sorted(ids, reverse=True)


def test_a_query_with_operators_reorders_its_best_matches_only(search) -> None:
    # "-study" is checked on the best matches' texts; a listing of every paper could not honour it.
    ids, total, every_word = _listed(search, "graph -colouring", sort="date")
    assert every_word is False and "2401.00020" not in ids and total == len(ids) <= 3


def test_without_a_keyword_index_the_best_matches_are_sorted(corpus, monkeypatch) -> None:
    monkeypatch.setattr(service_module, "SORTED_CANDIDATES", 3)
    search = SearchService(corpus, lexical=SqlLexicalIndex(corpus))
    ids, total, every_word = _listed(search, "graph sampler", sort="date")
    assert every_word is False and total == len(ids) == 3
    assert ids == sorted(ids, reverse=True)


def test_the_page_says_what_a_sorted_listing_holds(client_for_corpus) -> None:
    client = client_for_corpus
    every = client.get("/search", params={"q": "graph sampler", "sort": "date"}).text
    assert "Every paper holding all of your words" in every
    best = client.get("/search", params={"q": "graph -colouring", "sort": "upvotes"}).text
    assert "best matches, most upvoted first" in best
    assert "Every paper holding" not in client.get("/search", params={"q": "graph sampler"}).text
    # Clearing the filters keeps the order asked for.
    narrowed = client.get("/search", params={"q": "graph sampler", "sort": "date", "cat": "cs.LG"}).text
    assert 'href="/search?q=graph+sampler&amp;sort=date">Clear filters' in narrowed


@pytest.fixture
def client_for_corpus(settings, corpus):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from tests.factories import app_for

    with TestClient(app_for(settings, corpus)) as client:
        yield client


def test_an_author_filter_narrows_the_listing(search, corpus) -> None:
    add_papers(corpus, make_paper("2401.00030", title="Graph sampler by someone else", authors=("Grace Hopper",),
                                  published=DAY + timedelta(days=90)))
    ids, total, _ = _listed(search, "graph sampler", sort="date", filters=SearchFilters(author="hopper"))
    assert (ids, total) == (["2401.00030"], 1)
    ids, total, _ = _listed(search, "graph sampler", sort="date", filters=SearchFilters(author="lovelace"))
    assert (ids, total) == (sorted(ALL_WORDS, reverse=True), 9)


def test_best_matches_lacking_a_word_join_the_upvoted_listing_in_their_place(search, monkeypatch) -> None:
    relevance = _listed(search, "lattice sampler")[0][:3]
    assert "2401.00021" in relevance and len(relevance) == 3  # the one paper with both words, and two others
    upvotes = {p.arxiv_id: p.upvotes_baseline for p in [*BOTH, *ONE_WORD]}
    expected = sorted(relevance, key=lambda a: (upvotes[a], a), reverse=True)
    for slice_ in (1_000, 1):  # the upvoted papers checked all at once, or one at a time
        monkeypatch.setattr(browsing, "UPVOTED_SLICE", slice_)
        ids, total, every_word = _listed(search, "lattice sampler", sort="upvotes")
        assert (ids, total, every_word) == (expected, 3, True)
        ids, total, _ = _listed(search, "graph sampler", sort="upvotes", page_size=2)
        assert (ids, total) == (sorted(ALL_WORDS, key=lambda a: (upvotes[a], a), reverse=True)[:2], 9)

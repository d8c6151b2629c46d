"""A query that matches nothing says so: dense neighbours below the floor are not results."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from papertide.domain.fusion import DENSE_FLOOR, admitted
from papertide.domain.search import SearchFilters, SearchRequest
from papertide.search.service import SearchService
from papertide.search.vectors import make_vector_index
from tests.factories import add_papers, app_for
from tests.search.conftest import CORPUS, KNOWN

GIBBERISH = ["asdfghjkl", "qwertyuiop zxcv", "glorbnax frizzle", "banana bread recipe"]


def test_admitted_keeps_keyword_hits_and_neighbours_at_or_over_the_floor_in_fused_order():
    fused = [(3, 2.0), (1, 1.5), (2, 0.4), (4, -0.3), (5, -1.0)]
    dense = [(1, 0.8), (2, DENSE_FLOOR), (5, DENSE_FLOOR - 0.01), (4, 0.1)]
    assert admitted(fused, [(3, 9.0), (4, 1.0)], dense) == [(3, 2.0), (1, 1.5), (2, 0.4), (4, -0.3)]
    assert admitted(fused, [], dense, 0.5) == [(1, 1.5)]
    assert admitted([], [], [], 0.5) == []


def test_dense_search_without_a_floor_returns_neighbours_for_gibberish(corpus_db, embedder):
    # Why the floor exists: nearest neighbours always exist.
    svc = SearchService(corpus_db, embedder, make_vector_index(corpus_db, embedder.model_id))
    svc.embed_pending()
    assert len(svc.rank("asdfghjkl", mode="dense")) == len(CORPUS)


def test_the_floor_drops_gibberish_and_keeps_real_queries(corpus_db, embedder):
    svc = SearchService(corpus_db, embedder, make_vector_index(corpus_db, embedder.model_id), dense_floor=DENSE_FLOOR)
    svc.embed_pending()
    for query in GIBBERISH:
        assert svc.rank(query) == [], query
        assert svc.search(SearchRequest(query, SearchFilters())).hits == []
    for query, arxiv_id in KNOWN.items():
        page = svc.search(SearchRequest(query, SearchFilters(), page_size=3))
        assert arxiv_id in [h.entry.paper.arxiv_id for h in page.hits], query
    # A semantic-only query (no shared words) still finds its paper above the floor.
    dense = svc.search(SearchRequest("how do proteins fold", SearchFilters(), mode="dense", page_size=3))
    assert dense.hits and dense.hits[0].entry.paper.arxiv_id == "2401.00005"


def test_the_floor_chooses_results_without_changing_their_scores(corpus_db, embedder):
    # Cutting the neighbour list before fusion moved every dense score (its statistics changed);
    # the floor only decides which papers are results.
    svc = SearchService(corpus_db, embedder, make_vector_index(corpus_db, embedder.model_id))
    svc.embed_pending()
    cut_some = False
    for query in [*KNOWN, "graph neural networks for molecules", "protein structure"]:
        svc.dense_floor = 0.0
        every = svc.rank(query)
        words = {pid for pid, _ in svc.rank(query, mode="lexical")}
        near = {pid for pid, score in svc.rank(query, mode="dense") if score >= DENSE_FLOOR}
        svc.dense_floor = DENSE_FLOOR
        kept = svc.rank(query)
        keep = {pid for pid, _ in kept}
        assert kept == [(pid, score) for pid, score in every if pid in keep], query
        assert keep == words | near, query
        cut_some = cut_some or len(kept) < len(every)
    assert cut_some


@pytest.fixture
def site(settings, db, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PAPERTIDE_SEARCH_BACKGROUND_EMBED", "0")
    add_papers(db, *CORPUS)
    app = app_for(settings, db)
    app.state.services.search.embed_pending()
    with TestClient(app) as client:
        yield client


def test_the_search_page_says_no_papers_match_with_suggestions(site):
    html = site.get("/search", params={"q": "asdfghjkl"}).text
    assert "No papers match “<span dir=\"auto\">asdfghjkl</span>”." in html
    assert 'class="suggestions"' in html and 'href="/trending"' in html
    assert "results for" not in html and 'class="search-hit"' not in html
    filtered = site.get("/search", params={"q": "zxcvbnm qwerty", "cat": "cs.CV"}).text
    assert "with these filters" in filtered and "Search again without filters" in filtered


def test_results_carry_vote_buttons_a_feed_link_and_labelled_filters(site):
    html = site.get("/search", params={"q": "diffusion image generation", "sort": "date"}).text
    assert 'class="search-hit"' in html and 'class="vote-button"' in html
    assert 'href="/feeds/search.rss?q=diffusion+image+generation"' in html
    assert '<link rel="alternate" type="application/rss+xml"' in html
    # Every filter has a label bound to it, and the panel is open when something is set.
    for field in ("f-from", "f-to", "f-cat", "f-xcat", "f-author", "f-sort", "f-listed"):
        assert f'<label for="{field}">' in html and f'id="{field}"' in html
    assert '<details class="filters" open>' in html
    assert '<details class="filters">' in site.get("/search", params={"q": "diffusion"}).text

"""Hybrid search on a small real corpus, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from papertide.domain.search import SearchRequest, make_filters
from papertide.search.service import SearchService
from papertide.search.vectors import make_vector_index
from papertide.storage import embeddings as emb_store
from papertide.storage import papers as papers_store
from tests.factories import add_papers, make_paper
from tests.search.conftest import CORPUS, KNOWN


def _ids(svc: SearchService, text: str, **kw) -> list[str]:  # type: ignore[no-untyped-def]
    page = svc.search(SearchRequest(text, **kw))
    return [h.entry.paper.arxiv_id for h in page.hits]


@pytest.mark.parametrize("query", sorted(KNOWN))
def test_known_queries_find_their_paper_in_the_top_3(service, query):
    assert KNOWN[query] in _ids(service, query)[:3]


def test_each_mode_ranks_the_obvious_paper_first(service):
    for mode in ("lexical", "dense", "hybrid"):
        assert _ids(service, "surface codes for quantum error correction", mode=mode)[0] == "2401.00006", mode


def test_a_query_with_no_shared_words_still_finds_by_meaning(service):
    # No query word appears in the paper; only the dense side can find it.
    assert "2401.00008" in _ids(service, "collapsed stars evaporate", mode="hybrid")[:3]


def test_filters_combine_with_the_query(service):
    def ids(**f):  # type: ignore[no-untyped-def]
        return set(_ids(service, "neural networks models", filters=make_filters(**f)))

    assert ids(categories="cs.CV") == {"2401.00002", "2401.00009"}
    assert "2401.00009" not in ids(exclude_categories="cs.CV")
    assert ids(published_from="2024-03-01", published_to="2024-04-30") <= {"2401.00004", "2401.00005", "2401.00006"}
    assert ids(author="krizhevsky") == {"2401.00009"}
    assert ids(listed_only=True) == {"2401.00002", "2401.00004"}


def test_sort_by_date_orders_matches_newest_first(service):
    page = service.search(SearchRequest("networks", sort="date", mode="lexical"))
    dates = [h.entry.paper.published for h in page.hits]
    assert len(dates) >= 2 and dates == sorted(dates, reverse=True)


def test_sort_by_upvotes_orders_matches_most_upvoted_first(service):
    page = service.search(SearchRequest("networks models", sort="upvotes"))
    votes = [h.entry.upvotes for h in page.hits]
    assert votes == sorted(votes, reverse=True)


def test_an_arxiv_id_or_url_redirects_to_the_paper(service):
    for q in ("2401.00003", "https://arxiv.org/abs/2401.00003v2", "arXiv:2401.00003"):
        assert service.search(SearchRequest(q)).redirect == "/papers/2401.00003"


def test_empty_query_without_filters_returns_an_empty_page(service):
    page = service.search(SearchRequest("   "))
    assert (page.hits, page.total) == ([], 0)


def test_empty_query_with_filters_browses_newest_first(service):
    page = service.search(SearchRequest("", make_filters(categories="cs.CV")))
    assert [h.entry.paper.arxiv_id for h in page.hits] == ["2401.00009", "2401.00002"]


def test_paging_splits_the_ranking(service):
    full = _ids(service, "models networks learning", page_size=50)
    first = _ids(service, "models networks learning", page_size=3)
    second = _ids(service, "models networks learning", page_size=3, page=1)
    assert first + second == full[:6]


def test_similar_papers_exclude_the_paper_itself(service):
    similar = service.similar("2401.00002", 3)
    ids = [e.paper.arxiv_id for e, _ in similar]
    assert "2401.00002" not in ids and len(ids) == 3
    assert ids[0] == "2401.00009"  # the other image paper


def test_new_papers_are_searchable_without_a_rebuild(service):
    add_papers(service.db, make_paper("2402.00001", title="Zeolite catalysts for ammonia synthesis",
                                      abstract="Porous zeolites catalyse ammonia production.", categories=("physics.chem-ph",)))
    assert _ids(service, "zeolite", mode="lexical") == ["2402.00001"]  # lexical index is transactional
    assert service.embed_pending() == 1  # only the new paper needs a vector
    assert _ids(service, "porous minerals that catalyse reactions", mode="dense")[0] == "2402.00001"


def test_an_edited_abstract_is_reindexed_and_reembedded(service):
    edited = replace(CORPUS[7], abstract="Hawking radiation from evaporating black holes and the information paradox.", version=2)
    add_papers(service.db, edited)
    assert "2401.00008" in _ids(service, "information paradox", mode="lexical")
    assert service.pending() == 1
    assert service.embed_pending() == 1 and service.pending() == 0


def test_a_model_change_marks_every_vector_stale(service):
    with service.db.read() as conn:
        assert sum(1 for _ in emb_store.iter_stale(conn, "another-model", lambda t, a: "")) == len(CORPUS)


def test_lexical_only_service_still_answers(corpus_db):
    svc = SearchService(corpus_db)  # Null embedder and index
    assert _ids(svc, "Hawking")[0] == "2401.00008"
    assert svc.similar("2401.00008") == []
    assert svc.embed_pending() == 0


def test_dense_vectors_survive_in_the_database(service, embedder):
    fresh = make_vector_index(service.db, embedder.model_id)
    assert len(fresh) == len(CORPUS)
    v = fresh.vector_of(papers_store_row(service, "2401.00001"))
    assert v is not None and v.shape == (384,) and abs(float((v * v).sum()) - 1.0) < 1e-2


def papers_store_row(service: SearchService, arxiv_id: str) -> int:
    with service.db.read() as conn:
        rid = papers_store.paper_row_id(conn, arxiv_id)
    assert rid is not None
    return rid


def test_published_dates_are_real_dates(service):
    page = service.search(SearchRequest("networks", sort="date"))
    assert all(isinstance(h.entry.paper.published, date) for h in page.hits)


def test_keyword_hits_beyond_the_neighbours_keep_their_real_dense_score(service):
    from papertide.domain.fusion import zscore_normalise
    from papertide.domain.search import query_terms

    text = "neural networks for images and language models"
    lexical = dict(service.lexical.search(query_terms(text), make_filters(), 10))
    vector = service.embedder.embed_query(text)
    exact = service.index.similarities(vector, list(lexical))
    assert set(exact) == set(lexical) and len(lexical) > 3  # every keyword hit has a vector to score
    # A dense list cut to its two nearest (what a deep corpus does to a 200-deep list): each keyword
    # hit outside it is fused with its own similarity on the neighbours' scale, not their minimum.
    near = service.index.search(vector, 2)
    mean = sum(s for _, s in near) / 2
    sd = (sum((s - mean) ** 2 for _, s in near) / 2) ** 0.5
    lz, w = zscore_normalise(lexical), service.dense_weight
    cut = SearchService(service.db, service.embedder, _TopN(service.index, 2), lexical=service.lexical)
    got = dict(cut.rank(text, limit=10))
    outside = [pid for pid in lexical if pid not in dict(near)]
    assert outside
    for pid in outside:
        assert got[pid] == pytest.approx((1 - w) * lz[pid] + w * (exact[pid] - mean) / sd, abs=1e-4), pid


class _TopN:
    """The real index, answering only its n nearest (what a deep corpus does to a 200-deep list)."""

    def __init__(self, inner, n: int) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.n = inner, n

    def search(self, query, k, filters=None, exclude=None):  # type: ignore[no-untyped-def]
        return self.inner.search(query, min(k, self.n), filters, exclude)

    def similarities(self, query, ids):  # type: ignore[no-untyped-def]
        return self.inner.similarities(query, ids)

    def __len__(self) -> int:
        return len(self.inner)


def test_the_page_says_when_meaning_was_searched_too(service):
    """'keyword + semantic' shows when the mode reads vectors and the index holds some."""
    assert service.search(SearchRequest("neural networks", mode="hybrid")).dense_used
    assert service.search(SearchRequest("neural networks", mode="dense")).dense_used
    assert not service.search(SearchRequest("neural networks", mode="lexical")).dense_used
    empty = SearchService(service.db, service.embedder, make_vector_index(service.db, "a-model-with-no-vectors"))
    assert not empty.search(SearchRequest("neural networks")).dense_used


class _Asked(_TopN):
    """The real index, noting how many neighbours each search asks for."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        super().__init__(inner, 10**9)
        self.asked: list[int] = []

    def search(self, query, k, filters=None, exclude=None):  # type: ignore[no-untyped-def]
        self.asked.append(k)
        return super().search(query, k, filters, exclude)


def test_filtered_hybrid_search_asks_for_fewer_neighbours_and_dense_mode_for_all(service):
    """Under a filter the walk costs k / (share passing): hybrid asks for FILTERED_NEIGHBOURS; the
    dense mode, whose neighbours are all its pages, and unfiltered queries ask for the whole list."""
    from papertide.search.results import CANDIDATES
    from papertide.search.service import FILTERED_NEIGHBOURS

    index = _Asked(service.index)
    svc = SearchService(service.db, service.embedder, index, lexical=service.lexical)
    cv = make_filters(categories="cs.CV")
    plain = svc.rank("neural networks for images")
    filtered = svc.rank("neural networks for images", cv)
    svc.rank("neural networks for images", cv, mode="dense")
    assert index.asked == [CANDIDATES, FILTERED_NEIGHBOURS, CANDIDATES]
    assert filtered and set(dict(filtered)) <= set(dict(plain))


def test_a_quoted_phrase_keeps_only_the_papers_that_say_it(service):
    # Unquoted, "neural" and "networks" rank papers holding either word, and their neighbours.
    assert len(_ids(service, "neural networks")) > 2
    # Quoted: only the two that say it in a row (a title and an abstract), whichever side found them.
    assert set(_ids(service, '"neural networks"')) == {"2401.00001", "2401.00009"}
    assert _ids(service, '"neural networks" molecules')[0] == "2401.00001"
    assert _ids(service, '"networks neural"') == []


def test_a_minus_word_drops_the_papers_holding_it(service):
    assert {"2401.00002", "2401.00009"} <= set(_ids(service, "image"))
    without = _ids(service, "image -diffusion")
    assert without[0] == "2401.00009" and "2401.00002" not in without
    assert "2401.00002" not in _ids(service, 'image -"denoising diffusion"')
    assert _ids(service, "alpha-divergence")[0] == "2401.00007"  # a hyphen inside a word is no minus


def test_operators_apply_in_every_mode(service):
    for mode in ("lexical", "dense", "hybrid"):
        found = _ids(service, '"protein structures" -quantum', mode=mode)
        assert found == ["2401.00005"], mode


@pytest.mark.parametrize(("text", "total", "every_word", "said"), [
    ("diffusion", 200, False, "200 best matches"),  # the ranked list stopped at its cap: more papers match
    ("diffusion", 199, False, "199 results"),
    ("diffusion", 1, False, "1 result"),
    ("diffusion", 1234, True, "1234 results"),  # sorted, every paper holding the words is counted
    ("", 500, False, "500 results"),  # filters alone list every paper that passes them
])
def test_a_full_ranked_list_is_called_the_best_matches_not_every_result(text, total, every_word, said):
    from papertide.search.results import CANDIDATES, SearchPage

    assert CANDIDATES == 200
    page = SearchPage(SearchRequest(text=text), text, (), total=total, every_word=every_word)
    assert page.count_label == said

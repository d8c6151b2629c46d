"""Queries as people type them, through the search service on SQLite (tantivy, FTS5) and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from papertide.domain.cjk import cjk_bigrams
from papertide.domain.search import SearchRequest, make_filters
from papertide.search.lexical import make_lexical_index
from papertide.search.service import SearchService
from papertide.storage import papers as papers_store
from tests.factories import add_papers, make_paper
from tests.search.conftest import CORPUS

ATTENTION = make_paper("2402.00200", title="Attention is all you need",
                       abstract="The Transformer, a model architecture based solely on attention mechanisms, "
                                "dispenses with recurrence and convolutions entirely.",
                       categories=("cs.CL",), published=date(2024, 2, 20))
CHINESE = make_paper("2402.00300", title="基于深度学习模型的蛋白质结构预测",
                     abstract="我们提出一种新的方法，用于预测蛋白质的三维结构。", categories=("q-bio.BM",),
                     published=date(2024, 2, 21))
JAPANESE = make_paper("2402.00301", title="日本語のテキスト検索における形態素解析",
                      abstract="検索エンジンの評価を行う。", categories=("cs.IR",), published=date(2024, 2, 22))
EXTRA = [ATTENTION, CHINESE, JAPANESE]


@pytest.fixture
def lexical(db):  # type: ignore[no-untyped-def]
    """Keyword search only (no embedder): tantivy on SQLite, tsvector BM25 on PostgreSQL."""
    add_papers(db, *CORPUS, *EXTRA)
    return SearchService(db)


@pytest.fixture
def fts5(sqlite_db):  # type: ignore[no-untyped-def]
    add_papers(sqlite_db, *CORPUS, *EXTRA)
    return SearchService(sqlite_db, lexical=make_lexical_index(sqlite_db, "sql"))


def _ids(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [h.entry.paper.arxiv_id for h in page.hits]


def _row(svc: SearchService, arxiv_id: str) -> int:
    with svc.db.read() as conn:
        rid = papers_store.paper_row_id(conn, arxiv_id)
    assert rid is not None
    return rid


# ------------------------------------------------------------------ arXiv ids


@pytest.mark.parametrize("q", ["arXiv 2401.00003", "arxiv.org/pdf/2401.00003", "https://arxiv.org/pdf/2401.00003v1.pdf",
                               "  arXiv: 2401.00003 ", "https://huggingface.co/papers/2401.00003"])
def test_an_id_or_url_alone_still_opens_the_paper(lexical, q):
    assert lexical.search(SearchRequest(q)).redirect == "/papers/2401.00003"


@pytest.mark.parametrize("q", ["arXiv 2401.00008 image synthesis", "https://arxiv.org/abs/2401.00008v3 image synthesis?",
                               "image synthesis 2401.00008"])
def test_a_held_id_among_other_words_is_the_first_hit_and_the_words_search_as_usual(lexical, q):
    page = lexical.search(SearchRequest(q))
    assert page.redirect is None
    assert _ids(page)[:2] == ["2401.00008", "2401.00002"]  # named paper pinned, then the words' best match
    assert [h.pinned for h in page.hits[:2]] == [True, False]
    assert page.terms == ("image", "synthesis")
    assert lexical.rank(q)[0][0] == _row(lexical, "2401.00008")  # the evaluation's entry point pins too


def test_the_named_paper_stays_first_whatever_the_sort_but_obeys_filters(lexical):
    by_date = lexical.search(SearchRequest("2401.00001 networks", sort="date"))
    assert _ids(by_date)[0] == "2401.00001" and "2401.00009" in _ids(by_date)
    filtered = lexical.search(SearchRequest("2401.00001 networks", make_filters(categories="cs.CV")))
    assert "2401.00001" not in _ids(filtered) and filtered.missing_ids == ()


def test_the_named_paper_leads_hybrid_search_too(service):
    page = service.search(SearchRequest("quantum error correction 2401.00008"))
    assert _ids(page)[:2] == ["2401.00008", "2401.00006"]


def test_an_id_we_do_not_hold_is_reported_and_the_words_still_search(lexical):
    page = lexical.search(SearchRequest("arXiv 2607.27042 image synthesis"))
    assert (page.redirect, page.missing_ids) == (None, ("2607.27042",))
    assert _ids(page)[0] == "2401.00002"
    alone = lexical.search(SearchRequest("https://arxiv.org/abs/hep-th/9901001v2"))
    assert (alone.redirect, alone.missing_ids, alone.hits) == (None, ("hep-th/9901001",), [])


# -------------------------------------------------------------------- framing


def test_framing_is_kept_from_the_keywords(lexical):
    page = lexical.search(SearchRequest("Is there any work on surface codes?", mode="lexical"))
    assert page.terms == ("surface", "codes")
    assert _ids(page)[0] == "2401.00006"
    asked = lexical.search(SearchRequest("I'm looking for recent papers on black hole thermodynamics", mode="lexical"))
    assert asked.terms == ("black", "hole", "thermodynamics") and _ids(asked)[0] == "2401.00008"


# ------------------------------------------------------------------------ CJK


@pytest.mark.parametrize(("q", "expected"), [("学习模型", "2402.00300"), ("蛋白质结构", "2402.00300"),
                                             ("テキスト検索", "2402.00301"), ("形態素", "2402.00301")])
def test_a_cjk_sub_phrase_finds_its_paper(lexical, q, expected):
    # Sub-phrases from the middle of a run: tantivy (SQLite) and PostgreSQL index bigrams.
    assert _ids(lexical.search(SearchRequest(q, mode="lexical")))[0] == expected


def test_fts5_finds_cjk_runs_by_their_start_only(fts5):
    assert _ids(fts5.search(SearchRequest("基于深度", mode="lexical"))) == ["2402.00300"]
    assert _ids(fts5.search(SearchRequest("日本語", mode="lexical"))) == ["2402.00301"]
    # The documented limit: FTS5 keeps runs whole, so a sub-phrase from the middle is not found.
    assert fts5.search(SearchRequest("学习模型", mode="lexical")).hits == []


def test_postgres_splits_cjk_like_the_query_side(db):
    if db.dialect != "postgresql":
        pytest.skip("the bigram function is PostgreSQL's document side")
    texts = ["深度学习模型", "GPT模型的训练", "学", "日本語のテキスト", "한국어 형태소", "plain English", "a 大 b", "𠀀𠀁x"]
    with db.read() as conn:
        for text in texts:
            got = conn.execute(sa.text("SELECT papertide_cjk_bigrams(:t)"), {"t": text}).scalar_one()
            assert got.split() == cjk_bigrams(text).split(), text


# ------------------------------------------------------------------ spelling


def test_a_misspelt_query_is_searched_as_the_index_spells_it(lexical):
    page = lexical.search(SearchRequest("transfomer atention", mode="lexical"))
    assert _ids(page)[0] == "2402.00200"
    assert (page.corrected, page.terms) == ("transformer attention", ("transformer", "attention"))
    as_typed = lexical.search(SearchRequest("transfomer atention", mode="lexical", correct_spelling=False))
    assert (as_typed.hits, as_typed.corrected) == ([], None)


def test_only_the_misspelt_word_is_corrected(lexical):
    page = lexical.search(SearchRequest("protein structure predicton", mode="lexical"))
    assert page.corrected == "protein structure prediction"
    assert _ids(page)[0] == "2401.00005"
    assert lexical.search(SearchRequest("protein structure prediction", mode="lexical")).corrected is None


def test_a_filtered_query_is_corrected_too(lexical):
    # tantivy runs every filter itself, so it corrects filtered queries from its own vocabulary.
    page = lexical.search(SearchRequest("difusion", make_filters(author="ho"), mode="lexical"))
    assert (page.corrected, _ids(page)) == ("diffusion", ["2401.00002"])
    cjk = lexical.search(SearchRequest("学习模型", make_filters(categories="q-bio.BM"), mode="lexical"))
    assert _ids(cjk) == ["2402.00300"]  # a sub-phrase from the middle of a run, inside a filter


def test_a_word_a_paper_brought_a_moment_ago_is_not_corrected(sqlite_db):
    # SQLite only: on PostgreSQL another pytest worker's open transaction can hold the change
    # log back (tests/search/test_change_log.py covers that path with waits).
    add_papers(sqlite_db, *CORPUS, *EXTRA)
    svc = SearchService(sqlite_db)
    assert svc.search(SearchRequest("transfomer", mode="lexical")).corrected == "transformer"
    add_papers(sqlite_db, make_paper("2402.00900", title="Transfomer: a method named by a typo"))
    page = svc.search(SearchRequest("transfomer", mode="lexical"))
    assert (page.corrected, _ids(page)) == (None, ["2402.00900"])


def test_fts5_corrects_from_its_own_vocabulary(fts5):
    page = fts5.search(SearchRequest("transfomer atention", mode="lexical"))
    assert (page.corrected, _ids(page)[0]) == ("transformer attention", "2402.00200")
    # With a filter too (FTS5 answers filtered queries while tantivy is first built).
    filtered = fts5.search(SearchRequest("difusion", make_filters(author="ho"), mode="lexical"))
    assert (filtered.corrected, _ids(filtered)) == ("diffusion", ["2401.00002"])


def test_the_original_corpus_finds_its_attention_paper_through_the_typo(corpus_db):
    svc = SearchService(corpus_db)
    page = svc.search(SearchRequest("transfomer atention", mode="lexical"))
    # Nothing in CORPUS says "transformer": only "atention" has a correction.
    assert (page.corrected, _ids(page)) == ("transfomer attention", ["2401.00005"])


def test_words_nothing_resembles_are_left_alone(lexical):
    for q in ("asdfghjkl", "glorbnax frizzle", "qwertyuiop"):
        page = lexical.search(SearchRequest(q, mode="lexical"))
        assert (page.corrected, page.hits) == (None, []), q


def test_operators_filter_every_keyword_engine(lexical, fts5):
    # tantivy (SQLite) or tsvector BM25 (PostgreSQL), and SQLite's FTS5 before tantivy is built.
    for svc in (lexical, fts5):
        assert set(_ids(svc.search(SearchRequest('"neural networks"', mode="lexical")))) == {"2401.00001", "2401.00009"}
        assert _ids(svc.search(SearchRequest("image -diffusion", mode="lexical"))) == ["2401.00009"]

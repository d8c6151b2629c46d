"""Why a paper was recommended: follows matched, the closest liked paper, the usual category."""

from __future__ import annotations

from papertide.domain.authors import author_key
from papertide.domain.rec_reasons import (
    SIMILAR_FLOOR,
    follow_matches,
    matches_query,
    query_rows,
    query_terms,
    reasons_by_row,
    similar_reason,
    topic_reason,
)
from papertide.domain.recs_signals import Follow

FOLLOWS = (
    Follow("author", "émilie du châtelet", "Émilie du Châtelet"),
    Follow("category", "cs.CL", "cs.CL"),
    Follow("query", "graph neural network", "graph neural network"),
)


def test_followed_author_matches_any_spelling_and_comes_first():
    reasons = follow_matches(FOLLOWS, ["A. Person", "ÉMILIE  du Châtelet"], ["cs.CL"], "Graph neural networks for parsing")
    assert [r.kind for r in reasons] == ["author", "category", "keyword"]
    assert reasons[0].text == "by Émilie du Châtelet, whom you follow"
    assert reasons[2].text == "matches “graph neural network”"


def test_nothing_matches_an_unrelated_paper():
    assert follow_matches(FOLLOWS, ["Someone Else"], ["astro-ph.GA"], "Galaxy rotation curves") == []


def test_query_needs_every_term_as_a_word_prefix():
    terms = query_terms("Graph  neural, network!")
    assert terms == ("graph", "neural", "network")
    assert matches_query(terms, "Message passing in graph neural networks")
    assert not matches_query(terms, "Neural networks on grids")
    assert not matches_query(terms, "paragraph neural network")  # "graph" inside a word is not the word
    assert not matches_query((), "anything")


# Texts where case folding is more than lower-casing (ß → ss, İ → i + a combining dot, which is not a
# letter, so it splits the word when the whole text is folded), plus plain ones.
TEXTS = ["Message passing in graph neural networks", "Neural networks on grids", "paragraph neural network",
         "Straße networks: GRAPH neural nets", "İstanbul graphs", "Graph-neural networking", "", "ﬁeld theory graphs"]
QUERIES = ["graph neural network", "strasse", "straße", "istanbul", "i̇stanbul", "stanbul", "field graph", "nets", "x"]


def test_query_rows_accept_exactly_the_texts_matches_query_does():
    folded = [t.casefold() for t in TEXTS]
    for q in QUERIES:
        terms = query_terms(q)
        assert query_rows(terms, TEXTS, folded) == [i for i, t in enumerate(TEXTS) if matches_query(terms, t)], q
    assert query_rows((), TEXTS, folded) == []


def test_reasons_by_row_are_follow_matches_of_every_row():
    follows = (Follow("query", "neural net", ""), *FOLLOWS, Follow("category", "cs.LG", ""),
               Follow("author", "alan turing", "Alan Turing"))
    papers = [(["A. Person", "ÉMILIE  du Châtelet"], ["cs.CL"], TEXTS[0]), (["Alan Turing"], ["cs.LG", "cs.CL"], TEXTS[1]),
              (["Someone Else"], ["astro-ph.GA"], TEXTS[2]), ([], [], "")]
    folded = [t.casefold() for _, _, t in papers]

    def rows_of(f: Follow) -> list[int]:
        if f.kind == "author":
            return [i for i, (names, _, _) in enumerate(papers) if f.value in {author_key(a) for a in names}]
        if f.kind == "category":
            return [i for i, (_, cats, _) in enumerate(papers) if f.value in cats]
        return query_rows(query_terms(f.value), [t for _, _, t in papers], folded)

    expected = {i: found for i, p in enumerate(papers) if (found := follow_matches(follows, *p))}
    assert reasons_by_row(follows, rows_of) == expected


def test_similar_reason_names_the_liked_paper_above_the_floor_only():
    r = similar_reason(SIMILAR_FLOOR + 0.01, "2401.00001", "A very long title " * 10)
    assert r is not None and r.kind == "similar" and r.arxiv_id == "2401.00001"
    assert len(r.text) < 140 and "…" in r.text
    assert similar_reason(SIMILAR_FLOOR - 0.01, "2401.00001", "T") is None


def test_topic_reason_uses_the_readers_main_category():
    assert topic_reason(["cs.LG", "cs.CL"], {"cs.CL": 0.7, "cs.LG": 0.1}).text == "in cs.CL, like many of the papers you liked"
    assert topic_reason(["math.AP"], {"cs.CL": 1.0}) is None
    assert topic_reason([], {"cs.CL": 1.0}) is None

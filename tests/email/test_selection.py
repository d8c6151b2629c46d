"""Digest selection (pure): topic matching, ordering, caps, dedupe within and across digests."""

from datetime import date

import pytest

from papertide.domain.digests import (
    Candidate,
    CandidatePool,
    Topic,
    matches,
    retry_delay,
    select_digest,
    should_give_up,
    topics_of,
)
from papertide.domain.keywords import normalize_text
from papertide.domain.subscriptions import Preferences


def paper(aid, upvotes=0, day=date(2026, 6, 4), title="", abstract="", authors=(), categories=(), keywords=()):
    return Candidate(aid, title or f"Paper {aid}", abstract, tuple(authors), tuple(categories), upvotes, day, tuple(keywords))


def ids(digest):
    return [[p.arxiv_id for p in s.papers] for s in digest.sections]


def test_keyword_matches_whole_words_case_insensitively_in_title_abstract_and_hf_keywords():
    assert matches(Topic("keyword", "Graph Neural"), paper("1", title="Deep graph-neural networks"))
    assert matches(Topic("keyword", "rlhf"), paper("1", abstract="We study RLHF."))
    assert matches(Topic("keyword", "agents"), paper("1", keywords=("agents",)))
    assert not matches(Topic("keyword", "graph"), paper("1", title="Paragraphs"))
    assert not matches(Topic("keyword", "  "), paper("1", title="anything"))
    assert normalize_text("Hello, World!") == " hello world "


def test_category_and_author_matching():
    p = paper("1", authors=("Ada  Lovelace",), categories=("cs.LG", "stat.ML"))
    assert matches(Topic("category", "stat.ML"), p)
    assert not matches(Topic("category", "cs"), p)
    assert matches(Topic("author", "ada lovelace"), p)
    assert not matches(Topic("author", "Ada"), p)
    assert not matches(Topic("trending"), p)


def test_pool_ranks_by_upvotes_then_newer_day_then_id_and_agrees_with_matches():
    papers = [
        paper("c", 5, date(2026, 6, 3), categories=("cs.CL",)),
        paper("a", 5, date(2026, 6, 4), categories=("cs.CL",)),
        paper("b", 9, date(2026, 6, 1), categories=("cs.CL",), title="diffusion"),
        paper("d", 5, date(2026, 6, 4), categories=("cs.CV",), authors=("Yann LeCun",)),
    ]
    pool = CandidatePool(papers)
    assert [p.arxiv_id for p in pool.ranked(Topic("category", "cs.CL"))] == ["b", "a", "c"]
    for topic in (Topic("category", "cs.CV"), Topic("keyword", "diffusion"), Topic("author", "yann lecun")):
        assert [p.arxiv_id for p in pool.ranked(topic)] == [p.arxiv_id for p in pool.papers if matches(topic, p)]
    assert pool.ranked(Topic("trending")) == ()


def test_pool_keyword_index_matches_phrases_in_order_like_matches():
    papers = [paper("1", 3, title="Graph neural networks"), paper("2", 2, title="Neural graph search"),
              paper("3", 1, abstract="A graph. Neural nets."), paper("4", 0, keywords=("graph neural",))]
    pool = CandidatePool(papers)
    assert pool.ranked(Topic("keyword", " -- ")) == ()
    assert [Topic("author", "Ada").heading, Topic("keyword", "rag").heading, Topic("trending").heading] == [
        "Ada", "“rag”", "Trending"]
    for kw in ("graph neural", "neural", "graph", "networks graph", "zebra", "GRAPH-Neural"):
        assert [p.arxiv_id for p in pool.ranked(Topic("keyword", kw))] == [
            p.arxiv_id for p in pool.papers if matches(Topic("keyword", kw), p)], kw


def test_sections_follow_preferences_order_and_share_the_cap_round_robin():
    pool = CandidatePool(
        [paper(f"cl{i}", 100 - i, categories=("cs.CL",)) for i in range(6)]
        + [paper(f"kw{i}", 50 - i, title="diffusion") for i in range(6)]
    )
    trending = [paper(f"t{i}", 200 - i) for i in range(6)]
    prefs = Preferences(trending=True, categories=("cs.CL",), keywords=("diffusion",), max_papers=7)
    digest = select_digest(prefs, pool, trending)
    assert [s.topic for s in digest.sections] == list(topics_of(prefs))
    assert ids(digest) == [["t0", "t1", "t2"], ["cl0", "cl1"], ["kw0", "kw1"]]
    assert len(digest.papers) == 7


def test_a_paper_appears_once_per_digest_in_the_first_section_that_wants_it():
    shared = paper("x", 99, categories=("cs.CL",), title="diffusion")
    pool = CandidatePool([shared, paper("y", 1, categories=("cs.CL",))])
    digest = select_digest(Preferences(trending=True, categories=("cs.CL",), keywords=("diffusion",)), pool, [shared])
    assert ids(digest) == [["x"], ["y"]]  # the keyword section is empty and left out


def test_already_sent_papers_are_never_selected_again():
    pool = CandidatePool([paper(str(i), i, categories=("cs.CL",)) for i in range(10)])
    prefs = Preferences(trending=False, categories=("cs.CL",), max_papers=5)
    first = select_digest(prefs, pool)
    second = select_digest(prefs, pool, already_sent=frozenset(p.arxiv_id for p in first.papers))
    third = select_digest(prefs, pool, already_sent=frozenset(p.arxiv_id for p in first.papers + second.papers))
    assert ids(first) == [["9", "8", "7", "6", "5"]]
    assert ids(second) == [["4", "3", "2", "1", "0"]]
    assert third.is_empty and third.sections == ()


def test_cap_is_respected_when_one_section_has_everything():
    pool = CandidatePool([paper(str(i), i, categories=("cs.CL",)) for i in range(40)])
    digest = select_digest(Preferences(trending=False, categories=("cs.CL", "cs.AI"), max_papers=30), pool)
    assert len(digest.papers) == 30 and len(digest.sections) == 1


def test_why_lines_name_the_reason():
    assert "cs.CL" in Topic("category", "cs.CL").why
    assert "“rag”" in Topic("keyword", "rag").why
    assert "Ada" in Topic("author", "Ada").why
    assert "trending" in Topic("trending").why


@pytest.mark.parametrize(
    ("attempts", "delay"), [(0, 0.0), (1, 60.0), (2, 120.0), (3, 240.0), (6, 1920.0), (7, 3600.0), (50, 3600.0)]
)
def test_retry_delay_doubles_up_to_the_cap(attempts, delay):
    assert retry_delay(attempts, 60, 3600) == delay


def test_give_up_after_max_attempts():
    assert [should_give_up(n, 3) for n in (1, 2, 3, 4)] == [False, False, True, True]

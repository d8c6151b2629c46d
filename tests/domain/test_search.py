"""Pure search logic: query terms, FTS escaping, fusion against hand-computed tables, filters."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from papertide.domain.cjk import is_cjk_term
from papertide.domain.fusion import (
    convex_fuse,
    dense_weight_for,
    fuse,
    is_question,
    minmax_normalise,
    rrf_fuse,
    zscore_normalise,
)
from papertide.domain.highlight import best_snippet, highlight
from papertide.domain.search import (
    _IZE_STEMS,
    MAX_QUERY_CHARS,
    InvalidFilter,
    SearchFilters,
    american_spelling,
    british_spellings,
    fts5_match,
    make_filters,
    normalize_query,
    parse_categories,
    parse_date,
    parse_sort,
    query_terms,
    tsquery_text,
)


def test_query_terms_drop_stop_words_operators_and_duplicates():
    assert query_terms('The "attention" is all you NEED, need NEAR (transformers*) - x:y') == (
        "attention", "need", "transformers", "x", "y",
    )


def test_tex_and_unicode_queries_become_plain_terms():
    assert query_terms(r"$\alpha$-divergence") == ("alpha", "divergence")
    assert query_terms("Schrödinger ﬁeld") == ("schrödinger", "field")


def test_stop_words_only_gives_no_terms():
    assert query_terms("the of and to is") == ()
    assert fts5_match(()) is None
    assert tsquery_text(()) is None


def test_long_queries_are_capped():
    assert len(normalize_query("word " * 5000)) <= MAX_QUERY_CHARS
    assert len(query_terms(" ".join(f"w{i}" for i in range(500)))) == 32


def test_fts5_match_quotes_every_term():
    assert fts5_match(("a", 'b"c', "near")) == '"a" OR "b""c" OR "near"'


def test_tsquery_text_keeps_only_word_characters():
    assert tsquery_text(("graph", "a'b", "c|d")) == "graph | ab | cd"


def test_rrf_matches_a_hand_computed_table():
    # k = 60: a is 1st and 2nd → 1/61 + 1/62; b is 2nd and 1st → same; c only 3rd in list one.
    fused = dict(rrf_fuse([["a", "b", "c"], ["b", "a"]]))
    assert fused == pytest.approx({"a": 1 / 61 + 1 / 62, "b": 1 / 62 + 1 / 61, "c": 1 / 63})


def test_rrf_weights_scale_each_list():
    assert rrf_fuse([["a"], ["b"]], k=0, weights=[1.0, 3.0]) == [("b", 3.0), ("a", 1.0)]


def test_minmax_handles_constant_and_empty_inputs():
    assert minmax_normalise({}) == {}
    assert minmax_normalise({"a": 3.0, "b": 3.0}) == {"a": 1.0, "b": 1.0}


def test_minmax_convex_fusion_matches_a_hand_computed_table():
    lexical = {"a": 10.0, "b": 6.0, "c": 2.0}  # normalised: a 1, b 0.5, c 0
    dense = {"b": 0.8, "d": 0.4}  # normalised: b 1, d 0
    fused = convex_fuse(lexical, dense, 0.4, "minmax")
    assert [k for k, _ in fused] == ["b", "a", "d", "c"]
    assert [s for _, s in fused] == pytest.approx([0.7, 0.6, 0.0, 0.0])
    assert fuse(list(lexical.items()), list(dense.items()), "convex-minmax", 0.4) == fused


def test_zscore_handles_constant_and_empty_inputs():
    assert zscore_normalise({}) == {}
    assert zscore_normalise({"a": 3.0, "b": 3.0}) == {"a": 0.0, "b": 0.0}
    assert zscore_normalise({"a": 2.0, "b": 4.0, "c": 6.0}) == pytest.approx({"a": -1.5**0.5, "b": 0.0, "c": 1.5**0.5})


def test_zscore_convex_fusion_matches_a_hand_computed_table():
    z = 1.5**0.5  # z-score of 10 and 2 in (10, 6, 2): mean 6, population sd sqrt(32/3)
    lexical = {"a": 10.0, "b": 6.0, "c": 2.0}  # z: a z, b 0, c -z
    dense = {"b": 0.8, "d": 0.4}  # z: b 1, d -1
    # A doc one side did not return gets that side's lowest z: a's dense is -1, d's lexical -z.
    fused = convex_fuse(lexical, dense, 0.5)
    assert [k for k, _ in fused] == ["b", "a", "d", "c"]
    assert [s for _, s in fused] == pytest.approx([0.5, (z - 1) / 2, (-z - 1) / 2, (-z - 1) / 2])
    assert fuse(list(lexical.items()), list(dense.items()), dense_weight=0.5) == fused  # the default method


def test_keyword_hits_outside_the_neighbours_use_their_exact_dense_score():
    lexical = {"a": 10.0, "b": 6.0, "c": 2.0}
    dense = {"b": 0.8, "d": 0.4}  # z: b 1, d -1 (mean 0.6, sd 0.2)
    # a was not among the neighbours but its real similarity is 0.7: z 0.5 on the neighbours' scale,
    # instead of the list's minimum (-1); c's real 0.2 gives z -2, below the last neighbour.
    fused = dict(convex_fuse(lexical, dense, 0.5, dense_of_rest={"a": 0.7, "c": 0.2}))
    z = 1.5**0.5
    assert fused == pytest.approx({"a": (z + 0.5) / 2, "b": 0.5, "c": (-z - 2) / 2, "d": (-z - 1) / 2})
    assert next(iter(dict(convex_fuse(lexical, dense, 0.5, dense_of_rest={"a": 0.7})))) == "a"
    # min-max: rest scaled by the neighbours' min and max (0.4..0.8)
    assert dict(convex_fuse(lexical, dense, 0.5, "minmax", {"a": 0.6}))["a"] == pytest.approx((1 + 0.5) / 2)
    # a neighbour's own score wins over a stale "rest" entry for it
    assert dict(convex_fuse(lexical, dense, 0.5, dense_of_rest={"b": 0.0}))["b"] == pytest.approx(0.5)


def test_questions_get_the_question_weight():
    assert is_question("do language models just tell users what they want to hear?")
    assert is_question("How can I make a small model reason?")
    assert is_question("graph neural networks for molecules?")
    assert not is_question("speculative decoding draft model")
    assert not is_question("Howard Hughes aviation")  # a question word must be a whole word
    assert dense_weight_for("why do transformers work", 0.4, 0.5) == 0.5
    assert dense_weight_for("transformer interpretability", 0.4, 0.5) == 0.4


def test_convex_fusion_rejects_weights_outside_unit_interval():
    with pytest.raises(ValueError):
        convex_fuse({"a": 1.0}, {"a": 1.0}, 1.5)


def test_fuse_with_one_side_empty_keeps_the_other():
    assert fuse([("a", 2.0)], []) == [("a", 2.0)]
    assert fuse([], [("b", 0.5)]) == [("b", 0.5)]
    with pytest.raises(ValueError):
        fuse([("a", 1.0)], [("a", 1.0)], method="magic")


def test_fuse_rrf_at_half_weight_is_plain_rrf():
    lex, den = [("a", 9.0), ("b", 1.0)], [("b", 0.9), ("c", 0.1)]
    assert fuse(lex, den, "rrf", 0.5) == rrf_fuse([["a", "b"], ["b", "c"]])


def test_filters_are_validated_and_reversed_ranges_swapped():
    f = make_filters("2025-02-01", "2024-01", ["cs.CL,cs.LG", "bad;x"], "cs.CV", "  Turing ", True)
    assert f == SearchFilters(date(2024, 1, 1), date(2025, 2, 1), ("cs.CL", "cs.LG"), ("cs.CV",), "Turing", True)
    assert f.active
    assert not make_filters().active
    assert make_filters("  ", "") == SearchFilters()



@pytest.mark.parametrize(("typed", "dates"), [
    (("2024", "2024"), (date(2024, 1, 1), date(2024, 12, 31))),  # "published in 2024", not "on 1 January"
    (("2023", "2024-02"), (date(2023, 1, 1), date(2024, 2, 29))),
    ((None, "2024-05"), (None, date(2024, 5, 31))),
    (("2024-05", None), (date(2024, 5, 1), None)),
    (("2025", "2023"), (date(2023, 1, 1), date(2025, 12, 31))),  # reversed: both years, whole
    (("2024-03-10", "2024-03-09"), (date(2024, 3, 9), date(2024, 3, 10))),
])
def test_a_year_or_month_as_the_end_of_a_range_reaches_its_last_day(typed, dates):
    f = make_filters(*typed)
    assert (f.published_from, f.published_to) == dates

@pytest.mark.parametrize(("given", "said"), [
    ({"published_from": "garbage"}, "from date 'garbage' is not a date"),
    ({"published_to": "2024-13-45"}, "to date '2024-13-45' is not a date"),
])
def test_a_date_filter_that_cannot_be_read_is_refused_not_dropped(given, said):
    with pytest.raises(InvalidFilter, match=said) as caught:
        make_filters(**given)
    assert "YYYY-MM-DD" in str(caught.value)


def test_parsers_fall_back_to_safe_defaults():
    assert parse_date("2024") == date(2024, 1, 1)
    assert parse_date(None) is None
    assert parse_categories(None) == ()
    assert parse_categories("cs.AI") == ("cs.AI",)
    assert [parse_sort(s) for s in ("date", "UPVOTES", "nonsense", None)] == ["date", "upvotes", "relevance", "relevance"]


def test_highlight_marks_words_and_their_inflections():
    assert highlight("Graph Networks and a network", ("network",)) == [
        ("Graph ", False), ("Networks", True), (" and a ", False), ("network", True),
    ]
    assert highlight("", ("x",)) == []
    assert highlight("plain", ()) == [("plain", False)]


def _matches_by_the_rule(word: str, terms: tuple[str, ...]) -> bool:
    """The highlighting rule as the docs state it, term by term."""
    w = word.lower()
    return any(
        w == t or (len(t) >= 4 and w.startswith(t)) or (len(w) >= 4 and t.startswith(w) and len(t) - len(w) <= 3)
        or (is_cjk_term(t) and t in w)
        for t in terms
    )


_LETTERS = st.text(alphabet="abnNé深度学習", min_size=1, max_size=9)


@given(words=st.lists(_LETTERS, min_size=1, max_size=12), terms=st.lists(_LETTERS, max_size=5))
@settings(max_examples=400, deadline=None)
def test_highlighting_marks_exactly_the_words_the_rule_matches(words, terms):
    """Prefixes either way (a term of 4+ letters; a word of 4+ letters at most 3 shorter than the
    term), exact words, CJK terms inside a run: the same words as the rule applied term by term."""
    terms = tuple(t.lower() for t in terms)
    text = " ".join(words)
    marked = [seg for seg, hit in highlight(text, terms) if hit]
    assert marked == [w for w in words if terms and _matches_by_the_rule(w, terms)]


def test_highlighting_edges_of_the_prefix_rule():
    def marked(text: str, *terms: str) -> list[str]:
        return [seg for seg, hit in highlight(text, terms) if hit]

    assert marked("netw network networks", "networks") == ["network", "networks"]  # 4+ letters, ≤ 3 shorter
    assert marked("net nets", "nets") == ["nets"]  # a 3-letter word is no prefix match
    assert marked("graphs graph", "gra") == []  # a 3-letter term matches itself only
    assert marked("transformers transform transfor", "transformers") == ["transformers", "transform"]  # 4 shorter: no
    assert marked("深度学習を用いた", "学習") == ["深度学習を用いた"]


def test_best_snippet_centres_on_the_first_match():
    text = " ".join(["filler"] * 100) + " the diffusion model " + " ".join(["tail"] * 100)
    snip = best_snippet(text, ("diffusion",), limit=120)
    assert "diffusion" in snip and snip.startswith("…") and snip.endswith("…")
    assert len(snip) <= 122
    assert best_snippet("short text", ("x",)) == "short text"


def test_a_joined_query_word_marks_and_finds_its_hyphenated_spelling():
    from papertide.domain.highlight import best_snippet, highlight

    text = "x " * 200 + "We build a multi-modal agent."
    assert best_snippet(text, ("multimodal",), limit=40).endswith("multi-modal agent.")
    assert ("multi-modal", True) in highlight("a multi-modal agent", ("multimodal",))
    # A part that matches on its own is marked alone, as before.
    assert highlight("multi-agent", ("agent",)) == [("multi-", False), ("agent", True)]


_IZE_ENDS = ("e", "ed", "es", "ing", "er", "ers", "ation", "ations")
BRITISH_WORDS = [
    *(stem + end for stem in _IZE_STEMS.split("|") for end in _IZE_ENDS),
    "tokenisation", "quantisations", "hospitalisation",
    *(stem + "l" + end for stem in ("model", "label", "signal", "level", "counsel") for end in ("ed", "ing", "er", "ers")),
    *(stem + "our" + end for stem in ("behavi", "col", "neighb", "flav", "lab") for end in ("", "s", "ed", "al", "hood")),
    *(stem + "s" + end for stem in ("analy", "cataly", "paraly") for end in ("e", "ed", "ing", "er")),
    "centre", "centres", "metre", "fibres",
]


@pytest.mark.parametrize("british", BRITISH_WORDS)
def test_a_british_word_and_its_american_spelling_mark_each_other(british: str) -> None:
    american = american_spelling(british)
    assert american != british and british in british_spellings(american)
    assert [seg for seg, hit in highlight(f"an {british} here", (american,)) if hit] == [british]
    assert [seg for seg, hit in highlight(f"an {american.title()} here", (british,)) if hit] == [american.title()]


def test_words_without_another_spelling_have_none() -> None:
    for word in ("graph", "analysis", "analyses", "emphasis", "hypothesis", "four", "error", "offer", "order"):
        assert american_spelling(word) == word and british_spellings(word) == ()

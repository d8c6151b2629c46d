"""Search operators: "exact phrases" and -excluded words, read from what people type."""

from __future__ import annotations

import pytest

from papertide.domain.operators import MAX_OPERATORS, Operators, parse_operators, passes, words
from papertide.domain.queries import understand_query


@pytest.mark.parametrize(("typed", "phrases", "excluded", "rest"), [
    ('"attention sinks"', [("attention", "sinks")], [], "attention sinks"),
    ("“curly quotes” work", [("curly", "quotes")], [], "curly quotes work"),
    ('„German quotes“ too', [("german", "quotes")], [], "German quotes too"),
    ('"one"', [("one",)], [], "one"),
    ("diffusion -image", [], [("image",)], "diffusion"),
    ('diffusion -"image generation" models', [], [("image", "generation")], "diffusion models"),
    ("-survey graph transformers", [], [("survey",)], "graph transformers"),
    # A hyphen inside a word, before a digit, or alone is no operator.
    ("GPT-4o state-of-the-art", [], [], "GPT-4o state-of-the-art"),
    ("noise at -3 dB", [], [], "noise at -3 dB"),
    ("x - y", [], [], "x - y"),
    # An unclosed or empty quote stays text.
    ('"attention sinks', [], [], '"attention sinks'),
    ('"" empty', [], [], '"" empty'),
    ('a "b c" "b c"', [("b", "c")], [], "a b c b c"),
])
def test_operators_are_read_from_the_query(typed, phrases, excluded, rest):
    ops, plain = parse_operators(typed)
    assert (list(ops.phrases), list(ops.excluded), plain) == (phrases, excluded, rest)
    assert bool(ops) == bool(phrases or excluded)


def test_at_most_a_few_operators_are_read_and_the_rest_stay_words():
    ops, plain = parse_operators(" ".join(f"-w{i}x" for i in range(MAX_OPERATORS + 3)))
    assert len(ops.excluded) == MAX_OPERATORS
    assert plain.split() == [f"-w{i}x" for i in range(MAX_OPERATORS, MAX_OPERATORS + 3)]


@pytest.mark.parametrize(("typed", "text", "expected"), [
    ('"graph transformers"', "Graph Transformers at scale", True),
    ('"graph transformers"', "Transformers on graphs", False),
    ('"mixture of experts"', "A Mixture-of-Experts model", True),
    ('"alpha divergence"', r"closed forms of the $\alpha$-divergence", True),
    ('"attention sinks"', "the attention sink phenomenon", False),  # a phrase is exact
    ("graphs -survey", "Graph neural networks: a survey", False),
    ("graphs -survey", "Graph neural networks: two surveys", False),  # a minus word drops its plural
    ("graphs -survey", "Surveying graph neural networks", True),  # …not every word it starts
    ("graphs -class", "many classes", False),
    ('graphs -"neural networks"', "Graph neural networks", False),
    ('graphs -"neural networks"', "Networks of neural cells", True),
    ('"ada lovelace" notes', "Notes\nAda Lovelace; Charles Babbage", True),
])
def test_a_paper_passes_when_it_holds_every_phrase_and_no_excluded_word(typed, text, expected):
    assert passes(text, parse_operators(typed)[0]) is expected


def test_no_operators_pass_everything():
    assert not Operators() and passes("anything", Operators())
    assert words("") == []


def test_the_search_sides_read_the_phrase_words_but_not_the_excluded_ones():
    q = understand_query('"attention sinks" in streaming models -vision')
    assert q.terms == ("attention", "sinks", "streaming", "models")
    assert q.dense_text == "attention sinks in streaming models"
    assert q.operators.excluded == (("vision",),)
    assert {"attention", "sinks"} <= q.names  # quoted words are exact: never spelling-corrected
    assert q.text == '"attention sinks" in streaming models -vision'  # shown as typed

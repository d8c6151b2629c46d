"""Search-box suggestions: the word still being typed, and which titles complete it."""

from __future__ import annotations

import pytest

from papertide.domain.suggestions import (
    MAX_TYPED_CHARS,
    TypedQuery,
    order_suggestions,
    read_typed,
    starts_a_word,
)


@pytest.mark.parametrize(("typed", "expected"), [
    ("attention is all you Ne", TypedQuery("attention is all you Ne", "ne")),
    ("graph networks ", TypedQuery("graph networks", "")),  # the space says the last word is done
    ("what is RLHF?", TypedQuery("what is RLHF?", "")),
    ("  diffusion   models", TypedQuery("diffusion models", "models")),
    ("Schrödinger équ", TypedQuery("Schrödinger équ", "équ")),
    ("", TypedQuery("", "")),
])
def test_read_typed_splits_off_the_unfinished_word(typed, expected):
    assert read_typed(typed) == expected


def test_a_long_paste_is_cut_and_one_letter_is_not_worth_asking():
    assert len(read_typed("x " * 1_000).text) <= MAX_TYPED_CHARS
    assert not read_typed("a").worth_asking and not read_typed("  ").worth_asking
    assert read_typed("gp").worth_asking


def test_starts_a_word_folds_case_and_reads_words_not_substrings():
    assert starts_a_word("Attention Is All You Need", "ne")
    assert starts_a_word("Self-Supervised Learning", "sup")  # after a hyphen
    assert not starts_a_word("Attention Is All You Need", "ee")  # inside a word


def test_completions_move_ahead_and_keep_the_keyword_order_within_each_group():
    ranked = [(1, "Scaling laws for neural language models"), (2, "Graph neural networks for property prediction"),
              (3, "Neural processes"), (4, "Neural fields")]
    assert order_suggestions(ranked, "pro") == [2, 3, 1, 4]
    assert order_suggestions(ranked, "") == [1, 2, 3, 4]
    assert order_suggestions(ranked, "zzz") == [1, 2, 3, 4]


def test_one_title_is_offered_once_and_the_list_is_capped():
    ranked = [(1, "Neural Fields"), (2, "neural  fields"), (3, "Neural processes"), (4, ""), (5, "Neural ODEs")]
    assert order_suggestions(ranked, "") == [1, 3, 5]
    assert order_suggestions(ranked, "", limit=2) == [1, 3]

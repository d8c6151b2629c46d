"""Spelling candidates from an engine's stems, and CJK runs as bigrams (pure functions)."""

import pytest

from papertide.domain.cjk import bigrams, cjk_bigrams, cjk_runs, has_cjk, is_cjk_term
from papertide.domain.highlight import highlight
from papertide.domain.search import query_terms
from papertide.domain.spelling import (
    Candidate,
    corrected_text,
    is_suspect,
    max_edits,
    osa_distance,
    single_edits,
    spelling_candidates,
    vocabulary_prefixes,
    worth_it,
)

# (typed, stems the index holds with their document counts, the spelling expected first)
CORRECTIONS = [
    ("atention", [("attent", 17201), ("ate", 119), ("attn", 34), ("atlas", 400)], "attention"),
    ("transfomer", [("transform", 25658), ("trans", 10), ("transf", 8)], "transformer"),
    ("difusion", [("diffus", 19304), ("diff", 327)], "diffusion"),
    ("lerning", [("learn", 90000), ("lens", 800)], "learning"),
    ("halucination", [("hallucin", 3000), ("halo", 90)], "hallucination"),
    ("grpah", [("graph", 30000), ("grpo", 200)], "graph"),  # a swap of neighbours is one edit
    ("nueral", [("neural", 40000), ("numer", 9000), ("nural", 3)], "neural"),
]


@pytest.mark.parametrize(("typed", "vocabulary", "expected"), CORRECTIONS)
def test_the_most_common_close_stem_gives_the_first_spelling(typed: str, vocabulary, expected: str) -> None:  # type: ignore[no-untyped-def]
    assert spelling_candidates(typed, vocabulary)[0].spelling == expected


def test_candidates_keep_the_first_letter_and_the_edit_budget() -> None:
    assert spelling_candidates("model", [("nodel", 99)]) == []  # first letter differs
    assert spelling_candidates("model", [("moxxl", 99)]) == []  # two edits for a 5-letter word
    assert [c.spelling for c in spelling_candidates("attentoin", [("attention", 5)])] == ["attention"]
    assert spelling_candidates("cat", [("car", 99)]) == []  # too short to correct
    assert spelling_candidates("gpt4o", [("gpt4", 99)]) == []  # digits: a name, not a typo
    assert "graph" not in [c.spelling for c in spelling_candidates("graph", [("graph", 99)])]  # never the word itself


def test_fewer_edits_beat_more_documents() -> None:
    got = spelling_candidates("atention", [("atlant", 5000), ("attent", 10)])
    assert got == [Candidate("attention", "attent", 10, 1), Candidate("atlantion", "atlant", 5000, 2)]


def test_edit_budget_grows_with_word_length() -> None:
    assert [max_edits(w) for w in ("gan", "lora", "model", "network", "networks", "模型模型模型", "bert-base")] == [
        0, 0, 1, 1, 2, 0, 0]


def test_rare_words_are_suspect_and_corrected_only_for_a_much_commoner_spelling() -> None:
    assert is_suspect(0, 10) and not is_suspect(1, 10)
    assert is_suspect(24, 241_792) and not is_suspect(25, 241_792)
    cand = Candidate("attention", "attent", 1300, 1)
    assert worth_it(cand, 0) and worth_it(cand, 13) and not worth_it(cand, 14)
    assert not worth_it(Candidate("x", "x", 0, 1), 0)


def test_vocabulary_slices_cover_a_swapped_second_letter() -> None:
    assert vocabulary_prefixes("nueral") == ("nu", "ne")
    assert vocabulary_prefixes("graph") == ("gr", "ga")
    assert vocabulary_prefixes("aab") == ("aa", "ab")


def test_single_edits_are_norvigs_edits_keeping_the_first_letter() -> None:
    edits = single_edits("atention")
    assert {"attention", "atenton", "aetntion"} <= edits
    assert "atention" not in edits and all(e.startswith("a") for e in edits)
    assert all(osa_distance(e, "atention") == 1 for e in edits)
    assert len(single_edits("transfomer")) < 700


def test_corrected_text_replaces_whole_words_only() -> None:
    assert corrected_text("Atention atentional", {"atention": "attention"}) == "attention atentional"
    assert corrected_text("same", {}) == "same"


# ----------------------------------------------------------------------------- CJK

def test_cjk_runs_become_overlapping_bigrams_and_lone_characters_stay() -> None:
    assert bigrams("深度学习模型") == ["深度", "度学", "学习", "习模", "模型"]
    assert cjk_bigrams("深度学习模型") == "深度 度学 学习 习模 模型 "
    assert cjk_bigrams("大 model") == "大  model"
    assert cjk_bigrams("日本語のテキスト").split() == ["日本", "本語", "語の", "のテ", "テキ", "キス", "スト"]
    assert cjk_bigrams("한국어 형태소").split() == ["한국", "국어", "형태", "태소"]
    assert cjk_bigrams("Schrödinger équation") == "Schrödinger équation"  # untouched without CJK


def test_query_terms_split_cjk_runs_and_keep_latin_words_apart() -> None:
    assert query_terms("GPT模型的训练") == ("gpt", "模型", "型的", "的训", "训练")
    assert query_terms("量子 computing") == ("量子", "computing")
    assert query_terms("学") == ("学",)


def test_cjk_terms_are_recognised_and_chains_rejoin_into_runs() -> None:
    assert has_cjk("BERT 模型") and not has_cjk("BERT")
    assert is_cjk_term("模型") and not is_cjk_term("gpt模型") and not is_cjk_term("")
    assert cjk_runs(list(query_terms("学习模型 强化"))) == ["学习模型", "强化"]


def test_a_cjk_term_highlights_the_run_that_holds_it() -> None:
    assert highlight("基于深度学习模型的方法", ("学习",)) == [("基于深度学习模型的方法", True)]


def test_a_mistake_in_the_ending_needs_the_engines_stemmer() -> None:
    vocabulary = [("predict", 900), ("predat", 40)]
    assert "prediction" not in [c.spelling for c in spelling_candidates("predicton", vocabulary)]
    stems = {"prediction": "predict", "predator": "predat"}
    got = spelling_candidates("predicton", vocabulary, stem_of=lambda w: stems.get(w, w))
    assert got[0] == Candidate("prediction", "predict", 900, 1)


def test_spellings_of_one_stem_prefer_the_likeliest_slip() -> None:
    stems = {"models": "model", "modeles": "model", "generation": "generat", "generator": "generat"}
    got = spelling_candidates("modles", [("model", 5000)], stem_of=lambda w: stems.get(w, w))
    assert got[0].spelling == "models"  # swapped neighbours, not a dropped "e"
    got = spelling_candidates("generaton", [("generat", 5000)], stem_of=lambda w: stems.get(w, w))
    assert got[0].spelling == "generation"  # a dropped letter, not a wrong one

"""The card's one-line summary: a sentence of the abstract, cut where sentences really end."""

import pytest

from papertide.domain.summary import one_line_summary, split_sentences


@pytest.mark.parametrize("text, sentences", [
    ("Models such as BERT, e.g. the base one, i.e. 110M parameters, work. They scale.",
     ["Models such as BERT, e.g. the base one, i.e. 110M parameters, work.", "They scale."]),
    ("As shown by Smith et al. (2020), it works. See Fig. 2 and Eq. 3 for details. Done.",
     ["As shown by Smith et al. (2020), it works.", "See Fig. 2 and Eq. 3 for details.", "Done."]),
    ("Accuracy rises from 71.5% to 84.2% on MMLU. Latency drops 3.1x.",
     ["Accuracy rises from 71.5% to 84.2% on MMLU.", "Latency drops 3.1x."]),
    ("We bound the error by $\\epsilon < 0.1. Then$ it holds. Next sentence.",
     ["We bound the error by $\\epsilon < 0.1. Then$ it holds.", "Next sentence."]),
    ("Work by J. Smith and A. B. Jones. It helps!  Really?  Yes.",
     ["Work by J. Smith and A. B. Jones.", "It helps!", "Really?", "Yes."]),
    ('He said "it works." Then left. (It did.) Fine.',
     ['He said "it works."', "Then left.", "(It did.)", "Fine."]),
    ("Lower case after a stop. continues the sentence in broken abstracts.",
     ["Lower case after a stop. continues the sentence in broken abstracts."]),
    ("No final stop", ["No final stop"]),
    ("", []),
])
def test_sentences_end_only_where_sentences_end(text, sentences):
    assert split_sentences(text) == sentences


def test_the_contribution_sentence_beats_background():
    abstract = ("Large language models have shown remarkable abilities. However, they forget. "
                "To address this, we introduce MemBench, a benchmark for memory. It has 10 tasks.")
    assert one_line_summary(abstract) == "To address this, we introduce MemBench, a benchmark for memory."


def test_without_a_contribution_cue_near_the_start_the_first_sentence_is_the_summary():
    abstract = "Diffusion models generate images. They are slow. Sampling is costly. It is hard. We propose X."
    assert one_line_summary(abstract) == "Diffusion models generate images."


def test_a_long_sentence_is_cut_at_a_word_and_never_inside_math():
    sentence = "We propose " + "very " * 40 + "long things."
    out = one_line_summary(sentence, limit=60)
    assert out == "We propose very very very very very very very very very very…"
    with_math = "We propose a bound of $\\mathcal{O}(n \\log n)$ for every input we could find here."
    out = one_line_summary(with_math, limit=40)
    assert out == "We propose a bound of…"
    assert one_line_summary("x" * 300, limit=50) == "x" * 50 + "…"


def test_an_empty_abstract_has_no_summary():
    assert one_line_summary("   ") == ""

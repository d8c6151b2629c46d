"""Queries as people type them: framing stripped from keywords, arXiv ids found inside text."""

import pytest

from papertide.domain.queries import (
    FRAMING_PREFIXES,
    FRAMING_SUFFIXES,
    UnderstoodQuery,
    find_arxiv_ids,
    pin_first,
    strip_framing,
    understand_query,
    wordless_reason,
)
from papertide.domain.search import query_terms


@pytest.mark.parametrize(("typed", "left"), [(typed, left) for _, typed, left in FRAMING_PREFIXES + FRAMING_SUFFIXES])
def test_every_framing_row_strips_its_own_example(typed: str, left: str) -> None:
    assert strip_framing(typed.replace("X", "graph transformers")) == left.replace("X", "graph transformers")


FRAMED = {
    "papers about diffusion models": "diffusion models",
    "is there any work on protein folding?": "protein folding",
    "Is there work on protein folding": "protein folding",
    "I'm looking for papers on speculative decoding": "speculative decoding",
    "I’m looking for papers on speculative decoding": "speculative decoding",
    "i am searching for recent research on RLHF": "RLHF",
    "recent research on sparse autoencoders": "sparse autoencoders",
    "what are the best methods for image segmentation?": "image segmentation",
    "What is the best way to quantize llms": "quantize llms",
    "how do I fine-tune llama on one GPU": "fine-tune llama on one GPU",
    "how can we detect hallucinations": "detect hallucinations",
    "can you find me papers about mixture of experts please": "mixture of experts",
    "hi, could you recommend some papers on graph neural networks": "graph neural networks",
    "find me the latest papers on state space models": "state space models",
    "I need papers that use contrastive learning": "contrastive learning",
    "do you know of any literature on causal discovery?": "causal discovery",
    "anything on retrieval augmented generation": "retrieval augmented generation",
    "tell me about kolmogorov-arnold networks": "kolmogorov-arnold networks",
    "vision transformers papers": "vision transformers",
    "diffusion models on arXiv": "diffusion models",
}
# Content words that look like framing stay: intent words, titles, fields, and queries that
# would be left with nothing to search for.
KEPT = [
    "survey of graph neural networks",
    "a survey on large language model agents",
    "review of protein structure prediction",
    "show attend and tell",
    "how do proteins fold",
    "operations research on scheduling",
    "attention is all you need",
    "methods",
    "is there any?",
    "papers",
    "finding rare events",
    "researchers in quantum computing",
]


@pytest.mark.parametrize(("typed", "left"), sorted(FRAMED.items()))
def test_conversational_framing_is_stripped_from_keywords(typed: str, left: str) -> None:
    assert strip_framing(typed) == left


@pytest.mark.parametrize("typed", KEPT)
def test_content_words_are_never_stripped(typed: str) -> None:
    assert query_terms(strip_framing(typed)) == query_terms(typed)


def test_a_query_that_would_become_empty_keeps_its_words() -> None:
    for typed in ("can you find me?", "hi!", "please", "is there any?", "papers"):
        assert strip_framing(typed) == typed


ID_QUERIES = [
    ("arXiv 2607.27042 results", ("2607.27042",), "results"),
    ("https://arxiv.org/abs/2607.27042v3 code?", ("2607.27042",), "code?"),
    ("arxiv.org/pdf/2607.27042", ("2607.27042",), ""),
    ("arxiv.org/pdf/2607.27042v2.pdf", ("2607.27042",), ""),
    ("http://export.arxiv.org/abs/hep-th/9901001", ("hep-th/9901001",), ""),
    ("hep-th/9901001 duality", ("hep-th/9901001",), "duality"),
    ("math.AP/0601001v2", ("math/0601001",), ""),
    ("arXiv:2607.27042 and arXiv:2401.00003", ("2607.27042", "2401.00003"), "and"),
    ("see https://huggingface.co/papers/2401.00003#community", ("2401.00003",), "see"),
    ("compare (2401.00003) with 2401.00004.", ("2401.00003", "2401.00004"), "compare ( ) with ."),
    # A downloaded PDF's name, and the other sites that put an arXiv id at the end of a paper's address.
    ("2607.27042v2.pdf", ("2607.27042",), ""),
    ("hf.co/papers/2401.00003", ("2401.00003",), ""),
    ("https://www.alphaxiv.org/abs/2401.00003v2", ("2401.00003",), ""),
    ("see https://papers.cool/arxiv/2401.00003 now", ("2401.00003",), "see now"),
    ("https://www.semanticscholar.org/arxiv/2401.00003?tab=x", ("2401.00003",), ""),
    ("hf.co/papers/2401.00003, and more", ("2401.00003",), ", and more"),
    ("hf.co/papers/2401.000031", (), "hf.co/papers/2401.000031"),
    # arXiv's DOI (every abstract page shows it) and its "Cite as" line with the primary category.
    ("10.48550/arXiv.2401.00003", ("2401.00003",), ""),
    ("https://doi.org/10.48550/arXiv.2401.00003 code", ("2401.00003",), "code"),
    ("doi:10.48550/arXiv.hep-th/9901001", ("hep-th/9901001",), ""),
    ("arXiv:2401.00003 [cs.CL]", ("2401.00003",), ""),
    ("arXiv:hep-th/9901001v2 [hep-th] duality", ("hep-th/9901001",), "duality"),
    ("10.1145/2401.00003", ("2401.00003",), "10.1145/"),  # not arXiv's DOI: the id inside still names a paper
    # Not ids: an impossible month, too many digits, a decimal, a version without an id.
    ("2413.00001 is not a month", (), "2413.00001 is not a month"),
    ("pi is 3.14159265", (), "pi is 3.14159265"),
    ("12607.27042", (), "12607.27042"),
    ("2607.270421", (), "2607.270421"),
]


@pytest.mark.parametrize(("typed", "ids", "rest"), ID_QUERIES)
def test_arxiv_ids_and_urls_are_found_inside_other_words(typed: str, ids: tuple[str, ...], rest: str) -> None:
    assert find_arxiv_ids(typed) == (ids, rest)


def test_a_query_is_split_into_dense_text_keywords_and_ids() -> None:
    assert understand_query("Is there any work on arXiv:2401.00003 speedups?") == UnderstoodQuery(
        text="Is there any work on arXiv:2401.00003 speedups?",
        dense_text="Is there any work on speedups?",
        lexical_text="speedups",
        terms=("speedups",),
        arxiv_ids=("2401.00003",),
        only_ids=False,
    )
    for only in ("2401.00003", "arXiv 2401.00003", "https://arxiv.org/abs/2401.00003v2", "arxiv: hep-th/9901001"):
        q = understand_query(only)
        assert (q.only_ids, q.terms, q.dense_text) == (True, (), ""), only
    plain = understand_query("graph neural networks")
    assert (plain.dense_text, plain.terms, plain.arxiv_ids, plain.only_ids) == (
        "graph neural networks", ("graph", "neural", "networks"), (), False)
    assert understand_query("   ") == UnderstoodQuery("", "", "", ())


def test_pinned_keys_lead_in_order_without_duplicates() -> None:
    ranked = [(1, 0.9), (2, 0.5), (3, 0.1)]
    assert pin_first(ranked, [3]) == [(3, 0.9), (1, 0.9), (2, 0.5)]
    assert pin_first(ranked, [9, 2, 9]) == [(9, 0.9), (2, 0.9), (1, 0.9), (3, 0.1)]
    assert pin_first([], [4]) == [(4, 1.0)]
    assert pin_first(ranked, []) == ranked


@pytest.mark.parametrize(("typed", "reason"), [
    ("2405.99999", "ids"), ("arXiv:2405.99999 the", "ids"), ("https://arxiv.org/abs/2405.99999v2", "ids"),
    ("-attention", "minus"), ('-"image generation" -vision', "minus"),
    ("!!!", "symbols"), ("😀 🚀", "symbols"), ("- - -", "symbols"), ("((()", "symbols"),
    ("the of and", "common"), ('"the of"', "common"), ("-the of", "common"),
    ("graph -image", None), ("", None), ("2405.99999 diffusion", None),
])
def test_a_query_without_keywords_says_why(typed: str, reason: str | None) -> None:
    assert wordless_reason(understand_query(typed)) == reason

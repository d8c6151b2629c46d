"""The phrase view: hashed 1–2-grams, counted over the instance, with newer papers counted as met."""

from __future__ import annotations

import io

import numpy as np
import pytest
from scipy import sparse

from papertide.recs.phrases import DF_CAP, PhraseModel, PhraseRows, profile_terms

PAPERS = [
    "Graph neural networks for molecule property prediction",
    "Graph neural networks for traffic forecasting",
    "Diffusion models for image generation",
    "Diffusion models for audio synthesis with ZetaFold",
]


def _fit(texts: list[str], first_id: int = 1) -> PhraseModel:
    ids = list(range(first_id, first_id + len(texts)))
    return PhraseModel.fit([(ids[:2], texts[:2]), (ids[2:], texts[2:])])


def _weights(model: PhraseModel, row: sparse.csr_matrix, phrase: str) -> float:
    bucket = model_bucket(model, phrase)
    return float(row[0, bucket])


def model_bucket(model: PhraseModel, phrase: str) -> int:
    from papertide.recs.phrases import _hasher  # the same hashing the model uses

    x = _hasher(model.bits).transform([phrase])
    assert x.nnz >= 1
    # The phrase's own bucket: for two words, the bigram's (the index that is neither word's).
    words = _hasher(model.bits).transform(phrase.split())
    return int(sorted(set(x.indices) - set(words.indices))[0]) if " " in phrase else int(x.indices[0])


def test_fit_counts_papers_per_phrase_across_batches():
    model = _fit(PAPERS)
    assert model.documents == 4 and model.last_paper_id == 4
    assert model.df[model_bucket(model, "graph neural")] == 2
    assert model.df[model_bucket(model, "diffusion")] == 2
    assert model.df[model_bucket(model, "zetafold")] == 1
    assert model.df[model_bucket(model, "photosynthesis")] == 0


def test_a_phrase_no_other_paper_holds_is_dropped_from_a_candidate_but_kept_in_a_liked_paper():
    model = _fit(PAPERS)
    text = [PAPERS[3]]
    candidate = model.transform(text, [4])
    liked = model.transform(text, [4], keep_unique=True)
    assert _weights(model, candidate, "zetafold") == 0.0
    assert _weights(model, liked, "zetafold") > 0.0
    # Unit length over the shared phrases, in both views: the unique one sits outside it.
    shared = candidate.toarray()[0]
    assert np.linalg.norm(shared) == pytest.approx(1.0, abs=1e-5)
    kept = liked.toarray()[0]
    assert liked.nnz > candidate.nnz
    assert np.allclose(kept[shared != 0], shared[shared != 0], atol=1e-6)


def test_a_paper_newer_than_the_count_brings_its_phrases_with_it():
    model = _fit(PAPERS)
    new = "ZetaFold for protein structure"
    # Counted when met: the new paper (id 5, after the count) and the liked one share the name.
    candidate = model.transform([new], [5])
    assert _weights(model, candidate, "zetafold") > 0.0
    # A paper the count already covers brings nothing: its phrases are in the counts.
    assert _weights(model, model.transform([PAPERS[3]], [4]), "zetafold") == 0.0
    # Two new papers sharing a phrase nobody had before: each counts the other.
    pair = model.transform(["Quokka attention for text", "Quokka attention for speech"], [6, 7])
    assert _weights(model, pair[0], "quokka attention") > 0.0


def test_rarer_phrases_weigh_more_and_filler_weighs_nothing_on_a_large_instance():
    texts = [f"common words appear here with topic{i % 700} and subject{i % 300}" for i in range(2_100)]
    model = PhraseModel.fit([(list(range(1, 2_101)), texts)])
    row = model.transform(["common words with topic5 and subject7"], [1])
    assert _weights(model, row, "common") == 0.0  # in every paper: more than a tenth
    assert _weights(model, row, "topic5") > _weights(model, row, "subject7") > 0.0  # 3 papers vs 7


def test_counts_saturate_instead_of_wrapping():
    model = PhraseModel(np.full(2**10, DF_CAP, dtype=np.uint16), 1_000_000, 1, bits=10)
    row = model.transform(["anything at all"], [1])
    assert row.nnz == 0  # a saturated count is filler on an instance this size


@pytest.mark.parametrize("bits", [24, 6], ids=["sparse", "dense"])  # 2^6 buckets: most in use
def test_a_model_survives_storage(bits: int):
    model = PhraseModel.fit([([1, 2], PAPERS[:2]), ([3, 4], PAPERS[2:])], bits=bits)
    blob = model.to_bytes()
    stored = set(np.load(io.BytesIO(blob)).files)
    assert ("buckets" in stored) is (bits == 24)  # a few dozen of 2^24 buckets: kept as pairs
    assert bits == 6 or len(blob) < 10_000
    again = PhraseModel.from_bytes(blob)
    assert (again.documents, again.last_paper_id, again.bits) == (4, 4, model.bits)
    assert again.df.dtype == np.uint16 and np.array_equal(again.df, model.df)
    a, b = model.transform(PAPERS, [1, 2, 3, 4]), again.transform(PAPERS, [1, 2, 3, 4])
    assert (a != b).nnz == 0


def test_counts_saturate_while_fitting():
    half = 40_000  # two batches: the second pushes the count past 16 bits
    model = PhraseModel.fit([(list(range(half)), ["saturating phrase"] * half)] * 2, bits=8)
    assert model.documents == 2 * half and int(model.df.max()) == DF_CAP


def test_empty_inputs():
    model = _fit(PAPERS)
    assert model.transform([]).shape == (0, 2**model.bits)
    assert model.transform(["the of and"]).nnz == 0  # stop words only
    empty = PhraseModel.fit([])
    assert empty.documents == 0
    assert empty.transform(["graph networks", "graph models"]).nnz > 0  # each counts the other


def test_profile_terms_are_the_heaviest_of_the_rocchio_vector():
    liked = sparse.csr_matrix(np.array([[0.6, 0.8, 0.0, 0.0], [0.0, 0.6, 0.8, 0.0]]))
    negatives = sparse.csr_matrix(np.array([[0.0, 0.0, 0.0, 1.0]]))
    terms, values = profile_terms(liked, np.array([1.0, 1.0]), None, 0.25, keep=10)
    assert list(terms) == [0, 1, 2]
    assert np.linalg.norm(values) == pytest.approx(1.0)
    assert values[1] > values[2] > values[0] > 0
    pushed_terms, pushed = profile_terms(liked, np.array([1.0, 1.0]), negatives, 0.25, keep=10)
    assert list(pushed_terms) == [0, 1, 2, 3] and pushed[3] < 0
    top_terms, top = profile_terms(liked, np.array([1.0, 1.0]), None, 0.25, keep=1)
    assert list(top_terms) == [1]
    rows = sparse.csr_matrix(np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 0.0, 0.0, 1.0]]))
    dense = np.zeros(4)
    dense[pushed_terms] = pushed
    pool = PhraseRows.of(rows)
    assert list(pool.buckets) == [0, 1, 3]  # the columns the pool uses
    assert np.allclose(pool.scores(pushed_terms, pushed), rows @ dense)
    assert list(pool.scores(np.zeros(0, np.int32), np.zeros(0, np.float32))) == [0.0, 0.0, 0.0]
    others = sparse.csr_matrix(np.array([[0.0, 1.0, 1.0, 0.0], [0.0, 0.0, 1.0, 0.0]]))
    empty = PhraseRows.of(sparse.csr_matrix((2, 4)))
    assert list(empty.scores(pushed_terms, pushed)) == [0.0, 0.0]
    best, which = pool.nearest(others)
    assert np.allclose(best, (rows @ others.T).toarray().max(axis=1))
    assert which.tolist() == [0, 0, 0]  # rows 0 and 2 touch neither: the first, at similarity 0
    assert best.tolist() == [0.0, 1.0, 0.0]
    assert empty.nearest(others)[0].tolist() == [0.0, 0.0]

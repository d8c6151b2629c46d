"""The text view of papers for recommendations: tf-idf over title + abstract.

arxiv-sanity-lite's settings (word 1–2-grams, 20,000 features, sublinear tf, max_df 0.1, min_df
5, English stop words), fitted on a random sample of the instance's own papers, so the vocabulary
is the field's. scikit-learn does the tokenising, counting and sparse maths; the fitted
vocabulary and IDF are stored as plain arrays (no pickles), so any process can rebuild the same
vectoriser from the database.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

FIT_SAMPLE = 60_000
MIN_PAPERS = 50  # fewer than this and min_df 5 would leave almost no vocabulary


# How a paper's text becomes words and word pairs, for the vocabulary and the phrase view alike.
WORDS: dict[str, Any] = {
    "strip_accents": "unicode", "lowercase": True, "stop_words": "english",
    "token_pattern": r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b", "ngram_range": (1, 2),
}


def _vectorizer(vocabulary: dict[str, int] | None = None, min_df: int = 5) -> TfidfVectorizer:
    return TfidfVectorizer(
        **WORDS, max_features=20_000,
        sublinear_tf=True, max_df=0.1 if vocabulary is None else 1.0, min_df=min_df if vocabulary is None else 1,
        dtype=np.float32, vocabulary=vocabulary,
    )


def paper_text(title: str, abstract: str) -> str:
    return f"{title} {abstract}"


@dataclass(frozen=True)
class TextModel:
    """A fitted tf-idf vectoriser, rebuilt from its stored vocabulary and IDF."""

    vectorizer: TfidfVectorizer

    @classmethod
    def fit(cls, texts: Sequence[str]) -> TextModel:
        # Small instances (a lab's first week) cannot support min_df 5 and max_df 0.1.
        min_df = 5 if len(texts) >= 2_000 else 1
        vec = _vectorizer(min_df=min_df)
        if len(texts) < 2_000:
            vec.set_params(max_df=1.0)
        vec.fit(texts)
        return cls(vec)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        if not texts:  # an empty window (scikit-learn refuses zero rows)
            return sparse.csr_matrix((0, self.size), dtype=np.float64)
        return self.vectorizer.transform(texts).tocsr()

    @property
    def size(self) -> int:
        return len(self.vectorizer.vocabulary_)

    def to_bytes(self) -> bytes:
        terms = sorted(self.vectorizer.vocabulary_.items(), key=lambda kv: kv[1])
        buf = io.BytesIO()
        np.savez_compressed(buf, terms=np.asarray([t for t, _ in terms], dtype=str),
                            idf=np.asarray(self.vectorizer.idf_, dtype=np.float32))
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> TextModel:
        z = np.load(io.BytesIO(data), allow_pickle=False)
        vocabulary = {str(t): i for i, t in enumerate(z["terms"])}
        vec = _vectorizer(vocabulary)
        vec.idf_ = z["idf"].astype(np.float64)
        return cls(vec)


@dataclass(frozen=True)
class TextLinear:
    """A logistic regression over tf-idf: which words make a paper one the profile picks."""

    coef: npt.NDArray[np.float32]
    intercept: float

    def decision(self, rows: sparse.csr_matrix) -> npt.NDArray[np.float64]:
        return np.asarray(rows @ self.coef.astype(np.float64)).ravel() + self.intercept

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        np.savez_compressed(buf, coef=self.coef.astype(np.float32), intercept=np.float64(self.intercept))
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> TextLinear:
        z = np.load(io.BytesIO(data), allow_pickle=False)
        return cls(z["coef"].astype(np.float32), float(z["intercept"]))


def fit_linear(positives: sparse.csr_matrix, weights: npt.NDArray[np.float64], negatives: sparse.csr_matrix,
               negative_weight: float = 1.0) -> TextLinear:
    """Likes against background (and "not interested") papers; each side carries equal total weight."""
    x = sparse.vstack([positives, negatives]).tocsr()
    y = np.r_[np.ones(positives.shape[0]), np.zeros(negatives.shape[0])]
    pw = weights / weights.mean() if len(weights) else weights
    nw = np.full(negatives.shape[0], negative_weight * positives.shape[0] / max(1, negatives.shape[0]))
    model = LogisticRegression(C=1.0, max_iter=300)
    model.fit(x, y, sample_weight=np.r_[pw, nw])
    return TextLinear(model.coef_[0].astype(np.float32), float(model.intercept_[0]))

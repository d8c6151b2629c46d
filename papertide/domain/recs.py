"""Personal recommendations: the profile model and the score blend, as pure functions over arrays.

A reader's model is the weighted centroid of their likes in tf-idf space (Rocchio's profile,
as zotero-arxiv-daily and arxiv-sanity's "similar" do), pushed away from what they marked "not
interested", plus the category mix of their likes. Recent likes weigh more (half-life decay);
own papers more than upvotes. The community's model for "Suggested for today" is a text
classifier (what it listed against what it did not) blended with freshness by arXiv id.
Each component is a z-score over the candidates; :class:`Blend` weighs them. The choice of
components and weights was made by measurement: bench/RESULTS.md, "For you".
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

Vector = npt.NDArray[np.float64]

# How much one signal of each kind says about the reader (their own papers say the most).
KIND_WEIGHT = {"mine": 1.5, "library": 1.0, "save": 1.0, "upvote": 0.8, "like": 1.0}
NEGATIVE_PUSH = 0.25  # Rocchio's gamma: how far "not interested" papers push the centroid away
HALF_LIFE_DAYS = 365.0
CENTROID_TERMS = 3_000  # terms kept per stored profile (the rest carry ~no weight)
_NEW_ID = re.compile(r"^(\d{2})(\d{2})\.(\d{4,5})$")


@dataclass(frozen=True, slots=True)
class Blend:
    """Weights of the score components (text, linear and recency are z-scores over the candidates)."""

    text: float = 1.0  # cosine to the profile centroid
    nearest: float = 0.0  # similarity to the closest liked paper (a reader of several topics)
    dense: float = 0.0  # cosine to the likes' embedding centroid (when the search index stores vectors)
    linear: float = 0.0  # a trained text classifier (the community's)
    category: float = 0.1  # log share of the likes in the candidate's categories
    recency: float = 0.0  # id order; > 0 for the community's day list (most listings are same-day)
    follow: float = 1.0  # × FOLLOW_WEIGHT of each matched follow


# A followed author's new paper is asked for by name: it should top the list. A followed
# category matches hundreds of papers a day, so it only tilts the ranking.
FOLLOW_WEIGHT = {"author": 4.0, "query": 2.0, "category": 1.0}


@dataclass(frozen=True, slots=True)
class Liked:
    paper_id: int
    kind: str
    age_days: float
    weight: float = 1.0  # e.g. 1 + log1p(upvotes) for a community's listings


@dataclass(frozen=True)
class UserModel:
    """What the training job stores per reader: a sparse centroid, the category mix, the likes."""

    text_version: str
    terms: npt.NDArray[np.int32]
    values: npt.NDArray[np.float32]
    liked_ids: tuple[int, ...] = ()
    categories: Mapping[str, float] = field(default_factory=dict)
    dense: npt.NDArray[np.float32] = field(default_factory=lambda: np.zeros(0, np.float32))
    # The first likes' own phrase rows (CSR arrays, a row per liked id in order): the closest
    # liked paper is found without reading the likes again.
    liked_indptr: npt.NDArray[np.int32] = field(default_factory=lambda: np.zeros(1, np.int32))
    liked_terms: npt.NDArray[np.int32] = field(default_factory=lambda: np.zeros(0, np.int32))
    liked_values: npt.NDArray[np.float16] = field(default_factory=lambda: np.zeros(0, np.float16))

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        cats = sorted(self.categories.items())
        np.savez_compressed(
            buf, text_version=np.asarray(self.text_version), terms=self.terms.astype(np.int32),
            values=self.values.astype(np.float32), liked_ids=np.asarray(self.liked_ids, dtype=np.int64),
            cat_names=np.asarray([c for c, _ in cats], dtype=str), cat_weights=np.asarray([w for _, w in cats], dtype=np.float32),
            dense=self.dense.astype(np.float32), liked_indptr=self.liked_indptr.astype(np.int32),
            liked_terms=self.liked_terms.astype(np.int32), liked_values=self.liked_values.astype(np.float16),
        )
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> UserModel:
        z = np.load(io.BytesIO(data), allow_pickle=False)
        cats = {str(c): float(w) for c, w in zip(z["cat_names"], z["cat_weights"], strict=True)}
        dense = z["dense"].astype(np.float32) if "dense" in z.files else np.zeros(0, np.float32)
        rows = ((z["liked_indptr"].astype(np.int32), z["liked_terms"].astype(np.int32), z["liked_values"].astype(np.float16))
                if "liked_indptr" in z.files else (np.zeros(1, np.int32), np.zeros(0, np.int32), np.zeros(0, np.float16)))
        return cls(str(z["text_version"]), z["terms"].astype(np.int32), z["values"].astype(np.float32),
                   tuple(int(i) for i in z["liked_ids"]), cats, dense, *rows)


def signal_weights(liked: Sequence[Liked], half_life_days: float = HALF_LIFE_DAYS) -> Vector:
    """Kind weight × given weight × recency decay (a like a year old counts half)."""
    return np.asarray(
        [KIND_WEIGHT.get(x.kind, 1.0) * x.weight * 0.5 ** (max(0.0, x.age_days) / half_life_days) for x in liked],
        dtype=np.float64,
    )


def dense_centroid(vectors: npt.NDArray[np.float32], weights: Vector) -> npt.NDArray[np.float32]:
    """The weighted mean of unit embeddings, unit length."""
    v = (vectors.astype(np.float64).T @ weights)
    norm = float(np.linalg.norm(v))
    return (v / norm if norm > 0 else v).astype(np.float32)


def dense_scores(candidates: npt.NDArray[np.float32], has: npt.NDArray[np.bool_], profile: npt.NDArray[np.float32]) -> Vector:
    """z-scored cosine to the profile; candidates without a vector get the average (z = 0)."""
    if candidates.shape[1] != profile.shape[0] or not bool(has.any()):
        return np.zeros(len(candidates))
    sims = (candidates @ profile).astype(np.float64)
    out = np.zeros(len(candidates))
    out[has] = zscore(sims[has])
    return out


def category_mix(categories_of_likes: Sequence[Sequence[str]], weights: Sequence[float]) -> dict[str, float]:
    """Share of the likes' weight per category; the primary (first) category counts double."""
    mix: dict[str, float] = {}
    for cats, wt in zip(categories_of_likes, weights, strict=True):
        for j, c in enumerate(cats):
            mix[c] = mix.get(c, 0.0) + wt * (1.0 if j == 0 else 0.5)
    total = sum(mix.values())
    return {c: v / total for c, v in mix.items()} if total else {}


def category_scores(mix: Mapping[str, float], candidate_categories: Sequence[Sequence[str]]) -> Vector:
    """log of the likes' share in the candidate's categories (smoothed so unseen ones aren't −∞)."""
    out = np.empty(len(candidate_categories))
    for i, cats in enumerate(candidate_categories):
        share = sum(mix.get(c, 0.0) * (1.0 if j == 0 else 0.5) for j, c in enumerate(cats))
        out[i] = math.log(1e-3 + share)
    return out


def zscore(x: Vector) -> Vector:
    sd = float(x.std()) if len(x) else 0.0
    return (x - float(x.mean())) / sd if sd > 1e-12 else np.zeros_like(x, dtype=np.float64)


def id_order(arxiv_id: str) -> tuple[int, int, int]:
    """Submission order from an arXiv id (new-style ids by month then number; old-style first)."""
    m = _NEW_ID.match(arxiv_id)
    return (1, int(m.group(1)) * 100 + int(m.group(2)), int(m.group(3))) if m else (0, 0, 0)


def recency_scores(arxiv_ids: Sequence[str]) -> Vector:
    """Rank of each id in submission order, scaled to 0 (oldest) … 1 (newest).

    The id and not a date: dates mean different things by source (submission vs announcement).
    """
    n = len(arxiv_ids)
    if n <= 1:
        return np.ones(n)
    order = sorted(range(n), key=lambda i: id_order(arxiv_ids[i]))
    out = np.empty(n)
    for rank, i in enumerate(order):
        out[i] = rank / (n - 1)
    return out


def top_indices(score: Vector, limit: int, skip: Sequence[bool]) -> list[int]:
    """Indices of the ``limit`` best scores, ties by position, skipping flagged ones."""
    order = np.argsort(-score, kind="stable")
    return [int(i) for i in order if not skip[i]][:limit]

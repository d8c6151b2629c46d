"""Fusing the keyword and dense rankings into one, and the weights that depend on the query.

Pure functions over ``(key, score)`` lists; the search service feeds them the engines' hits.
Methods, weights and the floor were chosen by measurement on our development set and SciFact
(bench/RESULTS.md, "Search" and "Search, round two").
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping, Sequence
from typing import Literal, TypeVar

from papertide.domain.search import normalize_query

K = TypeVar("K", bound=Hashable)

RRF_K = 60  # reciprocal-rank-fusion constant (Cormack et al. 2009)
# Weight of the dense score in the convex combination; the lexical score gets 1 - this.
# Keyword queries lean on the words (0.4); questions, which share few words with the
# abstracts that answer them, get equal weight. Chosen on our development set and SciFact
# together (bench/RESULTS.md, "Fusion, round two"); 0.4-0.5 differ by < 0.01 on both.
DENSE_WEIGHT = 0.4
QUESTION_DENSE_WEIGHT = 0.5
# "convex": z-scored convex combination (default); "convex-minmax": the same over min-max
# scaled scores (the default before; 0.005 lower on SciFact); "rrf": reciprocal rank fusion.
FUSION_METHODS = ("convex", "convex-minmax", "rrf")
# Cosine similarity below which a dense neighbour is not a match. Nearest neighbours always
# exist, so without a floor gibberish returned 200 unrelated papers. On the demo corpus the
# best neighbour of 30 real queries scored 0.389-0.699 and of 30 gibberish/off-topic ones
# 0.128-0.335; the search regression set's semantic-only "how do proteins fold" reaches its
# paper at 0.356. 0.345 sits between 0.335 and 0.356 (bench/search_floor.py, bench/RESULTS.md
# "Relevance floor").
DENSE_FLOOR = 0.345


def rrf_fuse(rankings: Sequence[Sequence[K]], k: int = RRF_K, weights: Sequence[float] | None = None) -> list[tuple[K, float]]:
    """Reciprocal rank fusion: ``score(d) = Σ_i w_i / (k + rank_i(d))``, ranks from 1.

    Cormack, Clarke & Büttcher, "Reciprocal Rank Fusion outperforms Condorcet and
    individual Rank Learning Methods", SIGIR 2009. Ties break by first appearance.

    >>> rrf_fuse([["a", "b"], ["b", "c"]], k=1)
    [('b', 0.8333333333333333), ('a', 0.5), ('c', 0.3333333333333333)]
    """
    w = list(weights) if weights is not None else [1.0] * len(rankings)
    scores: dict[K, float] = {}
    for ranking, weight in zip(rankings, w, strict=True):
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])


def minmax_normalise(scores: Mapping[K, float]) -> dict[K, float]:
    """Scale scores to [0, 1] (all equal → all 1.0).

    >>> minmax_normalise({"a": 2.0, "b": 4.0})
    {'a': 0.0, 'b': 1.0}
    """
    if not scores:
        return {}
    lo, hi = min(scores.values()), max(scores.values())
    if hi - lo <= 1e-12:
        return dict.fromkeys(scores, 1.0)
    return {key: (s - lo) / (hi - lo) for key, s in scores.items()}


def zscore_normalise(scores: Mapping[K, float]) -> dict[K, float]:
    """Standardise scores to mean 0, standard deviation 1 over the list (all equal → all 0.0).

    Unlike min-max, one runaway top score (a BM25 hit on a rare title word) does not
    squash every other score of its list towards 0.

    >>> zscore_normalise({"a": 1.0, "b": 3.0})
    {'a': -1.0, 'b': 1.0}
    """
    if not scores:
        return {}
    values = list(scores.values())
    mean = sum(values) / len(values)
    sd = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5
    if sd <= 1e-12:
        return dict.fromkeys(scores, 0.0)
    return {key: (s - mean) / sd for key, s in scores.items()}


def convex_fuse(
    lexical: Mapping[K, float],
    dense: Mapping[K, float],
    dense_weight: float = DENSE_WEIGHT,
    normalise: Literal["zscore", "minmax"] = "zscore",
    dense_of_rest: Mapping[K, float] | None = None,
) -> list[tuple[K, float]]:
    """Convex combination of normalised scores; a list missing a doc gives it that list's minimum.

    ``score(d) = (1 - w) · lex'(d) + w · dense'(d)`` (Bruch, Gai & Ingber, "An Analysis
    of Fusion Functions for Hybrid Retrieval", TOIS 2023, found this beats RRF when
    ``w`` is tuned). A doc one engine did not return scored at most that engine's last
    hit, so it gets the list's minimum (0 after min-max). Higher raw scores must mean
    better in both inputs.

    ``dense_of_rest`` holds the exact dense similarity of keyword hits that were not among
    the nearest neighbours (the service computes it from the stored vectors). They are
    scaled with the neighbour list's own statistics, so a keyword hit the dense side
    rates poorly no longer ties with the last neighbour, and one it rates well is not
    pushed down to it.

    >>> convex_fuse({"a": 10.0, "b": 5.0}, {"b": 0.9, "c": 0.5}, 0.5, "minmax")
    [('b', 0.5), ('a', 0.5), ('c', 0.0)]
    >>> [(k, round(s, 6)) for k, s in convex_fuse({"a": 10.0, "b": 5.0}, {"b": 0.9, "c": 0.5}, 0.5)]
    [('b', 0.0), ('a', 0.0), ('c', -1.0)]
    """
    if not 0.0 <= dense_weight <= 1.0:
        raise ValueError(f"dense_weight must be in [0, 1], got {dense_weight}")
    scale = zscore_normalise if normalise == "zscore" else minmax_normalise
    lex, den = scale(lexical), scale(dense)
    lex_floor, den_floor = min(lex.values(), default=0.0), min(den.values(), default=0.0)
    if dense_of_rest and dense:
        den = {**_rescale_like(dense, dense_of_rest, normalise), **den}
    keys = list(dict.fromkeys([*den, *lex]))
    fused = {
        key: (1 - dense_weight) * lex.get(key, lex_floor) + dense_weight * den.get(key, den_floor) for key in keys
    }
    return sorted(fused.items(), key=lambda kv: -kv[1])


def _rescale_like(
    reference: Mapping[K, float], extra: Mapping[K, float], normalise: Literal["zscore", "minmax"]
) -> dict[K, float]:
    """``extra`` scaled with the statistics of ``reference`` (its mean/sd, or its min/max)."""
    values = list(reference.values())
    if normalise == "zscore":
        mean = sum(values) / len(values)
        sd = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5
        return {k: (s - mean) / sd if sd > 1e-12 else 0.0 for k, s in extra.items()}
    lo, hi = min(values), max(values)
    return {k: (s - lo) / (hi - lo) if hi - lo > 1e-12 else 1.0 for k, s in extra.items()}


_QUESTION_START = re.compile(
    r"^(how|what|which|why|when|where|who|whom|whose|is|are|was|were|do|does|did|can|could|should|would|will|"
    r"has|have|had|may|might|must|shall)\b", re.IGNORECASE)


def is_question(text: str) -> bool:
    """Whether a query is phrased as a question (a question word first, or a question mark last).

    >>> is_question("do language models just tell users what they want to hear?")
    True
    >>> is_question("speculative decoding draft model")
    False
    """
    flat = normalize_query(text)
    return flat.endswith("?") or bool(_QUESTION_START.match(flat))


def dense_weight_for(text: str, keyword_weight: float = DENSE_WEIGHT,
                     question_weight: float = QUESTION_DENSE_WEIGHT) -> float:
    """The dense side's fusion weight for this query's form."""
    return question_weight if is_question(text) else keyword_weight


def admitted(
    fused: Sequence[tuple[K, float]],
    lexical: Sequence[tuple[K, float]],
    dense: Sequence[tuple[K, float]],
    floor: float = DENSE_FLOOR,
) -> list[tuple[K, float]]:
    """The fused hits that are matches: every keyword hit, and the neighbours that reach ``floor``.

    The floor decides which papers are results *after* fusion, so it changes no score: the
    fused scores are scaled with the whole neighbour list's statistics, and cutting the list
    first moved every paper's dense score (SciFact lost 0.007 nDCG@10 that way).

    >>> admitted([("a", 1.2), ("b", 0.5), ("c", 0.1)], [("c", 3.0)], [("a", 0.6), ("b", 0.2)], 0.345)
    [('a', 1.2), ('c', 0.1)]
    """
    words = {key for key, _ in lexical}
    similarity = dict(dense)
    return [(key, score) for key, score in fused if key in words or similarity.get(key, 0.0) >= floor]


def fuse(
    lexical: Sequence[tuple[K, float]],
    dense: Sequence[tuple[K, float]],
    method: str = "convex",
    dense_weight: float = DENSE_WEIGHT,
    dense_of_rest: Mapping[K, float] | None = None,
) -> list[tuple[K, float]]:
    """Fuse two ranked ``(key, score)`` lists, best first, by ``method``.

    An empty side means the other side alone decides (its own scores kept).
    ``dense_of_rest``: exact dense scores of keyword hits outside the dense list (convex only).
    """
    if not dense:
        return list(lexical)
    if not lexical:
        return list(dense)
    if method == "rrf":
        # Weights 2(1-w) and 2w keep plain RRF at w = 0.5.
        return rrf_fuse([[k for k, _ in lexical], [k for k, _ in dense]], weights=[2 * (1 - dense_weight), 2 * dense_weight])
    if method == "convex":
        return convex_fuse(dict(lexical), dict(dense), dense_weight, "zscore", dense_of_rest)
    if method == "convex-minmax":
        return convex_fuse(dict(lexical), dict(dense), dense_weight, "minmax", dense_of_rest)
    raise ValueError(f"unknown fusion method {method!r}; expected one of {FUSION_METHODS}")

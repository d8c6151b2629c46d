"""The recommender: ranks candidate papers for one profile, with a reason per paper.

One code path for every surface — /for-you, the private feed, the digest's For-you section,
the curators' "Suggested for today" and ``papertide eval recs``. A profile is what a reader
liked (with kinds, weights and ages), what they marked "not interested", and what they follow.
Candidates are seen through what a new paper has on its first day: title, abstract,
categories, arXiv id and (for follows) authors — never votes, comments or listings.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse

from papertide.domain import recs as R
from papertide.domain.rec_reasons import Reason, reasons_by_row, similar_reason, topic_reason
from papertide.domain.recs_signals import Follow
from papertide.recs import phrase_counts
from papertide.recs.artifacts import TextModels
from papertide.recs.phrases import profile_terms
from papertide.recs.pools import Pool
from papertide.recs.text import TextLinear, fit_linear
from papertide.storage import rec_candidates as store
from papertide.storage import rec_phrases as phrase_store
from papertide.storage.db import Database

POOL_CACHE = 8  # candidate pools kept per process (a day, a week, the digest's window…)
EXPLAIN_LIKES = 200  # the heaviest likes a model remembers (never recommended back)
NEAREST_LIKES = 100  # of which the phrase rows kept for "closest liked paper" (~25 KB per 30 likes)
# Measured on the development set (bench/RESULTS.md, "For you").
PERSONAL_BLEND = R.Blend(text=1.0, nearest=0.3, category=0.1)
# The community's day list: what it listed before (a text classifier) and freshness (id order).
COMMUNITY_BLEND = R.Blend(text=0.0, linear=1.0, category=0.0, recency=2.5)
COMMUNITY_HALF_LIFE_DAYS = 180.0  # the community's taste drifts faster than a reader's field


@dataclass(frozen=True)
class Profile:
    liked: tuple[R.Liked, ...] = ()
    negatives: tuple[int, ...] = ()
    follows: tuple[Follow, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.liked and not self.follows


@dataclass(frozen=True, slots=True)
class Recommendation:
    paper_id: int
    arxiv_id: str
    score: float
    reasons: tuple[Reason, ...]


class Recommender:
    def __init__(self, db: Database, models: TextModels, vectors: tuple[str, int] | None = None) -> None:
        self.db = db
        self.models = models
        # (model id, dimension) of the search index's stored embeddings: the dense view.
        self.vectors = vectors if vectors and vectors[1] > 0 else None
        self._pools: OrderedDict[tuple[str, tuple[int, ...]], Pool] = OrderedDict()
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ features

    def pool(self, candidate_ids: Sequence[int], with_authors: bool = True) -> Pool:
        version, text = self.models.text()
        phrase_version, phrases = self.models.phrases()
        key = (f"{version}:{phrase_version}", tuple(sorted(candidate_ids)))
        with self._lock:
            hit = self._pools.get(key)
            if hit is not None:
                self._pools.move_to_end(key)
                return hit
        with self.db.read() as conn:
            feats, texts = store.pool_features(conn, key[1])

        def read_authors() -> list[tuple[str, ...]]:
            if not with_authors:
                return [() for _ in feats.paper_ids]
            with self.db.read() as conn:
                return store.authors(conn, feats.paper_ids)

        def read_counts() -> sparse.csr_matrix:
            with self.db.read() as conn:
                rows = phrase_store.stored(conn, feats.paper_ids)
            return phrase_counts.stored_counts(feats.paper_ids, texts, rows)

        def read_dense() -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]] | None:
            if self.vectors is None:
                return None
            with self.db.read() as conn:
                return store.vectors(conn, self.vectors[0], feats.paper_ids, self.vectors[1])

        pool = Pool(feats, texts, R.recency_scores(feats.arxiv_ids), text, phrases, read_counts, read_authors, read_dense)
        with self._lock:
            self._pools[key] = pool
            while len(self._pools) > POOL_CACHE:
                self._pools.popitem(last=False)
        return pool

    # ------------------------------------------------------------------ models

    def train(self, profile: Profile) -> R.UserModel:
        """A reader's model from their profile: Rocchio centroid of phrases, category mix, liked ids."""
        version, phrases = self.models.phrases()
        liked = list(profile.liked)
        dense = np.zeros(0, np.float32)
        with self.db.read() as conn:
            feats = store.features(conn, [x.paper_id for x in liked], with_authors=False)
            liked_texts = store.texts(conn, feats.paper_ids)
            negative_texts = store.texts(conn, list(profile.negatives))
            if self.vectors is not None:
                vecs, has = store.vectors(conn, self.vectors[0], feats.paper_ids, self.vectors[1])
        by_id = {x.paper_id: x for x in liked}
        kept = [by_id[p] for p in feats.paper_ids]
        w = R.signal_weights(kept)
        if not kept:
            return R.UserModel(version, np.zeros(0, np.int32), np.zeros(0, np.float32))
        if self.vectors is not None and bool(has.any()):
            dense = R.dense_centroid(vecs[has], w[has])
        # A liked paper's phrases that no other paper holds yet stay in the profile: the
        # reader's next paper may be the first to share them.
        pos = phrases.transform(liked_texts, feats.paper_ids, keep_unique=True)
        neg = phrases.transform(negative_texts, list(profile.negatives), keep_unique=True) if negative_texts else None
        terms, values = profile_terms(pos, w, neg, R.NEGATIVE_PUSH, R.CENTROID_TERMS)
        order = np.argsort(-w, kind="stable")[:EXPLAIN_LIKES]
        rows = pos[order[:NEAREST_LIKES]]
        return R.UserModel(version, terms, values, tuple(feats.paper_ids[i] for i in order),
                           R.category_mix(feats.categories, list(w)), dense, rows.indptr.astype(np.int32),
                           rows.indices.astype(np.int32), rows.data.astype(np.float16))

    def train_linear(self, profile: Profile, background_ids: Sequence[int],
                     half_life_days: float = R.HALF_LIFE_DAYS) -> TextLinear | None:
        """A text classifier for the profile: likes against background and "not interested" papers."""
        if not profile.liked:
            return None
        _, text = self.models.text()
        liked_ids = [x.paper_id for x in profile.liked]
        skip = set(liked_ids)
        negatives = [p for p in background_ids if p not in skip] + list(profile.negatives)
        with self.db.read() as conn:
            liked_texts = store.texts(conn, liked_ids)
            negative_texts = store.texts(conn, negatives)
        return fit_linear(text.transform(liked_texts), R.signal_weights(profile.liked, half_life_days),
                          text.transform(negative_texts))

    # ------------------------------------------------------------------ ranking

    def rank(self, model: R.UserModel | None, pool: Pool, blend: R.Blend, *, follows: Sequence[Follow] = (),
             negatives: Sequence[int] = (), limit: int = 50, linear: TextLinear | None = None,
             explain: bool = True) -> list[Recommendation]:
        """The best ``limit`` candidates of ``pool``, best first, each with its reasons."""
        n = len(pool)
        if n == 0:
            return []
        score = np.zeros(n)
        if model is not None and len(model.terms) and blend.text:
            score += blend.text * R.zscore(pool.phrases.scores(model.terms, model.values))
        near = None
        if model is not None and len(model.liked_terms) and (blend.nearest or explain):
            liked = sparse.csr_matrix((model.liked_values.astype(np.float64), model.liked_terms, model.liked_indptr),
                                      shape=(len(model.liked_indptr) - 1, int(model.liked_terms.max()) + 1))
            near = pool.phrases.nearest(liked)
            if blend.nearest:
                score += blend.nearest * R.zscore(near[0])
        if model is not None and blend.dense and model.dense.size and pool.dense is not None:
            score += blend.dense * R.dense_scores(*pool.dense, model.dense)
        if model is not None and model.categories and blend.category:
            score += blend.category * R.category_scores(model.categories, pool.features.categories)
        if linear is not None and blend.linear:
            score += blend.linear * R.zscore(linear.decision(pool.tfidf))
        if blend.recency:
            score += blend.recency * R.zscore(pool.recency)
        hits = reasons_by_row(follows, pool.follow_rows) if follows else {}
        for i, found in hits.items():
            score[i] += blend.follow * sum(R.FOLLOW_WEIGHT.get(r.kind if r.kind != "keyword" else "query", 1.0)
                                           for r in found)
        skip_ids = set(negatives) | set(model.liked_ids if model else ())
        top = R.top_indices(score, limit, [pid in skip_ids for pid in pool.features.paper_ids])
        nearest = self._nearest_liked(model, top, near) if explain and model and near else {}
        out: list[Recommendation] = []
        for i in top:
            reasons = list(hits.get(i, []))
            if i in nearest:
                reasons.append(nearest[i])
            if not reasons and model is not None:
                t = topic_reason(pool.features.categories[i], dict(model.categories))
                if t:
                    reasons.append(t)
            out.append(Recommendation(pool.features.paper_ids[i], pool.features.arxiv_ids[i], float(score[i]), tuple(reasons)))
        return out

    def _nearest_liked(self, model: R.UserModel, top: Sequence[int],
                       near: tuple[npt.NDArray[np.float64], npt.NDArray[np.intp]]) -> dict[int, Reason]:
        """For the shown candidates: the liked paper each is closest to, when close enough."""
        closest = {i: model.liked_ids[int(near[1][i])] for i in top}
        with self.db.read() as conn:
            feats = store.features(conn, sorted(set(closest.values())), with_authors=False)
        liked = {pid: (aid, title) for pid, aid, title in zip(feats.paper_ids, feats.arxiv_ids, feats.titles, strict=True)}
        out: dict[int, Reason] = {}
        for i, pid in closest.items():
            if pid in liked and (r := similar_reason(float(near[0][i]), *liked[pid])):
                out[i] = r
        return out

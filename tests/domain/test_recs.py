"""The recommendation model's pure parts: weights, Rocchio, categories, freshness, ranking order."""

from __future__ import annotations

import numpy as np
import pytest

from papertide.domain import recs as R


def test_signal_weights_decay_by_age_and_weigh_own_papers_most():
    w = R.signal_weights([R.Liked(1, "upvote", 0), R.Liked(2, "upvote", R.HALF_LIFE_DAYS), R.Liked(3, "mine", 0),
                          R.Liked(4, "like", 0, weight=2.5), R.Liked(5, "upvote", -10)])
    assert w[1] == pytest.approx(w[0] / 2)
    assert w[2] > w[0]
    assert w[3] == pytest.approx(2.5)
    assert w[4] == pytest.approx(w[0])  # a like dated in the future is not weighed up


def test_user_model_round_trips_through_bytes():
    model = R.UserModel("v1", np.array([2, 7], dtype=np.int32), np.array([0.5, 0.25], dtype=np.float32), (10, 11),
                        {"cs.CL": 0.75, "cs.LG": 0.25}, liked_indptr=np.array([0, 2, 3], dtype=np.int32),
                        liked_terms=np.array([2, 9, 7], dtype=np.int32), liked_values=np.array([0.6, 0.8, 1.0], np.float16))
    back = R.UserModel.from_bytes(model.to_bytes())
    assert back.text_version == "v1" and back.liked_ids == (10, 11) and back.categories == {"cs.CL": 0.75, "cs.LG": 0.25}
    assert back.terms.tolist() == [2, 7] and back.values.tolist() == pytest.approx([0.5, 0.25])
    assert back.liked_indptr.tolist() == [0, 2, 3] and back.liked_terms.tolist() == [2, 9, 7]
    assert back.liked_values.tolist() == pytest.approx([0.6, 0.8, 1.0], abs=1e-3)
    bare = R.UserModel.from_bytes(R.UserModel("v1", model.terms, model.values).to_bytes())
    assert bare.liked_indptr.tolist() == [0] and bare.liked_terms.size == 0


def test_category_mix_counts_the_primary_category_double():
    mix = R.category_mix([("cs.CL", "cs.LG"), ("cs.CL",)], [1.0, 1.0])
    assert mix == pytest.approx({"cs.CL": 2 / 2.5, "cs.LG": 0.5 / 2.5})
    assert R.category_mix([], []) == {}
    scores = R.category_scores(mix, [("cs.CL",), ("cs.LG",), ("astro-ph.GA",), ()])
    assert scores[0] > scores[1] > scores[2] == scores[3]


def test_recency_orders_by_arxiv_id_across_months_and_old_style_ids():
    ids = ["2603.00002", "2602.99999", "hep-th/9901001", "2603.00010", "2603.0001"]
    r = R.recency_scores(ids)
    order = sorted(range(len(ids)), key=lambda i: r[i])
    assert [ids[i] for i in order] == ["hep-th/9901001", "2602.99999", "2603.0001", "2603.00002", "2603.00010"]
    assert r.min() == 0 and r.max() == 1
    assert R.recency_scores(["2603.00001"]).tolist() == [1.0]


def test_zscore_of_a_constant_is_zero_and_top_indices_skip_flagged():
    assert R.zscore(np.array([3.0, 3.0])).tolist() == [0.0, 0.0]
    z = R.zscore(np.array([1.0, 2.0, 3.0]))
    assert z.mean() == pytest.approx(0) and z.std() == pytest.approx(1)
    score = np.array([0.1, 0.9, 0.9, 0.5])
    assert R.top_indices(score, 2, [False, False, False, False]) == [1, 2]  # ties keep their order
    assert R.top_indices(score, 2, [False, True, False, False]) == [2, 3]

from datetime import UTC, date, datetime, timedelta

import pytest

from papertide.domain.trending import (
    ScoredPaper,
    TrendingCandidate,
    age_hours,
    rank_candidates,
    rank_trending,
    trending_score,
    window_days_range,
)

NOW = datetime(2026, 6, 5, 12, 0, tzinfo=UTC)


def test_score_matches_hand_computed_values():
    # 10 / (22 + 2) ** 1.5 = 10 / 117.575... ; 10 / (0 + 2) ** 1 = 5 ; gravity 0 gives raw votes.
    assert trending_score(10, 22.0, 1.5) == pytest.approx(0.0850517, rel=1e-6)
    assert trending_score(10, 0.0, 1.0) == 5.0
    assert trending_score(7, 1000.0, 0.0) == 7.0


def test_score_is_monotone_in_votes():
    scores = [trending_score(v, 30.0) for v in range(0, 50)]
    assert scores == sorted(scores)
    assert len(set(scores)) == len(scores)


def test_score_decays_with_age():
    scores = [trending_score(20, h) for h in range(0, 24 * 7, 6)]
    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) == len(scores)


def test_score_rejects_negative_inputs():
    with pytest.raises(ValueError):
        trending_score(-1, 1.0)
    with pytest.raises(ValueError):
        trending_score(1, 1.0, -0.5)


def test_age_counts_from_midnight_utc_of_the_listing_day():
    assert age_hours(date(2026, 6, 5), NOW) == 12.0
    assert age_hours(date(2026, 6, 4), NOW) == 36.0
    assert age_hours(date(2026, 6, 6), NOW) == 0.0  # never negative
    assert age_hours(date(2026, 6, 5), NOW.replace(tzinfo=None)) == 12.0


def test_window_covers_exactly_window_days():
    assert window_days_range(NOW, 7) == (date(2026, 5, 30), date(2026, 6, 5))
    midnight = datetime(2026, 6, 5, tzinfo=UTC)
    assert window_days_range(midnight, 7) == (date(2026, 5, 29), date(2026, 6, 4))
    assert window_days_range(midnight, 1) == (date(2026, 6, 4), date(2026, 6, 4))
    with pytest.raises(ValueError):
        window_days_range(NOW, 0)


def test_rank_orders_by_score_and_drops_out_of_window():
    cands = [
        TrendingCandidate("old-but-popular", 500, date(2026, 5, 20)),  # outside the window
        TrendingCandidate("fresh", 10, date(2026, 6, 5)),  # 10 / 14**1.5 = 0.1909
        TrendingCandidate("yesterday", 30, date(2026, 6, 4)),  # 30 / 38**1.5 = 0.1281
        TrendingCandidate("future", 99, date(2026, 6, 6)),  # not yet listed at NOW
        TrendingCandidate("week-old", 100, date(2026, 5, 30)),  # 100 / 158**1.5 = 0.0504
    ]
    ranked = rank_trending(cands, NOW, gravity=1.5, window_days=7)
    assert [s.arxiv_id for s in ranked] == ["fresh", "yesterday", "week-old"]
    assert ranked[0] == ScoredPaper("fresh", pytest.approx(10 / 14**1.5))


def test_gravity_zero_ranks_by_raw_votes():
    cands = [TrendingCandidate("a", 5, date(2026, 6, 5)), TrendingCandidate("b", 50, date(2026, 5, 31))]
    assert [s.arxiv_id for s in rank_trending(cands, NOW, gravity=0.0)] == ["b", "a"]
    assert [s.arxiv_id for s in rank_trending(cands, NOW, gravity=1.5)] == ["a", "b"]


def test_ties_break_deterministically():
    day = date(2026, 6, 5)
    cands = [
        TrendingCandidate("2405.00003", 0, day),
        TrendingCandidate("2405.00001", 0, day),
        TrendingCandidate("2405.00002", 0, date(2026, 6, 4)),
    ]
    # All score 0: the newer listing first, then the arXiv id.
    expected = ["2405.00001", "2405.00003", "2405.00002"]
    assert [s.arxiv_id for s in rank_trending(cands, NOW)] == expected
    assert [s.arxiv_id for s in rank_trending(list(reversed(cands)), NOW)] == expected


def test_equal_scores_prefer_more_votes():
    # Same score from different (votes, age) pairs: with gravity 1, 2/(0+2) == 4/(2+2).
    now = datetime(2026, 6, 5, 2, 0, tzinfo=UTC) + timedelta(hours=0)
    cands = [TrendingCandidate("few", 2, date(2026, 6, 5)), TrendingCandidate("many", 4, date(2026, 6, 5))]
    ranked = rank_trending(cands, now, gravity=1.0)
    assert [s.arxiv_id for s in ranked] == ["many", "few"]


def test_ranking_without_a_window_keeps_every_candidate():
    # A whole period is scored as of its end: a paper a month old still competes, decayed.
    cands = [TrendingCandidate("old", 500, date(2026, 5, 5)), TrendingCandidate("fresh", 10, date(2026, 6, 5))]
    ranked = rank_candidates(cands, NOW, gravity=1.5)
    # 500 / (756 + 2)^1.5 = 0.0240 < 10 / (12 + 2)^1.5 = 0.1909
    assert ranked == [ScoredPaper("fresh", pytest.approx(10 / 14**1.5)), ScoredPaper("old", pytest.approx(500 / 758**1.5))]

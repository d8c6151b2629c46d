"""Upvote history: the imported count first, then the votes cast here, day by day, ending at the total."""

from datetime import date, datetime

from papertide.domain.votes import UpvoteHistory, upvote_history

D1, D2, D3, D9 = date(2026, 6, 1), date(2026, 6, 2), date(2026, 6, 3), date(2026, 6, 9)


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour)


def test_baseline_then_one_point_per_voting_day_then_today():
    h = upvote_history(30, D1, [at(D2, 9), at(D3), at(D2, 18)], D9)
    assert h == UpvoteHistory(((D1, 30), (D2, 32), (D3, 33), (D9, 33)), 30)
    assert (h.total, h.cast_here) == (33, 3)
    assert h.summary() == "30 upvotes on 2026-06-01, 33 by 2026-06-09: 3 cast here."


def test_no_votes_here_is_a_flat_history_from_the_baseline():
    h = upvote_history(5, D1, [], D9)
    assert h.points == ((D1, 5), (D9, 5))
    assert h.summary() == "5 upvotes on 2026-06-01; no votes cast here since."


def test_a_vote_before_the_listing_day_moves_the_start_back():
    h = upvote_history(0, D3, [at(D1)], D3)
    assert h.points == ((D1, 0), (D1, 1), (D3, 1))
    assert h.summary() == "0 upvotes on 2026-06-01, 1 by 2026-06-03: 1 cast here."


def test_a_paper_with_no_known_day_starts_at_its_first_vote_or_today():
    assert upvote_history(2, None, [at(D2)], D9).points == ((D2, 2), (D2, 3), (D9, 3))
    assert upvote_history(1, None, [], D9).points == ((D9, 1),)
    assert upvote_history(1, None, [], D9).summary() == "1 upvote on 2026-06-09; no votes cast here since."


def test_votes_on_the_last_day_end_the_history_without_a_repeat():
    assert upvote_history(0, D1, [at(D9)], D9).points == ((D1, 0), (D9, 1))


def test_an_empty_history_still_summarises_the_baseline():
    assert UpvoteHistory((), 4).summary() == "4 upvotes." and UpvoteHistory((), 4).total == 4
    assert UpvoteHistory((), 1).summary() == "1 upvote."  # was "1 upvotes."

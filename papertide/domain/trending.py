"""Trending score: upvotes decayed by age, Hacker-News style.

    score = upvotes / (age_hours + OFFSET_HOURS) ** gravity

``age_hours`` runs from the start (00:00 UTC) of the day a paper was first listed to
the reference time. A gravity of 0 ranks by raw upvotes; larger gravity favours
recent papers. Only papers listed within ``window_days`` of the reference time
compete. Pure: callers pass the reference time in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

# Hours added to every age so a paper listed this very hour does not divide by ~0.
OFFSET_HOURS = 2.0
DEFAULT_GRAVITY = 1.5  # exponent on age; HN uses 1.8
DEFAULT_WINDOW_DAYS = 7  # days of listings that compete

FORMULA = "score = upvotes / (age_hours + 2) ^ gravity"


@dataclass(frozen=True, slots=True)
class TrendingCandidate:
    arxiv_id: str
    upvotes: int
    listed_on: date


@dataclass(frozen=True, slots=True)
class ScoredPaper:
    """A ranker's output: a paper id and its score, best first in lists."""

    arxiv_id: str
    score: float


def age_hours(listed_on: date, now: datetime) -> float:
    """Hours from 00:00 UTC of ``listed_on`` to ``now`` (never negative)."""
    start = datetime(listed_on.year, listed_on.month, listed_on.day, tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return max(0.0, (now - start).total_seconds() / 3600.0)


def trending_score(upvotes: int, hours: float, gravity: float = DEFAULT_GRAVITY) -> float:
    """The score of one paper.

    >>> round(trending_score(10, 22.0, 1.5), 4)
    0.0851
    """
    if upvotes < 0:
        raise ValueError("upvotes cannot be negative")
    if gravity < 0:
        raise ValueError("gravity cannot be negative")
    # float ** float is Any to mypy (a negative base gives a complex); this base is positive.
    decay: float = (max(0.0, hours) + OFFSET_HOURS) ** gravity
    return upvotes / decay


def data_now(now: datetime, latest_listing: date | None) -> datetime:
    """The data's "now": ``now``, or the end of the newest listing day when that is earlier.

    A self-hosted instance may hold an archive that stopped being fed (the demo corpus ends in
    2026-06); trending, digests and retention then measure from its last listing day.

    >>> data_now(datetime(2026, 12, 1, 9, tzinfo=UTC), date(2026, 6, 30))
    datetime.datetime(2026, 7, 1, 0, 0, tzinfo=datetime.timezone.utc)
    """
    if latest_listing is None:
        return now
    return min(now, datetime.combine(latest_listing + timedelta(days=1), time(), tzinfo=UTC))


def window_days_range(now: datetime, window_days: int) -> tuple[date, date]:
    """The ``window_days`` calendar days of listings that compete at ``now``.

    The last day is the one ``now`` falls in, or the day before when ``now`` is exactly
    midnight (that day has not started yet).

    >>> window_days_range(datetime(2026, 6, 5, tzinfo=UTC), 7)
    (datetime.date(2026, 5, 29), datetime.date(2026, 6, 4))
    """
    if window_days < 1:
        raise ValueError("the trending window must be at least one day")
    last = (now - timedelta(microseconds=1)).date()
    return last - timedelta(days=window_days - 1), last


def rank_candidates(
    candidates: Iterable[TrendingCandidate], now: datetime, gravity: float = DEFAULT_GRAVITY
) -> list[ScoredPaper]:
    """Rank every candidate by trending score at ``now``, best first.

    Ties break by more upvotes, then the more recent listing, then arXiv id, so the
    order is total and deterministic. This is the one ranking by the trending formula:
    the trending page, the API's trending endpoint and a period list sorted by
    trending all call it.

    >>> day = date(2026, 6, 1)
    >>> [s.arxiv_id for s in rank_candidates(
    ...     [TrendingCandidate("a", 3, day), TrendingCandidate("b", 3, day + timedelta(days=1))],
    ...     datetime(2026, 6, 3, tzinfo=UTC))]
    ['b', 'a']
    """
    scored = []
    for c in candidates:
        score = trending_score(c.upvotes, age_hours(c.listed_on, now), gravity)
        scored.append((-score, -c.upvotes, -c.listed_on.toordinal(), c.arxiv_id, score))
    scored.sort()
    return [ScoredPaper(arxiv_id, score) for *_, arxiv_id, score in scored]


def rank_trending(
    candidates: Iterable[TrendingCandidate],
    now: datetime,
    gravity: float = DEFAULT_GRAVITY,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> list[ScoredPaper]:
    """Rank the candidates listed within the window at ``now``, best first (see :func:`rank_candidates`).

    Papers listed before the window or after ``now`` are dropped.
    """
    first, last = window_days_range(now, window_days)
    return rank_candidates((c for c in candidates if first <= c.listed_on <= last), now, gravity)

"""Instance statistics as plain data: papers per category per week. Pure: no I/O.

Storage counts papers per (primary category, publication day) over a span; we fold the
days into ISO weeks (Monday first) here, where the calendar rule is testable, and keep
the busiest categories so the chart stays readable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

STATS_WEEKS = 12  # weeks shown on /stats
STATS_CATEGORIES = 8  # busiest primary categories shown on /stats


@dataclass(frozen=True, slots=True)
class CategoryWeeks:
    """Papers per week for the busiest categories: ``counts[i][j]`` is category i in week j."""

    weeks: tuple[date, ...]  # the Monday of each week, oldest first
    categories: tuple[str, ...]  # busiest first
    counts: tuple[tuple[int, ...], ...]

    def total(self, i: int) -> int:
        return sum(self.counts[i])

    @property
    def peak(self) -> int:
        return max((max(row, default=0) for row in self.counts), default=0)

    @property
    def first_day(self) -> date | None:
        return self.weeks[0] if self.weeks else None

    @property
    def last_day(self) -> date | None:
        return self.weeks[-1] + timedelta(days=6) if self.weeks else None


def monday_of(day: date) -> date:
    """The Monday of ``day``'s ISO week.

    >>> monday_of(date(2026, 6, 7))
    datetime.date(2026, 6, 1)
    """
    return day - timedelta(days=day.weekday())


def weeks_up_to(last_day: date, n: int = STATS_WEEKS) -> tuple[date, ...]:
    """The Mondays of the ``n`` ISO weeks ending with the one holding ``last_day``, oldest first.

    >>> weeks_up_to(date(2026, 6, 3), 2)
    (datetime.date(2026, 5, 25), datetime.date(2026, 6, 1))
    """
    if n < 1:
        raise ValueError("at least one week")
    last = monday_of(last_day)
    return tuple(last - timedelta(weeks=k) for k in range(n - 1, -1, -1))


def category_weeks(
    day_counts: Iterable[tuple[str, date, int]], weeks: tuple[date, ...], top: int = STATS_CATEGORIES
) -> CategoryWeeks:
    """Fold (category, day, papers) rows into weekly counts of the ``top`` busiest categories.

    Days outside ``weeks`` are ignored. Categories rank by papers in the span, then by name.

    >>> cw = category_weeks([("cs.LG", date(2026, 6, 2), 3), ("cs.CV", date(2026, 6, 1), 1),
    ...                      ("cs.LG", date(2026, 5, 26), 2)], weeks_up_to(date(2026, 6, 3), 2), top=1)
    >>> cw.categories, cw.counts
    (('cs.LG',), ((2, 3),))
    """
    index = {monday: j for j, monday in enumerate(weeks)}
    per_cat: dict[str, list[int]] = {}
    for cat, day, n in day_counts:
        j = index.get(monday_of(day))
        if j is None:
            continue
        per_cat.setdefault(cat, [0] * len(weeks))[j] += n
    ranked = sorted(per_cat.items(), key=lambda kv: (-sum(kv[1]), kv[0]))[:top]
    return CategoryWeeks(weeks, tuple(c for c, _ in ranked), tuple(tuple(v) for _, v in ranked))

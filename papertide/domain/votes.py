"""Vote rules: one upvote per user per paper, toggled on and off.

A form may send the state it wants ("on"/"off") or nothing, which toggles. Sending the
wanted state makes a double-click or a retried request harmless: the second one is a no-op.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from papertide.domain.wording import quantity


@dataclass(frozen=True, slots=True)
class VoteResult:
    """The state after a vote request: whether the user upvotes the paper and its total."""

    voted: bool
    upvotes: int
    changed: bool


def parse_wanted(raw: str | None) -> bool | None:
    """``"on"`` → True, ``"off"`` → False, empty → None (toggle); anything else is an error.

    >>> parse_wanted("on"), parse_wanted(""), parse_wanted("off")
    (True, None, False)
    """
    value = (raw or "").strip().lower()
    if value in ("", "toggle"):
        return None
    if value in ("on", "1", "true", "up"):
        return True
    if value in ("off", "0", "false", "down"):
        return False
    raise ValueError(f"vote state must be on or off, not {raw!r}")


def next_state(current: bool, wanted: bool | None) -> bool:
    """The vote state after a request: the wanted state, or the opposite of the current one."""
    return (not current) if wanted is None else wanted


def count_delta(current: bool, new: bool) -> int:
    """How the paper's total moves: +1, -1 or 0."""
    return int(new) - int(current)


@dataclass(frozen=True, slots=True)
class UpvoteHistory:
    """A paper's upvote count over time: the imported baseline first, then each day votes were cast here.

    ``points`` are (day, count at the end of that day), days ascending; the last point is
    the current total (``baseline`` + votes here).
    """

    points: tuple[tuple[date, int], ...]
    baseline: int

    @property
    def total(self) -> int:
        return self.points[-1][1] if self.points else self.baseline

    @property
    def cast_here(self) -> int:
        return self.total - self.baseline

    def summary(self) -> str:
        """One sentence with the numbers the sparkline shows (its text alternative)."""
        if not self.points:
            return f"{quantity(self.baseline, 'upvote')}."
        first, last = self.points[0], self.points[-1]
        since = f"{quantity(first[1], 'upvote')} on {first[0].isoformat()}"
        if self.cast_here == 0:
            return f"{since}; no votes cast here since."
        return f"{since}, {last[1]} by {last[0].isoformat()}: {self.cast_here} cast here."


def upvote_history(baseline: int, start: date | None, vote_times: Iterable[datetime], end: date) -> UpvoteHistory:
    """Cumulative upvotes per day from the baseline on ``start`` to the total on ``end``.

    Withdrawn votes leave no row, so the history holds the votes that stand today; it
    always ends at the current total. A vote older than ``start`` (a paper listed after
    people voted on it) moves the start back, so no vote falls before the first point.

    >>> h = upvote_history(5, date(2026, 6, 1), [datetime(2026, 6, 2, 9), datetime(2026, 6, 2, 17)],
    ...                    date(2026, 6, 4))
    >>> h.points
    ((datetime.date(2026, 6, 1), 5), (datetime.date(2026, 6, 2), 7), (datetime.date(2026, 6, 4), 7))
    """
    per_day = Counter(t.date() for t in vote_times)
    days = sorted(per_day)
    first = min([d for d in (start, days[0] if days else None) if d is not None], default=end)
    points = [(first, baseline)]
    count = baseline
    for d in days:
        count += per_day[d]
        points.append((d, count))
    last_day = max(end, points[-1][0])
    if points[-1][0] != last_day:
        points.append((last_day, count))
    return UpvoteHistory(tuple(points), baseline)

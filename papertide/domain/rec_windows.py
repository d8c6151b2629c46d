"""The publication windows /for-you ranks over: today, this week, this month, or custom dates.

Pure. A window is a closed range of ``published`` dates. Custom windows are capped, because a
window's candidates are featurised on first view (tf-idf over every paper in it): a year of a
busy instance would take the request tens of seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from papertide.domain.accounts import InvalidInput

# Days each named window spans, ending today.
WINDOW_DAYS = {"today": 1, "week": 7, "month": 30}
WINDOW_LABELS = {"today": "Latest day", "week": "This week", "month": "This month", "custom": "Custom"}
DEFAULT_WINDOW = "week"
MAX_CUSTOM_DAYS = 62  # about two months of new papers


@dataclass(frozen=True, slots=True)
class Window:
    kind: str  # 'today' | 'week' | 'month' | 'custom'
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def query(self) -> str:
        """The query string that selects this window on /for-you."""
        if self.kind == "custom":
            return f"window=custom&from={self.first.isoformat()}&to={self.last.isoformat()}"
        return f"window={self.kind}"

    @property
    def description(self) -> str:
        if self.first == self.last:
            return f"published on {self.first.isoformat()}"
        return f"published {self.first.isoformat()} – {self.last.isoformat()}"


def named_window(kind: str, today: date, latest: date | None = None) -> Window:
    """``today`` / ``week`` / ``month``: the last 1, 7 or 30 days up to ``today``.

    ``today`` is the newest day papers were published on, ``latest``, when that is before today:
    arXiv announces a day's submissions the next day, so "published today" is empty on an
    arXiv-fed instance until tomorrow, and an archive's newest papers are older still.

    >>> named_window("week", date(2026, 6, 4))
    Window(kind='week', first=datetime.date(2026, 5, 29), last=datetime.date(2026, 6, 4))
    >>> named_window("today", date(2026, 6, 4), latest=date(2026, 6, 3)).description
    'published on 2026-06-03'
    """
    if kind == "today" and latest is not None and latest < today:
        return Window(kind, latest, latest)
    return Window(kind, today - timedelta(days=WINDOW_DAYS[kind] - 1), today)


def _day(raw: str, name: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput(f"{name}: {raw[:20]!r} is not a date; use YYYY-MM-DD.", field=name.lower()) from None


def parse_window(kind: str, start: str, end: str, today: date, latest: date | None = None) -> Window:
    """The window a /for-you request asks for; raises :class:`InvalidInput` with a message to show.

    Dates without a window name mean custom dates (an address typed or shared by hand); a named
    window with dates keeps its name, as the page's own links send it.

    >>> parse_window("", "2026-05-20", "2026-06-04", date(2026, 12, 1)).description
    'published 2026-05-20 – 2026-06-04'
    """
    # Read in any case and spacing: an address typed or shared by hand says "Week" as often as "week".
    kind = kind.strip().lower() or ("custom" if start.strip() or end.strip() else DEFAULT_WINDOW)
    if kind in WINDOW_DAYS:
        return named_window(kind, today, latest)
    if kind != "custom":
        raise InvalidInput(f"Unknown window {kind[:20]!r}: choose today, week, month or custom.")
    first = _day(start, "From") if start.strip() else today - timedelta(days=WINDOW_DAYS[DEFAULT_WINDOW] - 1)
    last = _day(end, "To") if end.strip() else today
    if first > last:
        raise InvalidInput("The “from” date is after the “to” date.", field="from")
    if (last - first).days + 1 > MAX_CUSTOM_DAYS:
        raise InvalidInput(f"Choose at most {MAX_CUSTOM_DAYS} days at a time.", field="from")
    return Window("custom", first, last)


def wider_window(window: Window, today: date) -> Window | None:
    """The next wider named window (today → week → month), or None when there is none.

    >>> wider_window(named_window("today", date(2026, 6, 4)), date(2026, 6, 4)).kind
    'week'
    """
    order = list(WINDOW_DAYS)
    for kind in order[order.index(window.kind) + 1:] if window.kind in order else []:
        if WINDOW_DAYS[kind] > window.days:
            return named_window(kind, today)
    return None


def window_ending(last: date, days: int = WINDOW_DAYS[DEFAULT_WINDOW]) -> Window:
    """A custom window of ``days`` ending on ``last`` (the newest papers an archive holds)."""
    return Window("custom", last - timedelta(days=days - 1), last)

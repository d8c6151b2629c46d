"""Calendar periods for the daily/weekly/monthly lists: parsing and date ranges."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

PeriodKind = Literal["day", "week", "month"]

# The last year an address may name. Code steps one day past a period's end (a past list is
# scored as of the instant its last day ends), and Python's calendar stops at 9999-12-31, so a
# period in year 9999 would fail there; nobody lists papers that far out anyway.
LAST_YEAR = 9998

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class InvalidPeriod(ValueError):
    """Raised for a malformed or impossible date, ISO week or month."""


@dataclass(frozen=True, slots=True)
class Period:
    """An inclusive range of days with a label (``2026-06-01``, ``2026-W22``, ``2026-06``)."""

    kind: PeriodKind
    first: date
    last: date

    @property
    def label(self) -> str:
        if self.kind == "day":
            return self.first.isoformat()
        if self.kind == "week":
            year, week, _ = self.first.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.first.year}-{self.first.month:02d}"

    def previous(self) -> Period:
        return self._shift(-1)

    def next(self) -> Period:
        return self._shift(1)

    def _shift(self, step: int) -> Period:
        if self.kind == "day":
            return day_period(self.first + timedelta(days=step))
        if self.kind == "week":
            return week_period_of(self.first + timedelta(weeks=step))
        year, month = divmod(self.first.year * 12 + self.first.month - 1 + step, 12)
        return month_period(year, month + 1)

    def contains(self, day: date) -> bool:
        return self.first <= day <= self.last


def day_period(day: date) -> Period:
    return Period("day", day, day)


def week_period_of(day: date) -> Period:
    """The ISO week (Monday to Sunday) containing ``day``."""
    monday = day - timedelta(days=day.weekday())
    return Period("week", monday, monday + timedelta(days=6))


def month_period(year: int, month: int) -> Period:
    first = date(year, month, 1)
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return Period("month", first, nxt - timedelta(days=1))


def _check_year(year: int, text: str) -> None:
    if not 1 <= year <= LAST_YEAR:
        raise InvalidPeriod(f"{text[:40]!r} is outside the years papertide lists (0001 to {LAST_YEAR})")


def parse_day(text: str) -> Period:
    """``YYYY-MM-DD`` → a one-day period."""
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidPeriod(f"not a date (expected YYYY-MM-DD): {text[:40]!r}") from None
    _check_year(day.year, text)
    return day_period(day)


def parse_week(text: str) -> Period:
    """``YYYY-Www`` (ISO week) → Monday..Sunday."""
    m = _WEEK.match(text)
    if m is None:
        raise InvalidPeriod(f"not an ISO week (expected YYYY-Www, e.g. 2026-W22): {text[:40]!r}")
    _check_year(int(m.group(1)), text)
    try:
        monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise InvalidPeriod(f"no such ISO week: {text!r}") from None
    return week_period_of(monday)


def parse_month(text: str) -> Period:
    """``YYYY-MM`` → the whole month."""
    m = _MONTH.match(text)
    if m is None or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1:
        raise InvalidPeriod(f"not a month (expected YYYY-MM): {text[:40]!r}")
    _check_year(int(m.group(1)), text)
    return month_period(int(m.group(1)), int(m.group(2)))

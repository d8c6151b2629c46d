"""The /for-you windows: named ones end today, custom ones are checked and capped."""

from __future__ import annotations

from datetime import date

import pytest

from papertide.domain.accounts import InvalidInput
from papertide.domain.rec_windows import MAX_CUSTOM_DAYS, Window, parse_window, wider_window, window_ending

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(("kind", "first"), [("today", date(2026, 12, 1)), ("week", date(2026, 11, 25)),
                                             ("month", date(2026, 11, 2)), ("", date(2026, 11, 25))])
def test_named_windows_end_today(kind: str, first: date) -> None:
    w = parse_window(kind, "", "", TODAY)
    assert (w.first, w.last) == (first, TODAY)
    assert w.kind == (kind or "week")


def test_a_named_window_keeps_its_name_when_dates_come_with_it() -> None:
    assert parse_window("month", "2026-05-20", "2026-06-04", TODAY) == parse_window("month", "", "", TODAY)


def test_dates_without_a_window_name_are_a_custom_window() -> None:
    w = parse_window("", "2026-05-20", "2026-06-04", TODAY)
    assert w == Window("custom", date(2026, 5, 20), date(2026, 6, 4))
    assert w.query == "window=custom&from=2026-05-20&to=2026-06-04"
    assert parse_window("", "2026-11-28", "", TODAY) == Window("custom", date(2026, 11, 28), TODAY)
    assert parse_window("", "", "2026-11-30", TODAY) == Window("custom", date(2026, 11, 25), date(2026, 11, 30))


@pytest.mark.parametrize(("kind", "start", "end", "message"), [
    ("fortnight", "", "", "Unknown window 'fortnight'"),
    ("custom", "yesterday", "", "From: 'yesterday' is not a date"),
    ("", "2026-11-01", "soon", "To: 'soon' is not a date"),
    ("", "2026-11-30", "2026-11-01", "is after the"),
    ("custom", "2026-01-01", "2026-06-01", f"at most {MAX_CUSTOM_DAYS} days"),
])
def test_bad_windows_say_what_is_wrong(kind: str, start: str, end: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_window(kind, start, end, TODAY)


def test_the_longest_custom_window_is_allowed() -> None:
    w = parse_window("custom", "2026-10-01", "2026-12-01", TODAY)
    assert w.days == MAX_CUSTOM_DAYS


def test_wider_window_steps_up_until_month() -> None:
    today = parse_window("today", "", "", TODAY)
    week = wider_window(today, TODAY)
    assert week is not None and week.kind == "week"
    month = wider_window(week, TODAY)
    assert month is not None and month.kind == "month"
    assert wider_window(month, TODAY) is None
    assert wider_window(Window("custom", date(2026, 11, 30), TODAY), TODAY) is None  # only named windows widen


def test_window_ending_is_a_week_up_to_the_newest_day() -> None:
    w = window_ending(date(2026, 6, 4))
    assert (w.kind, w.first, w.last, w.description) == ("custom", date(2026, 5, 29), date(2026, 6, 4),
                                                         "published 2026-05-29 – 2026-06-04")
    assert window_ending(date(2026, 6, 4), days=1).description == "published on 2026-06-04"


def test_a_window_name_is_read_in_any_case_and_spacing() -> None:
    today = date(2026, 12, 1)
    assert parse_window(" WEEK ", "", "", today) == parse_window("week", "", "", today)
    assert parse_window("Custom", "2026-11-01", "2026-11-03", today).kind == "custom"
    with pytest.raises(InvalidInput, match="Unknown window"):
        parse_window("fortnight", "", "", today)

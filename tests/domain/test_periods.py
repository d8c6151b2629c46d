from datetime import date

import pytest

from papertide.domain.periods import InvalidPeriod, Period, parse_day, parse_month, parse_week


def test_day():
    p = parse_day("2026-06-01")
    assert p == Period("day", date(2026, 6, 1), date(2026, 6, 1))
    assert p.label == "2026-06-01"
    assert p.previous().label == "2026-05-31" and p.next().label == "2026-06-02"


def test_iso_week_runs_monday_to_sunday():
    p = parse_week("2026-W23")
    assert (p.first, p.last) == (date(2026, 6, 1), date(2026, 6, 7))
    assert p.label == "2026-W23"
    # ISO week 1 of 2026 starts on Monday 2025-12-29.
    w1 = parse_week("2026-W01")
    assert (w1.first, w1.last) == (date(2025, 12, 29), date(2026, 1, 4))
    assert w1.previous().label == "2025-W52"
    assert parse_week("2026-W53" if date(2026, 12, 31).isocalendar()[1] == 53 else "2020-W53").last.weekday() == 6


def test_month_handles_lengths_and_year_ends():
    assert (parse_month("2024-02").first, parse_month("2024-02").last) == (date(2024, 2, 1), date(2024, 2, 29))
    assert parse_month("2025-12").next().label == "2026-01"
    assert parse_month("2026-01").previous().label == "2025-12"
    assert parse_month("2026-06").contains(date(2026, 6, 30))
    assert not parse_month("2026-06").contains(date(2026, 7, 1))


@pytest.mark.parametrize(
    ("parser", "text"),
    [
        (parse_day, "2026-02-30"), (parse_day, "2026-6-1"), (parse_day, "yesterday"), (parse_day, ""),
        (parse_week, "2026-W54"), (parse_week, "2026-W00"), (parse_week, "2026W10"), (parse_week, "2025-W53"),
        (parse_month, "2026-13"), (parse_month, "2026-00"), (parse_month, "2026"), (parse_month, "26-01"),
    ],
)
def test_malformed_periods_raise_a_clear_error(parser, text):
    with pytest.raises(InvalidPeriod):
        parser(text)


@pytest.mark.parametrize(("parser", "text"), [
    (parse_day, "9999-12-31"), (parse_week, "9999-W52"), (parse_month, "9999-12"), (parse_week, "0000-W01"),
])
def test_periods_at_the_end_of_the_calendar_are_refused_with_the_range(parser, text):
    # Python's calendar ends at 9999-12-31: the week or month around it (or the day after it,
    # where a list is scored) cannot be computed, so the address is refused with the years we take.
    with pytest.raises(InvalidPeriod, match="0001 to 9998"):
        parser(text)
    assert parse_week("9998-W53").last == date(9999, 1, 3) and parse_month("9998-12").last == date(9998, 12, 31)

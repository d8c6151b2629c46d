"""Papers per category per week: the ISO-week fold and the choice of categories."""

from datetime import date

import pytest

from papertide.domain.stats import CategoryWeeks, category_weeks, monday_of, weeks_up_to


def test_weeks_up_to_lists_mondays_oldest_first_ending_with_the_given_days_week():
    assert weeks_up_to(date(2026, 6, 7), 3) == (date(2026, 5, 18), date(2026, 5, 25), date(2026, 6, 1))
    assert weeks_up_to(date(2026, 1, 1), 1) == (date(2025, 12, 29),)  # an ISO week across the new year
    with pytest.raises(ValueError):
        weeks_up_to(date(2026, 6, 7), 0)


def test_monday_of_keeps_a_monday():
    assert monday_of(date(2026, 6, 1)) == date(2026, 6, 1)


def test_days_fold_into_their_weeks_and_the_busiest_categories_are_kept():
    weeks = weeks_up_to(date(2026, 6, 7), 2)  # weeks of 25 May and 1 Jun
    rows = [
        ("cs.LG", date(2026, 5, 25), 2), ("cs.LG", date(2026, 5, 31), 3), ("cs.LG", date(2026, 6, 7), 4),
        ("cs.CV", date(2026, 6, 1), 6),
        ("cs.AI", date(2026, 6, 2), 6),  # ties with cs.CV: the name decides
        ("math.AG", date(2026, 6, 3), 1),
        ("cs.CL", date(2026, 5, 24), 99), ("cs.CL", date(2026, 6, 8), 99),  # outside the span
    ]
    assert category_weeks(rows, weeks, top=3) == CategoryWeeks(
        weeks, ("cs.LG", "cs.AI", "cs.CV"), ((5, 4), (0, 6), (0, 6))
    )


def test_an_empty_span_has_no_categories():
    cw = category_weeks([], weeks_up_to(date(2026, 6, 7), 12))
    assert (cw.categories, cw.counts, cw.peak, len(cw.weeks)) == ((), (), 0, 12)
    assert (cw.first_day, cw.last_day) == (date(2026, 3, 16), date(2026, 6, 7))
    assert (CategoryWeeks((), (), ()).first_day, CategoryWeeks((), (), ()).last_day) == (None, None)

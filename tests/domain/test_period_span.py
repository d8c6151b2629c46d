"""How long one digest period stays due, across every time zone the server knows: the outbox
retention minimum (OUTBOX_KEEP_MIN_DAYS) rests on this span."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from papertide.domain.subscriptions import (
    OUTBOX_KEEP_MIN_DAYS,
    PERIOD_LONGEST_DUE,
    Preferences,
    _zone_names,
    due_period,
)


def test_a_weekly_period_stays_due_for_at_most_the_longest_span_and_the_minimum_outlasts_it():
    # ISO week 2026-W24 runs Monday 8 to Sunday 14 June in every zone's own calendar.
    first: dict[str, datetime] = {}
    last: dict[str, datetime] = {}
    for name in sorted(set(_zone_names().values())):
        zone = ZoneInfo(name)
        starts = datetime(2026, 6, 8, 0, 0, tzinfo=zone).astimezone(UTC)
        ends = datetime(2026, 6, 14, 23, 59, tzinfo=zone).astimezone(UTC)
        monday = Preferences(frequency="weekly", weekday=0, send_hour=0, timezone=name)
        sunday = Preferences(frequency="weekly", weekday=6, send_hour=23, timezone=name)
        assert (due_period(monday, starts), due_period(sunday, ends)) == ("w2026-W24", "w2026-W24")
        first[name], last[name] = starts, ends

    earliest, latest = min(first.values()), max(last.values())
    assert (first["Pacific/Kiritimati"], last["Etc/GMT+12"]) == (earliest, latest)  # UTC+14 and UTC-12
    assert latest - earliest == PERIOD_LONGEST_DUE - timedelta(minutes=1)
    assert timedelta(days=OUTBOX_KEEP_MIN_DAYS - 1) < PERIOD_LONGEST_DUE <= timedelta(days=OUTBOX_KEEP_MIN_DAYS)

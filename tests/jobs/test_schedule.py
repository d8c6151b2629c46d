"""Slot maths (domain/jobs.py): every worker computes the same slot boundaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from papertide.config import Settings
from papertide.domain.jobs import Cron, Every, next_after, slot_at

NOW = datetime(2026, 6, 4, 9, 30, 15, tzinfo=UTC)


@pytest.mark.parametrize(("schedule", "slot", "following"), [
    (Every(60), datetime(2026, 6, 4, 9, 30, tzinfo=UTC), datetime(2026, 6, 4, 9, 31, tzinfo=UTC)),
    (Every(3600), datetime(2026, 6, 4, 9, tzinfo=UTC), datetime(2026, 6, 4, 10, tzinfo=UTC)),
    (Every(6 * 3600), datetime(2026, 6, 4, 6, tzinfo=UTC), datetime(2026, 6, 4, 12, tzinfo=UTC)),
    (Every(0.2), NOW, NOW + timedelta(seconds=0.2)),
    (Cron("30 1 * * *"), datetime(2026, 6, 4, 1, 30, tzinfo=UTC), datetime(2026, 6, 5, 1, 30, tzinfo=UTC)),
    (Cron("0 3 * * mon"), datetime(2026, 6, 1, 3, tzinfo=UTC), datetime(2026, 6, 8, 3, tzinfo=UTC)),
])
def test_slots_start_at_epoch_aligned_intervals_or_cron_fire_times(schedule, slot, following):
    assert (slot_at(schedule, NOW), next_after(schedule, NOW)) == (slot, following)


def test_a_slot_boundary_belongs_to_the_slot_it_starts():
    on_the_hour = datetime(2026, 6, 4, 10, tzinfo=UTC)
    assert slot_at(Every(3600), on_the_hour) == on_the_hour
    assert slot_at(Every(3600), on_the_hour - timedelta(microseconds=1)) == datetime(2026, 6, 4, 9, tzinfo=UTC)
    assert next_after(Every(3600), on_the_hour) == on_the_hour + timedelta(hours=1)


def test_workers_started_at_different_times_agree_on_the_slot():
    slots = {slot_at(Every(90), NOW + timedelta(seconds=s)) for s in (0, 14, 44.9)}
    assert slots == {datetime(2026, 6, 4, 9, 30, tzinfo=UTC)}


def test_a_cron_that_fired_over_a_year_ago_has_no_current_slot():
    assert slot_at(Cron("0 0 29 2 *"), NOW) is None
    assert next_after(Cron("0 0 29 2 *"), NOW) == datetime(2028, 2, 29, tzinfo=UTC)


def test_bad_schedules_are_refused_at_declaration():
    with pytest.raises(ValueError, match="positive"):
        Every(0)
    with pytest.raises(ValueError):
        Cron("every day")
    with pytest.raises(ValueError, match="names"):  # crontab's 1 is Monday, APScheduler 3's is Tuesday
        Cron("0 3 * * 1")
    with pytest.raises(ValidationError, match="ingest_cron"):
        Settings(ingest_cron="61 * * * *", _env_file=None)  # type: ignore[call-arg]


def test_a_cron_naming_both_a_day_of_month_and_weekdays_fires_on_either_as_crontab_does():
    # crontab(5): "0 6 1 * mon" is the 1st of the month *and* every Monday (APScheduler alone
    # would fire only on a 1st that is a Monday: four times in 2027).
    fires, t = [], datetime(2026, 6, 22, tzinfo=UTC)
    for _ in range(4):
        t = next_after(Cron("0 6 1 * mon"), t)
        fires.append(t)
    assert fires == [datetime(2026, 6, 22, 6, tzinfo=UTC), datetime(2026, 6, 29, 6, tzinfo=UTC),
                     datetime(2026, 7, 1, 6, tzinfo=UTC), datetime(2026, 7, 6, 6, tzinfo=UTC)]
    assert slot_at(Cron("0 6 1 * mon"), datetime(2026, 7, 3, tzinfo=UTC)) == datetime(2026, 7, 1, 6, tzinfo=UTC)
    # A day field written with a star is no restriction, as in crontab: every 2nd day that is a Monday.
    assert next_after(Cron("0 6 */2 * mon"), datetime(2026, 6, 2, tzinfo=UTC)) == datetime(2026, 6, 15, 6, tzinfo=UTC)


def test_a_cron_that_can_never_fire_is_refused_at_declaration():
    with pytest.raises(ValueError, match="never fires"):
        Cron("0 0 31 4 *")  # 31 April
    with pytest.raises(ValidationError, match="never fires"):
        Settings(ingest_cron="0 6 30 2 *", _env_file=None)  # type: ignore[call-arg]


def test_schedules_describe_themselves():
    assert [str(s) for s in (Every(60), Every(90), Every(7200), Every(86400), Every(0.5), Cron("30 1 * * *"))] == [
        "every 1 min", "every 90 s", "every 2 h", "every 1 d", "every 0.5 s", "cron 30 1 * * * (UTC)"]

"""Digest schedules across time zones: DST change days, half-hour DST, UTC+14, and zones the
server's time zone database no longer holds (real SQLite and PostgreSQL for the run)."""

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from papertide.domain.subscriptions import Preferences, due_period, had_digest_today
from papertide.storage import digests as digests_store
from tests.email.conftest import _add_june_papers, confirmed_subscribers
from tests.factories import add_papers, app_for, make_paper

THURSDAY_0900_UTC = datetime(2026, 6, 4, 9, tzinfo=UTC)


def test_a_stored_zone_the_server_no_longer_knows_does_not_stop_everyones_digest(settings, db):
    """US/Pacific-New left tzdata in 2020a; Debian 13's slim images lack US/Eastern and the other old
    aliases. A subscription saved with such a name crashed the whole run, for every subscriber."""
    _add_june_papers(db)
    berlin = confirmed_subscribers(db, 2, Preferences(timezone="Europe/Berlin"))
    [gone] = confirmed_subscribers(db, 1, Preferences(timezone="US/Pacific-New"), domain="old.example")
    services = app_for(settings, db).state.services

    report = services.digests.run(THURSDAY_0900_UTC)

    assert (report.considered, report.due, report.composed) == (3, 3, 3)
    assert {services.subscriptions.get_by_email(e).last_digest_at is not None for e in [*berlin, gone]} == {True}


def test_an_unknown_zone_is_scheduled_as_utc():
    prefs = Preferences(send_hour=7, timezone="US/Pacific-New")
    assert due_period(prefs, datetime(2026, 6, 4, 6, 59, tzinfo=UTC)) is None
    assert due_period(prefs, datetime(2026, 6, 4, 7, 0, tzinfo=UTC)) == "d2026-06-04"
    assert had_digest_today(datetime(2026, 6, 4, 7, tzinfo=UTC), prefs, datetime(2026, 6, 4, 23, tzinfo=UTC))


@pytest.mark.parametrize(("prefs", "before", "at", "label"), [
    # New York springs forward on Sunday 2026-03-08: 02:00 never happens, 03:00 EDT is 07:00 UTC.
    (Preferences("weekly", 6, 2, "America/New_York"), datetime(2026, 3, 8, 6, 59, tzinfo=UTC),
     datetime(2026, 3, 8, 7, 0, tzinfo=UTC), "w2026-W10"),
    # Berlin falls back on Sunday 2026-10-25: the first 02:00 (CEST) is 00:00 UTC.
    (Preferences("weekly", 6, 2, "Europe/Berlin"), datetime(2026, 10, 24, 23, 59, tzinfo=UTC),
     datetime(2026, 10, 25, 0, 0, tzinfo=UTC), "w2026-W43"),
    # Lord Howe Island moves by half an hour (UTC+11 to +10:30) on Sunday 2026-04-05.
    (Preferences("weekly", 6, 9, "Australia/Lord_Howe"), datetime(2026, 4, 4, 22, 29, tzinfo=UTC),
     datetime(2026, 4, 4, 22, 30, tzinfo=UTC), "w2026-W14"),
    # Kiritimati (UTC+14) has its Monday 07:00 on Sunday 17:00 UTC, a day no list is made in UTC.
    (Preferences("daily", 0, 7, "Pacific/Kiritimati"), datetime(2026, 6, 7, 16, 59, tzinfo=UTC),
     datetime(2026, 6, 7, 17, 0, tzinfo=UTC), "d2026-06-08"),
])
def test_digests_fall_due_at_the_local_send_hour_on_clock_change_days(prefs, before, at, label):
    assert due_period(prefs, before) is None
    assert due_period(prefs, at) == label


def test_the_repeated_hour_when_clocks_go_back_sends_one_digest():
    prefs = Preferences("weekly", 6, 2, "Europe/Berlin")
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    again = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET, the same local day and week
    assert due_period(prefs, first) == due_period(prefs, again) == "w2026-W43"
    assert had_digest_today(first, prefs, again)


def _sent(services, email: str) -> set[str]:  # type: ignore[no-untyped-def]
    sub = services.subscriptions.get_by_email(email)
    with services.db.read() as conn:
        return digests_store.sent_ids(conn, [sub.id])[sub.id]


def test_fridays_papers_listed_after_fridays_digest_go_out_on_monday(settings, db):
    """Daily digests skip the weekend, so Monday's must reach back to Friday: a New York reader's
    Friday digest (11:00 UTC) left out what Friday's list gained that afternoon, and Monday's, once
    Monday's list had begun, covered Saturday to Monday only. Those papers were never sent."""
    [email] = confirmed_subscribers(db, 1, Preferences(send_hour=7, timezone="America/New_York", trending=False,
                                                       categories=("cs.CL",)))
    services = app_for(settings, db).state.services
    add_papers(db, (make_paper("2606.00010", categories=("cs.CL",)), date(2026, 6, 5)))
    assert services.digests.run(datetime(2026, 6, 5, 11, tzinfo=UTC)).composed == 1  # Friday 07:00 in New York
    add_papers(db, (make_paper("2606.00011", categories=("cs.CL",)), date(2026, 6, 5)),  # Friday afternoon
               (make_paper("2606.00020", categories=("cs.CL",)), date(2026, 6, 8)))  # Monday morning
    assert services.digests.run(datetime(2026, 6, 8, 11, tzinfo=UTC)).composed == 1  # Monday 07:00 in New York
    assert _sent(services, email) == {"2606.00010", "2606.00011", "2606.00020"}


def test_papers_arxiv_announces_after_the_weekend_reach_the_next_daily_digest(settings, db):
    """A lab fed by OAI-PMH alone: its papers carry their submission day, and arXiv announces
    Thursday evening's and Friday's submissions on Monday (00:00 UTC) and Tuesday. Daily digests
    reached back 4 days from their own day, so Tuesday's (Saturday to Tuesday) never held Friday's
    papers and Monday's never held Thursday evening's: they were in no digest at all. A digest
    composed before that day's harvest (Kolkata, 01:30 UTC) gets them a day later still."""
    cl = Preferences(send_hour=7, trending=False, categories=("cs.CL",))
    berlin = confirmed_subscribers(db, 1, replace(cl, timezone="Europe/Berlin"))
    kolkata = confirmed_subscribers(db, 1, replace(cl, timezone="Asia/Kolkata"), domain="in.example")
    services = app_for(settings, db).state.services

    def harvest(*papers: tuple[str, int]) -> None:  # (arXiv id, submission day in June 2026)
        add_papers(db, *(make_paper(a, categories=("cs.CL",), published=date(2026, 6, d)) for a, d in papers))

    def digests_at(day: int, hour: int, minute: int = 0) -> None:
        services.digests.run(datetime(2026, 6, day, hour, minute, tzinfo=UTC))

    harvest(("2606.00029", 3))
    digests_at(5, 1, 30)  # Friday 07:00 in Kolkata, before the day's harvest
    harvest(("2606.00030", 4))  # Friday 02:00 UTC: Thursday's submissions
    digests_at(5, 5)  # Friday 07:00 in Berlin
    digests_at(8, 1, 30)
    harvest(("2606.00031", 4), ("2606.00032", 5))  # Monday: Thursday evening's and Friday's
    digests_at(8, 5)
    digests_at(9, 1, 30)
    harvest(("2606.00033", 5), ("2606.00034", 6), ("2606.00035", 8))  # Tuesday: Friday evening's to Monday's
    digests_at(9, 5)
    digests_at(10, 1, 30)
    everything = {f"2606.000{n}" for n in range(29, 36)}
    assert (_sent(services, berlin[0]), _sent(services, kolkata[0])) == (everything, everything)


def test_old_zone_aliases_load_from_the_bundled_zone_database():
    # The system's database may lack them (Debian 13 slim: no tzdata-legacy); the tzdata package
    # zoneinfo falls back to holds every name, so a subscriber's "US/Eastern" stays valid anywhere.
    from importlib.resources import files

    from papertide.domain.subscriptions import validate_timezone

    for name in ("US/Eastern", "Asia/Calcutta", "Europe/Berlin"):
        assert files("tzdata.zoneinfo").joinpath(name).is_file(), name
        assert validate_timezone(name.lower()) == name

"""Subscription and bounce state machines, preference validation and schedules (pure)."""

from datetime import UTC, datetime, timedelta

import pytest

from papertide.domain.bounces import (
    DeliveryState,
    InvalidBounce,
    apply_bounce,
    can_receive,
    parse_bounce_kind,
)
from papertide.domain.subscriptions import (
    InvalidSubscription,
    InvalidTransition,
    Preferences,
    can_resend_notice,
    due_period,
    is_expired_unconfirmed,
    parse_preferences,
    transition,
    validate_email,
    validate_name,
    validate_timezone,
)


def test_opt_in_state_machine():
    assert transition("unconfirmed", "confirm") == "confirmed"
    assert transition("confirmed", "subscribe") == "confirmed"
    assert transition("confirmed", "unsubscribe") == "unsubscribed"
    assert transition("unsubscribed", "subscribe") == "unconfirmed"
    assert transition("unsubscribed", "unsubscribe") == "unsubscribed"
    assert transition("confirmed", "complain") == "unsubscribed"
    with pytest.raises(InvalidTransition, match="cannot confirm a subscription that is unsubscribed"):
        transition("unsubscribed", "confirm")


@pytest.mark.parametrize(
    ("state", "kind", "expected", "action"),
    [
        (DeliveryState(), "hard", DeliveryState("disabled", "confirmed", 0), "disabled"),
        (DeliveryState(soft_bounces=1), "soft", DeliveryState("enabled", "confirmed", 2), "counted"),
        (DeliveryState(soft_bounces=2), "soft", DeliveryState("disabled", "confirmed", 3), "disabled"),
        (DeliveryState(), "complaint", DeliveryState("enabled", "unsubscribed", 0), "unsubscribed"),
        (DeliveryState(subscription="unsubscribed"), "complaint", DeliveryState("enabled", "unsubscribed", 0), "none"),
        (DeliveryState("blocklisted"), "hard", DeliveryState("blocklisted"), "none"),
        (DeliveryState("disabled"), "hard", DeliveryState("disabled"), "none"),
    ],
)
def test_bounce_state_machine(state, kind, expected, action):
    assert apply_bounce(state, kind, soft_threshold=3) == (expected, action)


def test_who_can_receive_and_bounce_kind_parsing():
    assert can_receive(DeliveryState()) and not can_receive(DeliveryState("disabled"))
    assert not can_receive(DeliveryState(subscription="unconfirmed"))
    assert parse_bounce_kind(" Hard ") == "hard"
    with pytest.raises(InvalidBounce, match="expected one of: hard, soft, complaint"):
        parse_bounce_kind("bogus")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("victim@example.org\r\nBcc: everyone@example.org", "line break or control character"),
        ("victim@example.org\nSubject: spam", "line break or control character"),
        ("a@example.org, b@example.org", "not a plain email address"),
        ("Eve <eve@example.org>", "not a plain email address"),
        ("no-at-sign.example.org", "not a plain email address"),
        ("", "Please enter an email address"),
        ("x" * 250 + "@example.org", "longer than 254"),
    ],
)
def test_header_injection_and_bad_addresses_are_rejected_with_a_clear_message(text, message):
    with pytest.raises(InvalidSubscription, match=message):
        validate_email(text)


def test_names_cannot_carry_headers():
    assert validate_name("  Ada Lovelace ") == "Ada Lovelace"
    with pytest.raises(InvalidSubscription, match="line break"):
        validate_name("Ada\r\nBcc: x@example.org")


def test_preferences_parse_and_validate():
    prefs = parse_preferences({"frequency": "weekly", "weekday": "4", "send_hour": "18", "timezone": "Europe/Paris",
                               "trending": "", "categories": "cs.CL, cs.LG,cs.CL", "keywords": "rag\ndiffusion",
                               "authors": ["Ada Lovelace"], "max_papers": "30"})
    assert prefs == Preferences("weekly", 4, 18, "Europe/Paris", False, ("cs.CL", "cs.LG"), ("rag", "diffusion"),
                                ("Ada Lovelace",), 30)
    for form, message in [
        ({"max_papers": "4"}, "between 5 and 30"), ({"max_papers": "31"}, "between 5 and 30"),
        ({"timezone": "Mars/Olympus"}, "Unknown time zone"), ({"timezone": "../../etc/passwd"}, "Unknown time zone"),
        ({"categories": "cs.CL; DROP TABLE"}, "Not an arXiv category"), ({"frequency": "hourly"}, "Frequency"),
        ({"trending": "0"}, "at least one category"), ({"send_hour": "x"}, "whole number"),
        ({"keywords": ",".join(str(i) for i in range(11))}, "at most 10 keywords"),
    ]:
        with pytest.raises(InvalidSubscription, match=message):
            parse_preferences(form)


def test_daily_digests_are_due_on_local_weekdays_from_the_send_hour():
    prefs = Preferences(send_hour=7, timezone="America/New_York")
    # Thursday 2026-06-04 10:59 UTC = 06:59 in New York: not yet; 11:00 UTC = 07:00: due.
    assert due_period(prefs, datetime(2026, 6, 4, 10, 59, tzinfo=UTC)) is None
    assert due_period(prefs, datetime(2026, 6, 4, 11, 0, tzinfo=UTC)) == "d2026-06-04"
    # Saturday: no daily digest. Friday 23:00 local is Saturday in UTC but still Friday's digest.
    assert due_period(prefs, datetime(2026, 6, 6, 15, tzinfo=UTC)) is None
    assert due_period(prefs, datetime(2026, 6, 6, 3, tzinfo=UTC)) == "d2026-06-05"


def test_weekly_digests_are_due_on_the_chosen_local_weekday():
    prefs = Preferences(frequency="weekly", weekday=0, send_hour=9, timezone="Asia/Tokyo")
    assert due_period(prefs, datetime(2026, 6, 8, 0, 0, tzinfo=UTC)) == "w2026-W24"  # Monday 09:00 in Tokyo
    assert due_period(prefs, datetime(2026, 6, 7, 23, 0, tzinfo=UTC)) is None  # Monday 08:00 in Tokyo
    assert due_period(prefs, datetime(2026, 6, 9, 1, 0, tzinfo=UTC)) is None  # Tuesday


def test_resend_rate_limit_and_unconfirmed_expiry():
    now = datetime(2026, 6, 4, 12, tzinfo=UTC)
    assert can_resend_notice(None, now, timedelta(minutes=15))
    assert not can_resend_notice(now - timedelta(minutes=14), now, timedelta(minutes=15))
    assert can_resend_notice((now - timedelta(minutes=15)).replace(tzinfo=None), now, timedelta(minutes=15))
    assert is_expired_unconfirmed("unconfirmed", now - timedelta(days=7), now)
    assert not is_expired_unconfirmed("unconfirmed", now - timedelta(days=6, hours=23), now)
    assert not is_expired_unconfirmed("confirmed", now - timedelta(days=70), now)


def test_time_zones_are_read_in_any_case_and_the_servers_own_zone_is_refused():
    assert [validate_timezone(z) for z in ("europe/berlin", " UTC ", "utc", "australia/lord_howe", "")] == [
        "Europe/Berlin", "UTC", "UTC", "Australia/Lord_Howe", "UTC"]
    assert parse_preferences({"timezone": "america/new_york"}).timezone == "America/New_York"
    # "localtime" is the server's zone, not the reader's; "Factory" is no place's offset.
    for name in ("localtime", "Factory", "America", "Mars/Olympus", "Europe/Par\nis"):
        with pytest.raises(InvalidSubscription, match="Unknown time zone"):
            validate_timezone(name)

"""Email state that two processes change at once (two engines, as two web processes or a web
process and a worker have), with the other process's commit put at the exact point that used to
lose it (tests/interleave.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from papertide.email.notices import Notices
from papertide.email.subscribing import SubscriptionService
from papertide.email.tokens import InvalidToken
from papertide.storage import outbox as outbox_store
from papertide.storage import subscribers as subscribers_store
from papertide.storage.db import Database
from tests.email.conftest import confirmed_subscribers
from tests.interleave import between, reads


def _locks(table: str):  # type: ignore[no-untyped-def]
    return lambda statement: "FOR UPDATE" in statement and f"FROM {table}" in statement


def test_a_hard_bounce_recorded_during_a_soft_one_keeps_the_address_disabled(mail_settings, db, db_url):
    """Two bounce webhooks at once: the soft one read the address as enabled, the hard one then
    disabled it, and the soft one wrote "enabled, one soft bounce" back over it; digests went on
    to an address that had bounced hard."""
    [email] = confirmed_subscribers(db, 1)
    other = Database(db_url)
    ours, theirs = (SubscriptionService(d, mail_settings, Notices(mail_settings)) for d in (db, other))
    try:
        with between(db, reads("subscribers"), other, lambda: theirs.record_bounce(email, "hard"),
                     waits=_locks("subscribers")) as hard:
            ours.record_bounce(email, "soft")
        assert hard.fired and hard.join().action == "disabled"
    finally:
        other.dispose()
    with db.read() as conn:
        subscriber = subscribers_store.get_by_email(conn, email)
    assert subscriber is not None and (subscriber.status, subscriber.soft_bounces) == ("disabled", 1)


def test_soft_bounces_recorded_at_once_are_all_counted(mail_settings, db, db_url):
    [email] = confirmed_subscribers(db, 1)
    other = Database(db_url)
    ours, theirs = (SubscriptionService(d, mail_settings, Notices(mail_settings)) for d in (db, other))
    try:
        with between(db, reads("subscribers"), other, lambda: theirs.record_bounce(email, "soft"),
                     waits=_locks("subscribers")) as soft:
            ours.record_bounce(email, "soft")
        soft.join()
    finally:
        other.dispose()
    with db.read() as conn:
        subscriber = subscribers_store.get_by_email(conn, email)
    assert subscriber is not None and subscriber.soft_bounces == 2


T0 = datetime(2026, 6, 3, 9, 0, tzinfo=UTC)


def _mails_to(db: Database, email: str) -> list[str]:
    with db.read() as conn:
        return [r["idempotency_key"] for r in outbox_store.by_status(conn, "pending") if r["recipient"] == email]


def test_a_new_address_subscribed_twice_at_once_gets_one_confirmation_and_no_error(mail_settings, db, db_url):
    """A double submit of the subscribe form for a new address: both requests found no subscriber
    and inserted one; the second hit the unique address index and answered 500."""
    other = Database(db_url)
    ours, theirs = (SubscriptionService(d, mail_settings, Notices(mail_settings)) for d in (db, other))
    form = {"trending": "1"}
    try:
        with between(db, reads("subscribers"), other,
                     lambda: theirs.subscribe("new@example.org", form, now=T0 + timedelta(seconds=1)),
                     waits=_locks("subscribers")) as first:
            ours.subscribe("new@example.org", form, now=T0)
        assert first.fired and first.join() is not None
    finally:
        other.dispose()
    assert len(_mails_to(db, "new@example.org")) == 1


def test_a_subscriber_subscribing_twice_at_once_gets_one_notice_within_the_resend_limit(mail_settings, db, db_url):
    """A confirmed subscriber submits the form twice: each request read "no notice sent yet" and
    each sent one, past the one-per-PAPERTIDE_SUBSCRIPTION_RESEND_MINUTES limit."""
    [email] = confirmed_subscribers(db, 1)
    other = Database(db_url)
    ours, theirs = (SubscriptionService(d, mail_settings, Notices(mail_settings)) for d in (db, other))
    try:
        with between(db, reads("subscriptions"), other,
                     lambda: theirs.subscribe(email, {"trending": "1"}, now=T0 + timedelta(seconds=1)),
                     waits=_locks("subscribers")) as second:
            ours.subscribe(email, {"trending": "1"}, now=T0)
        assert second.fired and second.join() is not None
    finally:
        other.dispose()
    assert len(_mails_to(db, email)) == 1


def test_an_unsubscribe_during_a_confirmation_stays_unsubscribed(mail_settings, db, db_url):
    """The confirmation button pressed while the same person (or their mail provider's one-click
    List-Unsubscribe) unsubscribed: confirm read the request as unconfirmed, the unsubscribe
    committed, and confirm then wrote "confirmed" over it; digests went to someone who had left."""
    other = Database(db_url)
    notices = Notices(mail_settings)
    ours, theirs = (SubscriptionService(d, mail_settings, notices) for d in (db, other))
    ours.subscribe("leaving@example.org", {"trending": "1"}, now=T0)
    sub = ours.get_by_email("leaving@example.org")
    assert sub is not None and sub.status == "unconfirmed"
    try:
        with between(db, reads("subscriptions"), other,
                     lambda: theirs.unsubscribe(notices.token("unsubscribe", sub), now=T0),
                     waits=lambda s: s.lstrip().upper().startswith("UPDATE SUBSCRIPTIONS")) as leaving:
            try:
                ours.confirm(notices.token("confirm", sub), now=T0)
            except InvalidToken:
                pass  # the unsubscribe came first: "This subscription was cancelled"
        assert leaving.fired
        leaving.join()
    finally:
        other.dispose()
    after = ours.get_by_email("leaving@example.org")
    assert after is not None and after.status == "unsubscribed"

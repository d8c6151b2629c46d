"""Email state that two processes change at once (two engines, as two web processes or a web
process and a worker have), with the other process's commit put at the exact point that used to
lose it (tests/interleave.py)."""

from __future__ import annotations

from papertide.email.notices import Notices
from papertide.email.subscribing import SubscriptionService
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

"""At most one digest per local day: changing frequency or time zone makes a new period (a new
outbox key) but must not send a second digest the same local day. Real SQLite, real SMTP."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command

from papertide.domain.subscriptions import Preferences
from papertide.storage import subscriptions as subscriptions_store
from papertide.storage.migrate import alembic_config, upgrade
from papertide.storage.tables.email import outbox
from tests.email.conftest import confirmed_subscribers
from tests.factories import add_papers, app_for, make_paper

AUCKLAND_THURSDAY = datetime(2026, 6, 3, 19, 30, tzinfo=UTC)  # 07:30 Thu in Auckland; 12:30 Wed in Los Angeles
UTC_THURSDAY = datetime(2026, 6, 4, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("before", "after", "first", "second"), [
    # Daily, then weekly on today's weekday: w2026-W23 is a new key on the same Thursday.
    (Preferences(), Preferences(frequency="weekly", weekday=3), UTC_THURSDAY, UTC_THURSDAY + timedelta(hours=1)),
    # Auckland's Thursday digest, then Los Angeles, where it is still Wednesday and past 07:00.
    (Preferences(timezone="Pacific/Auckland"), Preferences(timezone="America/Los_Angeles"),
     AUCKLAND_THURSDAY, AUCKLAND_THURSDAY + timedelta(hours=1)),
])
def test_changing_frequency_or_zone_sends_no_second_digest_the_same_local_day(
        sqlite_mail_settings, sqlite_db, smtp_sink, june_papers_sqlite, before, after, first, second):
    [email] = confirmed_subscribers(sqlite_db, 1, before)
    services = app_for(sqlite_mail_settings, sqlite_db).state.services
    assert services.digests.run(first).composed == 1
    assert services.outbox_sender.drain().sent == 1

    sub = services.subscriptions.get_by_email(email)
    services.subscriptions.update_preferences(services.notices.token("manage", sub), {
        "frequency": after.frequency, "weekday": after.weekday, "timezone": after.timezone, "trending": "1"})
    # New papers, so the new period's digest would not be empty: only the rule can hold it back.
    add_papers(sqlite_db, (make_paper("2606.00100", title="Arrived after the first digest", categories=("cs.CL",),
                                      upvotes_baseline=90), date(2026, 6, 3)))
    for minutes in (0, 1, 30):  # and every later run that day finds the same, writing nothing
        report = services.digests.run(second + timedelta(minutes=minutes))
        assert (report.due, report.composed) == (1, 0)
        assert report.earlier_today == 1
    assert services.outbox_sender.drain().sent == 0
    assert smtp_sink.handler.count_by_recipient() == {email: 1}


def test_the_next_local_day_gets_its_digest(sqlite_mail_settings, sqlite_db, smtp_sink, june_papers_sqlite):
    [email] = confirmed_subscribers(sqlite_db, 1, Preferences())
    services = app_for(sqlite_mail_settings, sqlite_db).state.services
    assert services.digests.run(UTC_THURSDAY).composed == 1
    add_papers(sqlite_db, (make_paper("2606.00101", title="Fresh on Friday", categories=("cs.CL",)), date(2026, 6, 5)))
    report = services.digests.run(UTC_THURSDAY + timedelta(days=1))
    assert (report.composed, report.earlier_today) == (1, 0)


def test_migration_0025_takes_the_last_digest_from_the_outbox(db):
    emails = confirmed_subscribers(db, 3)
    command.downgrade(alembic_config(db), "0024_detex_text")
    now = datetime.now(UTC).replace(microsecond=0)
    with db.write() as conn:
        ids = dict(conn.execute(sa.text("SELECT s.email, sub.id FROM subscribers s "
                                        "JOIN subscriptions sub ON sub.subscriber_id = s.id")).all())
        rows = [  # reader0: digests today and four days ago; reader1: only long ago; reader2: no digest
            (emails[0], "digest", now - timedelta(hours=2)), (emails[0], "digest", now - timedelta(days=4)),
            (emails[1], "digest", now - timedelta(days=4)), (emails[2], "confirm", now - timedelta(minutes=5)),
        ]
        for i, (email, kind, at) in enumerate(rows):
            conn.execute(sa.insert(outbox).values(idempotency_key=f"{kind}:{i}", kind=kind, subscription_id=ids[email],
                                                  recipient=email, message_id="<x@x>", subject="s", raw=b"",
                                                  created_at=at))
    upgrade(db)
    with db.read() as conn:
        last = {e: subscriptions_store.get_by_email(conn, e).last_digest_at for e in emails}
    first = last[emails[0]]
    assert first is not None and (first if first.tzinfo else first.replace(tzinfo=UTC)) == now - timedelta(hours=2)
    assert (last[emails[1]], last[emails[2]]) == (None, None)

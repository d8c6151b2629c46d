"""A digest with no papers: not sent (and not queued, run after run), or, when the instance asks
for empty digests, sent saying so rather than as a heading and a footer with nothing between."""

from datetime import UTC, datetime, timedelta

from papertide.domain.subscriptions import Preferences
from papertide.storage import outbox as outbox_store
from tests.email.conftest import confirmed_subscribers
from tests.factories import app_for

THURSDAY = datetime(2026, 6, 4, 9, 0, tzinfo=UTC)
EMPTY_NOTE = "No new papers matched your choices this time. Manage preferences (below) to follow more topics."
NOTHING_NEW = Preferences(trending=False, categories=("math.AP",))  # june_papers has none


def test_an_empty_digest_is_skipped_on_every_run_and_never_queued(sqlite_mail_settings, sqlite_db, smtp_sink,
                                                                   june_papers_sqlite):
    confirmed_subscribers(sqlite_db, 1, NOTHING_NEW)
    services = app_for(sqlite_mail_settings, sqlite_db).state.services
    for minutes in (0, 1, 60):
        report = services.digests.run(THURSDAY + timedelta(minutes=minutes))
        assert (report.due, report.composed, report.empty, report.outbox_ids) == (1, 0, 1, [])
    with sqlite_db.read() as conn:
        assert outbox_store.counts(conn) == {}
    assert services.outbox_sender.drain().sent == 0 and smtp_sink.handler.messages == []


def test_an_empty_digest_sent_on_request_says_there_is_nothing_new(sqlite_mail_settings, sqlite_db, smtp_sink,
                                                                    june_papers_sqlite):
    [email] = confirmed_subscribers(sqlite_db, 1, NOTHING_NEW)
    settings = sqlite_mail_settings.model_copy(update={"digest_send_empty": True})
    services = app_for(settings, sqlite_db).state.services
    assert services.digests.run(THURSDAY).composed == 1
    assert services.outbox_sender.drain().sent == 1
    [msg] = smtp_sink.handler.messages
    assert msg["Subject"] == "papertide digest · Thursday 4 June 2026 · no new papers"
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.split("\n-- \n")[0] == f"papertide digest — Thursday 4 June 2026\n\n{EMPTY_NOTE}\n"
    html = msg.get_body(("html",)).get_content()
    assert f">{EMPTY_NOTE}</p>" in html and "<h2" not in html
    assert services.digests.run(THURSDAY + timedelta(hours=1)).already == 1  # once per period, as any digest
    assert smtp_sink.handler.count_by_recipient() == {email: 1}

"""retention.prune: what it deletes, what it keeps, in batches, and why the outbox's minimum holds.

Real SQLite and PostgreSQL; rows are written through the storage functions the product uses,
at the times the test names (the clock is the only thing we choose).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from papertide.catalog import Catalog
from papertide.cli import app as cli_app
from papertide.config import Settings
from papertide.domain.digests import ANNOUNCEMENT_LAG_DAYS, LOOKBACK_DAYS, sent_log_keep_days
from papertide.domain.ingest import RunCounts, RunStatus
from papertide.domain.subscriptions import OUTBOX_KEEP_MIN_DAYS, Preferences
from papertide.email.composing import DigestComposer
from papertide.email.notices import Notices
from papertide.email.subscribing import SubscriptionService
from papertide.jobs import JobRunner
from papertide.jobs.retention import prune, retention_jobs
from papertide.storage import digests as digests_store
from papertide.storage import ingest_runs as runs_store
from papertide.storage import outbox as outbox_store
from papertide.storage import sessions as sessions_store
from papertide.storage import subscriptions as subscriptions_store
from papertide.storage import users as users_store
from papertide.storage.outbox import OutboxMessage
from tests.email.conftest import confirmed_subscribers
from tests.factories import add_papers, make_paper

NOW = datetime(2026, 7, 20, 3, 40, tzinfo=UTC)
LEASE = timedelta(minutes=5)


def _queue(db, key: str, at: datetime, status: str = "pending") -> None:  # type: ignore[no-untyped-def]
    """One message queued at ``at`` and taken to ``status`` the way senders do, at that time."""
    message = OutboxMessage(key, "notice", "reader@example.org", f"<{key}@papers.example>", "Subject", "body")
    with db.write() as conn:
        [row_id] = outbox_store.enqueue(conn, [message], at).values()
        if status == "pending":
            return
        [claimed] = outbox_store.claim(conn, f"claim-{key}", at, LEASE, 1, only_ids=[row_id])
        if status == "sent":
            outbox_store.mark_sent(conn, row_id, claimed.claim, at)
        elif status in ("failed", "cancelled"):
            outbox_store.mark_final(conn, row_id, claimed.claim, status, "550 no such user", at)


def _keys(db) -> set[str]:  # type: ignore[no-untyped-def]
    with db.read() as conn:
        return {r["idempotency_key"] for s in outbox_store.counts(conn) for r in outbox_store.by_status(conn, s)}


def test_finished_mail_older_than_the_window_goes_and_everything_else_stays(db):
    for age in (31, 29):
        for status in ("pending", "sending", "sent", "failed", "cancelled"):
            _queue(db, f"{status}-{age}", NOW - timedelta(days=age), status)

    report = prune(db, 30, now=NOW)

    assert report.outbox == 3
    assert _keys(db) == {
        "pending-31", "sending-31",  # never finished: the sender still owes them a try, however old
        "pending-29", "sending-29", "sent-29", "failed-29", "cancelled-29",
    }


def test_age_counts_from_the_last_try_not_the_first(db):
    # Queued 40 days ago but retried until 10 days ago, then given up: it stays for 20 more days.
    message = OutboxMessage("slow", "notice", "reader@example.org", "<slow@papers.example>", "Subject", "body")
    with db.write() as conn:
        [row_id] = outbox_store.enqueue(conn, [message], NOW - timedelta(days=40)).values()
        [c] = outbox_store.claim(conn, "c1", NOW - timedelta(days=40), LEASE, 1)
        outbox_store.mark_retry(conn, row_id, c.claim, "451 try later", NOW - timedelta(days=10), NOW - timedelta(days=40))
        [c] = outbox_store.claim(conn, "c2", NOW - timedelta(days=10), LEASE, 1)
        outbox_store.mark_final(conn, row_id, c.claim, "failed", "gave up", NOW - timedelta(days=10))
    assert prune(db, 30, now=NOW).outbox == 0
    assert prune(db, 30, now=NOW + timedelta(days=21)).outbox == 1


def test_a_backlog_larger_than_a_batch_goes_in_several_transactions(db):
    for i in range(12):
        _queue(db, f"old-{i}", NOW - timedelta(days=60), "sent")
    _queue(db, "recent", NOW - timedelta(days=1), "sent")

    assert prune(db, 30, now=NOW, batch=5).outbox == 12
    assert _keys(db) == {"recent"}


def test_a_stop_request_ends_the_run_between_batches(db):
    for i in range(12):
        _queue(db, f"old-{i}", NOW - timedelta(days=60), "sent")

    assert prune(db, 30, now=NOW, stopped=lambda: True, batch=5).outbox == 5  # one batch, then it stops
    assert prune(db, 30, now=NOW, batch=5).outbox == 7  # the next run takes the rest


def _sent(db, email: str, arxiv_id: str, at: datetime) -> None:  # type: ignore[no-untyped-def]
    with db.write() as conn:
        sub = subscriptions_store.get_by_email(conn, email)
        digests_store.record_items(conn, [(sub.id, arxiv_id, None)], at)


def _sent_ids(db, email: str) -> set[str]:  # type: ignore[no-untyped-def]
    with db.read() as conn:
        sub = subscriptions_store.get_by_email(conn, email)
        return digests_store.sent_ids(conn, [sub.id])[sub.id]


def test_sent_paper_log_rows_go_once_their_papers_cannot_come_back_in_batches(db):
    day = NOW.date()
    old = [make_paper(f"2601.0000{i}", published=day - timedelta(days=200)) for i in range(4)]
    relisted = make_paper("2601.00100", published=day - timedelta(days=200))
    recent = make_paper("2601.00200", published=day - timedelta(days=20))
    unlisted_undated = make_paper("2601.00300", published=None)
    add_papers(db, *old, (relisted, day - timedelta(days=10)), recent, unlisted_undated,
               (make_paper("2601.00400", published=day), day))  # the data's newest listing: today
    [email] = confirmed_subscribers(db, 1)
    for p in (*old, relisted, recent, unlisted_undated):
        _sent(db, email, p.arxiv_id, NOW - timedelta(days=100))
    young_row = make_paper("2601.00500", published=day - timedelta(days=200))
    add_papers(db, young_row)
    _sent(db, email, young_row.arxiv_id, NOW - timedelta(days=50))  # sent within the span: its row stays

    assert prune(db, 30, now=NOW, batch=3, sent_log_days=90).sent_log == 5
    assert _sent_ids(db, email) == {"2601.00100", "2601.00200", "2601.00500"}


def test_an_archive_no_longer_fed_keeps_its_log(db):
    """Its digests keep offering the last days' papers (measured from its newest listing), so
    dropping their rows would send them all again."""
    last = NOW.date() - timedelta(days=400)
    papers = [make_paper(f"2501.0000{i}", published=last - timedelta(days=1)) for i in range(3)]
    add_papers(db, *((p, last) for p in papers))
    [email] = confirmed_subscribers(db, 1)
    for p in papers:
        _sent(db, email, p.arxiv_id, NOW - timedelta(days=300))

    assert prune(db, 30, now=NOW, sent_log_days=90).sent_log == 0


def test_a_digests_papers_are_logged_at_the_runs_clock(db, settings, june_papers):
    [email] = confirmed_subscribers(db, 1)
    composer = DigestComposer(db, settings, Notices(settings), Catalog(db, settings.trending_gravity,
                                                                      settings.trending_window_days, settings.page_size))
    thursday = datetime(2026, 6, 4, 9, 0, tzinfo=UTC)
    assert composer.run(thursday).composed == 1
    sent = _sent_ids(db, email)
    assert sent
    keep = sent_log_keep_days(settings.trending_window_days)
    later = thursday + timedelta(days=keep + 1)
    add_papers(db, (make_paper("2609.00001", published=later.date()), later.date()))  # the data moved on
    # A day short of the span, by the composer's clock (not the database's), the rows stay.
    assert prune(db, 30, now=later - timedelta(days=2), sent_log_days=keep).sent_log == 0
    assert prune(db, 30, now=later, sent_log_days=keep).sent_log == len(sent)


def test_the_sent_log_outlives_every_way_a_paper_can_be_a_candidate_again():
    for window in (1, 7, 30, 365):
        assert sent_log_keep_days(window) > max(window, max(LOOKBACK_DAYS.values()) + ANNOUNCEMENT_LAG_DAYS)


def test_expired_sessions_and_sign_in_links_go(db):
    with db.write() as conn:
        user, _ = users_store.find_or_create_user(conn, "member@example.org")
        sessions_store.create_session(conn, "s-expired", user.id, NOW - timedelta(seconds=1))
        sessions_store.create_session(conn, "s-live", user.id, NOW + timedelta(days=3))
        sessions_store.create_login_token(conn, "l-expired", "member@example.org", NOW - timedelta(minutes=1))
        sessions_store.create_login_token(conn, "l-live", "member@example.org", NOW + timedelta(minutes=10))

    assert prune(db, 30, now=NOW).sessions == 2
    with db.read() as conn:
        assert sessions_store.session_user(conn, "s-live", NOW) == user
        assert sessions_store.peek_login_token(conn, "l-live", NOW) == "member@example.org"
        assert sessions_store.count_user_sessions(conn, user.id, NOW - timedelta(days=1)) == 1


def _run(db, source: str, started: datetime, status: RunStatus) -> None:  # type: ignore[no-untyped-def]
    with db.write() as conn:
        run_id = runs_store.start_run(conn, source, "cs", started)
        if status is not RunStatus.RUNNING:
            runs_store.finish_run(conn, run_id, status, RunCounts(fetched=1), None, started + timedelta(minutes=2))


def test_old_ingest_runs_go_but_each_sources_last_success_stays(db):
    _run(db, "oai", NOW - timedelta(days=200), RunStatus.SUCCEEDED)
    _run(db, "oai", NOW - timedelta(days=150), RunStatus.SUCCEEDED)  # oai's last success: it has failed since
    _run(db, "oai", NOW - timedelta(days=120), RunStatus.FAILED)
    _run(db, "oai", NOW - timedelta(days=5), RunStatus.FAILED)
    _run(db, "hf", NOW - timedelta(days=100), RunStatus.SUCCEEDED)
    _run(db, "hf", NOW - timedelta(days=95), RunStatus.RUNNING)  # a worker died mid-run long ago
    _run(db, "hf", NOW - timedelta(days=1), RunStatus.SUCCEEDED)
    with db.read() as conn:
        last_success = runs_store.last_succeeded_at(conn)

    assert prune(db, 30, now=NOW).ingest_runs == 4

    with db.read() as conn:
        assert runs_store.last_succeeded_at(conn) == last_success  # the ingest-lag metric reads the same
        kept = [(r.source, r.status, (NOW - r.started_at).days) for r in runs_store.list_runs(conn)]
    assert kept == [("hf", RunStatus.SUCCEEDED, 1), ("oai", RunStatus.FAILED, 5), ("oai", RunStatus.SUCCEEDED, 150)]


def test_the_job_is_daily_and_can_be_switched_off(db, settings):
    [job] = retention_jobs(db, settings)
    assert (job.name, str(job.schedule), job.enabled) == ("retention.prune", "cron 40 3 * * * (UTC)", True)
    off = settings.model_copy(update={"jobs_retention_enabled": False})
    assert JobRunner(db, retention_jobs(db, off)).tick(NOW) == []


def test_the_runner_runs_it_and_says_what_it_deleted(db, settings):
    _queue(db, "old", datetime.now(UTC) - timedelta(days=settings.outbox_retention_days + 1), "sent")
    runner = JobRunner(db, retention_jobs(db, settings))
    run = runner.run_now("retention.prune")
    assert run is not None and run.outcome == "succeeded"
    assert run.summary == ("deleted 1 outbox messages, 0 sent-paper log rows, 0 expired sessions and sign-in links, "
                           "0 ingest runs")
    assert _keys(db) == set()


# -- the outbox's minimum --------------------------------------------------------------------

def test_a_retention_below_the_minimum_is_refused_with_the_reason(tmp_path):
    with pytest.raises(ValidationError, match="at least 9 days: a weekly digest's row is what stops its week"):
        Settings(data_dir=tmp_path, outbox_retention_days=OUTBOX_KEEP_MIN_DAYS - 1, _env_file=None)  # type: ignore[call-arg]
    assert Settings(data_dir=tmp_path, outbox_retention_days=OUTBOX_KEEP_MIN_DAYS,  # type: ignore[call-arg]
                    _env_file=None).outbox_retention_days == 9


def test_the_cli_refuses_to_start_with_too_short_a_retention(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PAPERTIDE_OUTBOX_RETENTION_DAYS", "7")
    result = CliRunner().invoke(cli_app, ["jobs", "status"])
    assert result.exit_code == 2
    assert "PAPERTIDE_OUTBOX_RETENTION_DAYS='7'" in result.output
    assert "keep outbox rows at least 9 days" in result.output


# Monday 00:30 in Kiritimati (UTC+14), the first moment anywhere that ISO week 2026-W24 is due...
WEEK_BEGINS = datetime(2026, 6, 7, 10, 30, tzinfo=UTC)
# ...and Sunday 23:30 at UTC-12, nearly the last: 8 days and 1 hour later the same week is due again.
WEEK_ENDS = datetime(2026, 6, 15, 11, 30, tzinfo=UTC)


@pytest.mark.parametrize(("days", "composed_again"), [
    (OUTBOX_KEEP_MIN_DAYS, 0),
    (OUTBOX_KEEP_MIN_DAYS - 1, 1),  # what the minimum prevents: a second digest for the same week
])
def test_a_digest_week_is_not_composed_twice_after_pruning(db, settings, june_papers, days, composed_again):
    [email] = confirmed_subscribers(db, 1, Preferences(frequency="weekly", weekday=0, send_hour=0,
                                                       timezone="Pacific/Kiritimati"))
    notices = Notices(settings)
    composer = DigestComposer(db, settings, notices, Catalog(db, settings.trending_gravity,
                                                             settings.trending_window_days, settings.page_size))
    assert composer.run(WEEK_BEGINS).composed == 1
    with db.write() as conn:  # sent at once (a pending row is never pruned, however old)
        [message] = outbox_store.claim(conn, "sender", WEEK_BEGINS, LEASE, 10)
        outbox_store.mark_sent(conn, message.id, message.claim, WEEK_BEGINS)

    # The subscriber moves to the other end of the world and to Sundays late: W24 comes due again.
    subscriptions = SubscriptionService(db, settings, notices)
    sub = subscriptions.get_by_email(email)
    subscriptions.update_preferences(notices.token("manage", sub), {
        "frequency": "weekly", "weekday": "6", "send_hour": "23", "timezone": "Etc/GMT+12", "trending": "1"})
    # New papers, so a second digest would not be empty: only the week's outbox row can hold it back.
    add_papers(db, (make_paper("2606.00200", title="Listed later that week", categories=("cs.CL",),
                               upvotes_baseline=80), date(2026, 6, 12)))

    prune(db, days, now=WEEK_ENDS)
    report = composer.run(WEEK_ENDS)
    assert (report.due, report.composed) == (1, composed_again)

"""What a long-running instance stops keeping: the ``retention.prune`` job.

Some tables grow with every day an instance runs and are read only near their newest rows.
Once a day the job deletes:

- **outbox** rows that are sent, failed or cancelled and were last tried more than
  ``PAPERTIDE_OUTBOX_RETENTION_DAYS`` ago (at 100,000 subscribers a day's digests are 100,000
  rows of ~6.6 KB). Rows still pending or being sent stay, whatever their age. The setting
  may not go below ``OUTBOX_KEEP_MIN_DAYS`` (domain/subscriptions.py): a digest's row is what
  stops its period being composed twice. Deleting sets the sent-paper log's ``outbox_id`` to
  NULL; the log itself stays longer (next point).
- **sent-paper log** rows (``digest_items``) for papers no digest can offer again: written more than
  ``sent_log_keep_days`` ago (90 days, or the trending window and a month more) for a paper neither
  published nor listed within that span of the data's newest listing day. The log keeps a paper out
  of a subscriber's later digests, yet every digest read the subscriber's whole log: ~17 rows a
  digest, for ever. Measured from the newest listing, an archive that stopped being fed (whose
  digests keep offering its last days' papers) keeps its log; a paper put on a daily list again
  after the span is news again and may be sent again.
- **sessions and sign-in links** past their expiry, which nothing can use (signing in purges
  them too, but an instance where nobody signs in for a while kept them all).
- **ingest runs** that started more than ``INGEST_RUNS_KEEP_DAYS`` ago, except each source's
  latest success, which the ingest-lag metric reads however old it is.

It keeps everything else: the audit log, bounces (which disable addresses), the digest
archive (a public page), votes and the rest of what pages, metrics and a member's data
export show. The search change log has its own job (search.prune).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from threading import Event

from papertide.config import Settings
from papertide.domain.digests import sent_log_keep_days
from papertide.domain.jobs import Cron, Job
from papertide.domain.trending import data_now
from papertide.storage import digests, ingest_runs, listings, outbox, sessions
from papertide.storage.db import Connection, Database

log = logging.getLogger(__name__)

SCHEDULE = "40 3 * * *"  # daily at 03:40 UTC, away from the other daily jobs' minutes
OUTBOX_BATCH = 5_000  # outbox rows deleted per transaction: ~0.1 s of SQLite's write lock each
INGEST_RUNS_KEEP_DAYS = 90  # /admin/ingest shows the newest 100 runs; a quarter covers them at any schedule


@dataclass
class PruneReport:
    outbox: int = 0  # sent, failed and cancelled messages deleted
    sent_log: int = 0  # sent-paper log rows deleted
    sessions: int = 0  # expired sessions and sign-in links deleted
    ingest_runs: int = 0

    def summary(self) -> str:
        return (f"deleted {self.outbox} outbox messages, {self.sent_log} sent-paper log rows, "
                f"{self.sessions} expired sessions and sign-in links, {self.ingest_runs} ingest runs")


def prune(db: Database, outbox_days: int, now: datetime | None = None, stopped: Callable[[], bool] = lambda: False,
          batch: int = OUTBOX_BATCH, sent_log_days: int = sent_log_keep_days(7)) -> PruneReport:
    """Delete what the instance no longer keeps (see the module docstring), as of ``now``."""
    now = now or datetime.now(UTC)
    report = PruneReport()
    before = now - timedelta(days=outbox_days)
    report.outbox = _in_batches(db, lambda conn: outbox.delete_finished(conn, before, batch), batch, stopped)
    if not stopped():
        with db.read() as conn:
            data_day = data_now(now, listings.latest_listing_date(conn)).date()
        sent_before, cutoff = now - timedelta(days=sent_log_days), data_day - timedelta(days=sent_log_days)
        report.sent_log = _in_batches(
            db, lambda conn: digests.delete_sent_before(conn, sent_before, cutoff, batch), batch, stopped)
    with db.write() as conn:
        report.sessions = sessions.purge_expired(conn, now)
        report.ingest_runs = ingest_runs.delete_started_before(conn, now - timedelta(days=INGEST_RUNS_KEEP_DAYS))
    return report


def _in_batches(db: Database, delete: Callable[[Connection], int], batch: int, stopped: Callable[[], bool]) -> int:
    """Run ``delete`` (at most ``batch`` rows) until it deletes fewer, one transaction each, so web
    requests' writes get the lock in between; ``stopped`` (a worker shutting down) ends it early
    and the next run goes on."""
    total = 0
    while True:
        with db.write() as conn:
            gone = delete(conn)
        total += gone
        if gone < batch or stopped():
            return total


def retention_jobs(db: Database, settings: Settings) -> list[Job]:
    """``retention.prune``, daily."""

    def run(stop: Event) -> PruneReport:
        report = prune(db, settings.outbox_retention_days, stopped=stop.is_set,
                       sent_log_days=sent_log_keep_days(settings.trending_window_days))
        if report.outbox or report.sent_log or report.sessions or report.ingest_runs:
            log.info("retention: %s", report.summary())
        return report

    return [
        Job("retention.prune", Cron(SCHEDULE), run, enabled=settings.jobs_retention_enabled, stoppable=True,
            description="Delete old sent email and sent-paper log rows, expired sessions and sign-in links, "
                        "and old ingest runs."),
    ]

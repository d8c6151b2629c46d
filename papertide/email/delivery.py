"""Draining the outbox over an :class:`EmailSender`, with bounded concurrency and retries.

Exactly once, and the window that remains
-----------------------------------------
Each message is claimed (status ``sending``, a unique claim id, a lease) in its own
committed transaction *before* any byte goes to SMTP, and marked ``sent`` in another
transaction right after the server's ``250`` reply to DATA. So:

- a sender killed before or during the SMTP transaction leaves the row ``sending``; when
  the lease expires another sender retries it — nothing is lost, and the server never
  accepted the first copy, so nothing is doubled;
- a sender killed *after* the server accepted the message but *before* our ``sent``
  commit (the time of one small UPDATE, about a millisecond) leaves the same row, and it
  is sent again. This window cannot be closed from the client side of SMTP; we keep it
  to one message per concurrent connection and make it harmless in practice: the retry
  is byte-identical with the same ``Message-ID``, which receiving systems use to drop
  duplicates. tests/email/test_crash.py kills a real sender with SIGKILL and checks that
  every message arrives, and that any duplicate is one of those in flight at the kill.
- a lease shorter than one SMTP transaction would let two senders send the same row;
  the default (300 s) is ten times the SMTP timeout.

Temporary failures (4xx, refused connections, timeouts) go back to ``pending`` with an
exponential backoff (domain.digests.retry_delay); 5xx and running out of attempts end in
``failed``. With the SMTP server down, messages simply wait and go out when it returns.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

from papertide.config import Settings
from papertide.domain.digests import retry_delay, should_give_up
from papertide.email.senders import EmailSender, PermanentSendError, TemporarySendError
from papertide.storage import outbox as outbox_store
from papertide.storage.db import Database
from papertide.storage.outbox import ClaimedMessage
from papertide.telemetry.context import carry_context

log = logging.getLogger(__name__)

CLAIM_BATCH = 5  # rows one thread claims at a time (each still sent and marked one by one)
IDLE_POLL_SECONDS = 1.0  # longest sleep of a waiting sender between looks at the outbox


@dataclass
class DrainReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    seconds: float = 0.0


class OutboxSender:
    def __init__(self, db: Database, sender: EmailSender, settings: Settings, concurrency: int | None = None) -> None:
        self.db, self.sender, self.settings = db, sender, settings
        self.concurrency = concurrency or settings.email_send_concurrency
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        # Bounces go to the From address (a deployment may point it at its bounce processor).
        self.envelope_from = parseaddr(settings.email_from)[1]
        self._lock = threading.Lock()

    def with_concurrency(self, concurrency: int) -> OutboxSender:
        """The same sender with another number of SMTP connections."""
        return OutboxSender(self.db, self.sender, self.settings, concurrency)

    def counts(self) -> dict[str, int]:
        """Messages in the outbox by status."""
        with self.db.read() as conn:
            return outbox_store.counts(conn)

    def drain(self, wait: bool = False, timeout: float | None = None, only_ids: list[int] | None = None,
              stop: threading.Event | None = None) -> DrainReport:
        """Send what is due. ``wait``: also wait for retries and expired leases until the outbox
        has nothing pending or sending (or ``timeout`` seconds pass)."""
        report = DrainReport()
        started = time.monotonic()
        deadline = None if timeout is None else started + timeout
        stop = stop or threading.Event()
        threads = [
            # Each thread logs under the caller's request or job run id.
            threading.Thread(target=carry_context(self._work), args=(report, wait, deadline, only_ids, stop), daemon=True,
                             name=f"outbox-sender-{i}")
            for i in range(self.concurrency)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        report.seconds = time.monotonic() - started
        return report

    def send_now(self, ids: list[int]) -> DrainReport:
        """One try at these just-queued messages, in the calling thread: someone is waiting
        for them (a sign-in link, a confirmation). A temporary failure leaves the row pending
        with its backoff, so the worker's normal drain retries it."""
        report = DrainReport()
        started = time.monotonic()
        try:
            # One claim, not the drain loop: a retry that falls due while we are still here (a short
            # backoff, a slow server) belongs to the worker, which counts and spaces the attempts.
            for start in range(0, len(ids), CLAIM_BATCH):
                for message in self._claim(list(ids[start:start + CLAIM_BATCH])):
                    self._deliver(message, report)
        finally:
            self.sender.close()
        report.seconds = time.monotonic() - started
        return report

    def _work(self, report: DrainReport, wait: bool, deadline: float | None, only_ids: list[int] | None,
              stop: threading.Event) -> None:
        try:
            while not stop.is_set() and (deadline is None or time.monotonic() < deadline):
                batch = self._claim(only_ids)
                if batch:
                    for message in batch:
                        self._deliver(message, report)
                    continue
                if not wait or not self._outstanding(only_ids):
                    return
                stop.wait(self._idle_seconds(deadline))
        finally:
            self.sender.close()

    def _claim(self, only_ids: list[int] | None) -> list[ClaimedMessage]:
        claim_id = f"{self.worker}:{uuid.uuid4().hex[:12]}"
        lease = timedelta(seconds=self.settings.email_claim_seconds)
        with self.db.write() as conn:
            return outbox_store.claim(conn, claim_id, datetime.now(UTC), lease, CLAIM_BATCH, only_ids)

    def waiting(self) -> tuple[int, datetime | None]:
        """Messages still to send (pending, now or later, or being sent) and when the next falls due."""
        with self.db.read() as conn:
            nxt = outbox_store.next_due_at(conn)
            return outbox_store.outstanding(conn), (nxt if nxt is None or nxt.tzinfo else nxt.replace(tzinfo=UTC))

    def _outstanding(self, only_ids: list[int] | None) -> bool:
        with self.db.read() as conn:
            if only_ids is not None:
                return any(
                    (row := outbox_store.get(conn, i)) is not None and row["status"] in ("pending", "sending")
                    for i in only_ids
                )
            return outbox_store.outstanding(conn) > 0

    def _idle_seconds(self, deadline: float | None) -> float:
        with self.db.read() as conn:
            nxt = outbox_store.next_due_at(conn)
        wait = IDLE_POLL_SECONDS
        if nxt is not None:
            nxt = nxt if nxt.tzinfo else nxt.replace(tzinfo=UTC)
            wait = min(wait, max(0.01, (nxt - datetime.now(UTC)).total_seconds()))
        if deadline is not None:
            wait = min(wait, max(0.0, deadline - time.monotonic()))
        return wait

    def _deliver(self, m: ClaimedMessage, report: DrainReport) -> None:
        if not m.deliverable:
            with self.db.write() as conn:
                outbox_store.mark_final(conn, m.id, m.claim, "cancelled", "subscription no longer active", datetime.now(UTC))
            self._count(report, "cancelled")
            return
        try:
            self.sender.send(self.envelope_from, m.recipient, m.raw)
        except PermanentSendError as exc:
            with self.db.write() as conn:
                outbox_store.mark_final(conn, m.id, m.claim, "failed", str(exc), datetime.now(UTC))
            log.warning("outbox %s to %s failed permanently: %s", m.id, m.recipient, exc,
                        extra={"outbox_id": m.id, "outcome": "failed"})
            self._count(report, "failed")
            return
        except TemporarySendError as exc:
            now = datetime.now(UTC)
            with self.db.write() as conn:
                if should_give_up(m.attempts, self.settings.email_max_attempts):
                    outbox_store.mark_final(conn, m.id, m.claim, "failed", f"gave up after {m.attempts} tries: {exc}", now)
                    self._count(report, "failed")
                else:
                    delay = retry_delay(m.attempts, self.settings.email_retry_base_seconds, self.settings.email_retry_max_seconds)
                    outbox_store.mark_retry(conn, m.id, m.claim, str(exc), now + timedelta(seconds=delay), now)
                    self._count(report, "retried")
            log.info("outbox %s to %s will be retried: %s", m.id, m.recipient, exc,
                     extra={"outbox_id": m.id, "outcome": "retry"})
            return
        # The server accepted it: record that at once (see "the window that remains" above).
        with self.db.write() as conn:
            outbox_store.mark_sent(conn, m.id, m.claim, datetime.now(UTC))
        log.info("outbox %s to %s sent", m.id, m.recipient, extra={"outbox_id": m.id, "outcome": "sent"})
        self._count(report, "sent")

    def _count(self, report: DrainReport, field: str) -> None:
        with self._lock:
            setattr(report, field, getattr(report, field) + 1)

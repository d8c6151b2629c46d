"""The email capability's scheduled jobs: compose due digests, and send what the outbox holds."""

from __future__ import annotations

import logging
from threading import Event

from papertide.config import Settings
from papertide.domain.jobs import Every, Job
from papertide.email.composing import DigestComposer, RunReport
from papertide.email.delivery import DrainReport, OutboxSender

log = logging.getLogger(__name__)


def email_jobs(composer: DigestComposer, outbox: OutboxSender, settings: Settings) -> list[Job]:
    """``digests.compose`` and ``email.outbox``, both every ``PAPERTIDE_WORKER_INTERVAL_SECONDS``."""
    every = Every(settings.worker_interval_seconds)

    def compose(stop: Event) -> RunReport:
        report = composer.run()  # idempotent per period, so a re-run of a slot composes nothing twice
        if report.composed:
            log.info("composed %d digests", report.composed)
        if report.outbox_ids and settings.jobs_outbox_enabled and not stop.is_set():
            # Send this slot's digests now, not when the outbox job next comes round.
            outbox.drain(only_ids=report.outbox_ids, stop=stop)
        return report

    def send(stop: Event) -> DrainReport:
        report = outbox.drain(stop=stop)
        if report.sent or report.failed:
            log.info("outbox: %d sent, %d to retry, %d failed", report.sent, report.retried, report.failed)
        return report

    return [
        Job("digests.compose", every, compose, enabled=settings.jobs_digests_enabled, stoppable=True,
            description="Compose the digests that are due and send them."),
        Job("email.outbox", every, send, enabled=settings.jobs_outbox_enabled, stoppable=True,
            description="Send queued email, retrying temporary failures."),
    ]

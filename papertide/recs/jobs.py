"""The recommendations' scheduled job: fetch the papers of imported libraries we did not hold."""

from __future__ import annotations

from threading import Event

from papertide.config import Settings
from papertide.domain.jobs import Every, Job
from papertide.recs.signals import Signals


def recs_jobs(signals: Signals, settings: Settings) -> list[Job]:
    def fetch(stop: Event) -> int:
        return signals.fetch_pending(stop=stop.is_set)

    return [
        Job("recs.fetch_pending", Every(settings.jobs_recs_interval_seconds), fetch,
            enabled=settings.jobs_recs_enabled, stoppable=True,
            description="Turn imported library ids into signals, fetching from arXiv the papers we do not hold."),
    ]

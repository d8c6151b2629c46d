"""The ingest capability's scheduled job: ``ingest daily`` on PAPERTIDE_INGEST_CRON or _EVERY_HOURS."""

from __future__ import annotations

from threading import Event

from papertide.config import Settings
from papertide.domain.jobs import Cron, Every, Job, JobFailed, Schedule
from papertide.ingest.service import IngestService, RunResult

OFF_PLACEHOLDER_HOURS = 24  # the schedule shown for a disabled ingest job (it never runs)


class IngestFailed(JobFailed):
    """Some source of a scheduled ingest failed (each run is recorded in ingest_runs)."""


def ingest_jobs(ingest: IngestService, settings: Settings) -> list[Job]:
    """``ingest.daily``: every configured source for yesterday and today; off unless scheduled."""
    schedule: Schedule
    if settings.ingest_cron:
        schedule = Cron(settings.ingest_cron)
    else:
        schedule = Every((settings.ingest_every_hours or OFF_PLACEHOLDER_HOURS) * 3600)
    enabled = bool(settings.ingest_cron) or settings.ingest_every_hours > 0

    def run(stop: Event) -> list[RunResult]:
        # One source failing does not stop the others (run_daily goes on); the job still
        # reports failure, so status shows it. A failed slot waits for the next one rather
        # than hammering the source.
        results = ingest.run_daily()
        errors = [r.error or f"{r.source}: {r.status.value}" for r in results if not r.ok]
        if errors:
            raise IngestFailed("; ".join(errors))
        return results

    return [Job("ingest.daily", schedule, run, enabled=enabled,
                description="Run `ingest daily`: every configured source for yesterday and today.")]

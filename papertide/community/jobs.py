"""The community's scheduled job: fetch the papers members submitted that we did not hold."""

from __future__ import annotations

from threading import Event

from papertide.community.contributions import Submissions
from papertide.config import Settings
from papertide.domain.jobs import Every, Job


def community_jobs(submissions: Submissions, settings: Settings) -> list[Job]:
    def fetch(stop: Event) -> int:
        return submissions.fetch_requested(stop=stop.is_set)

    return [
        Job("submissions.fetch", Every(settings.jobs_submissions_interval_seconds), fetch,
            enabled=settings.jobs_submissions_enabled, stoppable=True,
            description="Fetch papers members submitted that the instance did not hold, then list them."),
    ]

"""The thumbnails capability's scheduled job: ``thumbnails.render`` on JOBS_THUMBNAILS_INTERVAL_SECONDS."""

from __future__ import annotations

import logging
from threading import Event

from papertide.config import Settings
from papertide.domain.jobs import Every, Job
from papertide.thumbnails.service import ThumbnailRun, ThumbnailService

log = logging.getLogger(__name__)


def thumbnail_jobs(thumbnails: ThumbnailService, settings: Settings) -> list[Job]:
    """``thumbnails.render``: on when THUMBNAILS_ENABLED and the instance is online."""

    def run(stop: Event) -> ThumbnailRun:
        result = thumbnails.run(stop=stop)
        if result.rendered or result.failed:
            log.info("thumbnails: %d rendered, %d failed", result.rendered, result.failed)
        return result

    enabled = settings.thumbnails_enabled and not settings.ingest_offline
    return [Job("thumbnails.render", Every(settings.jobs_thumbnails_interval_seconds), run, enabled=enabled,
                stoppable=True, description="Render card thumbnails of listed papers from their arXiv PDFs.")]

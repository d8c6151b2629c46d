"""The recommendations' scheduled jobs: fetch imported papers, count new papers' phrases, retrain
stale members, refit the shared vocabulary and the community model."""

from __future__ import annotations

from threading import Event

from papertide.config import Settings
from papertide.domain.jobs import Cron, Every, Job, Progress
from papertide.recs import phrase_counts
from papertide.recs.personal import PersonalRecommendations
from papertide.recs.signals import Signals


def recs_jobs(signals: Signals, personal: PersonalRecommendations, settings: Settings) -> list[Job]:
    # The three that loop over papers, members or arXiv requests say how far they have got.
    def fetch(stop: Event, progress: Progress) -> int:
        return signals.fetch_pending(stop=stop.is_set, progress=progress)

    def phrases(stop: Event, progress: Progress) -> int:
        return phrase_counts.refresh(personal.db, stop=stop.is_set, progress=progress)

    def train(stop: Event, progress: Progress) -> int:
        return personal.train_stale(stop=stop.is_set, progress=progress)

    def community(stop: Event) -> int:
        return int(personal.train_community())

    def vocabulary(stop: Event) -> int:
        personal.recommender.models.refit_text()
        personal.recommender.models.refit_phrases()
        return 2

    enabled = settings.jobs_recs_enabled
    return [
        Job("recs.fetch_pending", Every(settings.jobs_recs_interval_seconds), fetch, enabled=enabled, stoppable=True,
            reports_progress=True,
            description="Turn imported library ids into signals, fetching from arXiv the papers we do not hold."),
        Job("recs.phrases", Every(settings.jobs_recs_interval_seconds), phrases, enabled=enabled, stoppable=True,
            reports_progress=True,
            description="Count the phrases of new or changed recent papers, so For-you rankings need not."),
        Job("recs.train", Every(settings.jobs_recs_train_interval_seconds), train, enabled=enabled, stoppable=True,
            reports_progress=True,
            description="Retrain the For-you model of members whose votes, saves, marks or follows changed."),
        Job("recs.community", Cron("15 4 * * *"), community, enabled=enabled,
            description="Refit the community model behind curators' Suggested for today (listed vs not, last year)."),
        Job("recs.vocabulary", Cron("45 3 * * sun"), vocabulary, enabled=enabled,
            description="Refit the tf-idf vocabulary (on a sample) and recount phrases (over every paper) for recommendations."),
    ]

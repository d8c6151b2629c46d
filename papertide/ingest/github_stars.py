"""The stars refresh: asks GitHub about the repos papers name and records what it says.

``StarsRefresh.run`` fetches at most ``per_run`` due repos, those of recently listed
papers first (``domain.github.pick_repos_to_refresh``), sending each repo's stored ETag,
and commits each answer as it comes, so a run cut short by a rate limit or a stop keeps
what it did. ``github_jobs`` declares it as the ``github.stars`` job.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from threading import Event

from papertide.config import Settings
from papertide.domain.github import pick_repos_to_refresh
from papertide.domain.jobs import Every, Job, JobFailed
from papertide.ingest.github import GithubClient, GithubRateLimited, HttpGithubClient, NullGithubClient
from papertide.storage import github as github_store
from papertide.storage.db import Database

log = logging.getLogger(__name__)

LOW_REMAINING = 1  # stop a run when GitHub says this few requests are left in the hour


@dataclass
class RefreshReport:
    """What one run did, by outcome; ``stopped`` says why it ended early, if it did."""

    asked: int = 0
    changed: int = 0  # 200s whose star count differed (a history row was added)
    unchanged: int = 0  # 200s with the same count, and 304s
    missing: int = 0
    errors: list[str] = field(default_factory=list)
    stopped: str = ""


def make_github_client(settings: Settings) -> GithubClient:
    if settings.ingest_offline:
        return NullGithubClient()
    return HttpGithubClient(settings.github_api_url, settings.github_token, settings.github_max_wait_seconds)


class StarsRefresh:
    """Refreshes repo stars from GitHub into ``github_repos`` / ``github_stars``."""

    def __init__(
        self, db: Database, client: GithubClient, settings: Settings,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.db, self.client, self.clock = db, client, clock
        self.per_run = settings.github_refresh_per_run
        self.min_age = timedelta(hours=settings.github_refresh_min_hours)
        self.recent_days = settings.github_recent_days

    def due(self, now: datetime | None = None) -> list[str]:
        """The repos the next run would ask about, in order."""
        now = now or self.clock()
        with self.db.read() as conn:
            listed = github_store.listed_repos(conn)
            checks = github_store.repo_checks(conn)
        recent_since = now.date() - timedelta(days=self.recent_days)
        return pick_repos_to_refresh(listed, checks, now, self.min_age, recent_since, self.per_run)

    def run(self, stop: Event | None = None) -> RefreshReport:
        report = RefreshReport()
        if not self.client.online:
            report.stopped = "offline (PAPERTIDE_INGEST_OFFLINE)"
            return report
        repos = self.due()
        with self.db.read() as conn:
            tags = github_store.etags(conn, repos)
        for repo in repos:
            if stop is not None and stop.is_set():
                report.stopped = "asked to stop"
                break
            try:
                answer = self.client.repo(repo, tags.get(repo))
            except GithubRateLimited as exc:
                report.stopped = str(exc)
                break
            report.asked += 1
            if answer.status == "unreachable":
                report.errors.append(f"{repo}: {answer.detail}")
                report.stopped = "GitHub unreachable"
                break
            now = self.clock()
            with self.db.write() as conn:
                if answer.status == "ok" and answer.stars is not None:
                    changed = github_store.record_fetched(conn, repo, answer.stars, answer.etag, answer.homepage, now)
                    report.changed += changed
                    report.unchanged += not changed
                elif answer.status == "not_modified":
                    github_store.record_not_modified(conn, repo, now)
                    report.unchanged += 1
                else:
                    github_store.record_failed(conn, repo, now, missing=answer.status == "missing")
                    if answer.status == "missing":
                        report.missing += 1
                    else:
                        report.errors.append(f"{repo}: {answer.detail}")
            if answer.remaining is not None and answer.remaining <= LOW_REMAINING:
                report.stopped = "rate limit nearly spent; the next run goes on"
                break
        log.info("github stars: asked %d, %d changed, %d unchanged, %d missing, %d errors%s", report.asked,
                 report.changed, report.unchanged, report.missing, len(report.errors),
                 f"; stopped: {report.stopped}" if report.stopped else "")
        return report


class StarsRefreshFailed(JobFailed):
    """Every repo a run asked about failed (a bad token, GitHub down): status should show it."""


def github_jobs(refresh: StarsRefresh, settings: Settings) -> list[Job]:
    """``github.stars``: refresh repo stars every PAPERTIDE_GITHUB_REFRESH_HOURS; off when 0 or offline."""
    hours = settings.github_refresh_hours
    enabled = hours > 0 and not settings.ingest_offline

    def run(stop: Event) -> RefreshReport:
        report = refresh.run(stop)
        # Single failures (a blocked repo) are recorded per repo; a run where nothing worked
        # points at our side (token, network) and is reported as a failed run.
        if report.errors and len(report.errors) == report.asked:
            raise StarsRefreshFailed("; ".join(report.errors[:3]))
        return report

    return [Job("github.stars", Every((hours or 24) * 3600), run, enabled=enabled, stoppable=True,
                description="Refresh GitHub stars of paper repos (recently listed first, bounded per run).")]

"""The github.stars job end to end, on SQLite and PostgreSQL, against a local fake GitHub."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from papertide.config import Settings
from papertide.domain.github import RepoStars
from papertide.ingest.github import HttpGithubClient
from papertide.ingest.github_stars import StarsRefresh
from papertide.services import Edges, build_services
from papertide.storage import github as github_store
from papertide.storage.db import Database
from papertide.storage.tables.github import github_stars
from tests.factories import add_papers, make_paper
from tests.ingest.fake_github import FakeGithub, FakeGithubServer

T0 = datetime(2026, 6, 10, 12, tzinfo=UTC)
TODAY = date(2026, 6, 10)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def github() -> FakeGithub:
    return FakeGithub(stars={"lab/new": 120, "lab/mid": 40, "lab/old": 9000, "lab/shared": 7})


@pytest.fixture
def gh_settings(settings: Settings, server: FakeGithubServer) -> Settings:
    return settings.model_copy(update={"github_api_url": server.url, "github_refresh_min_hours": 1})


@pytest.fixture
def papers_with_code(db: Database) -> None:
    add_papers(
        db,
        (make_paper("2606.00001", github_repo="https://github.com/lab/new"), TODAY),
        (make_paper("2606.00002", github_repo="https://github.com/lab/mid/tree/main"), TODAY - timedelta(days=3)),
        (make_paper("2601.00003", github_repo="https://github.com/lab/old"), date(2026, 1, 5)),
        (make_paper("2606.00004", github_repo="https://github.com/lab/gone"), TODAY - timedelta(days=1)),
        (make_paper("2606.00005", github_repo="lab/shared"), TODAY),
        (make_paper("2606.00006", github_repo="https://github.com/lab/shared"), TODAY - timedelta(days=2)),
        make_paper("2606.00007", github_repo=None),
        make_paper("2606.00008", github_repo="https://gitlab.com/not/github"),
    )


def _refresh(db: Database, settings: Settings, clock: Clock, per_run: int | None = None) -> StarsRefresh:
    if per_run:
        settings = settings.model_copy(update={"github_refresh_per_run": per_run})
    client = HttpGithubClient(settings.github_api_url, max_wait_s=0, sleep=lambda s: None)
    return StarsRefresh(db, client, settings, clock=clock)


def _history(db: Database) -> list[tuple[str, int]]:
    with db.read() as conn:
        rows = conn.execute(github_stars.select().order_by(github_stars.c.repo, github_stars.c.fetched_at)).all()
    return [(r.repo, r.stars) for r in rows]


def test_the_job_fetches_every_repo_once_and_pages_get_the_stars(db, gh_settings, github, papers_with_code):
    services = build_services(gh_settings, Edges(db=db))
    try:
        run = services.jobs.run_now("github.stars")
        assert run is not None and run.outcome == "succeeded"
        # One request per distinct repo (lab/shared is named by two papers), never the GitLab one.
        assert sorted(p for p, _ in github.requests) == [
            "/repos/lab/gone", "/repos/lab/mid", "/repos/lab/new", "/repos/lab/old", "/repos/lab/shared"]
        assert _history(db) == [("lab/mid", 40), ("lab/new", 120), ("lab/old", 9000), ("lab/shared", 7)]
        entry = services.catalog.paper("2606.00002")
        assert entry is not None and entry.github is not None
        assert (entry.github.repo, entry.github.stars) == ("lab/mid", 40)
        gone = services.catalog.paper("2606.00004")
        assert gone is not None and gone.github == RepoStars("lab/gone")  # shown as a link, no stars
    finally:
        services.close()


def test_a_second_run_sends_the_etags_gets_304s_and_writes_no_history(db, gh_settings, github, papers_with_code):
    clock = Clock(T0)
    _refresh(db, gh_settings, clock).run()
    first = len(github.requests)
    remaining = github.remaining
    clock.now = T0 + timedelta(hours=2)
    github.stars["lab/new"] = 150
    report = _refresh(db, gh_settings, clock).run()
    # lab/gone (404) waits a week; the four others were asked again with their ETags.
    again = github.requests[first:]
    assert sorted(p for p, _ in again) == ["/repos/lab/mid", "/repos/lab/new", "/repos/lab/old", "/repos/lab/shared"]
    assert all("if-none-match" in h for _, h in again)
    assert (report.asked, report.changed, report.unchanged, report.missing, report.errors) == (4, 1, 3, 0, [])
    assert github.remaining == remaining - 1  # only lab/new's 200 cost a request
    assert _history(db) == [("lab/mid", 40), ("lab/new", 120), ("lab/new", 150), ("lab/old", 9000), ("lab/shared", 7)]
    with db.read() as conn:
        checks = github_store.repo_checks(conn)
    assert checks["lab/old"].checked_at == T0 + timedelta(hours=2)  # a 304 still records the check
    assert checks["lab/gone"].missing


def test_a_run_is_bounded_and_takes_recently_listed_repos_first(db, gh_settings, github, papers_with_code):
    clock = Clock(T0)
    report = _refresh(db, gh_settings, clock, per_run=3).run()
    assert report.asked == 3
    # Listed today (lab/new, lab/shared), then yesterday (lab/gone); lab/mid and lab/old wait.
    assert [p for p, _ in github.requests] == ["/repos/lab/new", "/repos/lab/shared", "/repos/lab/gone"]
    clock.now = T0 + timedelta(minutes=5)
    _refresh(db, gh_settings, clock, per_run=3).run()
    assert [p for p, _ in github.requests[3:]] == ["/repos/lab/mid", "/repos/lab/old"]


def test_a_long_rate_limit_ends_the_run_and_keeps_what_it_fetched(db, gh_settings, github, papers_with_code):
    clock = Clock(T0)
    _refresh(db, gh_settings, clock, per_run=1).run()  # lab/new
    github.limited_for, github.limited_times = 3600, 10
    clock.now = T0 + timedelta(minutes=1)
    report = _refresh(db, gh_settings, clock).run()
    assert report.asked == 0 and report.stopped.startswith("GitHub rate limit: retry in")
    assert _history(db) == [("lab/new", 120)]
    github.limited_times = 0
    assert _refresh(db, gh_settings, clock).run().asked == 4  # the next run goes on where it stopped


def test_a_run_stops_when_github_says_the_hour_is_spent(db, gh_settings, github, papers_with_code):
    github.remaining = 3  # two requests leave one
    report = _refresh(db, gh_settings, Clock(T0)).run()
    assert (report.asked, report.stopped) == (2, "rate limit nearly spent; the next run goes on")


def test_offline_instances_never_ask_github(db, gh_settings, github, papers_with_code):
    offline = gh_settings.model_copy(update={"ingest_offline": True})
    services = build_services(offline, Edges(db=db))
    try:
        assert not services.jobs.jobs["github.stars"].enabled
        assert services.github_stars.run().stopped == "offline (PAPERTIDE_INGEST_OFFLINE)"
        assert github.requests == []
    finally:
        services.close()


def test_an_unreachable_github_fails_the_job_after_one_request(db, gh_settings, papers_with_code, server):
    server.stop()  # nothing listens on the URL any more
    services = build_services(gh_settings, Edges(db=db))
    try:
        run = services.jobs.run_now("github.stars")
        assert run is not None and run.outcome == "failed"
        assert run.error is not None and "network error" in run.error
    finally:
        services.close()

"""The email, ingest and search job declarations, built with real services and run by the runner.

Ports what tests/ingest/test_worker_schedule.py and tests/email/test_worker_cli.py asked of
the old in-process worker: digests composed and sent while the worker runs, the daily
ingest once per slot and never by default.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from papertide.catalog import Catalog
from papertide.config import Settings
from papertide.domain.subscriptions import Preferences
from papertide.email.composing import DigestComposer
from papertide.email.delivery import OutboxSender
from papertide.email.jobs import email_jobs
from papertide.email.notices import Notices
from papertide.email.senders import NullSender, make_sender
from papertide.ingest.jobs import ingest_jobs
from papertide.ingest.service import IngestService
from papertide.jobs import JobRunner
from papertide.search.jobs import search_jobs
from papertide.search.lexical import make_lexical_index
from papertide.search.service import SearchService
from papertide.search.vectors import make_vector_index
from papertide.storage import outbox as outbox_store
from tests.email.conftest import confirmed_subscribers
from tests.factories import add_papers, make_paper
from tests.jobs.conftest import T0, Clock
from tests.search.conftest import CORPUS


def _due_today() -> Preferences:
    # A weekly digest due today at 00:00 UTC, whatever day the test runs.
    return Preferences(frequency="weekly", weekday=datetime.now(UTC).weekday(), send_hour=0)


def _email_services(db, settings: Settings, sender=None):  # type: ignore[no-untyped-def]
    catalog = Catalog(db, settings.trending_gravity, settings.trending_window_days, settings.page_size)
    composer = DigestComposer(db, settings, Notices(settings), catalog)
    return composer, OutboxSender(db, sender or NullSender(), settings)


def test_email_jobs_compose_and_send_due_digests_in_one_tick(db, settings, june_papers):
    confirmed_subscribers(db, 2, _due_today())
    runner = JobRunner(db, email_jobs(*_email_services(db, settings), settings))
    now = datetime.now(UTC)  # both ticks in one slot, even when the wall clock crosses a minute between them
    assert [(r.name, r.outcome) for r in runner.tick(now)] == [("digests.compose", "succeeded"),
                                                                ("email.outbox", "succeeded")]
    with db.read() as conn:
        assert outbox_store.counts(conn) == {"sent": 2}
    assert runner.tick(now) == []  # both ran this slot


def test_the_worker_composes_and_sends_due_digests_while_running(sqlite_db, sqlite_mail_settings, smtp_sink,
                                                                  june_papers_sqlite):
    confirmed_subscribers(sqlite_db, 2, _due_today())
    settings = sqlite_mail_settings
    runner = JobRunner(sqlite_db, email_jobs(*_email_services(sqlite_db, settings, make_sender(settings)), settings))
    runner.start()
    try:
        assert smtp_sink.handler.wait_for(2, timeout=20)
    finally:
        assert runner.stop()
    assert sorted(smtp_sink.handler.count_by_recipient()) == ["reader0000@example.org", "reader0001@example.org"]


def test_disabled_email_jobs_never_run(db, settings, june_papers):
    confirmed_subscribers(db, 1, _due_today())
    off = settings.model_copy(update={"jobs_digests_enabled": False, "jobs_outbox_enabled": False})
    assert JobRunner(db, email_jobs(*_email_services(db, off), off)).tick() == []
    with db.read() as conn:
        assert outbox_store.counts(conn) == {}


def test_the_daily_ingest_runs_once_per_slot(db, ingest_settings):
    settings = ingest_settings.model_copy(update={"ingest_every_hours": 1, "ingest_delay_seconds": 0})
    ingest = IngestService(db, settings)
    clock = Clock(T0 + timedelta(minutes=5))
    runner = JobRunner(db, ingest_jobs(ingest, settings), clock=clock)
    assert [r.name for r in runner.tick()] == ["ingest.daily"]
    for minutes in (20, 59):
        clock.now = T0 + timedelta(minutes=minutes)
        assert runner.tick() == []  # … but one ingest inside the hour
    assert sorted({r.source for r in ingest.runs()}) == ["hf", "oai"]  # the configured sources ran and were recorded
    first_runs = len(ingest.runs())
    clock.now = T0 + timedelta(hours=1, minutes=1)
    assert [r.name for r in runner.tick()] == ["ingest.daily"]
    assert len(ingest.runs()) == 2 * first_runs
    ingest.close()


def test_no_scheduled_ingest_by_default(db, ingest_settings):
    ingest = IngestService(db, ingest_settings)
    runner = JobRunner(db, ingest_jobs(ingest, ingest_settings))
    assert runner.tick() == []
    assert ingest.runs() == []
    assert [(s.name, s.enabled) for s in runner.status()] == [("ingest.daily", False)]


def test_a_failing_source_fails_the_ingest_job_with_its_error(db, ingest_settings):
    settings = ingest_settings.model_copy(update={"ingest_cron": "30 1 * * *", "ingest_sources": "hf,gopher",
                                                  "ingest_delay_seconds": 0})
    ingest = IngestService(db, settings)
    runner = JobRunner(db, ingest_jobs(ingest, settings), clock=Clock(T0))
    [run] = runner.tick()
    assert run.outcome == "failed" and run.error is not None and "gopher: unknown source" in run.error
    [status] = runner.status()
    assert (status.schedule, status.next_run) == ("cron 30 1 * * * (UTC)", T0.replace(hour=1, minute=30) + timedelta(days=1))
    ingest.close()


def _search(db, embedder, folder) -> SearchService:  # type: ignore[no-untyped-def]
    lexical = make_lexical_index(db, "auto", folder)
    return SearchService(db, embedder, make_vector_index(db, embedder.model_id), lexical=lexical)


def test_search_jobs_index_and_embed_new_papers_and_other_processes_pick_up_the_vectors(db, settings, embedder,
                                                                                         tmp_path):
    add_papers(db, *CORPUS)
    web = _search(db, embedder, tmp_path / "web-index")  # another process's service, built before anything was embedded
    worker = _search(db, embedder, tmp_path / "worker-index")
    runs = JobRunner(db, search_jobs(worker, settings)).tick()
    refreshed = [("search.refresh", "succeeded")] if db.is_sqlite else []  # pgvector: nothing held in memory
    assert [(r.name, r.outcome) for r in runs] == [("search.keywords", "succeeded"), ("search.prune", "succeeded"),
                                                   ("search.index", "succeeded"), *refreshed]
    assert worker.pending() == 0 and len(worker.index) == len(CORPUS)
    assert getattr(worker.lexical, "built", True)
    web_jobs = [j for j in search_jobs(web, settings) if j.scope == "process"]
    # Every process keeps its own keyword index; pgvector needs no per-process refresh.
    assert [(j.name, j.enabled) for j in web_jobs] == [("search.keywords", True), ("search.refresh", db.is_sqlite)]
    assert not getattr(web.lexical, "built", True)
    JobRunner(db, web_jobs).tick()
    assert len(web.index) == len(CORPUS)
    assert getattr(web.lexical, "built", True)


def test_search_jobs_are_off_with_background_embedding_off(db, settings, embedder):
    off = search_jobs(_search(db, embedder, None), settings, background_embed=False)
    assert [(j.name, j.enabled) for j in off] == [("search.keywords", False), ("search.prune", True),
                                                  ("search.index", False), ("search.refresh", False)]


def test_the_search_jobs_say_how_far_they_have_got(db, settings, embedder, tmp_path):
    # `papertide jobs run search.keywords` was silent for 4 minutes on a 241k-paper instance, and
    # search.index would be for hours: each now says papers done of papers to do, batch by batch.
    add_papers(db, *CORPUS)
    runner = JobRunner(db, search_jobs(_search(db, embedder, tmp_path / "index"), settings))
    said: dict[str, list[tuple[int, int | None]]] = {"search.keywords": [], "search.index": []}
    for name, seen in said.items():
        run = runner.run_now(name, progress=lambda done, total, seen=seen: seen.append((done, total)))
        assert run is not None and run.outcome == "succeeded", run
    n = len(CORPUS)
    assert said == {"search.keywords": [(n, n)], "search.index": [(0, n), (n, n)]}
    add_papers(db, make_paper("2402.00009", title="Phonons in twisted bilayers"))  # then it applies the change log
    seen: list[tuple[int, int | None]] = []
    runner.run_now("search.keywords", progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 1), (1, 1)]

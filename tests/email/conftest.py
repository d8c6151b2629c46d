"""Email fixtures: a real SMTP server (aiosmtpd) and an app whose sender talks to it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient

from papertide.config import Settings
from tests.email.smtp_sink import SmtpSink
from tests.factories import add_papers, app_for, make_paper


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def mail_settings(settings: Settings, smtp_sink: SmtpSink) -> Settings:
    return _mail(settings, smtp_sink)


@pytest.fixture
def sqlite_mail_settings(tmp_path, sqlite_db, smtp_sink: SmtpSink) -> Settings:  # type: ignore[no-untyped-def]
    """For tests about one process's machinery that need no second database."""
    return _mail(Settings(data_dir=tmp_path, database_url=sqlite_db.url, _env_file=None), smtp_sink)  # type: ignore[call-arg]


def _mail(settings: Settings, smtp_sink: SmtpSink) -> Settings:
    return settings.model_copy(update={
        "email_backend": "smtp", "smtp_host": "127.0.0.1", "smtp_port": smtp_sink.port,
        "email_from": "papertide <digest@papers.example>", "base_url": "https://papers.example",
        "email_retry_base_seconds": 0.1, "email_retry_max_seconds": 0.5, "bounce_webhook_token": "bounce-secret",
        "email_send_concurrency": 2,
    })


@pytest.fixture
def mail_app(mail_settings, db):  # type: ignore[no-untyped-def]
    return app_for(mail_settings, db)


@pytest.fixture
def mail_client(mail_app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(mail_app, base_url="https://papers.example") as c:
        yield c


@pytest.fixture
def june_papers(db):  # type: ignore[no-untyped-def]
    """A few papers listed on 2026-06-03/04 (the newest listing days)."""
    _add_june_papers(db)


@pytest.fixture
def june_papers_sqlite(sqlite_db):  # type: ignore[no-untyped-def]
    _add_june_papers(sqlite_db)


def _add_june_papers(db) -> None:  # type: ignore[no-untyped-def]
    add_papers(
        db,
        (make_paper("2606.00001", title="Scaling laws for retrieval", categories=("cs.CL",), upvotes_baseline=40,
                    abstract="We study retrieval augmented generation at scale. " * 8), date(2026, 6, 4)),
        (make_paper("2606.00002", title="Latent diffusion for proteins", categories=("q-bio.BM", "cs.LG"),
                    upvotes_baseline=25, authors=("Ada Lovelace", "Grace Hopper")), date(2026, 6, 4)),
        (make_paper("2606.00003", title="A theory of everything small", categories=("cs.CL",), upvotes_baseline=3),
         date(2026, 6, 3)),
        (make_paper("2606.00004", title="Robots that fold <b>laundry</b>", categories=("cs.RO",), upvotes_baseline=10),
         date(2026, 6, 3)),
    )


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def links_in(msg) -> list[str]:  # type: ignore[no-untyped-def]
    return re.findall(r"https://papers\.example/[^\s\"<>]+", msg.get_body(("plain",)).get_content())


def confirmed_subscribers(db, n: int, prefs=None, domain: str = "example.org") -> list[str]:  # type: ignore[no-untyped-def]
    """``n`` confirmed subscriptions written through the storage layer (fast setup for volume tests)."""
    from datetime import UTC, datetime

    from papertide.domain.subscriptions import Preferences
    from papertide.storage import subscribers as subscribers_store
    from papertide.storage import subscriptions as subscriptions_store

    now = datetime(2026, 6, 1, tzinfo=UTC)
    emails = [f"reader{i:04d}@{domain}" for i in range(n)]
    with db.write() as conn:
        for email in emails:
            subscriber = subscribers_store.create(conn, email)
            sub = subscriptions_store.create(conn, subscriber.id, prefs or Preferences(), now)
            subscriptions_store.set_status(conn, sub.id, "confirmed", now)
    return emails

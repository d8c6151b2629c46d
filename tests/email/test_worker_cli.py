"""The in-process worker of `papertide serve --with-worker`, and the digest/email commands."""

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from papertide.cli import app as cli
from papertide.domain.subscriptions import Preferences
from papertide.storage import outbox as outbox_store
from tests.email.conftest import confirmed_subscribers
from tests.factories import app_for
from tests.live import free_port


def test_worker_composes_and_sends_due_digests_while_serving(sqlite_mail_settings, sqlite_db, smtp_sink, june_papers_sqlite):
    # A weekly digest due today at 00:00 UTC, whatever day the test runs.
    confirmed_subscribers(sqlite_db, 2, Preferences(frequency="weekly", weekday=datetime.now(UTC).weekday(), send_hour=0))
    settings = sqlite_mail_settings.model_copy(update={"with_worker": True, "worker_interval_seconds": 60})
    with TestClient(app_for(settings, sqlite_db)):
        assert smtp_sink.handler.wait_for(2, timeout=20)
    assert sorted(smtp_sink.handler.count_by_recipient()) == ["reader0000@example.org", "reader0001@example.org"]


def test_digest_and_email_commands(sqlite_mail_settings, sqlite_db, smtp_sink, june_papers_sqlite, monkeypatch):
    confirmed_subscribers(sqlite_db, 3)
    for key, value in {"DATABASE_URL": sqlite_db.url, "EMAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1",
                       "SMTP_PORT": str(smtp_sink.port), "LOG_LEVEL": "WARNING"}.items():
        monkeypatch.setenv(f"PAPERTIDE_{key}", value)
    runner = CliRunner()
    r = runner.invoke(cli, ["digest", "run", "--now", "2026-06-04T09:00:00+00:00"])
    assert r.exit_code == 0, r.output
    assert "3 due, 3 composed" in r.output and "sent 3" in r.output
    again = runner.invoke(cli, ["digest", "run", "--now", "2026-06-04T10:00:00+00:00", "--processes", "2"])
    assert "0 composed, 3 already composed" in again.output, again.output
    assert runner.invoke(cli, ["digest", "send"]).output.startswith("sent 0")
    preview = runner.invoke(cli, ["digest", "preview", "--categories", "cs.CL", "--no-trending"])
    assert "Scaling laws for retrieval" in preview.output
    r = runner.invoke(cli, ["email", "bounce", "reader0001@example.org", "hard", "--detail", "5.1.1"])
    assert r.exit_code == 0 and "disabled" in r.output
    assert runner.invoke(cli, ["email", "bounce", "nobody@example.org", "soft"]).exit_code == 1
    bad = runner.invoke(cli, ["email", "bounce", "reader0002@example.org", "sideways"])
    assert bad.exit_code == 2 and "expected one of: hard, soft, complaint" in bad.output
    assert '"sent": 3' in runner.invoke(cli, ["email", "outbox"]).output
    assert runner.invoke(cli, ["email", "unsubscribe", "READER0000@example.org"]).output.strip() == (
        "unsubscribed READER0000@example.org")
    again = runner.invoke(cli, ["email", "unsubscribe", "reader0000@example.org"])
    assert (again.exit_code, again.output.strip()) == (0, "reader0000@example.org was already unsubscribed")
    assert runner.invoke(cli, ["email", "unsubscribe", "nobody@example.org"]).exit_code == 1
    with sqlite_db.read() as conn:
        assert outbox_store.counts(conn) == {"sent": 3}


def test_digest_send_says_what_still_waits_when_the_smtp_server_refuses(sqlite_mail_settings, sqlite_db,
                                                                          june_papers_sqlite, monkeypatch):
    # A first SMTP setup that is wrong used to end "sent 0, retry later 0, failed 0": as if nothing were
    # queued, and --wait --timeout exited 0 with the message still waiting.
    confirmed_subscribers(sqlite_db, 1)
    for key, value in {"DATABASE_URL": sqlite_db.url, "EMAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1",
                       "SMTP_PORT": str(free_port()), "LOG_LEVEL": "WARNING",
                       "EMAIL_RETRY_BASE_SECONDS": "600"}.items():
        monkeypatch.setenv(f"PAPERTIDE_{key}", value)
    runner = CliRunner()
    r = runner.invoke(cli, ["digest", "run", "--now", "2026-06-04T09:00:00+00:00"])
    assert r.exit_code == 0 and "retry later 1" in r.output, r.output
    assert "1 message still to send (next due 20" in r.output
    r = runner.invoke(cli, ["digest", "send"])
    assert r.exit_code == 0 and r.output.startswith("sent 0, retry later 0") and "1 message still to send" in r.output
    r = runner.invoke(cli, ["digest", "send", "--wait", "--timeout", "0.5"])
    assert r.exit_code == 1 and "gave up after" in r.output and "with 1 still to send" in r.output, r.output

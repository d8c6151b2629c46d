"""The emailed confirmation link: GET checks everything the button would and confirms nothing,
so a dead link (forged, expired, cancelled) is reported on the page the reader opens, and a used
one says so instead of offering the button again. Real SQLite, the real SMTP path."""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.email.conftest import links_in
from tests.factories import app_for

EMAIL = "ada@example.org"
BUTTON = 'method="post" action="/subscribe/confirm"'
DEAD = "This confirmation link is invalid or expired"


@pytest.fixture
def mail(sqlite_mail_settings, sqlite_db):  # type: ignore[no-untyped-def]
    app = app_for(sqlite_mail_settings, sqlite_db)
    with TestClient(app, base_url="https://papers.example") as client:
        yield app.state.services, client


def emailed_link(services, smtp_sink, requested_at: datetime | None = None) -> str:  # type: ignore[no-untyped-def]
    """Subscribe, send the confirmation through aiosmtpd, and return its link's path and query."""
    services.subscriptions.subscribe(EMAIL, {"trending": "1"}, now=requested_at)
    assert services.outbox_sender.drain().sent == 1
    url = next(u for u in links_in(smtp_sink.handler.messages[-1]) if "/subscribe/confirm" in u)
    return f"{urlsplit(url).path}?{urlsplit(url).query}"


def status(services) -> str:  # type: ignore[no-untyped-def]
    return services.subscriptions.get_by_email(EMAIL).status


def test_a_live_link_shows_the_button_and_confirms_nothing(mail, smtp_sink):
    services, client = mail
    page = client.get(emailed_link(services, smtp_sink))
    assert page.status_code == 200 and BUTTON in page.text
    assert status(services) == "unconfirmed"


def test_an_expired_link_is_reported_on_get(mail, smtp_sink, sqlite_mail_settings):
    services, client = mail
    days = sqlite_mail_settings.subscription_unconfirmed_days
    link = emailed_link(services, smtp_sink, requested_at=datetime.now(UTC) - timedelta(days=days, minutes=1))
    _reported_dead(client, link, "This confirmation link has expired; please subscribe again.")
    assert status(services) == "unconfirmed"


def test_a_cancelled_subscriptions_link_is_reported_on_get(mail, smtp_sink):
    services, client = mail
    link = emailed_link(services, smtp_sink)
    assert services.subscriptions.unsubscribe_address(EMAIL) == "unsubscribed"
    _reported_dead(client, link, "This subscription was cancelled; please subscribe again.")
    assert status(services) == "unsubscribed"


def _reported_dead(client, link: str, reason: str) -> None:  # type: ignore[no-untyped-def]
    page = client.get(link)
    assert (page.status_code, BUTTON in page.text) == (400, False)
    assert DEAD in page.text and reason in page.text


def test_a_used_link_says_already_subscribed_without_a_button(mail, smtp_sink):
    services, client = mail
    link = emailed_link(services, smtp_sink)
    token = urlsplit(link).query.removeprefix("token=")
    assert "You're subscribed" in client.post("/subscribe/confirm", data={"token": token}).text
    again = client.get(link)
    assert again.status_code == 200 and BUTTON not in again.text
    assert "You're already subscribed" in again.text and "/subscription?token=" in again.text


def test_a_forged_link_is_reported_on_get(mail):
    _, client = mail
    page = client.get("/subscribe/confirm?token=not-a-token")
    assert (page.status_code, BUTTON in page.text) == (400, False)
    assert DEAD in page.text and "not valid" in page.text

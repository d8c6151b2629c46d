"""The sign-in link takes the one email path: template → outbox → sender, sent at once
after the request, and retried from the outbox when SMTP cannot take it right then."""

from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from papertide.storage import outbox as outbox_store
from tests.community.conftest import post
from tests.email.conftest import links_in
from tests.factories import app_for


def test_sign_in_link_is_queued_then_sent_at_once_and_works(mail_client, smtp_sink, db):
    r = post(mail_client, "/auth/sign-in/link", {"email": "Ada@Example.org", "next": "/trending"})
    assert r.status_code == 200 and "Check your email" in r.text
    assert smtp_sink.handler.wait_for(1)
    msg = smtp_sink.handler.messages[0]
    with db.read() as conn:
        sent = outbox_store.by_status(conn, "sent")
    assert [(m["kind"], m["recipient"], m["subject"], m["message_id"], m["subscription_id"]) for m in sent] == [
        ("sign_in", "Ada@example.org", "Your sign-in link for papertide", msg["Message-ID"], None)]
    assert (msg["To"], msg["Auto-Submitted"], msg["List-Id"]) == ("Ada@example.org", "auto-generated", None)
    [link] = links_in(msg)[:1]
    assert link.startswith("https://papers.example/auth/link/") and link.endswith("?next=/trending")
    assert link in msg.get_body(("html",)).get_content()
    parts = urlsplit(link)
    page = mail_client.get(f"{parts.path}?{parts.query}")
    assert page.status_code == 200 and "Ada@example.org" in page.text


def test_a_sign_in_link_smtp_refuses_for_now_stays_queued_and_goes_out_on_retry(mail_app, mail_client, smtp_sink, db):
    smtp_sink.handler.reply = "451 4.3.0 try again later"
    r = post(mail_client, "/auth/sign-in/link", {"email": "grace@example.org"})
    assert r.status_code == 200 and "Check your email" in r.text  # the visitor sees no difference
    with db.read() as conn:
        pending = outbox_store.by_status(conn, "pending")
    assert [(m["kind"], m["recipient"], m["attempts"], m["last_error"][:3]) for m in pending] == [
        ("sign_in", "grace@example.org", 1, "451")]
    smtp_sink.handler.reply = None
    assert mail_app.state.services.outbox_sender.drain(wait=True, timeout=10).sent == 1
    assert smtp_sink.handler.count_by_recipient() == {"grace@example.org": 1}
    assert "/auth/link/" in links_in(smtp_sink.handler.messages[0])[0]


def test_the_try_at_once_is_one_try_however_short_the_backoff(mail_settings, db, smtp_sink):
    # The immediate send after a request is one attempt; retries are the worker's, counted and
    # spaced by the backoff. With a backoff shorter than an SMTP round trip, a loop here would
    # spend every attempt the message has within the request's background task.
    quick = mail_settings.model_copy(update={"email_retry_base_seconds": 0.001, "email_retry_max_seconds": 0.001})
    smtp_sink.handler.reply = "451 4.3.0 try again later"
    with TestClient(app_for(quick, db), base_url="https://papers.example") as client:
        assert post(client, "/auth/sign-in/link", {"email": "grace@example.org"}).status_code == 200
    with db.read() as conn:
        pending = outbox_store.by_status(conn, "pending")
        failed = outbox_store.by_status(conn, "failed")
    assert [(m["recipient"], m["attempts"]) for m in pending] == [("grace@example.org", 1)] and failed == []

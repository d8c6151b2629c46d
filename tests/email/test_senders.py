"""One contract for every EmailSender (SMTP against a real aiosmtpd server, console, null),
and the console sender's readable output."""

import inspect
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest

from papertide.config import Settings
from papertide.email.login import login_link_url
from papertide.email.messages import RenderedEmail, build_raw_message, make_message_id
from papertide.email.notices import Notices
from papertide.email.senders import ConsoleSender, EmailSender, NullSender, PermanentSendError, SMTPSender
from tests.email.smtp_sink import SmtpSink

ENVELOPE_FROM = "digest@papers.example"
LONG_PATH = "/papers/2606.00001?tab=comments&sort=new&filter=all-the-way-to-the-end"


def _raw(recipient: str, subject: str) -> str:
    rendered = RenderedEmail(subject, f"Hello {recipient}\n", f"<p>Hello {recipient}</p>")
    return build_raw_message(rendered, sender=f"papertide <{ENVELOPE_FROM}>", recipient=recipient,
                             message_id=make_message_id(subject, "papers.example"))


@pytest.fixture(params=["smtp", "console", "null"])
def backend(request, caplog) -> Iterator[tuple[EmailSender, Callable[[], list[tuple[str, str]]]]]:  # type: ignore[no-untyped-def]
    """A sender and a way to read back (recipient, subject) of what it delivered."""
    if request.param == "smtp":
        sink = SmtpSink().start()
        yield SMTPSender("127.0.0.1", sink.port), lambda: [(str(m["To"]), str(m["Subject"])) for m in sink.handler.messages]
        sink.stop()
    elif request.param == "console":
        caplog.set_level(logging.INFO, logger="papertide.email.senders")
        yield ConsoleSender(), lambda: [_logged_to_and_subject(r.getMessage()) for r in caplog.records]
    else:
        yield NullSender(), lambda: []


def _logged_to_and_subject(logged: str) -> tuple[str, str]:
    headers = dict(line.split(": ", 1) for line in logged.split("\n\n", 1)[0].splitlines()[1:])
    return headers["To"], headers["Subject"]


EXPECTED = {
    "smtp": [("a@example.org", "first"), ("b@example.org", "second")],
    "console": [("a@example.org", "first"), ("b@example.org", "second")],
    "null": [],
}


def test_every_sender_implements_exactly_the_protocol(backend):
    sender, _ = backend
    assert isinstance(sender, EmailSender)
    for name in ("send", "close"):
        assert inspect.signature(getattr(sender, name)) == inspect.signature(getattr(EmailSender, name).__get__(sender))
    public = {n for n in dir(sender) if not n.startswith("_") and callable(getattr(sender, n))}
    assert public == {"send", "close"}


def test_every_sender_delivers_in_order_and_survives_close_between_messages(backend, request):
    sender, delivered = backend
    sender.close()  # before any connection: a no-op
    sender.send(ENVELOPE_FROM, "a@example.org", _raw("a@example.org", "first"))
    sender.close()
    sender.close()  # twice: still fine
    sender.send(ENVELOPE_FROM, "b@example.org", _raw("b@example.org", "second"))  # reconnects when it needs to
    sender.close()
    assert delivered() == EXPECTED[request.node.callspec.params["backend"]]


def test_console_sender_logs_the_decoded_text_with_long_links_whole(caplog):
    settings = Settings(base_url="https://papers.example", _env_file=None)  # type: ignore[call-arg]
    token = "x" * 43  # as long as a real secrets.token_urlsafe(32)
    url = login_link_url(settings.base_url, token, LONG_PATH)
    assert len(url) > 100  # longer than a quoted-printable line, which would break it
    message = Notices(settings).sign_in("ada@example.org", url, "sign_in:test", datetime(2026, 6, 4, tzinfo=UTC))
    assert url not in message.raw  # on the wire the link is encoded and folded

    caplog.set_level(logging.INFO, logger="papertide.email.senders")
    ConsoleSender().send(ENVELOPE_FROM, "ada@example.org", message.raw)
    logged = caplog.records[-1].getMessage()
    assert logged.splitlines()[:4] == [
        "email", "From: papertide <digest@localhost>", "To: ada@example.org", "Subject: Your sign-in link for papertide",
    ]
    assert url in logged.splitlines()  # whole, on a line of its own
    assert "=3D" not in logged and "=\n" not in logged


def test_smtp_refuses_an_address_it_cannot_carry_and_keeps_sending_to_the_next():
    # An address with accented letters before the @ needs SMTPUTF8, which we do not speak: the
    # message fails for good (the outbox stops retrying it) instead of an encoding error escaping
    # the sender, which failed the sign-in request and killed the outbox's sender thread.
    sink = SmtpSink().start()
    try:
        sender = SMTPSender("127.0.0.1", sink.port)
        with pytest.raises(PermanentSendError, match="josé@example.org"):
            sender.send(ENVELOPE_FROM, "josé@example.org", _raw("jose@example.org", "first"))
        sender.send(ENVELOPE_FROM, "b@example.org", _raw("b@example.org", "second"))
        sender.close()
        assert [(str(m["To"]), str(m["Subject"])) for m in sink.handler.messages] == [("b@example.org", "second")]
    finally:
        sink.stop()

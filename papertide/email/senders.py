"""Email backends behind one small protocol: SMTP (real), console (development), null.

Messages are built elsewhere (``papertide.email.messages``); a sender only delivers.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from collections.abc import Callable
from email import message_from_string, policy
from email.message import EmailMessage
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from papertide.config import Settings

log = logging.getLogger(__name__)


class PermanentSendError(Exception):
    """The server refused the message for good (SMTP 5xx): do not retry."""


class TemporarySendError(Exception):
    """Delivery failed for now (4xx, connection trouble): retry later."""


@runtime_checkable
class EmailSender(Protocol):
    """Delivers one message in wire form, or raises Permanent/TemporarySendError.

    Every message is built from templates and queued in the outbox first, so the wire
    form (``raw``) is all a sender ever gets; the outbox sender hands it over unchanged.
    """

    def send(self, envelope_from: str, recipient: str, raw: str) -> None:
        """Deliver ``raw`` (CRLF lines) to ``recipient``; bounces go to ``envelope_from``."""
        ...

    def close(self) -> None:
        """Release the calling thread's connection, if any (safe to call any number of times)."""
        ...


class SMTPSender:
    """Real SMTP via the standard library: plain, STARTTLS or implicit TLS, optional auth."""

    def __init__(
        self,
        host: str,
        port: int = 25,
        username: str | None = None,
        password: str | None = None,
        security: str = "none",  # "none" | "starttls" | "ssl"
        timeout: float = 30.0,
    ) -> None:
        if security not in ("none", "starttls", "ssl"):
            raise ValueError("SMTP security must be none, starttls or ssl")
        self.host, self.port, self.username, self.password = host, port, username, password
        self.security, self.timeout = security, timeout
        self._local = threading.local()

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if self.username:
            smtp.login(self.username, self.password or "")
        return smtp

    def _session(self) -> smtplib.SMTP:
        # One connection per thread, reused across messages (a sender thread sends many);
        # NOOP first so a connection the server closed while idle is replaced *before* we
        # hand it a message, never by re-sending one whose fate we don't know.
        smtp = getattr(self._local, "smtp", None)
        if smtp is not None:
            try:
                code, _ = smtp.noop()
                if code == 250:
                    return smtp
            except (smtplib.SMTPException, OSError):
                pass
            self._drop()
        smtp = self._connect()
        self._local.smtp = smtp
        return smtp

    def _drop(self) -> None:
        smtp = getattr(self._local, "smtp", None)
        self._local.smtp = None
        if smtp is not None:
            try:
                smtp.close()
            except Exception:  # noqa: BLE001 - closing a broken socket may fail any way; it is gone either way
                pass

    def send(self, envelope_from: str, recipient: str, raw: str) -> None:
        # Without SMTPUTF8 (RFC 6531), which we do not ask for, only ASCII addresses can be written
        # into MAIL FROM and RCPT TO: smtplib's encoding error escaped mid-transaction otherwise.
        # Addresses are made ASCII where they are typed (domain.accounts.normalize_email); this
        # catches rows queued before that.
        for address in (envelope_from, recipient):
            if not address.isascii():
                raise PermanentSendError(f"{address!r} is not ASCII and the server was not asked for SMTPUTF8")
        self._guarded(lambda smtp: smtp.sendmail(envelope_from, [recipient], raw.encode("utf-8")))

    def _guarded(self, action: Callable[[smtplib.SMTP], object]) -> None:
        try:
            action(self._session())
        except smtplib.SMTPResponseException as exc:
            self._drop()
            if 500 <= exc.smtp_code < 600:
                raise PermanentSendError(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
            raise TemporarySendError(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
        except smtplib.SMTPRecipientsRefused as exc:
            self._drop()
            codes = [code for code, _ in exc.recipients.values()]
            if codes and all(500 <= c < 600 for c in codes):
                raise PermanentSendError(f"recipients refused: {exc.recipients}") from exc
            raise TemporarySendError(f"recipients refused: {exc.recipients}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise TemporarySendError(f"{type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        """Close this thread's connection (senders call it when a worker thread ends)."""
        smtp = getattr(self._local, "smtp", None)
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
        self._drop()


class ConsoleSender:
    """Logs each message for development: the headers people read and the decoded text part.

    The wire form is quoted-printable, which breaks long lines with ``=`` and turns every
    ``=`` into ``=3D``; a sign-in or confirm link in it cannot be clicked or pasted. We log
    the decoded text/plain body instead, so links stay whole on one line.
    """

    def send(self, envelope_from: str, recipient: str, raw: str) -> None:
        msg: EmailMessage = message_from_string(raw, _class=EmailMessage, policy=policy.default)  # type: ignore[arg-type]
        part = msg.get_body(("plain",))
        text = part.get_content() if part is not None else "(no text part)"
        log.info("email\nFrom: %s\nTo: %s\nSubject: %s\n\n%s", msg["From"], msg["To"], msg["Subject"], text)

    def close(self) -> None:
        return None


class NullSender:
    """Drops every message (email disabled)."""

    def send(self, envelope_from: str, recipient: str, raw: str) -> None:
        return None

    def close(self) -> None:
        return None


def make_sender(settings: Settings) -> EmailSender:
    """The sender ``settings.email_backend`` names: smtp, console or null."""
    if settings.email_backend == "smtp":
        return SMTPSender(
            settings.smtp_host, settings.smtp_port, settings.smtp_username or None, settings.smtp_password or None,
            settings.smtp_security, settings.smtp_timeout_seconds,
        )
    if settings.email_backend == "null":
        return NullSender()
    return ConsoleSender()

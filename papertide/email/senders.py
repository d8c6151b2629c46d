"""Email backends behind one small protocol: SMTP (real), console (development), null.

Messages are built elsewhere (``papertide.email.messages``); a sender only delivers.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
import threading
from email.message import EmailMessage
from typing import Protocol

log = logging.getLogger(__name__)


class PermanentSendError(Exception):
    """The server refused the message for good (SMTP 5xx): do not retry."""


class TemporarySendError(Exception):
    """Delivery failed for now (4xx, connection trouble): retry later."""


class EmailSender(Protocol):
    """Delivers one fully built message or raises Permanent/TemporarySendError."""

    def send(self, message: EmailMessage) -> None: ...


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

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=ssl.create_default_context())
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        return smtp

    def send(self, message: EmailMessage) -> None:
        try:
            with self._connect() as smtp:
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(message)
        except smtplib.SMTPResponseException as exc:
            if 500 <= exc.smtp_code < 600:
                raise PermanentSendError(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
            raise TemporarySendError(f"{exc.smtp_code} {exc.smtp_error!r}") from exc
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if codes and all(500 <= c < 600 for c in codes):
                raise PermanentSendError(f"recipients refused: {exc.recipients}") from exc
            raise TemporarySendError(f"recipients refused: {exc.recipients}") from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TemporarySendError(f"{type(exc).__name__}: {exc}") from exc


class ConsoleSender:
    """Logs each message (development); keeps the last few for the dev "outbox" page."""

    def __init__(self, keep: int = 50) -> None:
        self.keep = keep
        self.sent: list[EmailMessage] = []
        self._lock = threading.Lock()

    def send(self, message: EmailMessage) -> None:
        log.info("email to %s: %s\n%s", message["To"], message["Subject"], message.as_string()[:4000])
        with self._lock:
            self.sent = [*self.sent[-(self.keep - 1) :], message]


class NullSender:
    """Drops every message (email disabled)."""

    def send(self, message: EmailMessage) -> None:
        return None

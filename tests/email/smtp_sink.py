"""A real SMTP server for tests (aiosmtpd), counting what it accepted per recipient.

Runnable as a process too (``python -m tests.email.smtp_sink PORT OUTFILE``) so a test can
start it late (the "SMTP was down" test) or keep it apart from a sender it kills.
"""

from __future__ import annotations

import asyncio
import collections
import email
import email.policy
import socket
import sys
import threading
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RecordingHandler:
    """Accepts every message (or refuses with ``reply`` while set) and keeps it."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []  # the bytes as they arrived, for checks the parser would hide
        self.recipients: list[str] = []
        self.reply: str | None = None  # e.g. "550 no such user" or "451 try later"
        # Seconds of "processing" before a message counts as accepted. aiosmtpd cancels the
        # handler when the client disconnects, so a client killed during this delay never
        # got its 250 and the message is not counted, as with a real MTA.
        self.delay = 0.0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if self.reply:
            return self.reply
        if self.delay:
            await asyncio.sleep(self.delay)
        data = envelope.original_content or envelope.content
        msg = email.message_from_bytes(data, policy=email.policy.default)
        with self.lock:
            self.messages.append(msg)  # type: ignore[arg-type]
            self.raw.append(data)
            self.recipients.extend(envelope.rcpt_tos)
        return "250 Message accepted for delivery"

    def count_by_recipient(self) -> collections.Counter[str]:
        with self.lock:
            return collections.Counter(self.recipients)

    def count_by_message_id(self) -> collections.Counter[str]:
        with self.lock:
            return collections.Counter(str(m["Message-ID"]) for m in self.messages)

    def wait_for(self, n: int, timeout: float = 10.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.messages) >= n:
                    return True
            time.sleep(0.01)
        return False


class SmtpSink:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.handler = RecordingHandler()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


if __name__ == "__main__":  # pragma: no cover - used as a subprocess by tests
    sink = SmtpSink(int(sys.argv[1])).start()
    try:
        while True:
            time.sleep(3600)
    finally:
        sink.stop()

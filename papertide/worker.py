"""The in-process scheduler behind ``papertide serve --with-worker``.

A daemon thread that, every ``PAPERTIDE_WORKER_INTERVAL_SECONDS``, composes the digests
that are due (``DigestComposer.run``: idempotent per period) and drains the outbox.
Several processes may each run one: composing is keyed per period and sending claims
rows, so they cooperate instead of doubling mail. ``papertide digest run`` from cron is
the same job without a web server.
"""

from __future__ import annotations

import logging
import threading

from papertide.email.composing import DigestComposer
from papertide.email.delivery import OutboxSender

log = logging.getLogger(__name__)


class DigestWorker:
    def __init__(self, composer: DigestComposer, sender: OutboxSender, interval_seconds: float) -> None:
        self.composer, self.sender, self.interval = composer, sender, interval_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="papertide-digest-worker", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def tick(self) -> None:
        """One round: compose what is due, then send what is due."""
        report = self.composer.run()
        if report.composed:
            log.info("composed %d digests", report.composed)
        self.sender.drain(stop=self._stop)
        self.runs += 1

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - a bad round (DB restart, SMTP trouble) must not end the worker
                log.exception("digest worker round failed; trying again in %.0f s", self.interval)
            self._stop.wait(self.interval)

"""The in-process scheduler behind ``papertide serve --with-worker``.

A daemon thread that, every ``PAPERTIDE_WORKER_INTERVAL_SECONDS``, composes the digests
that are due (``DigestComposer.run``: idempotent per period) and drains the outbox, and,
every ``PAPERTIDE_INGEST_EVERY_HOURS`` (0 = never), runs ``ingest daily``.
Several processes may each run one: composing is keyed per period and sending claims
rows, so they cooperate instead of doubling mail. ``papertide digest run`` from cron is
the same job without a web server.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from papertide.email.composing import DigestComposer
from papertide.email.delivery import OutboxSender

log = logging.getLogger(__name__)


class DigestWorker:
    def __init__(
        self,
        composer: DigestComposer,
        sender: OutboxSender,
        interval_seconds: float,
        ingest: Callable[[], object] | None = None,
        ingest_every_seconds: float = 0.0,
    ) -> None:
        self.composer, self.sender, self.interval = composer, sender, interval_seconds
        self.ingest, self.ingest_every = ingest, ingest_every_seconds
        self._last_ingest: float | None = None
        self.ingest_runs = 0
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
        """One round: ingest when due, compose what is due, then send what is due."""
        self._ingest_if_due()
        report = self.composer.run()
        if report.composed:
            log.info("composed %d digests", report.composed)
        self.sender.drain(stop=self._stop)
        self.runs += 1

    def _ingest_if_due(self) -> None:
        if self.ingest is None or self.ingest_every <= 0:
            return
        now = time.monotonic()
        if self._last_ingest is not None and now - self._last_ingest < self.ingest_every:
            return
        self._last_ingest = now  # a failed run waits for the next slot too, rather than hammering the source
        try:
            self.ingest()
        except Exception:  # noqa: BLE001 - the run is recorded as failed by the ingest service; digests go on
            log.exception("scheduled ingest failed")
        self.ingest_runs += 1

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.tick()
            except Exception:  # noqa: BLE001 - a bad round (DB restart, SMTP trouble) must not end the worker
                log.exception("digest worker round failed; trying again in %.0f s", self.interval)
            self._stop.wait(self.interval)

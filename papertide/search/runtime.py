"""The background embedder of a web process that runs the worker.

The embedding thread starts a little after start-up (so short-lived apps, such as
tests, never pay for it), loads the bundled demo vectors, then embeds whatever is
missing or stale in batches, each its own transaction, until told to stop.
"""

from __future__ import annotations

import logging
import threading

from papertide.search.bundled import import_vectors
from papertide.search.service import SearchService

log = logging.getLogger(__name__)

BACKGROUND_START_DELAY_S = 2.0  # wait before the first embedding pass
BACKGROUND_INTERVAL_S = 60.0  # then look for new papers this often


class BackgroundEmbedder:
    """A daemon thread that keeps stored vectors current."""

    def __init__(self, service: SearchService) -> None:
        self.service = service
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="papertide-embed", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        if self._stop.wait(BACKGROUND_START_DELAY_S):
            return
        try:
            svc = self.service
            ensure_built = getattr(svc.lexical, "ensure_built", None)
            if ensure_built is not None and ensure_built():
                log.info("built the lexical search index")
            if not svc.embedder.dim:
                while not self._stop.wait(BACKGROUND_INTERVAL_S):
                    svc.lexical.sync()
                return
            loaded = import_vectors(svc.db, svc.embedder.model_id)
            if loaded or not len(svc.index):
                # Bundled vectors arrived, or a graph index has not been built yet.
                svc.index.refresh()
                log.info("vector index ready: %d vectors (%d bundled loaded)", len(svc.index), loaded)
            while not self._stop.is_set():
                svc.lexical.sync()
                n = svc.embed_pending(stop=self._stop.is_set)
                if n:
                    log.info("embedded %d papers", n)
                if self._stop.wait(BACKGROUND_INTERVAL_S):
                    return
        except Exception:  # a background job must not take the server down
            log.exception("background embedding stopped")

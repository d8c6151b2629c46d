"""Wiring: build the search service for an app or a CLI run, and the background embedder.

The embedding thread starts a little after start-up (so short-lived apps, such as
tests, never pay for it), loads the bundled demo vectors, then embeds whatever is
missing or stale in batches, each its own transaction, until told to stop.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from papertide.search.bundled import import_vectors
from papertide.search.config import SearchSettings
from papertide.search.embedders import Embedder, make_embedder
from papertide.search.lexical import make_lexical_index
from papertide.search.service import SearchService
from papertide.search.vectors import make_vector_index
from papertide.storage.db import Database

log = logging.getLogger(__name__)

BACKGROUND_START_DELAY_S = 2.0  # wait before the first embedding pass
BACKGROUND_INTERVAL_S = 60.0  # then look for new papers this often
_build_lock = threading.Lock()


def build_service(db: Database, settings: SearchSettings | None = None, device: str = "cpu",
                  threads: int | None = None) -> SearchService:
    s = settings or SearchSettings()
    embedder: Embedder = make_embedder(s.embedder, threads=threads or s.threads, device=device)
    return SearchService(db, embedder, make_vector_index(db, embedder.model_id, s.vector_index), s.fusion, s.dense_weight,
                         make_lexical_index(db, s.lexical))


def service_for(state: Any) -> SearchService:
    """The app's search service, built on first use (``state`` is ``app.state``)."""
    svc = getattr(state, "search", None)
    if svc is None:
        with _build_lock:
            svc = getattr(state, "search", None)
            if svc is None:
                svc = build_service(state.db, getattr(state, "search_settings", None))
                state.search = svc
    return svc


class BackgroundEmbedder:
    """A daemon thread that keeps stored vectors current."""

    def __init__(self, state: Any) -> None:
        self.state = state
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
            svc = service_for(self.state)
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

"""The search capability's scheduled jobs: keep the keyword index and the stored vectors current.

``search.index`` runs once per slot across workers: it builds the tantivy index if it
never was, indexes papers changed since the last pass, loads the bundled demo vectors
(once per process) and embeds papers whose vector is missing or stale, batch by batch,
stopping between batches when asked. ``search.refresh`` runs in *every* process that
serves searches from an in-memory copy of the vectors (exact or HNSW, SQLite mode): when
another process has written vectors, it reloads them. On PostgreSQL pgvector is the
index and there is nothing to refresh.
"""

from __future__ import annotations

import logging
from datetime import datetime
from threading import Event

from papertide.config import Settings
from papertide.domain.jobs import Every, Job
from papertide.search.bundled import import_vectors
from papertide.search.service import SearchService
from papertide.storage import embeddings as emb_store

log = logging.getLogger(__name__)


def search_jobs(search: SearchService, settings: Settings, background_embed: bool = True) -> list[Job]:
    """``search.index`` and ``search.refresh``; ``background_embed`` is PAPERTIDE_SEARCH_BACKGROUND_EMBED."""
    every = Every(settings.jobs_search_interval_seconds)
    enabled = settings.jobs_search_enabled and background_embed
    bundled_loaded = False
    seen: datetime | None = None

    def index(stop: Event) -> int:
        nonlocal bundled_loaded
        ensure_built = getattr(search.lexical, "ensure_built", None)
        if ensure_built is not None and ensure_built():
            log.info("built the lexical search index")
        search.lexical.sync()
        if not search.embedder.dim:
            return 0
        if not bundled_loaded:
            loaded = import_vectors(search.db, search.embedder.model_id)
            bundled_loaded = True
            if loaded or not len(search.index):
                # Bundled vectors arrived, or a graph index has not been built yet.
                search.index.refresh()
                log.info("vector index ready: %d vectors (%d bundled loaded)", len(search.index), loaded)
        embedded = search.embed_pending(stop=stop.is_set)
        if embedded:
            log.info("embedded %d papers", embedded)
        return embedded

    def refresh(stop: Event) -> bool:
        nonlocal seen
        with search.db.read() as conn:
            newest = emb_store.last_written(conn, search.embedder.model_id)
        if newest is None or newest == seen:
            return False
        search.index.refresh()
        seen = newest
        return True

    # PostgreSQL searches pgvector in the database; SQLite mode holds the vectors in memory.
    in_memory = bool(search.embedder.dim) and search.db.dialect != "postgresql"
    return [
        Job("search.index", every, index, enabled=enabled, stoppable=True,
            description="Sync the keyword index and embed new or changed papers."),
        Job("search.refresh", every, refresh, enabled=enabled and in_memory, scope="process",
            description="Reload this process's in-memory vectors when another process wrote new ones."),
    ]

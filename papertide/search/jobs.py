"""The search capability's scheduled jobs: keep the keyword indexes and the stored vectors current.

``search.keywords`` runs in *every* process: each keeps its own tantivy index (per host
or process on PostgreSQL, beside the file on SQLite), builds it if it never was and
applies the change log from its own cursor; where processes share an index, the one
holding its writer does the work and the others skip. ``search.index`` runs once per slot
across workers: it loads the bundled demo vectors (once per process) and embeds papers
whose vector is missing or stale, batch by batch, stopping between batches when asked.
``search.refresh`` runs in every process that serves searches from an in-memory copy of
the vectors (exact or HNSW, SQLite mode): when another process has written vectors, it
reloads them. On PostgreSQL pgvector is the index and there is nothing to refresh.
``search.prune`` deletes change-log rows older than PAPERTIDE_SEARCH_CHANGES_RETENTION_DAYS.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from threading import Event

from papertide.config import Settings
from papertide.domain.jobs import Every, Job, Progress, no_progress
from papertide.search.bundled import import_vectors
from papertide.search.service import SearchService
from papertide.search.tantivy_index import TantivyLexicalIndex
from papertide.storage import embeddings as emb_store
from papertide.storage import search_changes

log = logging.getLogger(__name__)

PRUNE_INTERVAL_SECONDS = 86_400  # the change log is pruned daily
JOB_SYNC_ROWS = 20_000  # change-log rows per index commit: bounds memory after a bulk import


def search_jobs(search: SearchService, settings: Settings, background_embed: bool = True) -> list[Job]:
    """``search.keywords``, ``search.prune``, ``search.index`` and ``search.refresh``.

    ``background_embed`` is PAPERTIDE_SEARCH_BACKGROUND_EMBED.
    """
    every = Every(settings.jobs_search_interval_seconds)
    enabled = settings.jobs_search_enabled and background_embed
    bundled_loaded = False
    seen: datetime | None = None

    def keywords(stop: Event, progress: Progress = no_progress) -> int:
        lexical = search.lexical
        if isinstance(lexical, TantivyLexicalIndex) and lexical.ensure_built(progress):  # papers indexed
            log.info("built the keyword search index in %s", lexical.path)
        applied, behind = 0, search.pending_keywords()
        if behind:
            progress(0, behind)  # then change-log rows applied: a bulk import's can take minutes
        while not stop.is_set() and (n := lexical.sync(JOB_SYNC_ROWS)):
            applied += n
            progress(applied, max(behind, applied))  # rows written meanwhile are applied too
        return applied

    def prune(stop: Event) -> int:
        before = datetime.now(UTC) - timedelta(days=settings.search_changes_retention_days)
        with search.db.write() as conn:
            gone = search_changes.prune(conn, before)
        if gone:
            log.info("pruned %d search change-log rows written before %s", gone, before.isoformat(timespec="seconds"))
        return gone

    def index(stop: Event, progress: Progress = no_progress) -> int:
        nonlocal bundled_loaded
        if not search.embedder.dim:
            return 0
        if not bundled_loaded:
            loaded = import_vectors(search.db, search.embedder.model_id)
            bundled_loaded = True
            if loaded or not len(search.index):
                # Bundled vectors arrived, or a graph index has not been built yet.
                search.index.refresh()
                log.info("vector index ready: %d vectors (%d bundled loaded)", len(search.index), loaded)
        total = done = 0

        def planned(n: int) -> None:
            nonlocal total
            total = n
            progress(0, n)

        def embedded_batch(n: int) -> None:
            nonlocal done
            done += n
            progress(done, total)

        embedded = search.embed_pending(progress=embedded_batch, stop=stop.is_set, planned=planned)
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
        Job("search.keywords", every, keywords, enabled=enabled, scope="process", stoppable=True, reports_progress=True,
            description="Build this process's keyword index if missing and apply the change log to it."),
        Job("search.prune", Every(PRUNE_INTERVAL_SECONDS), prune, enabled=settings.jobs_search_enabled,
            description="Delete search change-log rows older than the retention period."),
        Job("search.index", every, index, enabled=enabled, stoppable=True, reports_progress=True,
            description="Embed new or changed papers."),
        Job("search.refresh", every, refresh, enabled=enabled and in_memory, scope="process",
            description="Reload this process's in-memory vectors when another process wrote new ones."),
    ]

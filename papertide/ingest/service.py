"""The ingest service: runs every source with run records, checkpoints and change hooks.

CLI commands, the admin page and other capabilities call this, never the harvesters
directly. Each run is recorded in ``ingest_runs`` (source, window, counts, error,
duration); a failure marks the run failed and keeps everything already committed.

Hook for other capabilities: append a callable to :attr:`IngestService.on_changed`;
it receives the arXiv ids whose stored paper changed, after each commit (so a search
indexer can queue them for embedding). Run results carry the same ids.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from papertide.config import Settings
from papertide.domain.ingest import Checkpoint, IngestRun, RunCounts, RunStatus, daily_window, format_window
from papertide.domain.papers import Paper, parse_arxiv_id
from papertide.ingest import arxiv_api, bulk, hf, kaggle, oai
from papertide.ingest.http import Fetcher, HttpFetcher, IngestError, OfflineFetcher
from papertide.storage import ingest_runs as runs_store
from papertide.storage import papers as papers_store
from papertide.storage.db import Database

log = logging.getLogger(__name__)

ChangeHook = Callable[[list[str]], None]


@dataclass(frozen=True)
class RunResult:
    run_id: int
    source: str
    window: str
    status: RunStatus
    counts: RunCounts
    error: str | None = None
    notes: tuple[str, ...] = field(default=())  # the run's one-line problem reports (counts.errors)

    @property
    def ok(self) -> bool:
        return self.status is RunStatus.SUCCEEDED


class IngestService:
    """Owns one fetcher per source (so politeness delays apply per source) and the change hooks."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        fetcher_factory: Callable[[str], Fetcher] | None = None,
        today: Callable[[], date] | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.on_changed: list[ChangeHook] = []
        self._fetcher_factory = fetcher_factory or self._http_fetcher
        self._fetchers: dict[str, Fetcher] = {}
        self._today = today or (lambda: datetime.now(UTC).date())

    def _http_fetcher(self, source: str) -> Fetcher:
        s = self.settings
        if s.ingest_offline:
            return OfflineFetcher()
        return HttpFetcher(source, s.ingest_delay_seconds, s.ingest_max_retries, s.ingest_max_retry_after_seconds,
                           s.ingest_timeout_seconds)

    def fetcher(self, source: str) -> Fetcher:
        if source not in self._fetchers:
            self._fetchers[source] = self._fetcher_factory(source)
        return self._fetchers[source]

    def close(self) -> None:
        for f in self._fetchers.values():
            f.close()
        self._fetchers.clear()

    def _notify(self, ids: list[str]) -> None:
        if not ids:
            return
        for hook in self.on_changed:
            try:
                hook(list(ids))
            except Exception:  # a consumer's bug must not fail the ingest that already committed
                log.exception("ingest change hook %r failed", hook)

    def _run(self, source: str, window: str, work: Callable[[RunCounts], None]) -> RunResult:
        """Record a run around ``work``; an IngestError marks it failed, committed data stays."""
        with self.db.write() as conn:
            run_id = runs_store.start_run(conn, source, window)
        counts = RunCounts()
        status, error = RunStatus.SUCCEEDED, None
        started = time.monotonic()
        try:
            work(counts)
        except IngestError as exc:
            status, error = RunStatus.FAILED, str(exc)
        except BaseException as exc:  # unexpected: still record the run as failed, then re-raise
            # Ctrl-C and SystemExit too, or the run would read "running" for ever on /admin/ingest.
            what = f"interrupted ({type(exc).__name__})" if not isinstance(exc, Exception) else f"{type(exc).__name__}: {exc}"
            with self.db.write() as conn:
                runs_store.finish_run(conn, run_id, RunStatus.FAILED, counts, f"{source}: {what}")
            raise
        notes = list(counts.errors)
        message = "\n".join(([error] if error else []) + notes) or None
        with self.db.write() as conn:
            runs_store.finish_run(conn, run_id, status, counts, message)
        log.info("%s %s: %s in %.1f s (%d fetched, %d new, %d updated)", source, window, status.value,
                 time.monotonic() - started, counts.fetched, counts.inserted, counts.updated)
        return RunResult(run_id, source, window, status, counts, error, tuple(notes))

    # --- sources -------------------------------------------------------------------------

    def harvest_oai(
        self, set_spec: str | None = None, prefix: str | None = None, from_: date | None = None,
        until: date | None = None,
    ) -> RunResult:
        """Harvest one OAI-PMH set: incremental from its checkpoint unless a window is given."""
        req = oai.OaiRequest(set_spec, prefix or self.settings.ingest_oai_prefix, from_, until)
        with self.db.read() as conn:
            cp = runs_store.get_checkpoint(conn, oai.checkpoint_key(oai.SOURCE, req.prefix, set_spec))
        first, last, token = oai.plan_window(req, cp, self._today())
        window = oai.describe(req, first, last) + (" (resumed)" if token else "")
        return self._run(oai.SOURCE, window, lambda c: oai.harvest(
            self.db, self.fetcher(oai.SOURCE), self.settings.ingest_oai_url, req, c, self._today(), self._notify))

    def fetch_arxiv_ids(self, ids: Sequence[str]) -> RunResult:
        """Fetch papers by arXiv id through the arXiv API (batches of ≤100)."""
        window = f"{len(ids)} id{'s' if len(ids) != 1 else ''}: {', '.join(ids[:5])}{'…' if len(ids) > 5 else ''}"
        return self._run(arxiv_api.SOURCE, window, lambda c: arxiv_api.fetch_ids(
            self.db, self.fetcher(arxiv_api.SOURCE), self.settings.ingest_arxiv_api_url, ids, c, self._notify))

    def import_hf_daily(self, day: date | None = None, week: str | None = None, month: str | None = None) -> RunResult:
        """Import Hugging Face's daily papers for a day (default today), an ISO week or a month."""
        if day is None and week is None and month is None:
            day = self._today()
        window = day.isoformat() if day else (week or month or "")
        return self._run(hf.SOURCE, window, lambda c: hf.import_daily(
            self.db, self.fetcher(hf.SOURCE), self.settings.ingest_hf_api_url, c, self._notify, day, week, month))

    def import_snapshot(self, path: Path, on_progress: Callable[[int], None] | None = None) -> RunResult:
        """Stream-import a Kaggle arXiv metadata snapshot file."""
        return self._run(kaggle.SOURCE, path.name, lambda c: _whole_file(kaggle.SOURCE, path, c, lambda: (
            kaggle.import_snapshot(self.db, path, c, self._notify, on_progress))))

    def import_records_file(self, path: Path, on_progress: Callable[[int], None] | None = None) -> RunResult:
        """Stream-import a file of papertide's JSONL records (``papertide import``, ``papertide demo``)."""
        return self._run(bulk.SOURCE, path.name, lambda c: _whole_file(bulk.SOURCE, path, c, lambda: (
            bulk.import_into(self.db, path, c, self._notify, on_progress))))

    def import_file(self, path: Path, fmt: str = "auto", on_progress: Callable[[int], None] | None = None) -> RunResult:
        """Import a file of our JSONL records or a Kaggle snapshot (``fmt`` jsonl, kaggle or auto: sniffed)."""
        if fmt == "kaggle" or (fmt == "auto" and kaggle.looks_like_snapshot(path)):
            return self.import_snapshot(path, on_progress)
        return self.import_records_file(path, on_progress)

    def run_daily(self) -> list[RunResult]:
        """Run every configured source for yesterday and today; one failure does not stop the rest."""
        results = []
        first, last = daily_window(self._today())
        for source in _split(self.settings.ingest_sources):
            if source == "hf":
                results += [self.import_hf_daily(day=d) for d in (first, last)]
            elif source == "oai":
                results += [self.harvest_oai(s) for s in _split(self.settings.ingest_oai_sets) or [None]]
            else:
                with self.db.write() as conn:
                    run_id = runs_store.start_run(conn, source, format_window(first, last))
                    counts = RunCounts()
                    error = f"{source}: unknown source in PAPERTIDE_INGEST_SOURCES (use hf, oai)"
                    runs_store.finish_run(conn, run_id, RunStatus.FAILED, counts, error)
                results.append(RunResult(run_id, source, "", RunStatus.FAILED, counts, error))
        return results

    # --- reads ---------------------------------------------------------------------------

    def fetch_by_id(self, arxiv_id: str, refresh: bool = False) -> Paper | None:
        """The paper with this id: from the database, else (or with ``refresh``) from the arXiv API.

        Returns None when arXiv does not know the id or the fetch failed (the run says why).
        """
        aid = parse_arxiv_id(arxiv_id)
        if not refresh:
            with self.db.read() as conn:
                entry = papers_store.entries_by_id(conn, [aid.id]).get(aid.id)
            if entry is not None:
                return entry.paper
        self.fetch_arxiv_ids([str(aid)])
        with self.db.read() as conn:
            entry = papers_store.entries_by_id(conn, [aid.id]).get(aid.id)
        return entry.paper if entry else None

    def runs(self, limit: int = 50) -> list[IngestRun]:
        with self.db.read() as conn:
            return runs_store.list_runs(conn, limit)

    def checkpoints(self) -> list[Checkpoint]:
        with self.db.read() as conn:
            return runs_store.list_checkpoints(conn)


def _whole_file(source: str, path: Path, counts: RunCounts, work: Callable[[], None]) -> None:
    """Run a file import; a file in which not one record was usable fails the run (a wrong file, not bad lines)."""
    work()
    if counts.failed and not counts.fetched:
        raise IngestError(source, f"no usable record in {path.name} ({counts.failed:,} rejected)")


def _split(value: str) -> list[str]:
    return [x.strip() for x in value.split(",") if x.strip()]


def fetch_by_id(settings: Settings, db: Database, arxiv_id: str) -> Paper | None:
    """One paper by arXiv id, fetched from arXiv when we do not hold it (for curators' submissions)."""
    service = IngestService(db, settings)
    try:
        return service.fetch_by_id(arxiv_id)
    finally:
        service.close()

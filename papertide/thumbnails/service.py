"""Fetch a listed paper's PDF, render its thumbnail, store it beside the database, record the attempt.

Files are ``<data_dir>/thumbs/<stem>.webp``, written to a temporary name and renamed, so
a reader never sees half a file. Whether a card shows a picture is whether that file
exists: one ``stat`` per card, cheaper than a query and true in every process on the
host at once. A paper whose PDF could not be fetched or drawn is retried after
``RETRY_AFTER`` at most ``MAX_ATTEMPTS`` times; until then its card shows the placeholder.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from threading import Event

from papertide.config import Settings
from papertide.domain.cards import is_thumb_stem, thumb_stem
from papertide.ingest.http import Fetcher, HttpFetcher, IngestError, OfflineFetcher
from papertide.storage import thumbnails as store
from papertide.storage.db import Database
from papertide.thumbnails.render import RenderError, render_first_page

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # tries per paper before its card keeps the placeholder for good
RETRY_AFTER = timedelta(days=1)  # a failed paper waits this long (a new PDF version, arXiv back up)
MAX_PDF_BYTES = 60 * 1024 * 1024  # larger bodies are not drawn (arXiv caps submissions at 50 MB)


@dataclass(frozen=True, slots=True)
class ThumbnailRun:
    rendered: int = 0
    failed: int = 0
    skipped: str = ""  # why nothing was tried (offline)


class ThumbnailService:
    """Thumbnails of listed papers; ``fetcher`` is the outside world (tests hand in their own)."""

    def __init__(self, db: Database, settings: Settings, fetcher: Fetcher | None = None,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.db = db
        self.settings = settings
        self.dir = Path(settings.data_dir) / "thumbs"
        self._prefix = os.path.join(self.dir, "")  # url() joins strings: a Path per card costs more than its stat
        self.pdf_url = settings.thumbnails_pdf_url
        self.offline = settings.ingest_offline
        self.clock = clock or (lambda: datetime.now(UTC))
        self._fetcher = fetcher

    @property
    def fetcher(self) -> Fetcher:
        # Built on first use: building services must not open HTTP clients nobody uses.
        if self._fetcher is None:
            s = self.settings
            self._fetcher = OfflineFetcher() if s.ingest_offline else HttpFetcher(
                "arxiv-pdf", delay_s=s.ingest_delay_seconds, max_retries=s.ingest_max_retries,
                max_retry_after_s=s.ingest_max_retry_after_seconds, timeout_s=s.ingest_timeout_seconds,
                max_bytes=MAX_PDF_BYTES)
        return self._fetcher

    def path(self, arxiv_id: str) -> Path:
        return self.dir / f"{thumb_stem(arxiv_id)}.webp"

    def file_for_stem(self, stem: str) -> Path | None:
        """The thumbnail file a ``/thumbs/<stem>.webp`` request names, when it exists."""
        if not is_thumb_stem(stem):
            return None
        path = self.dir / f"{stem}.webp"
        return path if path.is_file() else None

    def url(self, arxiv_id: str) -> str | None:
        """Where a card finds the paper's thumbnail, or None (the card draws a placeholder)."""
        stem = thumb_stem(arxiv_id)
        return f"/thumbs/{stem}.webp" if os.path.isfile(f"{self._prefix}{stem}.webp") else None

    def run(self, limit: int | None = None, stop: Event | None = None) -> ThumbnailRun:
        """Render up to ``limit`` (THUMBNAILS_BATCH) thumbnails of listed papers that lack one."""
        if self.offline:
            return ThumbnailRun(skipped="offline (PAPERTIDE_INGEST_OFFLINE)")
        self._forget_lost_files()
        now = self.clock()
        with self.db.read() as conn:
            todo = store.pending(conn, limit or self.settings.thumbnails_batch, MAX_ATTEMPTS, now - RETRY_AFTER)
        rendered = failed = 0
        for item in todo:
            if stop is not None and stop.is_set():
                break
            problem = self._render_one(item.arxiv_id)
            with self.db.write() as conn:
                store.record(conn, item.paper_id, problem is None, problem, self.clock())
            if problem is None:
                rendered += 1
            else:
                failed += 1
                log.warning("thumbnail of %s failed (try %d of %d): %s", item.arxiv_id, item.attempts + 1,
                            MAX_ATTEMPTS, problem)
        return ThumbnailRun(rendered, failed)

    def _forget_lost_files(self) -> None:
        """Papers recorded as rendered whose file is gone are made pending again.

        The record alone would keep their cards on the placeholder for good: a thumbnail an
        admin deleted to have it drawn again, or every one after a restore or ``db copy`` onto a
        host whose DATA_DIR does not hold them. One listing of the folder and one query a run.
        """
        try:
            on_disk = {entry.name for entry in os.scandir(self.dir)}
        except FileNotFoundError:
            on_disk = set()
        with self.db.read() as conn:
            lost = [paper_id for paper_id, arxiv_id in store.rendered(conn)
                    if f"{thumb_stem(arxiv_id)}.webp" not in on_disk]
        if lost:
            log.info("thumbnails: %d recorded as rendered have no file; rendering them again", len(lost))
            with self.db.write() as conn:
                store.forget(conn, lost)

    def _render_one(self, arxiv_id: str) -> str | None:
        try:
            pdf = self.fetcher.get(self.pdf_url.format(id=arxiv_id))
            if len(pdf) > MAX_PDF_BYTES:  # a fetcher handed in by a caller may not stop at the limit
                return f"the PDF is {len(pdf)} bytes, more than the {MAX_PDF_BYTES} bytes we take"
            webp = render_first_page(pdf)
        except (IngestError, RenderError) as exc:
            return str(exc)
        self._write(self.path(arxiv_id), webp)
        return None

    def _write(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)

    def close(self) -> None:
        if self._fetcher is not None:
            self._fetcher.close()

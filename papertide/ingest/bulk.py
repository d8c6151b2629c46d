"""Bulk import of JSONL(.gz) files: streaming, batched, idempotent."""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from papertide.domain.papers import Listing, Paper
from papertide.ingest.records import RecordError, parse_line
from papertide.storage import listings as listings_store
from papertide.storage import papers as papers_store
from papertide.storage.db import Database

BATCH_SIZE = 2_000  # papers per write transaction: big enough to amortise, small enough to keep locks short
MAX_REPORTED_ERRORS = 50


@dataclass
class ImportReport:
    inserted: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    new_listings: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.skipped + self.failed


def open_text(path: Path) -> IO[str]:
    """Open a .jsonl or .jsonl.gz file as text, sniffing gzip by its magic bytes."""
    raw = open(path, "rb")  # noqa: SIM115 - the wrapper owns and closes it
    if raw.read(2) == b"\x1f\x8b":
        raw.seek(0)
        return io.TextIOWrapper(gzip.GzipFile(fileobj=raw), encoding="utf-8", errors="replace")
    raw.seek(0)
    return io.TextIOWrapper(raw, encoding="utf-8", errors="replace")


def iter_records(fh: IO[str], report: ImportReport) -> Iterator[tuple[Paper, Listing | None]]:
    """Parse lines, recording (line number, message) for each bad one and skipping it."""
    lines = enumerate(fh, start=1)
    lineno = 0
    while True:
        try:
            lineno, line = next(lines)
        except StopIteration:
            return
        except (EOFError, OSError) as exc:  # truncated or corrupt gzip stream: keep what we have
            report.failed += 1
            report.errors.append((lineno + 1, f"file is truncated or corrupt: {exc}"))
            return
        if not line.strip():
            continue
        try:
            yield parse_line(line)
        except RecordError as exc:
            report.failed += 1
            if len(report.errors) < MAX_REPORTED_ERRORS:
                report.errors.append((lineno, str(exc)))


def import_file(
    db: Database,
    path: Path,
    on_progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Import one JSONL(.gz) file; each batch commits on its own so a failure keeps earlier ones."""
    report = ImportReport()
    with open_text(path) as fh:
        batch: list[tuple[Paper, Listing | None]] = []
        for rec in iter_records(fh, report):
            batch.append(rec)
            if len(batch) >= batch_size:
                _write_batch(db, batch, report, on_progress)
                batch = []
        if batch:
            _write_batch(db, batch, report, on_progress)
    return report


def import_records(db: Database, records: list[tuple[Paper, Listing | None]]) -> ImportReport:
    report = ImportReport()
    _write_batch(db, records, report, None)
    return report


def _write_batch(
    db: Database,
    batch: list[tuple[Paper, Listing | None]],
    report: ImportReport,
    on_progress: Callable[[int], None] | None,
) -> None:
    papers = [p for p, _ in batch]
    # Positions on a day follow the order the file lists them in.
    listings = [x for _, x in batch if x is not None]
    with db.write() as conn:
        result, ids = papers_store.upsert_papers(conn, papers)
        report.new_listings += listings_store.upsert_listings(conn, listings, ids)
    report.inserted += result.inserted
    report.updated += result.updated
    report.skipped += result.skipped
    if on_progress:
        on_progress(len(batch))

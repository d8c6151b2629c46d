"""Import of papertide's JSONL(.gz) record files: streamed, checked record by record, batched, idempotent.

Each line is parsed and checked on its own (:func:`papertide.ingest.records.parse_line`);
a bad one is reported as ``file:line: field: reason`` and skipped, and every good line
goes through the one writer (:func:`papertide.ingest.writer.write_stream`). The ingest
service wraps :func:`import_into` in a recorded run (``papertide import``);
:func:`import_file` is the same import without a run record (benchmarks, tests).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path

from papertide.domain.ingest import Harvested, RunCounts, SourceKind
from papertide.domain.papers import Listing, Paper
from papertide.ingest.lines import CorruptFile, read_lines
from papertide.ingest.records import RecordError, parse_line, today_utc, whole_document_hint
from papertide.ingest.writer import BATCH_SIZE, store_records, write_stream
from papertide.storage.db import Database

SOURCE = "jsonl"


def iter_records(path: Path, counts: RunCounts, today: date | None = None) -> Iterator[Harvested]:
    """Checked records of ``path``; each bad line is counted in ``counts`` as ``file:line: field: reason``."""
    today = today or today_utc()
    for lineno, line in read_lines(path, counts, SOURCE):
        try:
            yield parse_line(line, today)
        except RecordError as exc:
            counts.reject(f"{path.name}:{lineno}: {exc}{whole_document_hint(line) if lineno == 1 else ''}")


def import_into(
    db: Database,
    path: Path,
    counts: RunCounts,
    notify: Callable[[list[str]], None] | None = None,
    on_progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> None:
    """Import one file into ``counts``; raises CorruptFile (after storing what came before) if it breaks off."""
    write_stream(db, iter_records(path, counts), counts, notify, on_progress, batch_size)


def import_file(
    db: Database,
    path: Path,
    on_progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> RunCounts:
    """Import one file without recording a run; a file that breaks off is one more failure in the tally."""
    counts = RunCounts()
    try:
        import_into(db, path, counts, on_progress=on_progress, batch_size=batch_size)
    except CorruptFile as exc:
        counts.reject(str(exc))
    return counts


def import_records(db: Database, records: Sequence[tuple[Paper, Listing | None]]) -> RunCounts:
    """Store ready-made (paper, listing) pairs as our own records, in one transaction (tests, benchmarks)."""
    return store_records(db, [Harvested(p, SourceKind.RECORD, listing=x) for p, x in records])

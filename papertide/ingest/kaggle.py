"""The Kaggle arXiv metadata snapshot (``arxiv-metadata-oai-snapshot.json``): parse and stream-import.

One JSON object per line with ``id, submitter, authors, title, comments, journal-ref,
doi, categories, abstract, versions, update_date, authors_parsed``. The file is several
GB, so we read it line by line and write fixed-size batches: memory stays flat.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from papertide.domain.ingest import Harvested, PaperVersion, RunCounts, SourceKind, is_withdrawal_comment
from papertide.domain.papers import InvalidArxivId, Paper, parse_arxiv_id
from papertide.domain.tex import detex_name
from papertide.ingest.bulk import open_text
from papertide.ingest.oai_parse import clean_abstract, clean_title, parse_rfc2822, split_raw_authors
from papertide.ingest.records import RecordError
from papertide.ingest.writer import write_harvested
from papertide.storage.db import Database

SOURCE = "kaggle"
BATCH_SIZE = 2_000  # records per write transaction, as in the JSONL import
MAX_REPORTED_ERRORS = 50


def _authors(obj: dict[str, Any]) -> tuple[str, ...]:
    parsed = obj.get("authors_parsed")
    if isinstance(parsed, list) and parsed and all(isinstance(a, list) for a in parsed):
        names = []
        for a in parsed:
            last, first, suffix = (list(a) + ["", "", ""])[:3]
            names.append(detex_name(" ".join(str(x).strip() for x in (first, last, suffix) if str(x).strip())))
        return tuple(n for n in names if n)
    if isinstance(obj.get("authors"), str):
        return split_raw_authors(obj["authors"])
    return ()


def parse_snapshot_record(obj: Any) -> Harvested:
    """One decoded snapshot object → an arXiv-sourced paper with its version dates."""
    if not isinstance(obj, dict):
        raise RecordError("record must be a JSON object")
    if not isinstance(obj.get("id"), str):
        raise RecordError("missing id")
    try:
        aid = parse_arxiv_id(obj["id"])
    except InvalidArxivId as exc:
        raise RecordError(str(exc)) from None
    title = obj.get("title")
    if not isinstance(title, str) or not title.strip():
        raise RecordError("missing title")
    versions = []
    for v in obj.get("versions") or ():
        label = str(v.get("version", "")).lstrip("v") if isinstance(v, dict) else ""
        if label.isdigit():
            versions.append(PaperVersion(int(label), parse_rfc2822(str(v.get("created", "")))))
    versions.sort(key=lambda v: v.version)
    first = versions[0].submitted if versions else None
    categories = obj.get("categories") if isinstance(obj.get("categories"), str) else ""
    paper = Paper(
        arxiv_id=aid.id,
        title=clean_title(title),
        abstract=clean_abstract(obj.get("abstract") if isinstance(obj.get("abstract"), str) else ""),
        authors=_authors(obj),
        categories=tuple(categories.split()),
        published=first.date() if first else None,
        version=versions[-1].version if versions else 1,
        withdrawn=is_withdrawal_comment(obj.get("comments") if isinstance(obj.get("comments"), str) else None),
    )
    return Harvested(paper, SourceKind.ARXIV, versions=tuple(versions))


def parse_snapshot_line(line: str) -> Harvested:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise RecordError(f"invalid JSON: {exc.msg} at column {exc.colno}") from None
    return parse_snapshot_record(obj)


def looks_like_snapshot(path: Path) -> bool:
    """True when the first record has the snapshot's ``id`` + ``versions`` keys (not ``arxiv_id``)."""
    with open_text(path) as fh:
        for line in fh:
            if line.strip():
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError:
                    return False
                return isinstance(obj, dict) and "id" in obj and "versions" in obj and "arxiv_id" not in obj
    return False


def _records(fh: IO[str], counts: RunCounts, notes: list[str]) -> Iterator[Harvested]:
    lineno = 0
    lines = iter(fh)
    while True:
        try:
            line = next(lines)
        except StopIteration:
            return
        except (EOFError, OSError) as exc:  # a truncated .gz: keep everything before it
            counts.failed += 1
            notes.append(f"line {lineno + 1}: file is truncated or corrupt: {exc}")
            return
        lineno += 1
        if not line.strip():
            continue
        try:
            yield parse_snapshot_line(line)
        except RecordError as exc:
            counts.failed += 1
            if len(notes) < MAX_REPORTED_ERRORS:
                notes.append(f"line {lineno}: {exc}")


def import_snapshot(
    db: Database,
    path: Path,
    counts: RunCounts,
    notify: Callable[[list[str]], None],
    notes: list[str],
    on_progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> None:
    """Stream-import a snapshot file (.json/.jsonl, optionally gzipped); each batch commits."""
    batch: list[Harvested] = []

    def flush() -> None:
        with db.write() as conn:
            result = write_harvested(conn, batch)
        result.add_to(counts, keep_ids=False)
        notify(result.changed_ids)
        counts.pages += 1
        if on_progress:
            on_progress(len(batch))
        batch.clear()

    with open_text(path) as fh:
        for h in _records(fh, counts, notes):
            counts.fetched += 1
            batch.append(h)
            if len(batch) >= batch_size:
                flush()
        if batch:
            flush()

"""The Kaggle arXiv metadata snapshot (``arxiv-metadata-oai-snapshot.json``): parse and stream-import.

One JSON object per line with ``id, submitter, authors, title, comments, journal-ref,
doi, categories, abstract, versions, update_date, authors_parsed``. The file is several
GB, so we read it line by line and write fixed-size batches: memory stays flat.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from papertide.domain.ingest import Harvested, PaperVersion, RunCounts, SourceKind, is_withdrawal_comment
from papertide.domain.paper_checks import InvalidPaper, check_harvested
from papertide.domain.papers import InvalidArxivId, Paper, parse_arxiv_id
from papertide.domain.tex import detex_name
from papertide.ingest.lines import CorruptFile, read_lines
from papertide.ingest.oai_parse import clean_abstract, clean_title, parse_rfc2822, split_raw_authors
from papertide.ingest.records import RecordError, decode_json, today_utc, whole_document_hint
from papertide.ingest.writer import BATCH_SIZE, write_stream
from papertide.storage.db import Database

SOURCE = "kaggle"


def _authors(obj: dict[str, Any]) -> tuple[str, ...]:
    # The ``authors`` string is arXivRaw's, so a paper reads the same from either source;
    # ``authors_parsed`` re-spaces hyphenated initials ("C.-P. Yuan" becomes "C. -P. Yuan"),
    # which made a second author page, so it is only the fallback.
    if isinstance(obj.get("authors"), str) and obj["authors"].strip():
        return split_raw_authors(obj["authors"])
    parsed = obj.get("authors_parsed")
    if isinstance(parsed, list) and parsed and all(isinstance(a, list) for a in parsed):
        names = []
        for a in parsed:
            last, first, suffix = (list(a) + ["", "", ""])[:3]
            names.append(detex_name(" ".join(str(x).strip() for x in (first, last, suffix) if str(x).strip())))
        return tuple(n for n in names if n)
    return ()


def parse_snapshot_record(obj: Any, today: date | None = None) -> Harvested:
    """One decoded snapshot object → a checked arXiv-sourced paper with its version dates."""
    if not isinstance(obj, dict):
        raise RecordError("record must be a JSON object")
    if not isinstance(obj.get("id"), str):
        raise RecordError("id: missing id")
    try:
        aid = parse_arxiv_id(obj["id"])
    except InvalidArxivId as exc:
        raise RecordError(f"id: {exc}") from None
    title = obj.get("title")
    if not isinstance(title, str) or not title.strip():
        raise RecordError("title: missing title")
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
    try:
        return check_harvested(Harvested(paper, SourceKind.ARXIV, versions=tuple(versions)), today or today_utc())
    except InvalidPaper as exc:
        raise RecordError(str(exc)) from None


def parse_snapshot_line(line: str, today: date | None = None) -> Harvested:
    return parse_snapshot_record(decode_json(line), today)


def looks_like_snapshot(path: Path) -> bool:
    """True when the first record has the snapshot's ``id`` + ``versions`` keys (not ``arxiv_id``).

    A file we cannot read or decode is not a snapshot: the JSONL import then reports why, line by line.
    """
    try:
        for _, line in read_lines(path, RunCounts()):
            try:
                obj = decode_json(line)
            except RecordError:
                return False
            return isinstance(obj, dict) and "id" in obj and "versions" in obj and "arxiv_id" not in obj
    except CorruptFile:
        return False
    return False


def _records(path: Path, counts: RunCounts) -> Iterator[Harvested]:
    today = today_utc()
    for lineno, line in read_lines(path, counts, SOURCE):
        try:
            yield parse_snapshot_line(line, today)
        except RecordError as exc:
            counts.reject(f"{path.name}:{lineno}: {exc}{whole_document_hint(line) if lineno == 1 else ''}")


def import_snapshot(
    db: Database,
    path: Path,
    counts: RunCounts,
    notify: Callable[[list[str]], None],
    on_progress: Callable[[int], None] | None = None,
    batch_size: int = BATCH_SIZE,
) -> None:
    """Stream-import a snapshot file (.json/.jsonl, optionally gzipped); each batch commits.

    Raises CorruptFile (after storing every record before it) when the file breaks off.
    """
    write_stream(db, _records(path, counts), counts, notify, on_progress, batch_size)

"""Pure parsing of papertide's JSONL record format (the shared/data schema) into domain types.

Every record passes :func:`papertide.domain.paper_checks.check_harvested` before it is
returned, so whatever reaches a write batch can be stored on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from papertide.domain.ingest import Harvested, SourceKind
from papertide.domain.paper_checks import InvalidPaper, check_harvested
from papertide.domain.papers import InvalidArxivId, Listing, Paper, parse_arxiv_id
from papertide.domain.tex import detex_names, detex_text


class RecordError(ValueError):
    """A record that cannot be imported; the message is ``field: reason`` on one line."""


def decode_json(line: str) -> Any:
    """One JSON text → a Python value, or RecordError (also for nesting too deep to decode)."""
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise RecordError(f"invalid JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        # json recurses per nesting level: '[[[[…' 100,000 deep exhausts the stack.
        raise RecordError("invalid JSON: nested too deeply to be a record") from None


def whole_document_hint(first_line: str) -> str:
    """What to add when a file's first line fails: a JSON array or a pretty-printed object is one
    JSON document, not JSON Lines, and every line of it fails on its own ('' when it looks like neither)."""
    text = first_line.strip()
    if text.startswith("["):
        return (" (the file looks like one JSON array; papertide reads JSON Lines, one record per line: "
                "convert it with jq -c '.[]' FILE > FILE.jsonl)")
    if text.startswith("{") and not text.endswith("}"):  # a record cut across lines
        return (" (the file looks like pretty-printed JSON; papertide reads JSON Lines, one record per line: "
                "convert it with jq -c . FILE > FILE.jsonl)")
    return ""


def today_utc() -> date:
    return datetime.now(UTC).date()


def _date(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise RecordError(f"{field}: must be a YYYY-MM-DD string, got {type(value).__name__}")
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise RecordError(f"{field}: not a date: {value[:40]!r}") from None


def _str_list(value: Any, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise RecordError(f"{field}: must be a list of strings")
    return tuple(x.strip() for x in value if x.strip())


def _int(value: Any, field: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RecordError(f"{field}: must be a non-negative integer, got {str(value)[:40]!r}")
    return value


def parse_record(obj: Any, today: date | None = None) -> Harvested:
    """One decoded JSON object → a checked record: the paper and its daily listing (if it has ``hf_date``)."""
    if not isinstance(obj, dict):
        raise RecordError("record must be a JSON object")
    raw_id = obj.get("arxiv_id")
    if not isinstance(raw_id, str):
        raise RecordError("arxiv_id: missing")
    try:
        aid = parse_arxiv_id(raw_id)
    except InvalidArxivId as exc:
        raise RecordError(f"arxiv_id: {exc}") from None
    title = obj.get("title")
    if not isinstance(title, str) or not title.strip():
        raise RecordError("title: missing title")
    abstract = obj.get("abstract") or ""
    if not isinstance(abstract, str):
        raise RecordError("abstract: must be a string")
    github = obj.get("github_repo")
    project = obj.get("project_page")
    paper = Paper(
        arxiv_id=aid.id,
        title=detex_text(" ".join(title.split())),
        abstract=detex_text(abstract.strip()),
        # arXiv keeps TeX accents in names (Ev\'equoz); we store the letters.
        authors=detex_names(_str_list(obj.get("authors"), "authors")),
        categories=_str_list(obj.get("categories"), "categories"),
        published=_date(obj.get("published"), "published"),
        version=aid.version or _int(obj.get("version"), "version") or 1,
        published_approx=bool(obj.get("published_approx", False)),
        github_repo=github if isinstance(github, str) and github else None,
        upvotes_baseline=_int(obj.get("upvotes"), "upvotes"),
        num_comments_baseline=_int(obj.get("num_comments"), "num_comments"),
        keywords=_str_list(obj.get("hf_keywords"), "hf_keywords"),
        project_page=project if isinstance(project, str) and project else None,
    )
    listed_on = _date(obj.get("hf_date"), "hf_date")
    submitter = obj.get("submitter")
    listing = None
    if listed_on is not None:
        listing = Listing(aid.id, listed_on, submitter_name=submitter if isinstance(submitter, str) and submitter else None)
    try:
        return check_harvested(Harvested(paper, SourceKind.RECORD, listing=listing), today or today_utc())
    except InvalidPaper as exc:
        raise RecordError(str(exc)) from None


def parse_line(line: str, today: date | None = None) -> Harvested:
    """One line of a JSONL file → a checked record, or RecordError saying which field and why."""
    return parse_record(decode_json(line), today)

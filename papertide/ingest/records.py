"""Pure parsing of papertide's JSONL record format (the shared/data schema) into domain types."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from papertide.domain.papers import InvalidArxivId, Listing, Paper, parse_arxiv_id
from papertide.domain.tex import detex_names

MAX_TITLE_CHARS = 2_000
MAX_ABSTRACT_CHARS = 100_000


class RecordError(ValueError):
    """A record that cannot be imported; the message says which field and why."""


def _date(value: Any, field: str) -> date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise RecordError(f"{field} must be a YYYY-MM-DD string, got {type(value).__name__}")
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise RecordError(f"{field} is not a date: {value[:40]!r}") from None


def _str_list(value: Any, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise RecordError(f"{field} must be a list of strings")
    return tuple(x.strip() for x in value if x.strip())


def _int(value: Any, field: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RecordError(f"{field} must be a non-negative integer, got {value!r}")
    return value


def parse_record(obj: Any) -> tuple[Paper, Listing | None]:
    """One decoded JSON object → (Paper, its daily listing if it has an ``hf_date``)."""
    if not isinstance(obj, dict):
        raise RecordError("record must be a JSON object")
    raw_id = obj.get("arxiv_id")
    if not isinstance(raw_id, str):
        raise RecordError("missing arxiv_id")
    try:
        aid = parse_arxiv_id(raw_id)
    except InvalidArxivId as exc:
        raise RecordError(str(exc)) from None
    title = obj.get("title")
    if not isinstance(title, str) or not title.strip():
        raise RecordError("missing title")
    abstract = obj.get("abstract") or ""
    if not isinstance(abstract, str):
        raise RecordError("abstract must be a string")
    if len(title) > MAX_TITLE_CHARS or len(abstract) > MAX_ABSTRACT_CHARS:
        raise RecordError("title or abstract is implausibly long")
    github = obj.get("github_repo")
    paper = Paper(
        arxiv_id=aid.id,
        title=" ".join(title.split()),
        abstract=abstract.strip(),
        # arXiv keeps TeX accents in names (Ev\'equoz); we store the letters (issue 3).
        authors=detex_names(_str_list(obj.get("authors"), "authors")),
        categories=_str_list(obj.get("categories"), "categories"),
        published=_date(obj.get("published"), "published"),
        version=aid.version or _int(obj.get("version"), "version") or 1,
        published_approx=bool(obj.get("published_approx", False)),
        github_repo=github if isinstance(github, str) and github else None,
        upvotes_baseline=_int(obj.get("upvotes"), "upvotes"),
        num_comments_baseline=_int(obj.get("num_comments"), "num_comments"),
        keywords=_str_list(obj.get("hf_keywords"), "hf_keywords"),
    )
    listed_on = _date(obj.get("hf_date"), "hf_date")
    listing = Listing(aid.id, listed_on, submitter_name=obj.get("submitter") or None) if listed_on else None
    return paper, listing


def parse_line(line: str) -> tuple[Paper, Listing | None]:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise RecordError(f"invalid JSON: {exc.msg} at column {exc.colno}") from None
    return parse_record(obj)

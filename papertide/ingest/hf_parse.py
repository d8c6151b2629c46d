"""Pure parsing of Hugging Face ``/api/daily_papers`` responses onto papers and daily listings.

The response shape changed over 2024–2026 (recorded in tests/fixtures/hf_api_daily_papers):
2024 items embed ``user`` objects in ``paper.authors`` and have no submitter on the
paper; later ones add ``submittedBy``, ``submittedOnDailyAt``, ``githubRepo``,
``ai_keywords``, ``organization`` and ``mediaUrls``. We read only fields every
version agrees on and treat the rest as optional.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from papertide.domain.ingest import Harvested, SourceKind
from papertide.domain.paper_checks import check_harvested
from papertide.domain.papers import InvalidArxivId, Listing, Paper, parse_arxiv_id
from papertide.domain.tex import detex_names
from papertide.ingest.oai_parse import clean_abstract, clean_title


class HfParseError(ValueError):
    """A response we cannot read at all; ``position`` says where."""

    def __init__(self, message: str, position: str = "") -> None:
        self.position = position
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class HfPage:
    records: tuple[Harvested, ...]
    bad_items: tuple[str, ...]
    size: int  # items in the response, good or bad (for paging)


def _day(value: Any) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _count(value: Any, field: str) -> int:
    if value is None:  # left out: 0 for a new paper; the merge keeps a held paper's count (Harvested.unsent)
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{field}: must be a non-negative integer, got {str(value)[:40]!r}")
    return value  # the range is checked with every other rule in check_harvested


def _submitter(item: dict[str, Any], paper: dict[str, Any]) -> str | None:
    for who in (item.get("submittedBy"), paper.get("submittedOnDailyBy")):
        if isinstance(who, dict) and isinstance(who.get("name"), str) and who["name"]:
            return who["name"][:200]
    return None


def parse_item(item: Any, listed_on: date | None, today: date | None = None) -> Harvested:
    """One daily-papers item → a checked Hugging Face-sourced paper with its listing.

    ``listed_on`` is the requested day; for week/month queries (None) the item's
    own day on the list is used (``submittedOnDailyAt``, else the item's ``publishedAt``).
    """
    if not isinstance(item, dict) or not isinstance(item.get("paper"), dict):
        raise ValueError("item is not an object with a 'paper' object")
    paper = item["paper"]
    aid = parse_arxiv_id(str(paper.get("id", "")))
    title = paper.get("title") or item.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ValueError(f"{aid.id}: title: missing")
    summary = paper.get("summary") if isinstance(paper.get("summary"), str) else ""
    authors = [a.get("name") for a in paper.get("authors") or () if isinstance(a, dict) and not a.get("hidden")]
    keywords = paper.get("ai_keywords") if isinstance(paper.get("ai_keywords"), list) else []
    github = paper.get("githubRepo") if isinstance(paper.get("githubRepo"), str) else None
    project = paper.get("projectPage") if isinstance(paper.get("projectPage"), str) else None
    day = listed_on or _day(paper.get("submittedOnDailyAt")) or _day(item.get("publishedAt"))
    p = Paper(
        arxiv_id=aid.id,
        title=clean_title(title),
        abstract=clean_abstract(summary),
        authors=detex_names([a for a in authors if isinstance(a, str) and a.strip()]),
        published=_day(paper.get("publishedAt")),
        version=aid.version or 1,
        github_repo=github or None,
        upvotes_baseline=_count(paper.get("upvotes"), "upvotes"),
        num_comments_baseline=_count(item.get("numComments"), "num_comments"),
        keywords=tuple(k for k in keywords if isinstance(k, str)),
        project_page=project or None,
    )
    listing = Listing(aid.id, day, submitter_name=_submitter(item, paper)) if day else None
    # A count the item leaves out (or sends as null) is unknown, not zero: merging must keep ours.
    unsent = frozenset(name for name, value in (("upvotes_baseline", paper.get("upvotes")),
                                                ("num_comments_baseline", item.get("numComments")))
                       if value is None)
    return check_harvested(Harvested(p, SourceKind.HF, listing=listing, unsent=unsent),
                           today or datetime.now(UTC).date())


def parse_daily_papers(
    body: bytes, listed_on: date | None, first_position: int = 0, today: date | None = None
) -> HfPage:
    """Parse a whole response; items we cannot use are reported by index and skipped."""
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise HfParseError(f"malformed JSON: {exc.msg}", f"line {exc.lineno}, column {exc.colno}") from None
    except RecursionError:
        raise HfParseError("malformed JSON: nested too deeply", "top level") from None
    except UnicodeDecodeError as exc:
        raise HfParseError(f"response is not UTF-8: {exc.reason}", f"byte {exc.start}") from None
    if not isinstance(data, list):
        raise HfParseError(f"expected a JSON list of items, got {type(data).__name__}", "top level")
    records, bad = [], []
    for i, item in enumerate(data):
        try:
            h = parse_item(item, listed_on, today)
        except (ValueError, InvalidArxivId) as exc:  # InvalidPaper is a ValueError too
            bad.append(f"item {i}: {exc}")
            continue
        records.append(h)
    # The API lists in its own order (most recent submissions first); we keep that as position.
    positioned = tuple(
        replace(h, listing=Listing(h.listing.arxiv_id, h.listing.listed_on, pos, h.listing.submitter_name))
        if h.listing else h
        for pos, h in enumerate(records, start=first_position)
    )
    return HfPage(positioned, tuple(bad), len(data))

"""Pure parsing of arXiv API responses (Atom 1.0 with arXiv's extension elements).

Reference: https://info.arxiv.org/help/api/user-manual.html (section 5, "Structure of the API response").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from lxml import etree

from papertide.domain.ingest import Harvested, PaperVersion, SourceKind, is_withdrawal_comment
from papertide.domain.paper_checks import InvalidPaper, check_harvested
from papertide.domain.papers import InvalidArxivId, Paper, parse_arxiv_id
from papertide.domain.tex import detex_name
from papertide.ingest.oai_parse import OaiParseError, clean_abstract, clean_title

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


class AtomParseError(OaiParseError):
    """A feed we cannot read (same shape as OaiParseError: message plus position)."""


@dataclass(frozen=True, slots=True)
class AtomFeed:
    records: tuple[Harvested, ...]
    errors: tuple[str, ...]  # arXiv reports bad ids as entries titled "Error"; ours for entries we reject
    total_results: int | None
    rejected_ids: tuple[str, ...] = ()  # entries arXiv returned that broke a record rule


def _text(el: etree._Element | None) -> str:
    return (el.text or "").strip() if el is not None else ""


def _when(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def parse_feed(body: bytes, today: date | None = None) -> AtomFeed:
    """Parse one API response into checked papers (with the version the entry describes)."""
    today = today or datetime.now(UTC).date()
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (0, 0)
        raise AtomParseError(f"malformed XML: {exc.msg}", f"line {line}, column {col}") from None
    if root.tag != f"{ATOM}feed":
        raise AtomParseError(f"not an Atom feed (root element {root.tag!r})", "line 1")
    records: list[Harvested] = []
    errors: list[str] = []
    rejected: list[str] = []
    for n, entry in enumerate(root.iterfind(f"{ATOM}entry"), start=1):
        entry_id = _text(entry.find(f"{ATOM}id"))
        if "/api/errors" in entry_id or _text(entry.find(f"{ATOM}title")) == "Error":
            errors.append(_text(entry.find(f"{ATOM}summary")) or entry_id)
            continue
        try:
            aid = parse_arxiv_id(entry_id)
        except InvalidArxivId:
            errors.append(f"entry {n}: id {entry_id[:80]!r} is not an arXiv id")
            continue
        published = _when(_text(entry.find(f"{ATOM}published")))
        updated = _when(_text(entry.find(f"{ATOM}updated")))
        primary = entry.find(f"{ARXIV}primary_category")
        cats = [c.get("term", "") for c in entry.iterfind(f"{ATOM}category")]
        if primary is not None and primary.get("term"):
            cats = [primary.get("term", "")] + [c for c in cats if c != primary.get("term")]
        version = aid.version or 1
        paper = Paper(
            arxiv_id=aid.id,
            title=clean_title(_text(entry.find(f"{ATOM}title"))),
            abstract=clean_abstract(entry.findtext(f"{ATOM}summary") or ""),
            authors=tuple(detex_name(_text(a.find(f"{ATOM}name"))) for a in entry.iterfind(f"{ATOM}author")),
            categories=tuple(c for c in dict.fromkeys(cats) if c),
            published=published.date() if published else None,
            version=version,
            withdrawn=is_withdrawal_comment(_text(entry.find(f"{ARXIV}comment"))),
        )
        versions = [PaperVersion(version, updated if version > 1 else published)]
        if version > 1 and published:
            versions.insert(0, PaperVersion(1, published))
        try:
            records.append(check_harvested(Harvested(paper, SourceKind.ARXIV, versions=tuple(versions)), today))
        except InvalidPaper as exc:
            errors.append(f"entry {n} ({aid.id}): {exc}")
            rejected.append(aid.id)
    total = _text(root.find(f"{OPENSEARCH}totalResults"))
    return AtomFeed(tuple(records), tuple(errors), int(total) if total.isdigit() else None, tuple(rejected))

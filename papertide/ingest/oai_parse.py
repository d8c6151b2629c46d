"""Pure parsing of arXiv OAI-PMH responses (metadataPrefix ``arXiv`` and ``arXivRaw``).

Schemas: OAI-PMH 2.0 (http://www.openarchives.org/OAI/2.0/), arXiv's
http://arxiv.org/OAI/arXiv.xsd and http://arxiv.org/OAI/arXivRaw.xsd. Tested
against generated documents that follow them (tests/ingest/oai_docs.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime

from lxml import etree

from papertide.domain.ingest import Harvested, PaperVersion, SourceKind, is_withdrawal_comment
from papertide.domain.paper_checks import InvalidPaper, check_harvested
from papertide.domain.papers import InvalidArxivId, Paper, parse_arxiv_id
from papertide.domain.tex import detex_name, detex_text

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
ARXIV_NS = "http://arxiv.org/OAI/arXiv/"
ARXIV_RAW_NS = "http://arxiv.org/OAI/arXivRaw/"
PREFIXES = ("arXiv", "arXivRaw")

_O = f"{{{OAI_NS}}}"
_A = f"{{{ARXIV_NS}}}"
_R = f"{{{ARXIV_RAW_NS}}}"
_R_VERSION = f"{_R}version"
# One parser for every page: no network access for DTDs, no entity expansion (untrusted input).
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False)
_AUTHOR_SPLIT = re.compile(r",\s*(?:and\s+)?|\s+and\s+")


class OaiParseError(ValueError):
    """A page we cannot read; ``position`` says where (line and column when XML is malformed)."""

    def __init__(self, message: str, position: str = "") -> None:
        self.position = position
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class OaiPage:
    """One ListRecords response."""

    records: tuple[Harvested, ...]
    resumption_token: str | None  # None or "" ends the list
    complete_list_size: int | None
    cursor: int | None
    response_date: datetime | None
    error_code: str | None = None  # e.g. "noRecordsMatch", "badResumptionToken"
    error_message: str = ""
    bad_records: tuple[str, ...] = ()  # one message per record we could not use


def _text(el: etree._Element | None) -> str:
    return (el.text or "").strip() if el is not None else ""


def clean_title(text: str) -> str:
    """One line, TeX accents outside math as letters (``Schr\\"odinger`` → Schrödinger)."""
    return detex_text(" ".join(text.split()))


def clean_abstract(text: str) -> str:
    """arXiv's hard-wrapped abstract → one line per paragraph.

    arXiv starts a new paragraph with an indented line; other line breaks are wraps.
    """
    paragraphs: list[list[str]] = [[]]
    for line in text.strip("\n").split("\n"):
        if line[:1].isspace() and paragraphs[-1] and line.strip():
            paragraphs.append([])
        if line.strip():
            paragraphs[-1].append(line.strip())
    return detex_text("\n".join(" ".join(" ".join(p).split()) for p in paragraphs if p))


def split_raw_authors(text: str) -> tuple[str, ...]:
    """arXivRaw's author string ("A, B and C (Univ, X)") → names, without their affiliations.

    arXiv writes affiliations in parentheses after a name (``B. Two (Univ. X, Y)``, or numbered:
    ``A (1), B (1, 2) ((1) MIT, (2) ETH)``). Its other formats (OAI ``arXiv``, the API, the Kaggle
    snapshot's parsed names) give the bare name, and a name with its affiliation was a second
    author page for the same person and, with its comma, a broken BibTeX name.
    """
    flat = " ".join(text.split())
    if "(" not in flat:  # the common case: no affiliations, so a plain split is exact
        return tuple(detex_name(n.strip()) for n in _AUTHOR_SPLIT.split(flat) if n.strip())
    names: list[str] = []
    name: list[str] = []  # the current name's characters outside parentheses
    depth = i = 0
    while i < len(flat):
        c = flat[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            m = _AUTHOR_SPLIT.match(flat, i)
            if m and (c == "," or c == " "):
                names.append("".join(name))
                name = []
                i = m.end()
                continue
            name.append(c)
        i += 1
    if depth:  # an unclosed "(" would swallow every author after it: read the parentheses as text
        return tuple(detex_name(n.strip()) for n in _AUTHOR_SPLIT.split(flat) if n.strip())
    names.append("".join(name))
    return tuple(n for n in (detex_name(" ".join(n.split())) for n in names) if n)


def parse_rfc2822(text: str) -> datetime | None:
    try:
        return parsedate_to_datetime(text).astimezone(UTC)
    except (TypeError, ValueError):
        return None


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _parse_arxiv(meta: etree._Element, aid: str) -> Harvested:
    authors = []
    for a in meta.iterfind(f"{_A}authors/{_A}author"):
        parts = [_text(a.find(f"{_A}forenames")), _text(a.find(f"{_A}keyname")), _text(a.find(f"{_A}suffix"))]
        authors.append(detex_name(" ".join(p for p in parts if p)))
    comments = _text(meta.find(f"{_A}comments"))
    paper = Paper(
        arxiv_id=aid,
        title=clean_title(_text(meta.find(f"{_A}title"))),
        abstract=clean_abstract(meta.findtext(f"{_A}abstract") or ""),
        authors=tuple(authors),
        categories=tuple(_text(meta.find(f"{_A}categories")).split()),
        published=_iso_date(_text(meta.find(f"{_A}created"))),
        withdrawn=is_withdrawal_comment(comments),
    )
    # The arXiv format carries no version number: merge keeps the version we know.
    return Harvested(paper, SourceKind.ARXIV, version_known=False)


def _parse_arxiv_raw(meta: etree._Element, aid: str) -> Harvested:
    # One pass over the children (instead of a find() per field): this is the hot loop of a harvest.
    fields: dict[str, str] = {}
    versions = []
    for child in meta:
        tag = child.tag
        if tag == _R_VERSION:
            label = child.get("version", "").lstrip("v")
            if label.isdigit():
                versions.append(PaperVersion(int(label), parse_rfc2822(_text(child.find(f"{_R}date")))))
        elif isinstance(tag, str):
            fields[tag] = child.text or ""
    versions.sort(key=lambda v: v.version)
    first = versions[0].submitted if versions else None
    paper = Paper(
        arxiv_id=aid,
        title=clean_title(fields.get(f"{_R}title", "")),
        abstract=clean_abstract(fields.get(f"{_R}abstract", "")),
        authors=split_raw_authors(fields.get(f"{_R}authors", "")),
        categories=tuple(fields.get(f"{_R}categories", "").split()),
        published=first.date() if first else None,
        version=versions[-1].version if versions else 1,
        withdrawn=is_withdrawal_comment(fields.get(f"{_R}comments")),
    )
    return Harvested(paper, SourceKind.ARXIV, versions=tuple(versions))


def _identifier_to_id(identifier: str) -> str:
    # oai:arXiv.org:2405.12345 or oai:arXiv.org:hep-th/9901001
    return parse_arxiv_id(identifier.rsplit(":", 1)[-1]).id


def parse_list_records(body: bytes, today: date | None = None) -> OaiPage:
    """Parse one ListRecords response body.

    Raises :class:`OaiParseError` for malformed or truncated XML and for documents that
    are not OAI-PMH; a record we cannot use (see :mod:`papertide.domain.paper_checks`)
    is reported in ``bad_records`` and skipped.
    """
    today = today or datetime.now(UTC).date()
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        line, col = exc.position if exc.position else (0, 0)
        raise OaiParseError(f"malformed XML: {exc.msg}", f"line {line}, column {col}") from None
    if root.tag != f"{_O}OAI-PMH":
        raise OaiParseError(f"not an OAI-PMH response (root element {root.tag!r})", "line 1")
    response_date = None
    rd = _text(root.find(f"{_O}responseDate"))
    if rd:
        try:
            response_date = datetime.fromisoformat(rd.replace("Z", "+00:00"))
        except ValueError:
            pass
    err = root.find(f"{_O}error")
    if err is not None:
        return OaiPage((), None, None, None, response_date, err.get("code") or "unknown", _text(err))
    lr = root.find(f"{_O}ListRecords")
    if lr is None:
        raise OaiParseError("response has neither ListRecords nor error", "")
    records: list[Harvested] = []
    bad: list[str] = []
    for n, rec in enumerate(lr.iterfind(f"{_O}record"), start=1):
        header = rec.find(f"{_O}header")
        identifier = _text(header.find(f"{_O}identifier")) if header is not None else ""
        try:
            aid = _identifier_to_id(identifier)
        except InvalidArxivId:
            bad.append(f"record {n}: identifier {identifier[:80]!r} is not an arXiv id")
            continue
        if header is not None and header.get("status") == "deleted":
            records.append(Harvested(Paper(aid, "", ""), SourceKind.ARXIV, deleted=True))
            continue
        meta = rec.find(f"{_O}metadata")
        inner = meta[0] if meta is not None and len(meta) else None
        if inner is None:
            bad.append(f"record {n} ({aid}): no metadata")
            continue
        if inner.tag == f"{_R}arXivRaw":
            h = _parse_arxiv_raw(inner, aid)
        elif inner.tag == f"{_A}arXiv":
            h = _parse_arxiv(inner, aid)
        else:
            bad.append(f"record {n} ({aid}): unknown metadata format {inner.tag!r}")
            continue
        if not h.paper.title:
            bad.append(f"record {n} ({aid}): no title")
            continue
        try:
            records.append(check_harvested(h, today))
        except InvalidPaper as exc:
            bad.append(f"record {n} ({aid}): {exc}")
    token_el = lr.find(f"{_O}resumptionToken")
    token = _text(token_el) or None if token_el is not None else None
    size = token_el.get("completeListSize") if token_el is not None else None
    cursor = token_el.get("cursor") if token_el is not None else None
    return OaiPage(
        tuple(records), token,
        int(size) if size and size.isdigit() else None,
        int(cursor) if cursor and cursor.isdigit() else None,
        response_date, bad_records=tuple(bad),
    )

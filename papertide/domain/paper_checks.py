"""What a paper must look like before we store it: the one set of record rules every source applies.

Pure: no I/O. Each parser (our JSONL records, Kaggle snapshots, OAI-PMH, the arXiv API,
Hugging Face) builds a :class:`~papertide.domain.ingest.Harvested` and passes it through
:func:`check_harvested` before the record joins a write batch, so one bad record is
reported and skipped instead of failing the transaction that holds thousands of good ones.

The rules, and why:

- Counts (upvotes, comments, version) fit a 32-bit signed INTEGER column: PostgreSQL
  rejects anything above 2**31 - 1, and SQLite anything above 2**63 - 1.
- NUL characters are *stripped* from every text field rather than rejecting the record:
  PostgreSQL cannot store them in text, they carry no meaning in a title or a name, and
  the rest of the record is usually fine (a NUL is a transport artefact).
- Text must be valid Unicode (no unpaired UTF-16 surrogates, which JSON ``"\\ud800"``
  escapes can produce): neither database driver can encode them, so the record is rejected.
- Dates (published, listed on) lie between arXiv's opening year and a year from today:
  ``0001-01-01`` or ``9999-12-31`` are placeholders or corruption, not papers.
- Titles are required; titles and abstracts have length caps that no real paper reaches.
- Titles, abstracts, author names and keywords are stored composed (NFC): text copied from a PDF
  or typed on a Mac may spell "ü" as "u" + U+0308, which the keyword index split into "mu" and
  "ller" (nobody typing "Müller" found the paper), and which no other copy of the name equals.
- Author names are trimmed with inner whitespace collapsed, and blank ones dropped: arXiv's
  ``arXiv`` OAI format and its API can carry an ``<author>`` with empty name parts, and a
  blank name showed as an empty ``citation_author``, an "A and  and B" BibTeX author list and
  ``"name": ""`` in the API; a name wrapped across lines (``John\n  Smith``) would spell the same
  person two ways.
- A project page is shown as a link, so only an absolute http(s) URL of sane length is kept
  (``javascript:`` or ``data:`` would run in a reader's browser); any other value is dropped
  with a note and the rest of the record is stored.
- A code repository counts for "has code" and shows as a badge or a link, so only a GitHub
  repository or an http(s) address is kept; ``N/A``, ``none`` or ``https://github.com/`` are
  dropped with a note (a stored value is kept when a later source sends such junk).
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import date, timedelta
from urllib.parse import urlsplit

from papertide.domain.github import other_code_link, parse_github_repo
from papertide.domain.ingest import Harvested, PaperVersion
from papertide.domain.papers import Listing, Paper

MAX_COUNT = 2**31 - 1  # upvotes, comments, versions: INTEGER columns (int4 on PostgreSQL)
EARLIEST_DATE = date(1991, 1, 1)  # arXiv opened in August 1991; nothing on it is older
MAX_DAYS_AHEAD = 366  # days after today a date may lie (time zones, clock skew; not year 9999)
MAX_TITLE_CHARS = 2_000
MAX_ABSTRACT_CHARS = 100_000
MAX_URL_CHARS = 2_000  # longer than any real project page; keeps a pasted blob out of the page
_NUL = "\x00"


class InvalidPaper(ValueError):
    """A record that breaks a rule; ``str()`` is ``field: reason``, one line."""

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


def check_harvested(item: Harvested, today: date) -> Harvested:
    """``item`` cleaned (NULs stripped) when it follows the rules; raises :class:`InvalidPaper` otherwise.

    >>> from papertide.domain.papers import Paper
    >>> check_harvested(Harvested(Paper("2405.12345", "A\\x00 title", "")), date(2026, 6, 1)).paper.title
    'A title'
    """
    if item.deleted:  # a deletion notice carries only the id, which its parser already checked
        return item
    if item.paper.project_page is not None:
        try:
            page = check_project_page(item.paper.project_page)
        except InvalidPaper as exc:
            note = f"{item.paper.arxiv_id}: {exc}; dropped it"
            page = None
            item = replace(item, notes=(*item.notes, note))
        if page != item.paper.project_page:
            item = replace(item, paper=replace(item.paper, project_page=page))
    repo = item.paper.github_repo
    if repo and parse_github_repo(repo) is None and other_code_link(repo) is None:
        note = f"{item.paper.arxiv_id}: github_repo {repo[:80]!r} names no code repository; dropped it"
        item = replace(item, paper=replace(item.paper, github_repo=None), notes=(*item.notes, note))
    paper = check_paper(item.paper, today)
    if item.listing is None and not item.versions:  # the common case of a bulk load: no rebuilding
        return item if paper is item.paper else replace(item, paper=paper)
    listing = check_listing(item.listing, today) if item.listing is not None else None
    versions = tuple(_check_version(v) for v in item.versions)
    if paper is item.paper and listing is item.listing and versions == item.versions:
        return item
    return replace(item, paper=paper, listing=listing, versions=versions)


def check_paper(paper: Paper, today: date) -> Paper:
    """``paper`` with NULs stripped from its text, or :class:`InvalidPaper` naming the field at fault."""
    if not _is_clean(paper.title, paper.abstract, paper.github_repo or "", *paper.authors, *paper.categories,
                     *paper.keywords):
        # Rare: only now do we pay for a field-by-field pass that can name the culprit.
        paper = replace(
            paper,
            title=_text(paper.title, "title"),
            abstract=_text(paper.abstract, "abstract"),
            authors=_texts(paper.authors, "authors"),
            categories=_texts(paper.categories, "categories"),
            keywords=_texts(paper.keywords, "keywords"),
            github_repo=_text(paper.github_repo, "github_repo") or None if paper.github_repo else paper.github_repo,
        )
    if not unicodedata.is_normalized("NFC", "\x01".join((paper.title, paper.abstract, *paper.authors, *paper.keywords))):
        paper = replace(paper, title=_nfc(paper.title), abstract=_nfc(paper.abstract),
                        authors=tuple(_nfc(a) for a in paper.authors), keywords=tuple(_nfc(k) for k in paper.keywords))
    authors = _tidy_names(paper.authors)
    if authors is not None:
        paper = replace(paper, authors=authors)
    if not paper.title.strip():
        raise InvalidPaper("title", "missing or empty")
    if len(paper.title) > MAX_TITLE_CHARS:
        raise InvalidPaper("title", f"{len(paper.title):,} characters; the limit is {MAX_TITLE_CHARS:,}")
    if len(paper.abstract) > MAX_ABSTRACT_CHARS:
        raise InvalidPaper("abstract", f"{len(paper.abstract):,} characters; the limit is {MAX_ABSTRACT_CHARS:,}")
    if not (0 <= paper.upvotes_baseline <= MAX_COUNT and 0 <= paper.num_comments_baseline <= MAX_COUNT
            and 1 <= paper.version <= MAX_COUNT):
        _count(paper.upvotes_baseline, "upvotes")
        _count(paper.num_comments_baseline, "num_comments")
        if paper.version < 1:
            raise InvalidPaper("version", f"arXiv versions start at 1, got {paper.version}")
        _count(paper.version, "version")
    if paper.published is not None:
        _date(paper.published, "published", today)
    return paper


def check_project_page(url: str) -> str | None:
    """``url`` stripped when it is an absolute http(s) URL we can link to; None when blank.

    >>> check_project_page(" https://example.org/paper ")
    'https://example.org/paper'
    """
    url = url.strip()
    if not url:
        return None
    if len(url) > MAX_URL_CHARS:
        raise InvalidPaper("project_page", f"{len(url):,} characters; the limit is {MAX_URL_CHARS:,}")
    if _NUL in url or _has_surrogate(url) or any(c.isspace() or ord(c) < 32 for c in url):
        raise InvalidPaper("project_page", "contains whitespace or control characters")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise InvalidPaper("project_page", f"not a URL: {url[:60]!r}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidPaper("project_page", f"not an http(s) URL: {url[:60]!r}")
    return url


def check_listing(listing: Listing, today: date) -> Listing:
    """A daily listing's day must be plausible; its submitter name loses any NULs."""
    _date(listing.listed_on, "hf_date", today)
    if listing.submitter_name:
        name = _text(listing.submitter_name, "submitter")
        if name != listing.submitter_name:
            return replace(listing, submitter_name=name or None)
    return listing


def _check_version(v: PaperVersion) -> PaperVersion:
    if v.title is None and v.abstract is None and v.authors is None:
        return v
    return replace(
        v,
        title=_text(v.title, "versions.title") if v.title is not None else None,
        abstract=_text(v.abstract, "versions.abstract") if v.abstract is not None else None,
        authors=_texts(v.authors, "versions.authors") if v.authors is not None else None,
    )


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _tidy_names(names: tuple[str, ...]) -> tuple[str, ...] | None:
    """``names`` trimmed, inner whitespace collapsed and blanks dropped; None when already tidy (the hot path)."""
    tidy = tuple(" ".join(n.split()) for n in names)
    if tidy == names and all(tidy):
        return None
    return tuple(n for n in tidy if n)


def _count(value: int, field: str) -> None:
    if not 0 <= value <= MAX_COUNT:
        shown = str(value) if len(str(value)) <= 20 else f"a {len(str(value))}-digit number"
        raise InvalidPaper(field, f"{shown} is outside 0..{MAX_COUNT:,}")


def _date(value: date, field: str, today: date) -> None:
    if EARLIEST_DATE <= value and value.toordinal() - today.toordinal() <= MAX_DAYS_AHEAD:
        return
    latest = today + timedelta(days=MAX_DAYS_AHEAD)
    if not EARLIEST_DATE <= value <= latest:
        raise InvalidPaper(field, f"{value.isoformat()} is outside {EARLIEST_DATE.isoformat()}..{latest.isoformat()}")


def _is_clean(*texts: str) -> bool:
    """No NUL and nothing UTF-8 cannot encode, checked over all fields at once (the hot path of a bulk load)."""
    blob = "\x01".join(texts)
    return _NUL not in blob and not _has_surrogate(blob)


def _has_surrogate(text: str) -> bool:
    if text.isascii():
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _text(value: str, field: str) -> str:
    if _NUL in value:
        value = value.replace(_NUL, "")
    if _has_surrogate(value):
        raise InvalidPaper(field, "contains an unpaired UTF-16 surrogate (broken \\u escape), which cannot be stored")
    return value


def _texts(values: tuple[str, ...], field: str) -> tuple[str, ...]:
    cleaned = tuple(_text(v, field) for v in values)
    return cleaned if cleaned == values else tuple(v for v in cleaned if v.strip())

"""Papers as plain data: the Paper record and arXiv identifier parsing.

Pure: no I/O. Everything that reads or writes papers elsewhere speaks these types.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from papertide.domain.github import CodeLink, RepoStars, other_code_link

# New-style ids (April 2007 on): YYMM.NNNN (until 2014) or YYMM.NNNNN (from 2015).
# ASCII digits only: Python's \d also matches other scripts' digits, which would store
# a second spelling of the same paper.
_NEW_ID = re.compile(r"^(?P<id>\d{4}\.\d{4,5})(?:[vV](?P<version>\d+))?$", re.ASCII)
# Old-style ids: archive[.subject-class]/YYMMNNN, e.g. hep-th/9901001, math.AP/0601001. The subject
# class is not part of the identifier (arXiv, OAI-PMH, the API and the Kaggle snapshot all say
# math/0601001), so it is dropped: kept, a reference typed as math.AP/0601001 named a second
# paper, and a fetch of it stored math/0601001 and then found nothing under the id it was asked for.
_OLD_ID = re.compile(
    r"^(?P<id>(?P<archive>[a-z]+(?:-[a-z]+)*)(?:\.(?P<subj>[A-Z]{2}))?/(?P<number>\d{7}))(?:[vV](?P<version>\d+))?$",
    re.ASCII,
)
# Hosts and paths that carry an arXiv id in a URL.
_URL_PREFIX = re.compile(
    r"^(?:https?://)?(?:www\.|export\.|browse\.)?arxiv\.org/(?:abs|pdf|html|format)/", re.IGNORECASE
)
# Other sites that address a paper by its arXiv id: Hugging Face's paper pages (and its short host)
# and alphaXiv. The same sites library imports read (recs/library_entries.py).
_SITE_URL_PREFIX = re.compile(
    r"^(?:https?://)?(?:www\.)?(?:(?:huggingface|hf)\.co/papers|alphaxiv\.org/(?:abs|overview|pdf))/",
    re.IGNORECASE,
)
# arXiv's DOIs (DataCite, 10.48550/arXiv.<id>), which every abstract page offers to copy: bare,
# as "doi:…" or as a doi.org link. Another registrant's DOI is not an arXiv id.
_DOI_PREFIX = re.compile(r"^(?:(?:https?://)?(?:dx\.)?doi\.org/|doi:\s*)?10\.48550/arxiv\.", re.IGNORECASE)
# "arXiv:2405.12345", and "arXiv 2405.12345" as some reference styles print it.
_ARXIV_SCHEME = re.compile(r"^arxiv(?::\s*|\s+)", re.IGNORECASE)
# What an id copied from a page or a reference list comes with: brackets and quotes around it,
# sentence punctuation after it (a mail client's link to ".../papers/2405.12345." takes the full
# stop along), and the primary category of arXiv's own "Cite as" line, "arXiv:2405.12345 [cs.CL]".
_OPENERS = "([{<\"'`“‘"
_CLOSERS = ")]}>\"'`”’.,;:"
# The category pattern starts only where a run of spaces does ((?<!\s)): tried from each space of a
# long run in turn, it took time quadratic in the run (100,000 spaces in a form field: 20 seconds).
_CITED_CATEGORY = re.compile(r"(?<!\s)\s+\[[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]+(?:-[a-z]+)*)?\](?P<tail>[^\w\s]*)$", re.ASCII)
MAX_VERSION_DIGITS = 3  # arXiv versions reach a few dozen at most
FIRST_NEW_ID_MONTH = "0704"  # YYMM: new-style ids began in April 2007
FIVE_DIGITS_FROM = "1501"  # YYMM: from January 2015 the number after the dot has five digits, four before


class InvalidArxivId(ValueError):
    """Raised when a string is not an arXiv identifier or arXiv URL."""


class WrongIdLength(InvalidArxivId):
    """A new-style id with a digit too few or too many for its month; the message gives an example."""


@dataclass(frozen=True, slots=True)
class ArxivId:
    """A parsed arXiv identifier: the versionless id plus an optional version."""

    id: str
    version: int | None = None

    @property
    def is_old_style(self) -> bool:
        return "/" in self.id

    def __str__(self) -> str:
        return self.id if self.version is None else f"{self.id}v{self.version}"


def parse_arxiv_id(text: str) -> ArxivId:
    """Parse an arXiv id, ``arXiv:`` reference, arXiv DOI, or arxiv.org / HF papers / alphaXiv URL.

    >>> parse_arxiv_id("https://arxiv.org/pdf/2405.12345v3.pdf")
    ArxivId(id='2405.12345', version=3)
    >>> parse_arxiv_id("hep-th/9901001")
    ArxivId(id='hep-th/9901001', version=None)
    >>> parse_arxiv_id("arXiv:math.GT/0309136v2")
    ArxivId(id='math/0309136', version=2)
    >>> parse_arxiv_id("https://doi.org/10.48550/arXiv.2405.12345")
    ArxivId(id='2405.12345', version=None)
    """
    if not isinstance(text, str):
        raise InvalidArxivId(f"not an arXiv id: {text!r}")
    # NFKC folds full-width forms (２４０５.１２３４５, as typed with an East Asian input method)
    # to ASCII, so they name the same paper; other scripts' digits stay unmatched.
    s = unicodedata.normalize("NFKC", text).strip() if not text.isascii() else text.strip()
    s = _CITED_CATEGORY.sub(r"\g<tail>", s).lstrip(_OPENERS).rstrip(_CLOSERS)
    s = _URL_PREFIX.sub("", s)
    s = _SITE_URL_PREFIX.sub("", s)
    s = _DOI_PREFIX.sub("", s)
    s = _ARXIV_SCHEME.sub("", s)
    # URLs may carry a query string, fragment, trailing slash or a .pdf suffix.
    s = re.split(r"[?#]", s, maxsplit=1)[0].rstrip("/")
    if s.lower().endswith(".pdf"):
        s = s[:-4]
    match = _NEW_ID.match(s) or _OLD_ID.match(s)
    if match is None:
        raise InvalidArxivId(f"not an arXiv id or arXiv URL: {text.strip()[:100]!r}")
    if _NEW_ID.match(s):
        _check_new_id(match.group("id"), text)
    base = match.group("id") if match.re is _NEW_ID else f"{match.group('archive')}/{match.group('number')}"
    if match.group("version") is None:
        return ArxivId(base, None)
    # Read as text first: int() refuses more than 4,300 digits (a ValueError no caller expects),
    # and no paper has reached a thousand versions.
    digits = match.group("version").lstrip("0")
    if len(digits) > MAX_VERSION_DIGITS:
        raise InvalidArxivId(f"arXiv id has an impossible version: {text.strip()[:100]!r}")
    if not digits:
        raise InvalidArxivId(f"arXiv versions start at 1: {text.strip()[:100]!r}")
    return ArxivId(base, int(digits))


def _check_new_id(arxiv_id: str, text: str) -> None:
    """Refuse a new-style id arXiv cannot have issued, saying why (a fetch of it could only fail)."""
    yymm, number = arxiv_id.split(".")
    month = int(yymm[2:])
    if not 1 <= month <= 12:
        raise InvalidArxivId(f"arXiv id has an impossible month {month:02d}: {text.strip()[:100]!r}")
    if yymm < FIRST_NEW_ID_MONTH:
        raise InvalidArxivId(f"not an arXiv id: ids of the form YYMM.NNNN began in April 2007 (0704): {text.strip()[:100]!r}")
    digits = 5 if yymm >= FIVE_DIGITS_FROM else 4
    if len(number) != digits:
        since, like = ("since 2015", "2405.12345") if digits == 5 else ("before 2015", "1412.1234")
        raise WrongIdLength(f"not an arXiv id: {since} arXiv ids have {'five' if digits == 5 else 'four'} digits"
                             f" after the dot, like {like}: {text.strip()[:100]!r}")


def normalize_arxiv_id(text: str) -> str:
    """The versionless id for any accepted spelling (see :func:`parse_arxiv_id`)."""
    return parse_arxiv_id(text).id


def is_arxiv_id(text: str) -> bool:
    """True when ``text`` parses as an arXiv id or arXiv URL."""
    try:
        parse_arxiv_id(text)
    except InvalidArxivId:
        return False
    return True


def id_year(arxiv_id: str) -> int | None:
    """The year an arXiv id was assigned (its YYMM), for a paper whose date we lack.

    >>> id_year("2401.00002"), id_year("hep-th/9901001"), id_year("math/0601001v2"), id_year("nonsense")
    (2024, 1999, 2006, None)
    """
    m = _NEW_ID.match(arxiv_id) or _OLD_ID.match(arxiv_id)
    if m is None:
        return None
    yy = int((m.group("id") if m.re is _NEW_ID else m.group("number"))[:2])
    # Old-style ids began in 1991 and ended in 2007; new-style ones began in 2007 (0704.0001).
    return 1900 + yy if m.re is _OLD_ID and yy >= 91 else 2000 + yy


def abs_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/abs/{arxiv_id}"


def pdf_url(arxiv_id: str) -> str:
    return f"https://arxiv.org/pdf/{arxiv_id}"


@dataclass(frozen=True, slots=True)
class Paper:
    """One arXiv paper's metadata, as we store and show it.

    ``categories`` lists the primary category first. ``upvotes_baseline`` is the
    imported (e.g. Hugging Face) count; real votes cast here add to it.
    """

    arxiv_id: str
    title: str
    abstract: str
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    published: date | None = None
    version: int = 1
    published_approx: bool = False
    github_repo: str | None = None
    upvotes_baseline: int = 0
    num_comments_baseline: int = 0
    keywords: tuple[str, ...] = field(default=())
    withdrawn: bool = False
    project_page: str | None = None  # the authors' own page for the paper (http/https), when known

    @property
    def primary_category(self) -> str | None:
        return self.categories[0] if self.categories else None

    @property
    def code_link(self) -> CodeLink | None:
        """Where the code lives when that is not GitHub (GitHub repos get ``PaperEntry.github``)."""
        return other_code_link(self.github_repo)


@dataclass(frozen=True, slots=True)
class Listing:
    """A paper's appearance on one day's daily list."""

    arxiv_id: str
    listed_on: date
    position: int | None = None
    submitter_name: str | None = None


def short_authors(authors: tuple[str, ...] | list[str], keep: int = 3) -> str:
    """First few authors then "et al.", e.g. ``"A, B, C et al."``; one name more than ``keep`` is
    shown rather than hidden behind "et al.", which would be no shorter.

    >>> short_authors(["A", "B", "C", "D", "E"])
    'A, B, C et al.'
    >>> short_authors(["A", "B", "C", "D"])
    'A, B, C, D'
    """
    if len(authors) <= keep + 1:
        return ", ".join(authors)
    return ", ".join(authors[:keep]) + " et al."


def snippet(text: str, limit: int = 300) -> str:
    """A word-boundary cut of ``text`` no longer than ``limit`` characters plus an ellipsis."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"


@dataclass(frozen=True, slots=True)
class PaperEntry:
    """A paper as a list or page shows it: metadata plus live counts and its listing."""

    paper: Paper
    upvotes: int
    num_comments: int = 0
    listed_on: date | None = None
    submitter_name: str | None = None
    listed_dates: tuple[date, ...] = ()
    github: RepoStars | None = None  # the paper's repo and its stars, when the page loaded them

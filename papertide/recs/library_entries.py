"""One entry of a member's library and its arXiv id: found in whatever fields the entry has (an
eprint, a link, the arXiv DOI, CoRR's volume, an "arXiv:" reference in a note), or the reason none
was. Pure; the formats (library_formats.py) turn a file into fields, this reads the fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from papertide.domain.accounts import InvalidInput
from papertide.domain.papers import InvalidArxivId, parse_arxiv_id

KEY_CHARS = 60  # how much of a key or line an error message repeats

# Fields that hold an arXiv identifier as their whole value (BibLaTeX eprint, JabRef/Mendeley arxivid).
_ID_FIELDS = ("eprint", "arxivid", "arxiv_id", "arxiv")
# CoRR, arXiv's listing in DBLP, as the journal, with the id as its volume ("abs/2005.14165"): how
# Semantic Scholar's and DBLP's BibTeX name an arXiv paper that has no link (fields as each format names them).
_JOURNAL_FIELDS = ("journal", "journaltitle", "container-title", "journal_name", "secondary_title")
_CORR_JOURNALS = ("arxiv", "corr")
# An arXiv id inside free text: an arxiv.org link, the arXiv DOI, or an "arXiv:" reference.
_IN_TEXT = (
    re.compile(r"arxiv\.org/(?:abs|pdf|html|format)/([^\s\"'<>{}\\,;]+)", re.IGNORECASE),
    re.compile(r"10\.48550/arxiv\.([^\s\"'<>{}\\,;]+)", re.IGNORECASE),
    re.compile(r"\barxiv:\s*([^\s\"'<>{}\\,;)\]]+)", re.IGNORECASE),
    # Google Scholar's journal for an old-style id, which it writes without "arXiv:": "arXiv preprint hep-th/9711200".
    re.compile(r"\barxiv\s+preprint\s+([^\s\"'<>{}\\,;)\]]+)", re.IGNORECASE),
    # Sites that name a paper by its arXiv id: Hugging Face's paper pages (and their short host) and alphaXiv.
    re.compile(r"(?:(?:huggingface|hf)\.co/papers|alphaxiv\.org/(?:abs|overview|pdf))/([^\s\"'<>{}\\,;]+)",
               re.IGNORECASE),
)


class LibraryError(InvalidInput):
    """The file as a whole cannot be imported; the message says why, for the member."""


@dataclass(frozen=True, slots=True)
class LibraryEntry:
    index: int  # 1-based position among the file's entries
    key: str  # citation key, item id or the pasted text
    arxiv_id: str | None
    error: str | None
    title: str = ""

    @property
    def message(self) -> str:
        """``entry 3 (smith2020): no arXiv id, DOI or URL found`` (empty when matched). Without a key
        (Zotero's RIS has none) the title names it: "entry 17" alone sends the reader counting records."""
        if self.error is None:
            return ""
        if self.key:
            return f"entry {self.index} ({self.key}): {self.error}"
        if self.title:
            title = self.title if len(self.title) <= KEY_CHARS else self.title[:KEY_CHARS].rstrip() + "…"
            return f'entry {self.index} ("{title}"): {self.error}'
        return f"entry {self.index}: {self.error}"


def strings_in(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from strings_in(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from strings_in(v)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield str(value)


def id_in_text(text: str) -> str | None:
    for pattern in _IN_TEXT:
        for match in pattern.finditer(text):
            candidate = match.group(1).rstrip(".")
            try:
                return parse_arxiv_id(candidate).id
            except InvalidArxivId:
                continue
    return None


def find_arxiv_id(fields: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """``(arxiv_id, None)`` or ``(None, why not)`` for one entry's fields (any case of field names).

    >>> find_arxiv_id({"DOI": "10.48550/arXiv.2401.00001"})
    ('2401.00001', None)
    >>> find_arxiv_id({"title": "A book"})
    (None, 'no arXiv id, DOI or URL found')
    """
    lower = {str(k).lower(): v for k, v in fields.items()}
    prefix = " ".join(strings_in([lower.get("archiveprefix"), lower.get("eprinttype")])).strip().lower()
    bad_eprint = None
    if prefix in ("", "arxiv"):  # an eprint of PubMed or JSTOR is not an arXiv id
        for name in _ID_FIELDS:
            for value in strings_in(lower.get(name)):
                try:
                    return parse_arxiv_id(value).id, None
                except InvalidArxivId:
                    bad_eprint = bad_eprint or f"{name} {value.strip()[:KEY_CHARS]!r} is not an arXiv id"
    # Links and DOIs first: a note may cite other papers' arXiv ids.
    first = ("doi", "url", "urls", "link")
    ordered = [lower[k] for k in first if k in lower] + [v for k, v in lower.items() if k not in first]
    for text in strings_in(ordered):
        found = id_in_text(text)
        if found:
            return found, None
    if any(j.strip().lower() in _CORR_JOURNALS for j in strings_in([lower.get(k) for k in _JOURNAL_FIELDS])):
        for value in strings_in(lower.get("volume")):
            if value.strip().lower().startswith("abs/"):
                try:
                    return parse_arxiv_id(value.strip()[4:]).id, None
                except InvalidArxivId:
                    pass
    if bad_eprint:
        return None, bad_eprint
    doi = next(iter(strings_in(lower.get("doi"))), "")
    url = next(iter(strings_in([lower.get("url"), lower.get("urls"), lower.get("link")])), "")
    if doi or url:
        what = f"its DOI {doi.strip()[:KEY_CHARS]}" if doi else f"its URL {url.strip()[:KEY_CHARS]}"
        return None, f"no arXiv id found ({what} is not arXiv's)"
    return None, "no arXiv id, DOI or URL found"


def make_entry(index: int, key: str, fields: Mapping[str, Any]) -> LibraryEntry:
    arxiv_id, error = find_arxiv_id(fields)
    title = next(iter(strings_in(fields.get("title") or fields.get("primary_title") or "")), "")
    return LibraryEntry(index, key[:KEY_CHARS], arxiv_id, error, " ".join(title.replace("{", "").replace("}", "").split())[:300])

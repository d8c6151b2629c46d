"""Collections (named reading lists) and their exports as BibTeX and CSV. Pure: no I/O."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from papertide.domain.accounts import InvalidInput, display_name_key, shows_nothing
from papertide.domain.mathml import math_spans, tex_to_text
from papertide.domain.papers import InvalidArxivId, Paper, abs_url, id_year, parse_arxiv_id
from papertide.domain.tex import ascii_fold, detex_text

MAX_COLLECTION_NAME_LENGTH = 100  # characters
MAX_HIDE_REASON_LENGTH = 500  # characters of a moderator's reason for hiding a collection
# Papers in one collection. One full import (5,000 entries) fits.
MAX_COLLECTION_PAPERS = 5000
# Papers on one page of a collection: listed whole, a full collection's page was 7.5 MB for its
# owner (three forms a row) and took seconds to render.
COLLECTION_PAGE_SIZE = 100
MAX_EXPORT_IDS = 1000  # papers in one /export
CSV_COLUMNS = ("arxiv_id", "title", "authors", "categories", "published", "url")
# LaTeX specials escaped in BibTeX fields, in one pass: replaced one after another, the braces
# of "\textbackslash{}" were escaped again and a backslash printed as "\{}".
_LATEX = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
          "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
_LATEX_SPECIAL = re.compile(r"[\\{}&%$#_~^]")
# In math only %, & and # need escaping, and only where the title has not escaped them already
# ("$95\%$"): escaped twice, "\\%" is a line break and a comment that eats the rest of the entry.
_MATH_SPECIAL = re.compile(r"(?<!\\)[%&#]")
# Text-mode styling in an arXiv title (\textsc{Spider}): kept as TeX, its words escaped, as math is.
_TEXT_STYLE = re.compile(r"\\(textbf|textit|textsc|texttt|textrm|textsf|emph|underline)\{([^{}]*)\}")
# Author names BibTeX must take whole: a group ("ATLAS Collaboration" would be first name ATLAS,
# last name Collaboration: "A. Collaboration" in the reference list), a comma (read as
# "Last, First") or a free-standing "and" (read as the next author).
_SUFFIX = re.compile(r"(?:Jr|Sr)\.?|II|III|IV")  # name suffixes arXiv puts after the family name
_WHOLE_NAME = re.compile(r"\b(?:collaborations?|consortium|team)\b|,|\sand\s", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Collection:
    id: int
    uuid: str
    owner_id: int
    owner_name: str
    name: str
    is_public: bool
    size: int = 0
    owner_banned: bool = False  # a banned member's public collections are shown to moderators only
    # Why a moderator hid it from others (None: not hidden); its owner reads this, the "Public"
    # switch does not undo it, and moderators still see it, marked.
    hidden_reason: str | None = None

    @property
    def is_hidden(self) -> bool:
        return self.hidden_reason is not None

    @property
    def shown_to_all(self) -> bool:
        """Whether anyone may see it: public, not hidden by a moderator, its owner not banned."""
        return self.is_public and not self.is_hidden and not self.owner_banned


def clean_hide_reason(text: str) -> str:
    """The reason a moderator gives for hiding a collection, which its owner reads: required, one line."""
    reason = " ".join((text or "").split())
    if shows_nothing(reason):
        raise InvalidInput("Say why the collection is hidden: its owner reads the reason.")
    if len(reason) > MAX_HIDE_REASON_LENGTH:
        raise InvalidInput(f"Reasons are limited to {MAX_HIDE_REASON_LENGTH} characters.")
    return reason


def clean_name(text: str) -> str:
    name = unicodedata.normalize("NFC", " ".join((text or "").split()))
    if shows_nothing(name):
        raise InvalidInput("A collection needs a name.")
    if len(name) > MAX_COLLECTION_NAME_LENGTH:
        raise InvalidInput(f"Collection names are limited to {MAX_COLLECTION_NAME_LENGTH} characters.")
    return name


def full_message(limit: int = MAX_COLLECTION_PAPERS) -> str:
    return (f"This collection holds {limit:,} papers, the most one can hold; remove some or start another "
            "collection.")


def name_key(name: str) -> str:
    """What makes two of a member's collection names the same: case, spacing, Unicode form and
    invisible characters do not (they read the same), as for display names.

    >>> name_key(" To  READ ") == name_key("to read"), name_key("Cafe\u0301\u200b") == name_key("café")
    (True, True)
    """
    return display_name_key(name)


def parse_export_ids(text: str) -> list[str]:
    """The papers an ``/export?ids=`` list names (comma or space separated), as stored, in order.

    Ids are read like any typed id (``arXiv:2405.12345v2`` is 2405.12345): taken verbatim, such
    ids matched nothing and the export came back empty without a word. Raises
    :class:`InvalidInput` naming what is not an id, or when there are none.

    >>> parse_export_ids("arXiv:2405.12345v2, hep-th/9901001 2405.12345")
    ['2405.12345', 'hep-th/9901001']
    """
    wanted: dict[str, None] = {}
    bad: list[str] = []
    for raw in (x for x in re.split(r"[,\s]+", text) if x):
        try:
            wanted.setdefault(parse_arxiv_id(raw).id, None)
        except InvalidArxivId:
            bad.append(raw[:40])
    if bad:
        raise InvalidInput(f"Not arXiv ids: {', '.join(repr(b) for b in bad[:5])}" + (" …" if len(bad) > 5 else "") + ".")
    if not wanted:
        raise InvalidInput("Name the papers to export, e.g. /export?ids=2405.12345,2405.12346&format=bibtex.")
    if len(wanted) > MAX_EXPORT_IDS:
        raise InvalidInput(f"Export at most {MAX_EXPORT_IDS} papers at a time.")
    return list(wanted)


def move(order: Sequence[str], item: str, direction: str) -> list[str]:
    """The order after moving ``item`` one place ``up`` or ``down`` (no-op at the ends).

    >>> move(["a", "b", "c"], "c", "up")
    ['a', 'c', 'b']
    """
    items = list(order)
    if item not in items or direction not in ("up", "down"):
        raise InvalidInput("Cannot move that paper.")
    i = items.index(item)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(items):
        items[i], items[j] = items[j], items[i]
    return items


def _latex(text: str) -> str:
    return _LATEX_SPECIAL.sub(lambda m: _LATEX[m.group()], text)


def _latex_prose(text: str) -> str:
    r"""Title text outside math: ``\$`` stays a dollar, styling commands stay TeX, the rest is escaped.

    >>> print(_latex_prose(r"\textsc{Spider} for \$5 & C:\tmp"))
    \textsc{Spider} for \$5 \& C:\textbackslash{}tmp
    """
    def escaped(part: str) -> str:
        return _latex(part.replace("\\$", "$"))

    out: list[str] = []
    pos = 0
    for m in _TEXT_STYLE.finditer(text):
        out.append(escaped(text[pos:m.start()]))
        out.append("\\" + m.group(1) + "{" + escaped(m.group(2)) + "}")
        pos = m.end()
    out.append(escaped(text[pos:]))
    return "".join(out)


def _latex_title(title: str) -> str:
    r"""A title for BibTeX: its math kept as TeX, everything else escaped.

    arXiv titles are TeX, and a reference list should print T²PO rather than "T$^2$PO". A span
    whose braces do not balance would break the entry, so it is escaped with the text around it.

    >>> print(_latex_title(r"T$^2$PO: 100% of $\mathcal{O}(n)$ for \$5"))
    T$^2$PO: 100\% of $\mathcal{O}(n)$ for \$5
    """
    text = " ".join(title.split())
    out: list[str] = []
    pos = 0
    for start, end in math_spans(text):
        span = text[start:end]
        if not _balanced(span):
            continue  # escaped as part of the next stretch of text
        out.append(_latex_prose(text[pos:start]))
        out.append(_MATH_SPECIAL.sub(r"\\\g<0>", span))
        pos = end
    out.append(_latex_prose(text[pos:]))
    return "".join(out)


def _balanced(tex: str) -> bool:
    depth = 0
    for i, ch in enumerate(tex):
        if ch in "{}" and i > 0 and tex[i - 1] == "\\":
            continue  # \{ and \} are literal braces
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def _bibtex_name(name: str) -> str:
    """One author for a BibTeX author list, braced when BibTeX would otherwise split or reorder it.

    >>> _bibtex_name("ATLAS Collaboration"), _bibtex_name("Ada Lovelace"), _bibtex_name("John Smith Jr.")
    ('{ATLAS Collaboration}', 'Ada Lovelace', 'Smith, Jr., John')
    """
    text = _latex(" ".join(name.split()))
    if _WHOLE_NAME.search(name):
        return "{" + text + "}"
    parts = _suffixed(text.split())
    return f"{parts[1]}, {parts[2]}, {parts[0]}" if parts else text


def _suffixed(words: list[str]) -> tuple[str, str, str] | None:
    """(first, von last, Jr) of a name ending in a suffix such as Jr. or III, else None.

    BibTeX reads the last word of "First Last" as the family name, and a suffix only in its
    "von Last, Jr, First" form, which is what arXiv's "forenames keyname suffix" becomes.
    """
    if len(words) < 3 or not _SUFFIX.fullmatch(words[-1]):
        return None
    last = len(words) - 2
    while last > 1 and words[last - 1][:1].islower():  # "van der" goes with the family name, as BibTeX reads it
        last -= 1
    return " ".join(words[:last]), " ".join(words[last:-1]), words[-1]


def bibtex_key(p: Paper) -> str:
    """``lastname2024firstword``-style key, ASCII only, unique enough with the arXiv id suffix.

    Names and titles are read as letters first (Çağlar is "caglar", not "alar"; "\\textsc{Spider}"
    is "spider", not "textsc"). A "Last, First" name gives its last name.

    >>> bibtex_key(Paper("2405.12345", r"\\'Evolution des $\\mathcal{O}(n)$", "", ("Zoë Çağlar",)))
    'caglar2024evolution_240512345'
    """
    words = p.authors[0].split(",")[0].split() if p.authors else []
    suffixed = _suffixed(words)
    family = suffixed[1].split() if suffixed else words
    last = _ascii_word(family[-1]) if family else ""
    word = next((w for w in re.findall(r"[A-Za-z]+", ascii_fold(tex_to_text(detex_text(p.title)))) if len(w) > 3),
                "paper")
    return f"{last or 'anon'}{_year(p)}{word.lower()}" + "_" + _ascii_word(p.arxiv_id)


def _year(p: Paper) -> str:
    """The entry's year: its date's, else the year its id was assigned (the key and the year field agree)."""
    return str(p.published.year if p.published else id_year(p.arxiv_id) or "")


def _ascii_word(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", ascii_fold(text).lower())


def to_bibtex(papers: Iterable[Paper]) -> str:
    """One ``@misc`` entry per paper in the arXiv-recommended form."""
    entries = []
    for p in papers:
        fields = [
            ("title", "{" + _latex_title(p.title) + "}"),
            # No authors: no field (a made-up "Unknown" reads as a person to BibTeX and Zotero).
            ("author", " and ".join(_bibtex_name(a) for a in p.authors)),
            # No date: the year the id was assigned, which citation styles need.
            ("year", _year(p)),
            ("eprint", p.arxiv_id),
            ("archivePrefix", "arXiv"),
            ("primaryClass", p.primary_category or ""),
            ("url", abs_url(p.arxiv_id)),
        ]
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields if v)
        entries.append(f"@misc{{{bibtex_key(p)},\n{body}\n}}\n")
    return "\n".join(entries)


def _cell(value: str) -> str:
    # Spreadsheets run cells that start with these as formulas (CSV injection, OWASP).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(papers: Iterable[Paper]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for p in papers:
        writer.writerow([
            _cell(p.arxiv_id), _cell(p.title), _cell("; ".join(p.authors)), _cell(" ".join(p.categories)),
            p.published.isoformat() if p.published else "", abs_url(p.arxiv_id),
        ])
    return out.getvalue()

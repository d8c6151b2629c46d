"""Reading a member's paper library: BibTeX, RIS, CSL-JSON, CSV (Zotero exports all four; our
collections export CSV) or a pasted list of arXiv ids and URLs, each entry matched to an arXiv id.
Pure: bytes in, entries out.

One bad entry never costs the good ones: every entry comes back with its arXiv id or with the
reason we found none. Only a problem with the whole file (too big, binary, not JSON at all)
raises :class:`LibraryError`. Files that are not UTF-8 are read as Latin-1 with a notice: every
byte maps to a character there, and arXiv ids, DOIs and URLs are ASCII, so no id is lost.

BibTeX is parsed by bibtexparser 2 and RIS by rispy, the maintained parsers for each format.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import rispy
from bibtexparser import parse_string as parse_bibtex_string  # type: ignore[attr-defined]  # re-exported, untyped
from bibtexparser.middlewares.enclosing import REMOVED_ENCLOSING_KEY  # type: ignore[import-untyped]
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry, ParsingFailedBlock

from papertide.domain.accounts import InvalidInput
from papertide.domain.papers import InvalidArxivId, parse_arxiv_id

MAX_IMPORT_BYTES = 5 * 1024 * 1024  # one upload; a 5,000-entry BibTeX export is about 3 MB
MAX_ENTRIES = 5000  # entries in one import
FORMATS = ("bibtex", "ris", "csl", "csv", "ids")
_KEY_CHARS = 60  # how much of a key or line an error message repeats

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
# What wraps an id pasted from code or prose: brackets, quotes, backticks, a full stop after it.
_WRAPPING = "()[]{}<>\"'`“”‘’."
# CSL-JSON is an object or a list of objects; a pasted ``["2401.00001", …]`` or "[1] …" is a list of ids.
_CSL_START = re.compile(r"\s*(?:\{|\[\s*[{\]])")
_BIBTEX_KEY = re.compile(r"@\s*\w+\s*[{(]\s*([^,\s]+)")
# A BibTeX field (``title = {…}``, ``year = "2020"``): in text that is not JSON yet starts with "{",
# the body of an entry copied without its "@article" (CSL-JSON's own error would only confuse).
_BIBTEX_FIELD = re.compile(r"\b[A-Za-z][\w-]*\s*=\s*[{\"\d]")
_BARE = "no-enclosing"  # what bibtexparser records for a value written without braces or quotes
# Zotero RDF, EndNote XML, MODS: no maintained parser reads them for us, and read as a list of ids
# every tag became a failed entry while links in notes imported papers the reader never saved.
_XML_START = re.compile(r"\s*<(?:\?xml|rdf:RDF|xml)\b", re.IGNORECASE)
_XML_EXTENSIONS = ("rdf", "xml")
# A CSV whose header names one of these columns (any case, spaces as "_") is a table of references:
# our collections' export (arxiv_id, url) and Zotero's (DOI, Url, Extra). Read as a list of ids,
# every word of every title was a failed entry, and a title naming another paper's id imported it.
_CSV_ID_COLUMNS = frozenset({"arxiv_id", "arxivid", "eprint", "doi", "url", "link"})
_CSV_DEFUSED = re.compile(r"'(?=[=+\-@\t\r])")  # the quote our CSV export puts before a would-be formula
_RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])\s{1,2}-(?: (.*)|)$")


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
            title = self.title if len(self.title) <= _KEY_CHARS else self.title[:_KEY_CHARS].rstrip() + "…"
            return f'entry {self.index} ("{title}"): {self.error}'
        return f"entry {self.index}: {self.error}"


@dataclass(frozen=True, slots=True)
class ParsedLibrary:
    format: str
    entries: tuple[LibraryEntry, ...]
    notices: tuple[str, ...] = ()


def parse_library(filename: str, data: bytes | str) -> ParsedLibrary:
    """Read an uploaded or pasted library; the format comes from the file name, else the content.

    >>> [e.arxiv_id for e in parse_library("", "arXiv:2401.00001v2 https://arxiv.org/pdf/hep-th/9901001").entries]
    ['2401.00001', 'hep-th/9901001']
    """
    check_size(len(data.encode() if isinstance(data, str) else data))
    text, notices = decode(data)
    fmt = detect_format(filename, text)
    reader = {"bibtex": parse_bibtex, "ris": parse_ris, "csl": parse_csl_json, "csv": parse_csv,
              "ids": parse_id_list}[fmt]
    entries, more = reader(text)
    if len(entries) > MAX_ENTRIES:
        raise LibraryError(f"The file holds {len(entries):,} entries; at most {MAX_ENTRIES:,} can be imported at once. "
                           "Split it and import the parts one after the other.")
    return ParsedLibrary(fmt, tuple(entries), tuple(notices) + tuple(more))


def check_size(size: int) -> None:
    """Refuse a file of ``size`` bytes over the limit, naming its size (an upload is checked
    before it is read, since only the limit's worth of it is)."""
    if size > MAX_IMPORT_BYTES:
        raise LibraryError(f"The file is {size / 1e6:.1f} MB; at most {MAX_IMPORT_BYTES // 2**20} MB can be imported "
                           "at once. Export a smaller collection or split the file.")


def decode(data: bytes | str) -> tuple[str, list[str]]:
    """Text of the file: UTF-8 (BOM or not), UTF-16 (BOM or not), else Latin-1 with a notice."""
    if isinstance(data, str):
        return data, []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError:
            raise LibraryError("The file starts like UTF-16 text but is not valid UTF-16.") from None
    if b"\x00" in data[:4096]:
        codec = _bomless_utf16(data[:4096])
        if codec:
            try:
                return data.decode(codec), []
            except UnicodeDecodeError:
                pass
        raise LibraryError("This is a binary file (a PDF or an archive?), not BibTeX, RIS, CSL-JSON or a list of ids.")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        return data.decode("latin-1"), [
            f"The file is not UTF-8 (byte 0x{data[exc.start]:02X} at position {exc.start}), so we read it as Latin-1: "
            "accented names may look wrong, but arXiv ids, DOIs and links are read correctly."
        ]


def _bomless_utf16(head: bytes) -> str | None:
    """utf-16-le or -be for text written as UTF-16 without a byte order mark (some Windows tools):
    the high byte of every Latin character is a NUL, so NULs sit on one side only and on most of
    it. Binary data has NULs anywhere."""
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if even == 0 and odd * 2 > len(head) // 2:
        return "utf-16-le"
    if odd == 0 and even * 2 > len(head) // 2:
        return "utf-16-be"
    return None


def detect_format(filename: str, text: str) -> str:
    """bibtex, ris, csl, csv or ids, from the extension when it says, else from the content.
    Raises :class:`LibraryError` for XML (Zotero RDF, EndNote XML), naming the formats that work."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if ext in _XML_EXTENSIONS or _XML_START.match(text):
        raise LibraryError("This is an XML file (Zotero RDF or EndNote XML?), which cannot be imported. Export your "
                           "library as BibTeX, RIS or CSL JSON (in Zotero: File → Export Library…), or paste arXiv "
                           "ids or links.")
    by_ext = {"bib": "bibtex", "bibtex": "bibtex", "ris": "ris", "json": "csl", "csljson": "csl"}
    if ext in by_ext:
        return by_ext[ext]
    if _csv_header(text):  # a .csv without such a header is a column of ids, read as a list of them
        return "csv"
    if _CSL_START.match(text):
        return "csl"
    if re.search(r"^TY\s{1,2}-", text, re.MULTILINE):
        return "ris"
    if re.search(r"^\s*@\s*\w+\s*[{(]", text, re.MULTILINE):
        return "bibtex"
    return "ids"


# -- finding the arXiv id of one entry ---------------------------------------------------------


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield str(value)


def _in_text(text: str) -> str | None:
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
    prefix = " ".join(_strings([lower.get("archiveprefix"), lower.get("eprinttype")])).strip().lower()
    bad_eprint = None
    if prefix in ("", "arxiv"):  # an eprint of PubMed or JSTOR is not an arXiv id
        for name in _ID_FIELDS:
            for value in _strings(lower.get(name)):
                try:
                    return parse_arxiv_id(value).id, None
                except InvalidArxivId:
                    bad_eprint = bad_eprint or f"{name} {value.strip()[:_KEY_CHARS]!r} is not an arXiv id"
    # Links and DOIs first: a note may cite other papers' arXiv ids.
    first = ("doi", "url", "urls", "link")
    ordered = [lower[k] for k in first if k in lower] + [v for k, v in lower.items() if k not in first]
    for text in _strings(ordered):
        found = _in_text(text)
        if found:
            return found, None
    if any(j.strip().lower() in _CORR_JOURNALS for j in _strings([lower.get(k) for k in _JOURNAL_FIELDS])):
        for value in _strings(lower.get("volume")):
            if value.strip().lower().startswith("abs/"):
                try:
                    return parse_arxiv_id(value.strip()[4:]).id, None
                except InvalidArxivId:
                    pass
    if bad_eprint:
        return None, bad_eprint
    doi = next(iter(_strings(lower.get("doi"))), "")
    url = next(iter(_strings([lower.get("url"), lower.get("urls"), lower.get("link")])), "")
    if doi or url:
        what = f"its DOI {doi.strip()[:_KEY_CHARS]}" if doi else f"its URL {url.strip()[:_KEY_CHARS]}"
        return None, f"no arXiv id found ({what} is not arXiv's)"
    return None, "no arXiv id, DOI or URL found"


def _entry(index: int, key: str, fields: Mapping[str, Any]) -> LibraryEntry:
    arxiv_id, error = find_arxiv_id(fields)
    title = next(iter(_strings(fields.get("title") or fields.get("primary_title") or "")), "")
    return LibraryEntry(index, key[:_KEY_CHARS], arxiv_id, error, " ".join(title.replace("{", "").replace("}", "").split())[:300])


# -- the formats ---------------------------------------------------------------------------------


def _bib_fields(entry: Entry, strings: Mapping[str, str], first_wins: bool = False) -> dict[str, str]:
    """Field name → value; a repeated field keeps its later value, as BibTeX reads it, or its first."""
    fields = reversed(entry.fields) if first_wins else entry.fields
    # A value that was one braced or quoted string holds a literal "#"; only bare values join parts.
    enclosed = entry.parser_metadata.get(REMOVED_ENCLOSING_KEY) or {}
    return {f.key: (str(f.value) if enclosed.get(f.key, _BARE) != _BARE else _bib_value(str(f.value), strings))
            .strip().strip("{}\"").strip() for f in fields}


def _bib_value(value: str, strings: Mapping[str, str]) -> str:
    """A value written as parts joined by ``#`` (``ax # {2401.00001}``), joined as BibTeX does:
    a braced or quoted part is its text, a bare word the ``@string`` it names (or itself).
    bibtexparser resolves a value that is one ``@string`` name alone, not these."""
    parts = _bib_parts(value) if "#" in value else None
    if not parts or len(parts) < 2:
        return value
    out = []
    for part in parts:
        if part[:1] in "{\"" and len(part) >= 2:
            out.append(part[1:-1])
        else:
            out.append(strings.get(part.lower(), part).strip("{}\""))
    return "".join(out)


def _bib_parts(value: str) -> list[str] | None:
    """``value`` split at the ``#`` outside braces and quotes; None where it does not split cleanly."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(value):
        if ch == "{" and not quoted:
            depth += 1
        elif ch == "}" and not quoted:
            depth -= 1
        elif ch == '"' and depth == 0:
            quoted = not quoted
        elif ch == "#" and depth == 0 and not quoted:
            parts.append(value[start:i].strip())
            start = i + 1
    parts.append(value[start:].strip())
    return None if depth or quoted or not all(parts) else parts


def _duplicate_entry(index: int, entry: Entry, strings: Mapping[str, str]) -> LibraryEntry:
    """An entry that repeats a field: the later value wins, as in BibTeX, unless only the earlier
    one names a paper (``eprint = {2401.00001}, eprint = {todo}`` is still that paper)."""
    last = _entry(index, entry.key, _bib_fields(entry, strings))
    if last.arxiv_id:
        return last
    earlier = _entry(index, entry.key, _bib_fields(entry, strings, first_wins=True))
    return earlier if earlier.arxiv_id else last


def parse_bibtex(text: str) -> tuple[list[LibraryEntry], list[str]]:
    library = parse_bibtex_string(text)
    # BibTeX's @string names are case-insensitive; a later definition wins.
    strings = {key.lower(): str(block.value) for key, block in library.strings_dict.items()}
    entries: list[LibraryEntry] = []
    for block in library.blocks:
        index = len(entries) + 1
        if isinstance(block, Entry):
            entries.append(_entry(index, block.key, _bib_fields(block, strings)))
        elif isinstance(block, DuplicateBlockKeyBlock | DuplicateFieldKeyBlock):
            # Still one readable reference: a repeated key or field does not hide which paper it is.
            inner = block.ignore_error_block
            readable = inner if isinstance(inner, Entry) else None
            entries.append(_duplicate_entry(index, readable, strings) if readable else _entry(index, "", {}))
        elif isinstance(block, ParsingFailedBlock):
            found = _BIBTEX_KEY.search(block.raw or "")
            entries.append(LibraryEntry(
                index, found.group(1)[:_KEY_CHARS] if found else "", None,
                f"could not be read as BibTeX near line {(block.start_line or 0) + 1} (an unclosed brace or quote?)",
            ))
    if not entries:
        raise LibraryError("No BibTeX entries found: each entry starts like @article{key, …}.")
    return entries, []


def _ris_records(text: str) -> tuple[list[list[str]], list[str]]:
    """Records as lists of lines, TY to ER; a record that misses its ER ends at the next TY."""
    records: list[list[str]] = []
    notices: list[str] = []
    current: list[str] | None = None
    for raw in text.splitlines():
        line = raw.rstrip()
        tag = _RIS_LINE.match(line)
        if tag and tag.group(1) == "TY":
            if current is not None:
                notices.append(f"RIS record {len(records) + 1} has no ER line; it was read up to the next TY.")
                records.append(current)
            current = [line]
        elif tag and tag.group(1) == "ER":
            if current is not None:
                records.append(current)
            current = None
        elif current is not None and line:
            current.append(line)
    if current is not None:
        notices.append(f"RIS record {len(records) + 1} has no ER line; it was read to the end of the file.")
        records.append(current)
    return records, notices


def parse_ris(text: str) -> tuple[list[LibraryEntry], list[str]]:
    records, notices = _ris_records(text)
    if not records:
        raise LibraryError("No RIS records found: each record starts with a 'TY  - ' line and ends with 'ER  - '.")
    entries: list[LibraryEntry] = []
    for index, lines in enumerate(records, 1):
        # rispy wants "XX  - value"; exports written with one space before the dash are common.
        normal = [f"{m.group(1)}  - {m.group(2) or ''}" if (m := _RIS_LINE.match(ln)) else ln for ln in lines]
        try:
            parsed = rispy.loads("\n".join([*normal, "ER  - ", ""]))
        except Exception as exc:  # rispy raises plain exceptions for lines it cannot place
            entries.append(LibraryEntry(index, "", None, f"could not be read as RIS ({str(exc)[:120]})"))
            continue
        fields: dict[str, Any] = parsed[0] if parsed else {}
        key = str(fields.get("id") or "")
        entries.append(_entry(index, key, fields))
    return entries, notices


def parse_csl_json(text: str) -> tuple[list[LibraryEntry], list[str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        if text.lstrip().startswith("{") and _BIBTEX_FIELD.search(text):
            raise LibraryError("This looks like a BibTeX entry without its first part: an entry starts like "
                               "@article{key, … or @misc{key, …. Paste or export the whole entry, from its @.") from None
        raise LibraryError(f"This is not valid CSL-JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.") from None
    except RecursionError:  # lists inside lists a thousand deep: no export looks like that
        raise LibraryError("This is not CSL-JSON: its lists or objects are nested too deeply to read.") from None
    if isinstance(data, dict):
        data = data.get("items", [data]) if "items" in data else [data]
    if not isinstance(data, list):
        raise LibraryError("CSL-JSON must be a list of items, as Zotero exports it.")
    entries: list[LibraryEntry] = []
    for index, item in enumerate(data, 1):
        if not isinstance(item, dict):
            entries.append(LibraryEntry(index, "", None, f"is not a CSL-JSON item (an object), but {type(item).__name__}"))
            continue
        key = str(item.get("citation-key") or item.get("id") or "")
        entries.append(_entry(index, key, item))
    return entries, []


def _csv_header(text: str) -> list[str] | None:
    """The column names of a CSV table of references (see ``_CSV_ID_COLUMNS``), else None."""
    first = text.lstrip().split("\n", 1)[0]
    if "," not in first:
        return None
    names = ["_".join(cell.strip().lower().split()) for cell in next(csv.reader([first]), [])]
    return names if _CSV_ID_COLUMNS.intersection(names) else None


def parse_csv(text: str) -> tuple[list[LibraryEntry], list[str]]:
    """One reference a row, its id found in its columns as in any other format's fields."""
    header = _csv_header(text) or []
    rows = csv.reader(io.StringIO(text.lstrip()))
    next(rows, None)
    entries: list[LibraryEntry] = []
    for row in rows:
        if not any(cell.strip() for cell in row):
            continue
        fields = {name: _CSV_DEFUSED.sub("", cell, count=1) if cell.startswith("'") else cell
                  for name, cell in zip(header, row, strict=False) if name}
        key = fields.get("arxiv_id") or fields.get("key") or fields.get("id") or ""
        entries.append(_entry(len(entries) + 1, key.strip(), fields))
    if not entries:
        raise LibraryError("The CSV file has a header but no rows to import.")
    return entries, []


def parse_id_list(text: str) -> tuple[list[LibraryEntry], list[str]]:
    """One id, arXiv URL or arXiv DOI per line (or separated by spaces or commas); # starts a comment.
    Quotes and brackets around an id are dropped (a list copied from code: ``["2401.00001", …]``)."""
    text = re.sub(r"(?i)\barxiv:\s+", "arXiv:", text)
    # A token without a letter or digit is a list's bullet or a table's rule ("-", "•", "|"), not an entry.
    tokens = [t for line in text.splitlines() for t in re.split(r"[\s,;]+", line.split("#", 1)[0])
              if any(ch.isalnum() for ch in t)]
    entries: list[LibraryEntry] = []
    for index, token in enumerate(tokens, 1):
        try:
            arxiv_id: str | None = parse_arxiv_id(token.strip(_WRAPPING) or token).id
        except InvalidArxivId:
            arxiv_id = _in_text(token)
        error = None if arxiv_id else "not an arXiv id, arXiv link or arXiv DOI"
        entries.append(LibraryEntry(index, token[:_KEY_CHARS], arxiv_id, error))
    if not entries:
        raise LibraryError("Nothing to import: paste arXiv ids or links, one per line, or choose a file.")
    return entries, []

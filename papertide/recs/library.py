"""Reading a member's paper library: BibTeX, RIS, CSL-JSON, CSV (Zotero exports all four; our
collections export CSV) or a pasted list of arXiv ids and URLs, each entry matched to an arXiv id.
Pure: bytes in, entries out.

One bad entry never costs the good ones: every entry comes back with its arXiv id or with the
reason we found none. Only a problem with the whole file (too big, binary, not JSON at all)
raises :class:`LibraryError`. Files that are not UTF-8 are read as Latin-1 with a notice: every
byte maps to a character there, and arXiv ids, DOIs and URLs are ASCII, so no id is lost.

BibTeX is parsed by bibtexparser 2 and RIS by rispy, the maintained parsers for each format
(library_formats.py); an entry's arXiv id is found by library_entries.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from papertide.recs.library_entries import LibraryEntry, LibraryError
from papertide.recs.library_formats import csv_header, parse_bibtex, parse_csl_json, parse_csv, parse_id_list, parse_ris

MAX_IMPORT_BYTES = 5 * 1024 * 1024  # one upload; a 5,000-entry BibTeX export is about 3 MB
MAX_ENTRIES = 5000  # entries in one import
FORMATS = ("bibtex", "ris", "csl", "csv", "ids")
# CSL-JSON is an object or a list of objects; a pasted ``["2401.00001", …]`` or "[1] …" is a list of ids.
_CSL_START = re.compile(r"\s*(?:\{|\[\s*[{\]])")
# Zotero RDF, EndNote XML, MODS: no maintained parser reads them for us, and read as a list of ids
# every tag became a failed entry while links in notes imported papers the reader never saved.
_XML_START = re.compile(r"\s*<(?:\?xml|rdf:RDF|xml)\b", re.IGNORECASE)
_XML_EXTENSIONS = ("rdf", "xml")


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
    if csv_header(text):  # a .csv without such a header is a column of ids, read as a list of them
        return "csv"
    if _CSL_START.match(text):
        return "csl"
    if re.search(r"^TY\s{1,2}-", text, re.MULTILINE):
        return "ris"
    if re.search(r"^\s*@\s*\w+\s*[{(]", text, re.MULTILINE):
        return "bibtex"
    return "ids"

"""The library formats, each read into entries: BibTeX (bibtexparser 2), RIS (rispy), CSL-JSON,
a CSV table of references, or a pasted list of ids and links. Pure: text in, entries out; an
entry's arXiv id is found by library_entries.py.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping
from typing import Any

import rispy
from bibtexparser import parse_string as parse_bibtex_string  # type: ignore[attr-defined]  # re-exported, untyped
from bibtexparser.middlewares.enclosing import REMOVED_ENCLOSING_KEY  # type: ignore[import-untyped]
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry, ParsingFailedBlock

from papertide.domain.papers import InvalidArxivId, is_arxiv_id, parse_arxiv_id
from papertide.recs.library_entries import KEY_CHARS, LibraryEntry, LibraryError, id_in_text, make_entry

# What wraps an id pasted from code or prose: brackets, quotes, backticks, a full stop after it.
_WRAPPING = "()[]{}<>\"'`“”‘’."
# A line's number in a numbered reference list ("1.", "2)", "[3]"): the list's, not an entry.
_LIST_NUMBER = re.compile(r"^\s*(?:\[\d{1,4}\]|\(?\d{1,4}[.)])\s+")
_BIBTEX_KEY = re.compile(r"@\s*\w+\s*[{(]\s*([^,\s]+)")
# A BibTeX field (``title = {…}``, ``year = "2020"``): in text that is not JSON yet starts with "{",
# the body of an entry copied without its "@article" (CSL-JSON's own error would only confuse).
_BIBTEX_FIELD = re.compile(r"\b[A-Za-z][\w-]*\s*=\s*[{\"\d]")
_BARE = "no-enclosing"  # what bibtexparser records for a value written without braces or quotes
# A CSV whose header names one of these columns (any case, spaces as "_") is a table of references:
# our collections' export (arxiv_id, url) and Zotero's (DOI, Url, Extra). Read as a list of ids,
# every word of every title was a failed entry, and a title naming another paper's id imported it.
_CSV_ID_COLUMNS = frozenset({"arxiv_id", "arxivid", "eprint", "doi", "url", "link"})
_CSV_DEFUSED = re.compile(r"'(?=[=+\-@\t\r])")  # the quote our CSV export puts before a would-be formula
# A pasted token that tries to be an arXiv id, whose typo is worth reporting: a new-style id's
# "2401.0" or an old-style id's "/9901001". Other words beside an id are the line's note.
_ID_ATTEMPT = re.compile(r"\d{4}\.\d|/\d{5,7}\b")
_RIS_LINE = re.compile(r"^([A-Z][A-Z0-9])\s{1,2}-(?: (.*)|)$")


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


def _duplicatemake_entry(index: int, entry: Entry, strings: Mapping[str, str]) -> LibraryEntry:
    """An entry that repeats a field: the later value wins, as in BibTeX, unless only the earlier
    one names a paper (``eprint = {2401.00001}, eprint = {todo}`` is still that paper)."""
    last = make_entry(index, entry.key, _bib_fields(entry, strings))
    if last.arxiv_id:
        return last
    earlier = make_entry(index, entry.key, _bib_fields(entry, strings, first_wins=True))
    return earlier if earlier.arxiv_id else last


def parse_bibtex(text: str) -> tuple[list[LibraryEntry], list[str]]:
    library = parse_bibtex_string(text)
    # BibTeX's @string names are case-insensitive; a later definition wins.
    strings = {key.lower(): str(block.value) for key, block in library.strings_dict.items()}
    entries: list[LibraryEntry] = []
    for block in library.blocks:
        index = len(entries) + 1
        if isinstance(block, Entry):
            entries.append(make_entry(index, block.key, _bib_fields(block, strings)))
        elif isinstance(block, DuplicateBlockKeyBlock | DuplicateFieldKeyBlock):
            # Still one readable reference: a repeated key or field does not hide which paper it is.
            inner = block.ignore_error_block
            readable = inner if isinstance(inner, Entry) else None
            entries.append(_duplicatemake_entry(index, readable, strings) if readable else make_entry(index, "", {}))
        elif isinstance(block, ParsingFailedBlock):
            found = _BIBTEX_KEY.search(block.raw or "")
            entries.append(LibraryEntry(
                index, found.group(1)[:KEY_CHARS] if found else "", None,
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
        entries.append(make_entry(index, key, fields))
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
        entries.append(make_entry(index, key, item))
    return entries, []


def csv_header(text: str) -> list[str] | None:
    """The column names of a CSV table of references (see ``_CSV_ID_COLUMNS``), else None."""
    first = text.lstrip().split("\n", 1)[0]
    if "," not in first:
        return None
    names = ["_".join(cell.strip().lower().split()) for cell in next(csv.reader([first]), [])]
    return names if _CSV_ID_COLUMNS.intersection(names) else None


def parse_csv(text: str) -> tuple[list[LibraryEntry], list[str]]:
    """One reference a row, its id found in its columns as in any other format's fields."""
    header = csv_header(text) or []
    rows = csv.reader(io.StringIO(text.lstrip()))
    next(rows, None)
    entries: list[LibraryEntry] = []
    for row in rows:
        if not any(cell.strip() for cell in row):
            continue
        fields = {name: _CSV_DEFUSED.sub("", cell, count=1) if cell.startswith("'") else cell
                  for name, cell in zip(header, row, strict=False) if name}
        key = fields.get("arxiv_id") or fields.get("key") or fields.get("id") or ""
        entries.append(make_entry(len(entries) + 1, key.strip(), fields))
    if not entries:
        raise LibraryError("The CSV file has a header but no rows to import.")
    return entries, []


def _read_token(token: str) -> str | None:
    try:
        return parse_arxiv_id(token.strip(_WRAPPING) or token).id
    except InvalidArxivId:
        return id_in_text(token)


def parse_id_list(text: str) -> tuple[list[LibraryEntry], list[str]]:
    """One id, arXiv URL or arXiv DOI per line (or separated by spaces or commas); # starts a comment.
    Quotes and brackets around an id are dropped (a list copied from code: ``["2401.00001", …]``).

    A reading list kept in notes has a title or a remark beside each id: the other words of a line
    that holds an id are its note, not entries (each was reported "not an arXiv id", so a list read
    whole looked mostly failed). A token that tries to be an id (``2401.0002x``) is still reported,
    and a line with no id at all (a title pasted alone) is one unreadable entry, not one per word."""
    text = re.sub(r"(?i)\barxiv:\s+", "arXiv:", text)
    found: list[tuple[str, str | None]] = []
    for line in text.splitlines():
        line = _LIST_NUMBER.sub("", line.split("#", 1)[0]).strip()
        if is_arxiv_id(line):  # one reference a line, as arXiv's "Cite as" prints it: "arXiv:2401.00001 [cs.CL]"
            found.append((line, _read_token(line)))
            continue
        # A token without a letter or digit is a list's bullet or a table's rule ("-", "•", "|"), not an entry.
        tokens = [t for t in re.split(r"[\s,;]+", line) if any(ch.isalnum() for ch in t)]
        read = [(t, _read_token(t)) for t in tokens]
        if any(arxiv_id or _ID_ATTEMPT.search(t) for t, arxiv_id in read):
            found += [(t, arxiv_id) for t, arxiv_id in read if arxiv_id or _ID_ATTEMPT.search(t)]
        elif tokens:
            found.append((" ".join(tokens), None))
    entries = [
        LibraryEntry(index, key[:KEY_CHARS], arxiv_id, None if arxiv_id else "not an arXiv id, arXiv link or arXiv DOI")
        for index, (key, arxiv_id) in enumerate(found, 1)
    ]
    if not entries:
        raise LibraryError("Nothing to import: paste arXiv ids or links, one per line, or choose a file.")
    return entries, []

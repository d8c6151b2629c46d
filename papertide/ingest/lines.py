"""Reading record files line by line: plain or gzipped, a BOM, invalid UTF-8 and corrupt streams.

Shared by the JSONL import and the Kaggle snapshot import. Nothing here raises a
traceback at a person: a stream that cannot be read further raises
:class:`CorruptFile` (an :class:`IngestError`) after every line before it was handed
out, and lines with invalid UTF-8 are decoded with U+FFFD *and reported*, with a
count, instead of being silently repaired.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from papertide.domain.ingest import RunCounts
from papertide.ingest.http import IngestError

GZIP_MAGIC = b"\x1f\x8b"
UTF8_BOM = b"\xef\xbb\xbf"
_REPLACEMENT = "\ufffd"
_REPLACEMENT_BYTES = _REPLACEMENT.encode()


class CorruptFile(IngestError):
    """The file cannot be read past some line (truncated or damaged gzip, unreadable bytes)."""


def open_binary(path: Path) -> IO[bytes]:
    """Open a file for reading, transparently gunzipping it when it starts with gzip's magic bytes."""
    raw = open(path, "rb")  # noqa: SIM115 - the caller closes it (or the GzipFile that wraps it)
    if raw.read(2) == GZIP_MAGIC:
        raw.seek(0)
        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    raw.seek(0)
    return raw


def read_lines(path: Path, counts: RunCounts, source: str = "import") -> Iterator[tuple[int, str]]:
    """(line number, text) for each non-blank line; invalid UTF-8 is replaced and noted in ``counts``.

    Raises :class:`CorruptFile` when the stream breaks; the lines before it have been yielded.
    """
    name = path.name
    bad_lines = replaced = 0
    with open_binary(path) as fh:
        lines = iter(fh)
        lineno = 0
        while True:
            try:
                raw = next(lines)
            except StopIteration:
                break
            # zlib.error is not an OSError: garbage after a valid gzip header raises it.
            except (EOFError, OSError, zlib.error) as exc:
                raise CorruptFile(source, f"file is truncated or corrupt ({exc}); the {lineno:,} lines before it "
                                  f"were read", f"{name}:{lineno + 1}") from None
            lineno += 1
            if lineno == 1 and raw.startswith(UTF8_BOM):  # editors on Windows add one; it is not data
                raw = raw[len(UTF8_BOM):]
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                text = raw.decode("utf-8", errors="replace")
                n = text.count(_REPLACEMENT) - raw.count(_REPLACEMENT_BYTES)
                bad_lines, replaced = bad_lines + 1, replaced + n
                counts.note(f"{name}:{lineno}: text: {n} invalid UTF-8 byte sequence{'s' if n != 1 else ''} "
                            "replaced with U+FFFD (record kept)")
            if text.strip():
                yield lineno, text
    if bad_lines:
        counts.note(f"{name}: {bad_lines:,} line{'s' if bad_lines != 1 else ''} had invalid UTF-8; "
                    f"{replaced:,} character{'s' if replaced != 1 else ''} replaced with U+FFFD")

"""Header lines of our messages: RFC 2047 encoding and RFC 5322 folding, done by the standard library.

Our earlier hand-rolled version got the rules wrong: raw UTF-8 in From and To (a non-ASCII
site or subscriber name needs SMTPUTF8, which we never ask for), 81-character lines of encoded
words, long ASCII subjects never folded, and a non-ASCII site name encoding the id of
``List-Id`` along with its phrase. Encoding and folding now come from ``email.header.Header``
(encoded words of at most 75 characters, split between UTF-8 characters, the shorter of Q and
B, lines of at most 78) and ``email.utils.formataddr`` (quoting ASCII display names that hold
specials).

Why not ``email.policy`` and ``email.headerregistry``: on Python 3.11.7 (we support 3.11)
their folder drops spaces between words when it folds a long non-ASCII subject (40 × "論文 "
arrived with some "論文論文"), and it is 10–20 times slower. ``Header`` output decodes back
exactly (tests/email/test_headers.py, which decodes as RFC 2047 says).

Values that need neither encoding nor folding (short printable ASCII, no specials in a
name) are written as they are, which is what ``Header`` writes for them too: composing
100,000 digests writes half a million header lines, and most are like that.

Each function returns ``"Name: value"`` with continuation lines joined by CRLF + space and no
final CRLF. A token longer than a line (a URL, a long address) cannot be folded and stays
whole: RFC 5322 requires 998 characters, 78 is its "SHOULD".
"""

from __future__ import annotations

import functools
import re
from email.header import Header
from email.utils import formataddr

MAX_LINE = 78  # characters per header line (RFC 5322 section 2.1.1)
# Text that must be encoded: anything but printable ASCII, and "=?", which a reader would
# take for the start of an encoded word.
_NEEDS_ENCODING = re.compile(r"[^ -~]|=\?")
# A display name that formataddr would quote: RFC 5322 3.2.3 specials (and runs or ends of spaces).
_NOT_ATOMS = re.compile(r'[()<>\[\]:;@\\,."]|\s\s|^\s|\s$')
_LIST_ITEM_END = re.compile(r"(?<=>)\s*,\s*")


def _fits(name: str, value: str) -> bool:
    return len(name) + 2 + len(value) <= MAX_LINE


def _folded(name: str, value: str) -> str:
    """``value`` as encoded words if it needs them, else as ASCII, folded at spaces after ``name: ``."""
    charset = "utf-8" if _NEEDS_ENCODING.search(value) else "us-ascii"
    header = Header(value, charset, maxlinelen=MAX_LINE, header_name=name)
    # A first word too long for the first line goes there anyway: no line of only "Name: ".
    return header.encode(splitchars=" ", linesep="\r\n").removeprefix("\r\n ")


def _with_phrase(name: str, phrase: str, angle: str) -> str:
    """``Name: phrase <…>`` for a display name or a List-Id: the phrase encoded or quoted, the
    bracketed part never (encoded words are not allowed there, RFC 2047 section 5)."""
    if not phrase:
        return f"{name}: {angle}"
    if not _NEEDS_ENCODING.search(phrase):
        phrase = formataddr((phrase, "x@x")).removesuffix(" <x@x>")  # quoted when it holds specials
        if _fits(name, f"{phrase} {angle}"):
            return f"{name}: {phrase} {angle}"
    first = f"{name}: {_folded(name, phrase)}"
    last_line = first.rpartition("\r\n ")[2]
    return f"{first} {angle}" if len(last_line) + 1 + len(angle) <= MAX_LINE else f"{first}\r\n {angle}"


def address_line(name: str, display_name: str, addr_spec: str) -> str:
    """``To: Jürgen Müller <j@example.org>`` → ``To: =?utf-8?q?J=C3=BCrgen_M=C3=BCller?= <j@example.org>``.

    ``addr_spec`` must be validated already (domain.subscriptions.validate_email).
    """
    if not display_name:
        return f"{name}: {addr_spec}"
    if not _NOT_ATOMS.search(display_name) and not _NEEDS_ENCODING.search(display_name) and _fits(
            name, f"{display_name} <{addr_spec}>"):
        return f"{name}: {display_name} <{addr_spec}>"  # the common case, without building anything
    return _with_phrase(name, display_name, f"<{addr_spec}>")


@functools.lru_cache(maxsize=1024)
def text_line(name: str, value: str) -> str:
    """An unstructured header (Subject): encoded words where needed, folded at spaces.

    Cached: a run's digests share a handful of subjects.
    """
    if not _NEEDS_ENCODING.search(value) and _fits(name, value):
        return f"{name}: {value}"
    return f"{name}: {_folded(name, value)}"


@functools.lru_cache(maxsize=64)
def list_id_line(value: str) -> str:
    """RFC 2919 ``List-Id: phrase <id>``: the phrase is encoded like a display name, the id never."""
    phrase, _, ident = value.rpartition("<")
    return _with_phrase("List-Id", phrase.strip(), f"<{ident.rstrip('>').strip()}>")


def uri_list_line(name: str, value: str) -> str:
    """An ASCII list of ``<URI>`` (List-Unsubscribe), folded between items only: a URL split
    across lines or into encoded words is no longer a link to a mail client."""
    if _fits(name, value):
        return f"{name}: {value}"
    return f"{name}: " + ",\r\n ".join(_LIST_ITEM_END.split(value.strip()))

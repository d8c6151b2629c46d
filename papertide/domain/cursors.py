"""Opaque pagination cursors for the REST API.

A cursor is URL-safe base64 of a small JSON object; clients pass back what they got in
``next_cursor`` and never build one. ``{"b": id}`` is a keyset cursor (rows with a
smaller row id come next: stable while papers are added); ``{"o": n}`` is an offset
into a ranked list (trending and search ranks are computed per request, so there is no
stable key to seek on; the list's order is deterministic, so offsets are consistent).
"""

from __future__ import annotations

import base64
import binascii
import json

MAX_OFFSET = 10_000  # deeper pages of a ranked list are refused, not computed


class InvalidCursor(ValueError):
    """Raised for a cursor we did not issue (or one that was edited)."""


def encode_cursor(kind: str, value: int) -> str:
    """An opaque page cursor: ``{kind: value}`` as unpadded URL-safe base64.

    >>> encode_cursor("o", 50)
    'eyJvIjo1MH0'
    """
    raw = json.dumps({kind: value}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, kind: str) -> int:
    """The integer a cursor of ``kind`` carries; :class:`InvalidCursor` otherwise.

    >>> decode_cursor(encode_cursor("o", 50), "o")
    50
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeEncodeError, binascii.Error):
        raise InvalidCursor("malformed cursor: pass back the next_cursor value unchanged") from None
    value = data.get(kind) if isinstance(data, dict) else None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0 or (kind == "o" and value > MAX_OFFSET):
        raise InvalidCursor("malformed cursor: pass back the next_cursor value unchanged")
    return value

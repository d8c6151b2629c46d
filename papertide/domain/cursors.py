"""Opaque pagination cursors for the REST API, each bound to the list it pages.

A cursor is URL-safe base64 of a small JSON object; clients pass back what they got in
``next_cursor`` and never build one. ``{"b": id}`` is a keyset cursor (rows with a
smaller row id come next: stable while papers are added); ``{"a": id}`` is the last comment
of a page of a paper's discussion (the comments after it in thread order come next); ``{"o": n}`` is an offset
into a ranked list (trending and search ranks are computed per request, so there is no
stable key to seek on; the list's order is deterministic, so offsets are consistent).

Every cursor also carries ``"l"``, a short digest of the list it came from (the endpoint
and the parameters that choose and order the items, see :func:`list_key`): an offset of
the trending list means nothing in a search, nor in another day's list, so a cursor
handed to another list is refused (:class:`ForeignCursor`) rather than silently paging
it from the wrong place. A period list's cursor also carries its period (``"p"``), so
``/daily`` (the latest day) goes on with the day its first page showed even after a new
day is listed. The digest is not a secret: a client that forges one only reaches pages
it could ask for anyway.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass

MAX_OFFSET = 10_000  # deeper pages of a ranked list are refused, not computed
KEY_CHARS = 12  # hex digits of the list digest: a collision between two lists a client pages is not a worry
_MALFORMED = "malformed cursor: pass back the next_cursor value unchanged"
_FOREIGN = (
    "this cursor belongs to another list (another endpoint, period, sort or filter): pass next_cursor back "
    "with the same path and parameters, or leave cursor out to start from the first page"
)


class InvalidCursor(ValueError):
    """Raised for a cursor we did not issue (or one that was edited)."""


class ForeignCursor(InvalidCursor):
    """Raised for a well-formed cursor of another list (another endpoint, day, sort or filter)."""


@dataclass(frozen=True, slots=True)
class Cursor:
    """What a cursor carries: where the next page starts, which list, and (lists of a period) its period."""

    value: int
    list_key: str
    period: str | None = None


def list_key(*parts: object) -> str:
    """A short digest naming one list: the endpoint and every parameter that changes its items or order.

    >>> list_key("search", "graph", None) == list_key("search", "graph", None) != list_key("search", "graphs", None)
    True
    """
    raw = json.dumps(parts, separators=(",", ":"), default=str, ensure_ascii=False).encode()
    return hashlib.sha256(raw).hexdigest()[:KEY_CHARS]


def encode_cursor(kind: str, value: int, key: str, period: str | None = None) -> str:
    """An opaque page cursor: ``{kind: value, "l": key}`` (and ``"p": period``) as unpadded URL-safe base64.

    >>> encode_cursor("o", 50, "0123456789ab")
    'eyJvIjo1MCwibCI6IjAxMjM0NTY3ODlhYiJ9'
    """
    data: dict[str, object] = {kind: value, "l": key}
    if period is not None:
        data["p"] = period
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def read_cursor(cursor: str, kind: str) -> Cursor:
    """What a cursor of ``kind`` carries, without checking its list; :class:`InvalidCursor` if malformed.

    >>> read_cursor(encode_cursor("o", 50, "0123456789ab", "2026-06-01"), "o")
    Cursor(value=50, list_key='0123456789ab', period='2026-06-01')
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeEncodeError, binascii.Error):
        raise InvalidCursor(_MALFORMED) from None
    if not isinstance(data, dict):
        raise InvalidCursor(_MALFORMED)
    value, key, period = data.get(kind), data.get("l"), data.get("p")
    if value is None and isinstance(key, str):  # ours, but a keyset cursor given to a ranked list or back
        raise ForeignCursor(_FOREIGN)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0 or (kind == "o" and value > MAX_OFFSET):
        raise InvalidCursor(_MALFORMED)
    if key is None:  # issued before cursors were bound to their lists: we cannot tell which list it pages
        raise ForeignCursor("this cursor is from an older release: start again from the first page")
    if not isinstance(key, str) or not (period is None or isinstance(period, str)):
        raise InvalidCursor(_MALFORMED)
    return Cursor(value, key, period)


def decode_cursor(cursor: str, kind: str, key: str) -> int:
    """The integer a cursor of ``kind`` issued for the list ``key`` carries.

    :class:`ForeignCursor` for a cursor of another list, :class:`InvalidCursor` for one we did not issue.

    >>> decode_cursor(encode_cursor("o", 50, list_key("trending")), "o", list_key("trending"))
    50
    """
    found = read_cursor(cursor, kind)
    check_list(found, key)
    return found.value


def check_list(found: Cursor, key: str) -> None:
    """:class:`ForeignCursor` unless ``found`` was issued for the list ``key``."""
    if found.list_key != key:
        raise ForeignCursor(_FOREIGN)

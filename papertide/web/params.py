"""How page routes read the values people type or share in addresses and forms."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from papertide.domain.accounts import InvalidInput
from papertide.domain.search import SearchFilters, make_filters

# What a checkbox sends ("on", or the value="1" our forms give it) and what people type by hand
# in a shared address (?has_code=true, ?listed=YES). Anything else, the empty string included, is off.
_ON = frozenset({"1", "on", "true", "yes"})
_OFF = frozenset({"0", "off", "false", "no"})


# A stored row's id, as a form sends it back. The id columns are INTEGER (32-bit on PostgreSQL),
# so a number no row can have is a 422 naming the field rather than an overflow in the driver.
ROW_ID_MAX = 2**31 - 1


def is_on(value: str | None) -> bool:
    """A boolean query or form value, read the same way on every page."""
    return value is not None and value.strip().lower() in _ON


def switch(value: str, field: str) -> bool:
    """A form's explicit on/off value (a button that sets or clears a state, such as a ban).

    Stricter than :func:`is_on`: a hand-made request saying ``banned=false`` must not be read as
    anything at all when it sets a state on someone else, so a value outside both sets is refused.
    """
    word = value.strip().lower()
    if word in _ON:
        return True
    if word in _OFF:
        return False
    raise InvalidInput(f"{field} must be 1 or 0, not {value[:20]!r}.")


# The search page's words and filters: what a search feed reads, and what links between the
# page and its feed carry (paging, sort and mode stay behind: a feed lists the newest).
# "exact": the words searched as typed (the page's "Search instead for" link), which its feed keeps.
SEARCH_PARAMS = frozenset({"q", "date_from", "date_to", "cat", "xcat", "author", "listed", "has_code", "exact"})


def search_params(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The non-empty search words and filters among a request's query ``items``, in their order."""
    return [(k, v) for k, v in items if k in SEARCH_PARAMS and v.strip()]


class FilterParams:
    """The search page's filter fields as query parameters, read once for the page and its feed.

    A FastAPI dependency (``Annotated[FilterParams, Depends()]``): the fields stay as typed, for a
    form that comes back with them, and :meth:`filters` reads them.
    """

    def __init__(
        self,
        date_from: str = "",
        date_to: str = "",
        cat: Annotated[list[str] | None, Query()] = None,
        xcat: Annotated[list[str] | None, Query()] = None,
        author: Annotated[str, Query(max_length=500)] = "",
        listed: str = "",
        has_code: str = "",
    ) -> None:
        self.date_from, self.date_to, self.cat, self.xcat = date_from, date_to, cat, xcat
        self.author, self.listed, self.has_code = author, is_on(listed), is_on(has_code)

    def filters(self, dates: bool = True) -> SearchFilters:
        """The filters; :class:`InvalidFilter` for a date that cannot be read (``dates=False``: without them)."""
        return make_filters(self.date_from if dates else None, self.date_to if dates else None, self.cat, self.xcat,
                            self.author, self.listed, self.has_code)

"""How page routes read the values people type or share in addresses and forms."""

from __future__ import annotations

# What a checkbox sends ("on", or the value="1" our forms give it) and what people type by hand
# in a shared address (?has_code=true, ?listed=YES). Anything else, the empty string included, is off.
_ON = frozenset({"1", "on", "true", "yes"})


# A stored row's id, as a form sends it back. The id columns are INTEGER (32-bit on PostgreSQL),
# so a number no row can have is a 422 naming the field rather than an overflow in the driver.
ROW_ID_MAX = 2**31 - 1


def is_on(value: str | None) -> bool:
    """A boolean query or form value, read the same way on every page."""
    return value is not None and value.strip().lower() in _ON


# The search page's words and filters: what a search feed reads, and what links between the
# page and its feed carry (paging, sort and mode stay behind: a feed lists the newest).
SEARCH_PARAMS = frozenset({"q", "date_from", "date_to", "cat", "xcat", "author", "listed", "has_code"})


def search_params(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The non-empty search words and filters among a request's query ``items``, in their order."""
    return [(k, v) for k, v in items if k in SEARCH_PARAMS and v.strip()]

"""How page routes read the values people type or share in addresses and forms."""

from __future__ import annotations

# What a checkbox sends ("on", or the value="1" our forms give it) and what people type by hand
# in a shared address (?has_code=true, ?listed=YES). Anything else, the empty string included, is off.
_ON = frozenset({"1", "on", "true", "yes"})


def is_on(value: str | None) -> bool:
    """A boolean query or form value, read the same way on every page."""
    return value is not None and value.strip().lower() in _ON

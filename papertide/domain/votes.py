"""Vote rules: one upvote per user per paper, toggled on and off.

A form may send the state it wants ("on"/"off") or nothing, which toggles. Sending the
wanted state makes a double-click or a retried request harmless: the second one is a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class VoteResult:
    """The state after a vote request: whether the user upvotes the paper and its total."""

    voted: bool
    upvotes: int
    changed: bool


def parse_wanted(raw: str | None) -> bool | None:
    """``"on"`` → True, ``"off"`` → False, empty → None (toggle); anything else is an error.

    >>> parse_wanted("on"), parse_wanted(""), parse_wanted("off")
    (True, None, False)
    """
    value = (raw or "").strip().lower()
    if value in ("", "toggle"):
        return None
    if value in ("on", "1", "true", "up"):
        return True
    if value in ("off", "0", "false", "down"):
        return False
    raise ValueError(f"vote state must be on or off, not {raw!r}")


def next_state(current: bool, wanted: bool | None) -> bool:
    """The vote state after a request: the wanted state, or the opposite of the current one."""
    return (not current) if wanted is None else wanted


def count_delta(current: bool, new: bool) -> int:
    """How the paper's total moves: +1, -1 or 0."""
    return int(new) - int(current)

"""A seeded reservoir sample, shared by both mining steps (no torch: the site's environment runs one)."""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")


def reservoir(items: Iterable[T], n: int, rng: random.Random) -> list[T]:
    """``n`` items drawn uniformly in one pass with bounded memory, shuffled; the same for the same seed.

    ``items`` may draw from ``rng`` too (which sentence to take out): each item is drawn before its
    place in the sample, so a run is reproduced exactly by its seed."""
    out: list[T] = []
    for seen, item in enumerate(items, start=1):
        if len(out) < n:
            out.append(item)
        else:
            j = rng.randrange(seen)
            if j < n:
                out[j] = item
    rng.shuffle(out)
    return out

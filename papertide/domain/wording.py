"""Small pieces of English the product writes into messages and audit entries."""

from __future__ import annotations


def quantity(n: int, noun: str) -> str:
    """``n`` and a regular noun in the number that goes with it.

    >>> quantity(1, "comment"), quantity(5, "comment"), quantity(0, "paper")
    ('1 comment', '5 comments', '0 papers')
    """
    return f"{n} {noun}{'' if n == 1 else 's'}"

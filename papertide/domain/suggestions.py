"""What the search box suggests while someone types: titles of papers for the words so far.

A browser that added the site as a search engine (OpenSearch) asks on every keystroke, so the
query's last word is usually unfinished: "attention is all you ne". Keyword search cannot match
"ne" to "need", but the words before it find the paper, and the unfinished word then decides
which of those titles come first: the ones holding a word that starts with it.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

MAX_SUGGESTIONS = 8
MAX_TYPED_CHARS = 200  # a search box, not a pasted abstract: longer text is cut, not refused
MIN_TYPED_CHARS = 2  # one letter matches half the titles held; nothing useful to suggest yet

_WORD = re.compile(r"\w+")
_LAST_WORD = re.compile(r"(\w+)$")


@dataclass(frozen=True)
class TypedQuery:
    """A query as it stands mid-typing."""

    text: str  # what to search: the whole of it, cut to MAX_TYPED_CHARS
    partial: str  # the last word when no space or punctuation follows it yet, case-folded; else ""

    @property
    def worth_asking(self) -> bool:
        return len(self.text) >= MIN_TYPED_CHARS


def read_typed(text: str) -> TypedQuery:
    """Split what has been typed into the text to search and the word still being typed.

    >>> read_typed("attention is all you Ne")
    TypedQuery(text='attention is all you Ne', partial='ne')
    >>> read_typed("graph networks ")
    TypedQuery(text='graph networks', partial='')
    """
    cut = text[:MAX_TYPED_CHARS]
    last = _LAST_WORD.search(cut)
    return TypedQuery(" ".join(cut.split()), last.group(1).casefold() if last else "")


def starts_a_word(title: str, partial: str) -> bool:
    """Whether some word of ``title`` begins with ``partial`` (case-folded)."""
    return any(word.startswith(partial) for word in _WORD.findall(title.casefold()))


def order_suggestions(titles: Sequence[tuple[K, str]], partial: str, limit: int = MAX_SUGGESTIONS) -> list[K]:
    """Keys of ``titles`` (best keyword match first) with those completing ``partial`` moved ahead.

    Within each group the keyword ranking is kept; a title already offered under another key
    (the same paper listed twice, or two versions with one title) is offered once.
    """
    seen: set[str] = set()
    unique = []
    for key, title in titles:
        folded = " ".join(title.casefold().split())
        if folded and folded not in seen:
            seen.add(folded)
            unique.append((key, title))
    if partial:
        unique.sort(key=lambda kt: not starts_a_word(kt[1], partial))  # stable: ranking kept within
    return [key for key, _ in unique[:limit]]

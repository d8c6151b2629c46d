"""Author names as keys: one author page per person however arXiv spelled the case or spacing.

Pure. arXiv metadata writes the same name in several Unicode forms (composed ``é`` or
``e`` + combining accent, full-width letters, non-breaking spaces) and in several cases
(``ZHANG Wei``); TeX accents (``{\\'e}``) were already turned into letters at ingest. The
key folds exactly those differences and nothing more: we do not strip accents or
initials, because ``Müller`` and ``Muller`` or ``J. Smith`` and ``John Smith`` may be
different people, and a wrong merge is worse than a split page.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence

MAX_NAME_CHARS = 200  # longer path segments are not author names; the key column holds this many
_SPACE = re.compile(r"\s+")


def author_key(name: str) -> str:
    """The lookup key of an author name: NFKC, case-folded, spaces collapsed, trimmed.

    >>> author_key("  Émilie   du\\u00a0CHÂTELET ")
    'émilie du châtelet'
    >>> author_key("E\\u0301milie du Châtelet") == author_key("Émilie du Châtelet")
    True
    """
    folded = unicodedata.normalize("NFKC", name or "").casefold()
    # casefold can leave decomposed forms (e.g. "İ" → "i̇"); a final NFKC composes them again.
    folded = unicodedata.normalize("NFKC", folded)
    return _SPACE.sub(" ", folded).strip()[:MAX_NAME_CHARS]


def display_name(spellings: Iterable[str]) -> str:
    """The spelling of a name to show: the most frequent, ties to the first seen.

    >>> display_name(["ADA LOVELACE", "Ada Lovelace", "Ada Lovelace"])
    'Ada Lovelace'
    """
    counts = Counter(" ".join(s.split()) for s in spellings)
    if not counts:
        return ""
    return max(counts, key=lambda s: counts[s])  # max keeps the first of equal counts


MORE_MATCHES = 2  # names an author filter matches that a card adds after its first few


def names_shown(authors: Sequence[str], limit: int | None, matching: str = "") -> tuple[list[str | None], bool]:
    """The names a card lists, with None where it skips some; and whether "et al." follows.

    The first ``limit`` (all of them when that leaves out just one, or ``limit`` is None), then,
    for a search filtered by an author, up to MORE_MATCHES later names that hold ``matching``
    (as the filter compares them): a paper found by "Hinton" shows its Hinton even when he is
    its 40th author.
    """
    if limit is None or len(authors) <= limit + 1:
        return list(authors), False
    shown: list[str | None] = list(authors[:limit])
    key, last = author_key(matching), limit - 1
    if key:
        later = [i for i in range(limit, len(authors)) if key in author_key(authors[i])][:MORE_MATCHES]
        for i in later:
            if i > last + 1:
                shown.append(None)
            shown.append(authors[i])
            last = i
    return shown, last < len(authors) - 1


def holds_name(name: str, matching: str) -> bool:
    """Whether an author filter of ``matching`` would pick ``name`` (empty filter: no)."""
    key = author_key(matching)
    return bool(key) and key in author_key(name)

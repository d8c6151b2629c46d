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
from collections.abc import Iterable

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

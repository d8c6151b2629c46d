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

from rapidfuzz import fuzz

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


# Latin letters that Unicode does not decompose into a base letter and an accent.
_UNDECOMPOSED = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "ŀ": "l", "ŧ": "t", "æ": "ae",
                               "œ": "oe", "þ": "th", "ð": "d"})


def search_key(name: str) -> str:
    """How the author *filter* compares names: the lookup key without diacritics.

    Pages keep "Müller" and "Muller" apart (they may be two people), but someone searching
    types "muller", "lukasz" or "scholkopf" and means the accented name: the
    filter is a substring search, so it folds accents on both sides. Only the combining
    diacritical marks of Latin, Greek and Cyrillic letters (U+0300-U+036F) are dropped;
    other scripts' marks (Japanese dakuten, Indic vowel signs) are part of the letter.
    """
    return fold_diacritics(author_key(name))[:MAX_NAME_CHARS]


def fold_diacritics(lowered: str) -> str:
    """Lower-case text with Latin, Greek and Cyrillic accents dropped (``łukasz müller`` → ``lukasz muller``).

    Only the combining marks U+0300-U+036F go, plus the Latin letters Unicode does not decompose
    (ł, ø, æ); other scripts' marks (Japanese dakuten, Indic vowel signs) are part of the letter.

    >>> fold_diacritics("łukasz müller, バス")
    'lukasz muller, バス'
    """
    decomposed = unicodedata.normalize("NFKD", lowered)
    bare = "".join(c for c in decomposed if not "\u0300" <= c <= "\u036f").translate(_UNDECOMPOSED)
    return unicodedata.normalize("NFC", bare)


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
    key, last = search_key(matching), limit - 1
    if key:
        later = [i for i in range(limit, len(authors)) if key in search_key(authors[i])][:MORE_MATCHES]
        for i in later:
            if i > last + 1:
                shown.append(None)
            shown.append(authors[i])
            last = i
    return shown, last < len(authors) - 1


def holds_name(name: str, matching: str) -> bool:
    """Whether an author filter of ``matching`` would pick ``name`` (empty filter: no)."""
    key = search_key(matching)
    return bool(key) and key in search_key(name)


NAME_SUGGESTIONS = 3  # names offered when an author filter matches no paper
NAME_SIMILARITY = 80  # rapidfuzz ratio (0-100) a name's search key needs to be offered


def closest_names(typed: str, names: Iterable[str], limit: int = NAME_SUGGESTIONS) -> list[str]:
    """What to offer for an author filter that matched nothing, from ``names`` held ("hintn" → "Hinton").

    The filter is a substring search, so one typed word is compared with each word of the names
    and the word is offered ("Hinton" finds every Hinton); several typed words are compared with
    whole names. Compared without case and accents, as the filter compares them; one spelling
    each (the most frequent), most similar first, then most frequent.
    """
    want = search_key(typed)
    if not want:
        return []
    whole = " " in want
    scored: dict[str, tuple[float, Counter[str]]] = {}
    for name in names:
        for shown in ([name] if whole else name.replace(",", " ").split()):
            key = search_key(shown)
            if not key or want in key:  # already matched by the filter: not a correction
                continue
            score = fuzz.ratio(want, key)
            if score < NAME_SIMILARITY:
                continue
            best, spellings = scored.get(key, (0.0, Counter()))  # one per filter: Müller and Muller are one
            spellings[shown] += 1
            scored[key] = (max(best, score), spellings)
    ranked = sorted(scored.values(), key=lambda s: (-s[0], -sum(s[1].values())))
    return [display_name(list(spellings.elements())) for _, spellings in ranked[:limit]]

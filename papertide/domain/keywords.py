"""Digest keywords and the text they are matched against, both reduced to the same words.

Pure. A keyword matches when its words appear in a paper's title, abstract or HF keywords as
whole words, adjacent and in order (domain/digests.py). To make that hold for any script:

- words are Unicode letters and digits (``\\w``), not just ``a-z``: the ASCII-only rule turned
  "Schrödinger" into "schr dinger", which also matched "Schrädinger", and left "变分" with
  no word at all, so it matched nothing, silently;
- case is folded (``casefold``) and Latin, Greek and Cyrillic accents are dropped, so
  "Schrodinger", "Schrödinger" and "SCHRÖDINGER" are one word (as a reader types it without
  the umlaut);
- CJK scripts put no spaces between words, so each CJK character is a word of its own and a
  keyword matches any run of its characters ("变分" in "基于变分推断"), as the site's search
  does with bigrams (domain/cjk.py).
"""

from __future__ import annotations

import re

from papertide.domain.authors import fold_diacritics
from papertide.domain.cjk import CJK_RANGES

_NON_WORD = re.compile(r"[\W_]+")
_CJK_CHAR = re.compile("([" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in CJK_RANGES) + "])")


def normalize_text(text: str) -> str:
    """Words folded for matching, single-spaced and padded: ``" graph neural nets "``.

    >>> normalize_text("Schrödinger-Brücken, ＢＥＲＴ_2!")
    ' schrodinger brucken bert 2 '
    >>> normalize_text("基于变分推断")
    ' 基 于 变 分 推 断 '
    """
    folded = text.casefold()
    if not folded.isascii():  # English titles and abstracts skip the Unicode work
        folded = fold_diacritics(folded)
        folded = _CJK_CHAR.sub(r" \1 ", folded)
    return f" {' '.join(_NON_WORD.sub(' ', folded).split())} "


def has_words(keyword: str) -> bool:
    """Whether ``keyword`` holds anything to match (``"++"`` or ``"—"`` would match nothing).

    >>> has_words("变分"), has_words(" -- ")
    (True, False)
    """
    return normalize_text(keyword) != "  "

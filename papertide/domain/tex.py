"""TeX accent normalisation for author names (arXiv keeps names as TeX: ``Ev\\'equoz``).

Pure. We show names with real letters (``Evéquoz``) and give search both the
display form and an ASCII fold, so ``Evequoz``, ``Evéquoz`` and the raw TeX
spelling all find the paper.
"""

from __future__ import annotations

import re
import unicodedata

# TeX accent command → Unicode combining character.
_ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "k": "\u0328",
    "r": "\u030a", "d": "\u0323", "b": "\u0331",
}
# Letter-like commands that stand for a whole character.
_SPECIALS = {
    "ss": "ß", "o": "ø", "O": "Ø", "l": "ł", "L": "Ł", "ae": "æ", "AE": "Æ", "oe": "œ", "OE": "Œ",
    "aa": "å", "AA": "Å", "i": "ı", "j": "ȷ", "DH": "Ð", "dh": "ð", "TH": "Þ", "th": "þ", "NG": "Ŋ", "ng": "ŋ",
}
# Symbol accents take their argument directly (\'e, \'{e}, \'{\i}); letter accents need a
# brace or a space before it (\c{c}, \c c) so that "\v" never eats the next word's letter.
_SYMBOL_ACCENT = re.compile(r"""\\(['`^"~=.])\s*(\{\\?[A-Za-z]\}|\\[ij](?![A-Za-z])|[A-Za-z])""")
_LETTER_ACCENT = re.compile(r"\\([uvHckrdb])(?:\s*\{(\\?[A-Za-z])\}|\s+([A-Za-z]))")
_SPECIAL = re.compile(r"\\(ss|ae|AE|oe|OE|aa|AA|DH|dh|TH|th|NG|ng|[oOlLij])(?![A-Za-z])(?:\{\})?\s?")
_BRACED_LETTERS = re.compile(r"\{([^{}\\$]*)\}")


def _base(arg: str) -> str:
    arg = arg.strip("{}")
    # A dotless i/j under an accent is just i/j with that accent.
    return {"\\i": "i", "\\j": "j"}.get(arg, arg)


def detex_name(name: str) -> str:
    """An author name with TeX accents turned into letters (NFC).

    >>> detex_name("Ev\\\\'equoz")
    'Evéquoz'
    >>> detex_name('{\\\\"O}zt{\\\\"u}rk, \\\\c{C}a\\\\u{g}lar')
    'Öztürk, Çağlar'
    """
    if "\\" not in name and "{" not in name:
        return name
    s = _SYMBOL_ACCENT.sub(lambda m: _base(m.group(2)) + _ACCENTS[m.group(1)], name)
    s = _LETTER_ACCENT.sub(lambda m: _base(m.group(2) or m.group(3)) + _ACCENTS[m.group(1)], s)
    s = _SPECIAL.sub(lambda m: _SPECIALS[m.group(1)], s)
    # Grouping braces around plain letters ({\"o} after the accent is resolved, {van}) go.
    for _ in range(3):
        s2 = _BRACED_LETTERS.sub(r"\1", s)
        if s2 == s:
            break
        s = s2
    return " ".join(unicodedata.normalize("NFC", s).split())


def detex_names(names: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """:func:`detex_name` over a list, order kept."""
    return tuple(detex_name(n) for n in names)


def ascii_fold(text: str) -> str:
    """Accents dropped (``Évequoz`` → ``Evequoz``); letters with no decomposition kept.

    >>> ascii_fold("Øster Évequoz")
    'Oster Evequoz'
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD_SPECIALS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_FOLD_SPECIALS = str.maketrans({"ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss", "æ": "ae", "Æ": "AE",
                                "œ": "oe", "Œ": "OE", "ı": "i", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th"})


def author_search_forms(name: str) -> tuple[str, ...]:
    """Every spelling search should match for one author: display, ASCII fold, raw TeX.

    >>> author_search_forms("Ev\\\\'equoz")
    ('Evéquoz', 'Evequoz', "Ev\\\\'equoz")
    """
    display = detex_name(name)
    return tuple(dict.fromkeys((display, ascii_fold(display), name)))

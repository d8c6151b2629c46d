"""TeX accent normalisation for author names, titles and abstracts (arXiv keeps them as TeX: ``Ev\\'equoz``).

Pure. We show names with real letters (``Evéquoz``) and give search both the
display form and an ASCII fold, so ``Evequoz``, ``Evéquoz`` and the raw TeX
spelling all find the paper.
"""

from __future__ import annotations

import re
import unicodedata

from papertide.domain.mathml import math_spans

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
_LETTER_ACCENT = re.compile(r"\\([uvHckrdb])(?:\s*\{(\\?[A-Za-z])\}|\s+([A-Za-z])|(\\[ij])(?![A-Za-z]))")
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
    s = _letters(name)
    # Grouping braces around plain letters ({\"o} after the accent is resolved, {van}) go.
    for _ in range(3):
        s2 = _BRACED_LETTERS.sub(r"\1", s)
        if s2 == s:
            break
        s = s2
    return " ".join(unicodedata.normalize("NFC", s).split())


def _letters(text: str) -> str:
    s = _SYMBOL_ACCENT.sub(lambda m: _base(m.group(2)) + _ACCENTS[m.group(1)], text)
    s = _LETTER_ACCENT.sub(lambda m: _base(m.group(2) or m.group(3) or m.group(4)) + _ACCENTS[m.group(1)], s)
    return _SPECIAL.sub(lambda m: _SPECIALS[m.group(1)], s)


def detex_text(text: str) -> str:
    r"""A title or abstract with TeX accents and text-mode escapes outside math turned into characters.

    arXiv keeps titles and abstracts as TeX, so "Schrödinger" arrives as ``Schr\"odinger``:
    shown as typed it is unreadable, and search splits it into "schr" and "odinger", so someone
    typing the name finds nothing. Math spans are left exactly as they are (``\$`` too: a
    bare ``$`` would open math), and so is whitespace (abstract paragraphs).

    >>> print(detex_text(r'Schr\"odinger $\psi$ \& Monge-Amp\`{e}re: 50\% via Ko{\l}odziej, Kre\u\i{}n'))
    Schrödinger $\psi$ & Monge-Ampère: 50% via Kołodziej, Kreĭn
    """
    if "\\" not in text:  # nothing to turn into letters (braces only go around letters it makes)
        return text
    out, pos = [], 0
    for start, end in [*math_spans(text), (len(text), len(text))]:
        out.append(_detex_prose(text[pos:start]))
        out.append(text[start:end])
        pos = end
    return "".join(out)


# A text-mode escape (\& for &); not after another backslash, where "\\" is TeX's line break.
_ESCAPED = re.compile(r"(?<!\\)\\([&%#_])")
# Only around a letter TeX made (ASCII braces are other commands' arguments: \mathbb{R} in prose).
_BRACED_MADE_LETTER = re.compile(r"\{([^\x00-\x7f{}\W][\u0300-\u036f]*)\}|(?<=[^\x00-\x7f])\{\}")


def _detex_prose(text: str) -> str:
    if "\\" not in text:
        return text
    s = unicodedata.normalize("NFC", _letters(text))
    # Braces left around one letter ({\"o} → {ö}, Ko{\l}odziej) and empty groups (\i{}n) go.
    for _ in range(3):  # nested groups ({{\i}}) shed one pair a round
        s, n = _BRACED_MADE_LETTER.subn(lambda m: m.group(1) or "", s)
        if not n:
            break
    return _ESCAPED.sub(r"\1", s)


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

"""Whether a query is written in a language other than English.

The papers, their keyword index and the bundled embedding model are English; a query in
another language matches only the names, acronyms and formulas it shares with them, so
the search page says so instead of leaving the reader with poor results and no reason.
A cheap test is enough: another script (Chinese, Japanese, Korean, Cyrillic, Arabic, …)
or two signs of a common European language (distinct function words; accented letters
count once). Greek letters do not count (they are mathematics), nor does one stray "la"
or "de" (La Palma, de Finetti).
"""

from __future__ import annotations

import re
import unicodedata

# Frequent function words of German, French, Spanish, Italian and Portuguese that are not
# English words ("die", "do", "comment" are) nor name particles ("von", "der": van der Waals).
_FUNCTION_WORDS = frozenset(
    "das und nicht mit für ist ein eine einer eines auf zu zur zum im beim bei über durch oder wird werden "
    "sind wie welche zwischen ohne "
    "le la les des du au à une et pour sur avec dans est pas qui aux sont entre sans quels quelles "
    "el los las del y con para por una que es cómo entre sin sobre "
    "il gli della delle dello di che con sono tra senza "
    "os da dos das em com um uma não são sem sobre como".split()
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
# Accented letters these languages write and English does not: one more sign beside a function word.
_ACCENTED = frozenset("äöüßàâçèéêëîïôûùñãõòìáíóú")
OTHER_SCRIPT_SHARE = 0.3  # of the letters: enough that the query is not English with a stray name
MIN_SIGNS = 2  # distinct function words, and accented letters counted once


def _other_script(ch: str) -> bool:
    """A letter of neither the Latin nor the Greek script (nor a mathematical alphanumeric, 𝒪 or 𝔽)."""
    name = unicodedata.name(ch, "")
    return not (name.startswith("LATIN") or name.startswith("GREEK") or name.startswith("MATHEMATICAL"))


def other_language(text: str) -> bool:
    """Whether ``text`` reads as written in another language than English.

    >>> other_language("在图像生成器的初始噪声里藏一个标记")
    True
    >>> other_language("kleine Sprachmodelle, nur mit deutschen Texten trainiert und offen veröffentlicht")
    True
    >>> other_language("4m robotic telescope at La Palma status report")
    False
    >>> other_language("α-divergence bounds for variational inference")
    False
    """
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return False
    other = sum(1 for ch in letters if _other_script(ch))
    if other >= 2 and other / len(letters) >= OTHER_SCRIPT_SHARE:
        return True
    # Capitals are acronyms, not words: DES Y3 is a survey, DO-EM a method.
    words = {w.lower() for w in _WORD.findall(text) if not w.isupper()}
    function = words & _FUNCTION_WORDS
    accented = any(ch in _ACCENTED for w in words - function for ch in w)
    return len(function) + accented >= MIN_SIGNS

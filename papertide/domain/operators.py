"""Search operators people bring from other search boxes: "an exact phrase" and -excluded words.

Someone who half-remembers a paper often remembers one phrase of it exactly, and someone
wading through a crowded topic wants to drop a sub-topic ("diffusion -image"). Both act as
filters on the fused ranking, checked against each candidate's title, abstract and authors:
the keyword index keeps no word positions (a phrase index would double its size), and the
dense side cannot be told "not". A phrase's words also stay in the query, so both sides still
rank by them; excluded words leave it.

Words are compared as runs of letters and digits, lower-cased, so punctuation and TeX only
separate words ("mixture-of-experts" holds the phrase "mixture of experts"). A minus word
also drops its plural ("-image" drops "images"); a minus inside a word is a hyphen
("GPT-4o", "state-of-the-art"), and a minus before a digit a negative number.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_OPERATORS = 8  # phrases plus excluded words read from one query; the rest stay plain words

# A quoted run, straight or curly quotes, optionally excluded: -"word pair".
_QUOTED = re.compile(r'(?<!\S)(-?)["“”„]([^"“”„]+)["“”„](?!\w)')
# A minus that starts a word and is followed by a letter: -image, -"…" is handled above.
_MINUS = re.compile(r"(?<!\S)-(?=[^\W\d_])(\S+)")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Operators:
    """What a query asks of every result beyond ranking: phrases it must hold, words it must not."""

    phrases: tuple[tuple[str, ...], ...] = ()  # each a run of lower-cased words
    excluded: tuple[tuple[str, ...], ...] = ()  # a word (one-item run) or a phrase

    def __bool__(self) -> bool:
        return bool(self.phrases or self.excluded)


def words(text: str) -> list[str]:
    """The lower-cased words of ``text``, as phrases are matched against them.

    >>> words("Mixture-of-Experts for $\\\\alpha$-divergence")
    ['mixture', 'of', 'experts', 'for', 'alpha', 'divergence']
    """
    return _WORD.findall(unicodedata.normalize("NFKC", text).lower().replace("_", " "))


def parse_operators(text: str) -> tuple[Operators, str]:
    """The operators in ``text``, and the text the search sides read: quotes dropped (the
    phrase's words kept), excluded words and phrases removed.

    >>> ops, rest = parse_operators('"attention sinks" in streaming LLMs -vision -"image generation"')
    >>> ops.phrases, ops.excluded, rest
    ((('attention', 'sinks'),), (('image', 'generation'), ('vision',)), 'attention sinks in streaming LLMs')
    >>> parse_operators("GPT-4o on state-of-the-art -1 dB noise")[0]
    Operators(phrases=(), excluded=())
    """
    phrases: list[tuple[str, ...]] = []
    excluded: list[tuple[str, ...]] = []

    def quoted(m: re.Match[str]) -> str:
        run = tuple(words(m.group(2)))
        if not run or len(phrases) + len(excluded) >= MAX_OPERATORS:
            return m.group(2)
        (excluded if m.group(1) else phrases).append(run)
        return " " if m.group(1) else m.group(2)

    def minus(m: re.Match[str]) -> str:
        run = tuple(words(m.group(1)))
        if not run or len(phrases) + len(excluded) >= MAX_OPERATORS:
            return m.group()
        excluded.append(run)
        return " "

    rest = _MINUS.sub(minus, _QUOTED.sub(quoted, text))
    return Operators(tuple(dict.fromkeys(phrases)), tuple(dict.fromkeys(excluded))), " ".join(rest.split())


def _holds(doc: list[str], run: tuple[str, ...], plural: bool = False) -> bool:
    if len(run) == 1:
        forms = {run[0], run[0] + "s", run[0] + "es"} if plural else {run[0]}
        return not forms.isdisjoint(doc)
    first, n = run[0], len(run)
    return any(doc[i:i + n] == list(run) for i, w in enumerate(doc) if w == first)


def passes(text: str, ops: Operators) -> bool:
    """Whether a paper's ``text`` (title, abstract, authors) holds every phrase and no excluded word.

    >>> ops, _ = parse_operators('"graph transformers" -survey')
    >>> passes("Graph Transformers at scale", ops), passes("Graph transformers: a survey", ops)
    (True, False)
    >>> passes("Transformers for graphs", ops), passes("Graph Transformers, surveys aside", ops)
    (False, False)
    """
    low = unicodedata.normalize("NFKC", text).lower()
    # A substring test settles most candidates without splitting 200 abstracts into words: a
    # phrase word missing fails it, and an excluded run none of whose words occur cannot match.
    if any(w not in low for run in ops.phrases for w in run):
        return False
    risky = [run for run in ops.excluded if all(w in low for w in run)]
    if not ops.phrases and not risky:
        return True
    doc = _WORD.findall(low.replace("_", " "))
    return all(_holds(doc, run) for run in ops.phrases) and not any(_holds(doc, run, plural=True) for run in risky)

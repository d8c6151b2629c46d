"""A one-line summary of a paper for its card: one sentence picked from the abstract.

Pure, extractive, no model. Abstracts often open with background ("Large language
models have shown…") and state the contribution second or third ("We propose…"), so
among the first few sentences we pick the first that announces the contribution, else
the first. Sentence ends are found by hand because abstracts are full of full stops that
end nothing: "e.g.", "et al.", "Fig. 2", "3.5%", initials ("J. Smith") and TeX spans
(``$p < 0.05. $``), which we never cut inside.
"""

from __future__ import annotations

import re
from functools import lru_cache

from papertide.domain.mathml import math_spans

SUMMARY_MAX_CHARS = 220  # a card shows about three lines of this
CUE_WINDOW = 4  # sentences searched for a contribution cue
# Summaries kept per process: list pages show the same few hundred papers all day, and a
# summary costs ~0.1 ms, five of a fifty-card page's milliseconds (bench/RESULTS.md "Cards").
SUMMARY_CACHE_SIZE = 2048

# Words that a full stop follows without ending the sentence (compared lower-cased, without the stop).
_ABBREVIATIONS = frozenset({
    "e.g", "i.e", "al", "fig", "figs", "eq", "eqs", "sec", "secs", "tab", "ref", "refs", "vs", "cf", "approx",
    "resp", "no", "nos", "vol", "pp", "ch", "app", "dr", "prof", "mr", "ms", "st", "inc", "ltd", "viz", "etc",
    "thm", "def", "prop", "lem", "cor", "alg", "max", "min", "avg", "est", "u.s", "a.k.a",
})
_CUES = re.compile(
    r"\b(?:we|this (?:paper|work|study)|in this (?:paper|work)|here,? we|our (?:method|approach|model|framework))\s+"
    r"(?:\w+\s+){0,2}?(?:propose|present|introduce|develop|show|demonstrate|release|design|study|build|find|"
    r"describe|address|investigate|formulate|report)",
    re.IGNORECASE,
)
_OPENERS = re.compile(r"[\"'(\[“‘$\\A-Z0-9]")  # what a new sentence may start with
_MATH_MASK = "\x00"


def split_sentences(text: str, most: int | None = None) -> list[str]:
    """``text`` (whitespace collapsed) cut into sentences (the first ``most`` of them, when given).

    >>> split_sentences("We use e.g. BERT (Devlin et al. 2019). It gains 3.5 points, see Fig. 2. Done!")
    ['We use e.g. BERT (Devlin et al. 2019).', 'It gains 3.5 points, see Fig. 2.', 'Done!']
    """
    flat = " ".join(text.split())
    # Full stops inside math spans end nothing: mask them where we look for ends.
    masked = _mask_math(flat)
    out: list[str] = []
    start = 0
    for m in re.finditer(r"[.!?]+[\"')\]”’]*(?=\s|$)", masked):
        end = m.end()
        rest = masked[end:].lstrip()
        if rest and not _OPENERS.match(rest):
            continue
        if m.group().startswith(".") and _is_abbreviation(masked[start:m.start()]):
            continue
        out.append(flat[start:end].strip())
        start = end
        if most is not None and len(out) >= most:
            return out
    tail = flat[start:].strip()
    if tail:
        out.append(tail)
    return out


def _mask_math(flat: str) -> str:
    # Same length as ``flat``, so positions found in it hold in ``flat``.
    masked = flat
    for start, end in math_spans(flat):
        masked = masked[:start] + _MATH_MASK * (end - start) + masked[end:]
    return masked


def _is_abbreviation(before: str) -> bool:
    word = before.rsplit(" ", 1)[-1].lstrip("([\"'“").lower()
    if word in _ABBREVIATIONS:
        return True
    # Initials ("J. Smith", "A. B. Jones") and single letters ("Appendix A.") read alike;
    # we keep the sentence whole: a too-long summary beats one cut at "J.".
    return len(word) == 1 and word.isalpha()


@lru_cache(maxsize=SUMMARY_CACHE_SIZE)
def one_line_summary(abstract: str, limit: int = SUMMARY_MAX_CHARS) -> str:
    """The sentence a card shows: the first contribution statement near the start, else the first.

    Longer than ``limit`` it is cut at a word boundary (never inside a math span) with "…".

    >>> one_line_summary("LLMs are big. We propose a small one. It works.")
    'We propose a small one.'
    >>> one_line_summary("Transformers dominate NLP. They are slow.")
    'Transformers dominate NLP.'
    """
    sentences = split_sentences(abstract, most=CUE_WINDOW)
    if not sentences:
        return ""
    pick = next((s for s in sentences[:CUE_WINDOW] if _CUES.search(s)), sentences[0])
    return _shorten(pick, limit)


def _shorten(sentence: str, limit: int) -> str:
    if len(sentence) <= limit:
        return sentence
    masked = _mask_math(sentence)
    cut = limit
    while cut > 0 and (masked[cut] != " " or _MATH_MASK in masked[cut - 1:cut + 1]):
        cut -= 1
    if cut == 0:  # one long word or one long formula: cut it as is
        cut = limit
    return sentence[:cut].rstrip(" ,;:.") + "…"

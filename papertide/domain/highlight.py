"""Highlights and snippets: which words of a title or abstract a query's terms mark.

Pure functions over the terms domain/search.py extracts; the keyword index's own matching
(British spellings read as American, hyphenated words split and joined, CJK bigrams) is
mirrored here so that what is marked is what matched.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Sequence

from papertide.domain.cjk import is_cjk_term
from papertide.domain.search import american_spelling, british_spellings

_WORD = re.compile(r"\w+", re.UNICODE)


@functools.lru_cache(maxsize=1_024)
def _matcher(terms: tuple[str, ...]) -> Callable[[str], bool]:
    """Whether a lower-cased word matches one of ``terms``, built once per query's terms.

    Prefix match on either side stands in for stemming ("network" ~ "networks"): a word
    that starts with a term of 4+ letters, or is a prefix of a term, 4+ letters long and at
    most 3 shorter. A CJK bigram term marks the whole run that holds it (runs are not split
    into words). The per-term rules become one set lookup and one ``startswith`` over a
    tuple, so a results page's ~2,000 words cost set lookups, not a loop over the terms
    for each word (bench/RESULTS.md, "Highlighting").
    """
    # The index reads British words as American ones, so a term marks its other spellings too:
    # the text's words are not rewritten (that regex per word cost a third more highlighting).
    spelled = {v for t in terms for v in (t, american_spelling(t), *british_spellings(american_spelling(t)))}
    whole = set(spelled)
    whole.update(t[:n] for t in spelled for n in range(max(4, len(t) - 3), len(t)))
    starts = tuple(t for t in spelled if len(t) >= 4)
    cjk = tuple(t for t in terms if is_cjk_term(t))

    def matches(w: str) -> bool:
        return w in whole or w.startswith(starts) or any(t in w for t in cjk)

    return matches


_WORD_OR_COMPOUND = re.compile(r"\w+(?:-\w+)*")


def _matching_spans(text: str, match: Callable[[str], bool]) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each word of ``text`` that ``match`` accepts.

    A hyphenated word is checked part by part, as the keyword index splits it; when no part
    matches, it is checked joined, since the index also holds it so ("multimodal" finds and
    marks "multi-modal").
    """
    for m in _WORD_OR_COMPOUND.finditer(text):
        word = m.group()
        if "-" not in word:
            if match(word.lower()):
                yield m.span()
            continue
        parts = [(m.start() + p.start(), m.start() + p.end()) for p in _WORD.finditer(word) if match(p.group().lower())]
        if parts:
            yield from parts
        elif match(word.replace("-", "").lower()):
            yield m.span()


def highlight(text: str, terms: Sequence[str]) -> list[tuple[str, bool]]:
    """Split ``text`` into ``(segment, is_match)`` pieces for rendering with <mark>.

    >>> highlight("Graph networks rock", ("network",))
    [('Graph ', False), ('networks', True), (' rock', False)]
    >>> highlight("A multi-modal, multi-agent view", ("multimodal", "agent"))
    [('A ', False), ('multi-modal', True), (', multi-', False), ('agent', True), (' view', False)]
    >>> highlight("Optimisation of labeled data", ("optimization", "labelled"))
    [('Optimisation', True), (' of ', False), ('labeled', True), (' data', False)]
    """
    if not terms or not text:
        return [(text, False)] if text else []
    match = _matcher(tuple(terms))
    out: list[tuple[str, bool]] = []
    pos = 0
    for start, end in _matching_spans(text, match):
        if start > pos:
            out.append((text[pos:start], False))
        out.append((text[start:end], True))
        pos = end
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def best_snippet(text: str, terms: Sequence[str], limit: int = 300) -> str:
    """A ≤ ``limit``-character window of ``text`` starting near the first matching word.

    >>> best_snippet("aaa bbb ccc ddd eee", ("ddd",), limit=8)
    '…ddd eee'
    """
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    match = _matcher(tuple(terms))  # no terms: nothing matches, the window starts at 0
    first = next((start for start, _ in _matching_spans(flat, match)), 0)
    # Keep a quarter of the window as context before the first match, but never run
    # past the end: a late match shows the last ``limit`` characters.
    start = min(max(0, first - limit // 4), len(flat) - limit)
    if start > 0 and flat[start - 1] != " ":
        space = flat.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    piece = flat[start : start + limit]
    if start + limit < len(flat):
        piece = piece.rsplit(" ", 1)[0].rstrip(",;:.") + "…"
    return ("…" if start > 0 else "") + piece

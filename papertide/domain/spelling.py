"""Spelling corrections for query words that match no document: candidates and their order.

The keyword engines hold *stems* ("attention" is indexed as ``attent``), so a typed word
is compared with a stem by aligning the stem to a *prefix* of the word, and the rest of
the word is kept as the stem's ending: ``atention`` is one edit from ``attent`` + ``ion``,
which gives the spelling ``attention``. The engine then checks that the spelling really
maps to that stem (search/lexical.py), so a made-up ending is never shown.

Distances are optimal-string-alignment edits (a swap of neighbours costs one, as in
tantivy's fuzzy queries with ``transposition_cost_one``): one for words of 5-7 letters,
two from 8 (Elasticsearch's "AUTO" fuzziness, stricter at the short end). The
start of the word is kept (see :func:`vocabulary_prefixes`): it is rarely the mistyped
part, and fixing it cuts the vocabulary an engine scans from the whole dictionary to two
slices of a few thousand terms, which rapidfuzz compares in under a millisecond (a
pure-Python alignment took 10-50 ms per word at 241k papers).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import OSA
from rapidfuzz.process import cdist

from papertide.domain.cjk import has_cjk

# Shorter words are never corrected: "mims", "ureh" and "adept" are names or real words far
# more often than typos, and a 4-letter word has dozens of one-edit neighbours.
MIN_TYPO_CHARS = 5
LONG_WORD_CHARS = 8  # words this long may be two edits off
MAX_SUFFIX_CHARS = 6  # letters of a typed word that may lie beyond the indexed stem ("hallucin" + "ation")
MAX_CANDIDATES = 8  # spellings an engine verifies per word, best first
# A word held by at most this share of the documents may be a misspelling (real corpora
# hold typos too: 13 of 241,792 arXiv abstracts say "atention"), and it is corrected when
# a spelling within reach is in CORRECTION_GAIN times more documents. On a small corpus
# the share rounds to 0: only words that match nothing are corrected.
RARE_TERM_SHARE = 1e-4
CORRECTION_GAIN = 100
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One possible correction of a typed word."""

    spelling: str  # what we search for and show
    stem: str  # the indexed term it was built from
    documents: int  # how many documents hold that term
    edits: int


def max_edits(word: str) -> int:
    """Edits a correction of ``word`` may be away; 0 when the word is not corrected.

    >>> max_edits("lora"), max_edits("atention"), max_edits("model"), max_edits("gpt4o")
    (0, 2, 1, 0)
    """
    if len(word) < MIN_TYPO_CHARS or not word.isalpha() or has_cjk(word):
        return 0
    return 2 if len(word) >= LONG_WORD_CHARS else 1


def is_suspect(documents: int, corpus_size: int) -> bool:
    """Whether a query word found in ``documents`` of ``corpus_size`` papers may be misspelt.

    >>> is_suspect(0, 10), is_suspect(1, 10), is_suspect(13, 241_792), is_suspect(30, 241_792)
    (True, False, True, False)
    """
    return documents <= corpus_size * RARE_TERM_SHARE


def worth_it(candidate: Candidate, documents: int) -> bool:
    """Whether ``candidate`` is so much more common than the typed word that it was meant."""
    return candidate.documents > 0 and (documents == 0 or candidate.documents >= CORRECTION_GAIN * documents)


def vocabulary_prefixes(word: str) -> tuple[str, ...]:
    """The two-letter starts of the vocabulary slices an engine scans for ``word``.

    The first letter is kept; the second may have been swapped with the third, or
    inserted or dropped (``nueral`` → ``ne…``), so both ``word[:2]`` and ``word[0] +
    word[2]`` are scanned. A mistyped second letter is not corrected.

    >>> vocabulary_prefixes("nueral")
    ('nu', 'ne')
    """
    return tuple(dict.fromkeys([word[:2], word[0] + word[2:3]]))


def osa_distance(a: str, b: str) -> int:
    """Optimal-string-alignment distance: Levenshtein plus swaps of neighbours.

    >>> osa_distance("atention", "attention"), osa_distance("graph", "garph")
    (1, 1)
    """
    return int(OSA.distance(a, b))


def spelling_candidates(word: str, vocabulary: Iterable[tuple[str, int]], limit: int = MAX_CANDIDATES,
                        stem_of: Callable[[str], str | None] | None = None) -> list[Candidate]:
    """Spellings of indexed stems close to ``word``, most likely first (fewest edits, then most documents).

    ``vocabulary`` is ``(stem, document count)`` pairs, typically the engine's terms in
    the slices of :func:`vocabulary_prefixes`. Each stem is aligned to every prefix of
    the word that leaves at most :data:`MAX_SUFFIX_CHARS` letters over; the spelling is
    the stem followed by those letters. A spelling equal to the word is never offered.

    A mistake in the ending ("predicton") leaves no stem + ending that spells a word, so
    when the engine can stem (``stem_of``), the word's :func:`single_edits` whose stem is
    in the vocabulary are candidates too ("prediction" → ``predict``).

    >>> [c.spelling for c in spelling_candidates("atention", [("attent", 900), ("atlas", 40), ("attend", 30)])]
    ['attention', 'attendion']
    >>> spelling_candidates("transfomer", [("transform", 5000)])
    [Candidate(spelling='transformer', stem='transform', documents=5000, edits=1)]
    """
    budget = max_edits(word)
    if not budget:
        return []
    n = len(word)
    low, high = n - MAX_SUFFIX_CHARS - budget, n + budget
    counts = dict(vocabulary)
    found: dict[str, Candidate] = {}
    if stem_of is not None:
        for spelling in single_edits(word):
            stem = stem_of(spelling)
            if stem is not None and counts.get(stem, 0) > 0:
                found[spelling] = Candidate(spelling, stem, counts[stem], 1)
    pool = {stem: count for stem, count in counts.items() if stem[:1] == word[:1] and low <= len(stem) <= high}
    if not pool:
        return _ranked(found, word, limit)
    stems = list(pool)
    cuts = list(range(max(1, n - MAX_SUFFIX_CHARS), n + 1))
    # One C++ pass over every (prefix, stem) pair; distances above the budget come back as budget + 1.
    dist = cdist([word[:k] for k in cuts], stems, scorer=OSA.distance, score_cutoff=budget, dtype=np.int32, workers=1)
    dist[dist == 0] = budget + 1  # an exact prefix would spell the typed word again
    # Among equally close prefixes the longest wins (argmin over the reversed rows): the
    # fewer letters of the typed word reused as an ending, the better.
    best_cut = len(cuts) - 1 - dist[::-1].argmin(axis=0)
    edits = dist[best_cut, np.arange(len(stems))]
    for i in np.flatnonzero(edits <= budget):
        stem, k = stems[i], cuts[best_cut[i]]
        cand = Candidate(stem + word[k:], stem, pool[stem], int(edits[i]))
        known = found.get(cand.spelling)
        if cand.spelling != word and (known is None or (cand.edits, -cand.documents) < (known.edits, -known.documents)):
            found[cand.spelling] = cand
    return _ranked(found, word, limit)


def _ranked(found: Mapping[str, Candidate], word: str, limit: int) -> list[Candidate]:
    return rank_candidates(found.values(), word)[:limit]


def rank_candidates(candidates: Iterable[Candidate], word: str) -> list[Candidate]:
    """Candidates for ``word`` best first: fewest edits, most documents, likeliest slip.

    Only spellings that keep the word's start (:func:`vocabulary_prefixes`) take part, so
    engines that generate candidates another way (PostgreSQL) obey the same rule.

    >>> [c.spelling for c in rank_candidates([Candidate("agention", "agent", 9, 1),
    ...                                       Candidate("attention", "attent", 5, 1)], "atention")]
    ['attention']
    """
    starts = vocabulary_prefixes(word)
    kept = [c for c in candidates if c.spelling.startswith(starts)]
    return sorted(kept, key=lambda c: (c.edits, -c.documents, _slip(c.spelling, word), c.spelling))


def _slip(spelling: str, word: str) -> int:
    """Which slip of the fingers turns ``spelling`` into ``word``, likeliest first.

    Spellings of one stem tie on documents ("generaton" → "generation" or "generator",
    both ``generat``, so either finds the same papers): the order only picks the one we
    show. Swapped neighbours first, then a dropped letter, a wrong letter, an extra one;
    a judgement call on typing slips, not a measured ranking.
    """
    grow = len(spelling) - len(word)
    if grow == 0:
        return 0 if sorted(spelling) == sorted(word) else 2
    return 1 if grow > 0 else 3


def single_edits(word: str, alphabet: str = "abcdefghijklmnopqrstuvwxyz") -> set[str]:
    """Every spelling one edit from ``word`` that keeps its first letter (Norvig's ``edits1``).

    For engines that cannot list their vocabulary cheaply (PostgreSQL): each candidate is
    looked up instead. The word's own letters join the alphabet, so accented words work.

    >>> sorted(single_edits("abc", "x"))[:6]
    ['aabc', 'aac', 'ab', 'aba', 'abac', 'abb']
    """
    letters = "".join(dict.fromkeys(alphabet + word))
    head, body = word[:1], word[1:]
    splits = [(body[:i], body[i:]) for i in range(len(body) + 1)]
    out = {head + a + b[1:] for a, b in splits if b}
    out |= {head + a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {head + a + c + b[1:] for a, b in splits if b for c in letters}
    out |= {head + a + c + b for a, b in splits for c in letters}
    out.discard(word)
    return out


def corrected_text(text: str, corrections: Mapping[str, str]) -> str:
    """``text`` with each corrected word (matched case-insensitively) replaced.

    >>> corrected_text("Transfomer atention, please", {"transfomer": "transformer", "atention": "attention"})
    'transformer attention, please'
    """
    if not corrections:
        return text
    return _WORD.sub(lambda m: corrections.get(m.group().lower(), m.group()), text)

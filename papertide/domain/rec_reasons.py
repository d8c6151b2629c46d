"""Why a paper was recommended: a short, honest reason per recommendation.

Reasons come from the same evidence the score used — a followed author or category matched, a
followed keyword query found in the title or abstract, the liked paper the candidate is closest to
— so the "why" never names something that did not move the score.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from papertide.domain.authors import author_key
from papertide.domain.recs_signals import Follow

# Phrase cosine below which the closest liked paper is not worth naming: papers sharing a
# topic typically score 0.1–0.3, near-duplicates 0.5+ (40 development readers' top 10: median
# 0.14, their own next papers 0.18; 70 % of recommendations clear the floor).
SIMILAR_FLOOR = 0.12
_WORD = re.compile(r"[^\W_]{2,}", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Reason:
    kind: str  # 'author' | 'category' | 'keyword' | 'similar' | 'topic'
    text: str
    arxiv_id: str | None = None  # the liked paper, for 'similar'


def query_terms(query: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(w.casefold() for w in _WORD.findall(query)))


def matches_query(terms: Sequence[str], text: str) -> bool:
    """Every term of a followed query appears in the text (as a word prefix, so plurals match)."""
    return _matches_words(terms, _words(text))


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}


def _matches_words(terms: Sequence[str], words: set[str]) -> bool:
    if not terms:
        return False
    return all(any(w.startswith(t) for w in words) for t in terms)


def follow_matches(
    follows: Sequence[Follow], authors: Sequence[str], categories: Sequence[str], text: str
) -> list[Reason]:
    """The follows a paper matches, as reasons (authors first: the most specific)."""
    keys = {author_key(a) for a in authors}
    cats = set(categories)
    words = _words(text)

    def matches(f: Follow) -> bool:
        if f.kind == "author":
            return f.value in keys
        if f.kind == "category":
            return f.value in cats
        return _matches_words(query_terms(f.value), words)

    return [follow_reason(f) for f in _by_kind(follows) if matches(f)]


def follow_reason(f: Follow) -> Reason:
    if f.kind == "author":
        return Reason("author", f"by {f.label or f.value}, whom you follow")
    if f.kind == "category":
        return Reason("category", f"in {f.value}, which you follow")
    return Reason("keyword", f"matches “{f.label or f.value}”")


def _by_kind(follows: Sequence[Follow]) -> list[Follow]:
    """Authors, then categories, then queries (each in the order followed): the reasons' order."""
    return [f for kind in ("author", "category", "query") for f in follows if f.kind == kind]


def reasons_by_row(follows: Sequence[Follow], rows_of: Callable[[Follow], Iterable[int]]) -> dict[int, list[Reason]]:
    """:func:`follow_matches` for a whole candidate list at once, given the rows each follow matches
    (from indexes built once per list: matching every candidate's text per request took seconds)."""
    out: dict[int, list[Reason]] = {}
    for f in _by_kind(follows):
        reason = follow_reason(f)
        for i in rows_of(f):
            out.setdefault(i, []).append(reason)
    return out


def query_rows(terms: Sequence[str], texts: Sequence[str], folded: Sequence[str]) -> list[int]:
    """The texts :func:`matches_query` accepts, given each text casefolded (``folded``).

    Case folding maps each character on its own, so a word of the text starting with a term puts
    the term inside the folded text: a substring test (in C) rules out most texts before the exact
    check splits any into words (which took seconds per request over a month's 12k abstracts).
    """
    if not terms:
        return []
    return [i for i, (text, low) in enumerate(zip(texts, folded, strict=True))
            if all(t in low for t in terms) and matches_query(terms, text)]


def similar_reason(similarity: float, liked_arxiv_id: str, liked_title: str) -> Reason | None:
    if similarity < SIMILAR_FLOOR:
        return None
    title = liked_title if len(liked_title) <= 90 else liked_title[:87].rstrip() + "…"
    return Reason("similar", f"close to “{title}”, which you liked", liked_arxiv_id)


def topic_reason(categories: Sequence[str], mix: dict[str, float]) -> Reason | None:
    """Fallback: the candidate sits in one of the reader's usual categories."""
    best = max(categories, key=lambda c: mix.get(c, 0.0), default=None)
    if best is None or mix.get(best, 0.0) < 0.05:
        return None
    return Reason("topic", f"in {best}, like many of the papers you liked")

"""Why a paper was recommended: a short, honest reason per recommendation.

Reasons come from the same evidence the score used — a followed author or category matched, a
followed keyword query found in the title or abstract, the liked paper the candidate is closest to
— so the "why" never names something that did not move the score.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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
    if not terms:
        return False
    words = {w.casefold() for w in _WORD.findall(text)}
    return all(any(w.startswith(t) for w in words) for t in terms)


def follow_matches(
    follows: Sequence[Follow], authors: Sequence[str], categories: Sequence[str], text: str
) -> list[Reason]:
    """The follows a paper matches, as reasons (authors first: the most specific)."""
    out: list[Reason] = []
    keys = {author_key(a) for a in authors}
    cats = set(categories)
    for f in follows:
        if f.kind == "author" and f.value in keys:
            out.append(Reason("author", f"by {f.label or f.value}, whom you follow"))
    for f in follows:
        if f.kind == "category" and f.value in cats:
            out.append(Reason("category", f"in {f.value}, which you follow"))
    for f in follows:
        if f.kind == "query" and matches_query(query_terms(f.value), text):
            out.append(Reason("keyword", f"matches “{f.label or f.value}”"))
    return out


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

"""Search as pure functions: query normalisation, FTS escaping, fusion, filters, highlights.

Nothing here touches a database or a model; storage/ and search/ feed these functions
plain values. Fusion weights and constants were chosen by measurement on SciFact
(bench/RESULTS.md, "## Search").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, TypeVar

from papertide.domain.cjk import cjk_bigrams, is_cjk_term

K = TypeVar("K", bound=Hashable)

MAX_QUERY_CHARS = 1_000  # longer input (a pasted abstract, 10 kB of junk) is cut here
MAX_QUERY_TERMS = 32  # terms kept for the lexical engine, in order of appearance
RRF_K = 60  # reciprocal-rank-fusion constant (Cormack et al. 2009)
# Weight of the dense score in the convex combination; the lexical score gets 1 - this.
# Keyword queries lean on the words (0.4); questions, which share few words with the
# abstracts that answer them, get equal weight. Chosen on our development set and SciFact
# together (bench/RESULTS.md, "Fusion, round two"); 0.4-0.5 differ by < 0.01 on both.
DENSE_WEIGHT = 0.4
QUESTION_DENSE_WEIGHT = 0.5
# "convex": z-scored convex combination (default); "convex-minmax": the same over min-max
# scaled scores (the default before; 0.005 lower on SciFact); "rrf": reciprocal rank fusion.
FUSION_METHODS = ("convex", "convex-minmax", "rrf")
# Cosine similarity below which a dense neighbour is not a match. Nearest neighbours always
# exist, so without a floor gibberish returned 200 unrelated papers. On the demo corpus the
# best neighbour of 30 real queries scored 0.389-0.699 and of 30 gibberish/off-topic ones
# 0.128-0.335; the search regression set's semantic-only "how do proteins fold" reaches its
# paper at 0.356. 0.345 sits between 0.335 and 0.356 (bench/search_floor.py, bench/RESULTS.md
# "Relevance floor").
DENSE_FLOOR = 0.345
SORTS = ("relevance", "date", "upvotes")

Sort = Literal["relevance", "date", "upvotes"]
Mode = Literal["hybrid", "lexical", "dense"]

# English function words that carry no search meaning. A query made only of them
# still returns a page (no lexical terms; the dense model may still match).
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves""".split()
)
# FTS5 and tsquery operators we must never pass through as syntax.
FTS_OPERATORS = frozenset({"and", "or", "not", "near"})

_WORD = re.compile(r"\w+", re.UNICODE)
_SPACE = re.compile(r"\s+")


def normalize_query(text: str) -> str:
    """Unicode-normalised, whitespace-collapsed, length-capped query text.

    >>> normalize_query("  graph\\u00a0neural   networks ")
    'graph neural networks'
    """
    flat = unicodedata.normalize("NFKC", text or "")
    flat = "".join(ch for ch in flat if ch.isprintable() or ch.isspace())
    return _SPACE.sub(" ", flat).strip()[:MAX_QUERY_CHARS]


def query_terms(text: str) -> tuple[str, ...]:
    """Lower-cased word terms of a query, without stop words, operators or duplicates.

    TeX and punctuation only separate words, so ``$\\alpha$-divergence`` gives
    ``('alpha', 'divergence')``. Chinese, Japanese and Korean runs become overlapping
    character bigrams, as the keyword index holds them (domain/cjk.py).

    >>> query_terms('"Attention" is ALL you need (NEAR transformers*)')
    ('attention', 'need', 'transformers')
    >>> query_terms("BERT模型压缩")
    ('bert', '模型', '型压', '压缩')
    """
    out: dict[str, None] = {}
    for m in _WORD.finditer(cjk_bigrams(normalize_query(text)).lower()):
        term = m.group().strip("_")
        if not term or term in STOP_WORDS or term in FTS_OPERATORS:
            continue
        out.setdefault(term, None)
        if len(out) >= MAX_QUERY_TERMS:
            break
    return tuple(out)


def fts5_match(terms: Sequence[str], operator: Literal["OR", "AND"] = "OR", prefixes: Sequence[str] = ()) -> str | None:
    """An FTS5 MATCH expression joining quoted terms with OR (default) or AND.

    Every term is a double-quoted string, so no character in it can act as FTS5
    syntax; quotes inside are doubled as FTS5 requires. ``prefixes`` match any token
    they start (``"x" *``). None when there is nothing to search for.

    >>> fts5_match(("graph", "neural"))
    '"graph" OR "neural"'
    >>> fts5_match(("graph",), "AND", prefixes=("学习",))
    '"graph" AND "学习" *'
    """
    quoted = ['"' + t.replace('"', '""') + '"' for t in terms]
    quoted += ['"' + p.replace('"', '""') + '" *' for p in prefixes]
    return f" {operator} ".join(quoted) if quoted else None


def tsquery_text(terms: Sequence[str]) -> str | None:
    """A ``to_tsquery`` input that ORs terms; only word characters survive.

    >>> tsquery_text(("graph", "neural"))
    'graph | neural'
    """
    safe = [re.sub(r"\W", "", t) for t in terms]
    safe = [t for t in safe if t]
    return " | ".join(safe) if safe else None


# ---------------------------------------------------------------------------- fusion


def rrf_fuse(rankings: Sequence[Sequence[K]], k: int = RRF_K, weights: Sequence[float] | None = None) -> list[tuple[K, float]]:
    """Reciprocal rank fusion: ``score(d) = Σ_i w_i / (k + rank_i(d))``, ranks from 1.

    Cormack, Clarke & Büttcher, "Reciprocal Rank Fusion outperforms Condorcet and
    individual Rank Learning Methods", SIGIR 2009. Ties break by first appearance.

    >>> rrf_fuse([["a", "b"], ["b", "c"]], k=1)
    [('b', 0.8333333333333333), ('a', 0.5), ('c', 0.3333333333333333)]
    """
    w = list(weights) if weights is not None else [1.0] * len(rankings)
    scores: dict[K, float] = {}
    for ranking, weight in zip(rankings, w, strict=True):
        for rank, key in enumerate(ranking, start=1):
            scores[key] = scores.get(key, 0.0) + weight / (k + rank)
    return sorted(scores.items(), key=lambda kv: -kv[1])


def minmax_normalise(scores: Mapping[K, float]) -> dict[K, float]:
    """Scale scores to [0, 1] (all equal → all 1.0).

    >>> minmax_normalise({"a": 2.0, "b": 4.0})
    {'a': 0.0, 'b': 1.0}
    """
    if not scores:
        return {}
    lo, hi = min(scores.values()), max(scores.values())
    if hi - lo <= 1e-12:
        return dict.fromkeys(scores, 1.0)
    return {key: (s - lo) / (hi - lo) for key, s in scores.items()}


def zscore_normalise(scores: Mapping[K, float]) -> dict[K, float]:
    """Standardise scores to mean 0, standard deviation 1 over the list (all equal → all 0.0).

    Unlike min-max, one runaway top score (a BM25 hit on a rare title word) does not
    squash every other score of its list towards 0.

    >>> zscore_normalise({"a": 1.0, "b": 3.0})
    {'a': -1.0, 'b': 1.0}
    """
    if not scores:
        return {}
    values = list(scores.values())
    mean = sum(values) / len(values)
    sd = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5
    if sd <= 1e-12:
        return dict.fromkeys(scores, 0.0)
    return {key: (s - mean) / sd for key, s in scores.items()}


def convex_fuse(
    lexical: Mapping[K, float],
    dense: Mapping[K, float],
    dense_weight: float = DENSE_WEIGHT,
    normalise: Literal["zscore", "minmax"] = "zscore",
    dense_of_rest: Mapping[K, float] | None = None,
) -> list[tuple[K, float]]:
    """Convex combination of normalised scores; a list missing a doc gives it that list's minimum.

    ``score(d) = (1 - w) · lex'(d) + w · dense'(d)`` (Bruch, Gai & Ingber, "An Analysis
    of Fusion Functions for Hybrid Retrieval", TOIS 2023, found this beats RRF when
    ``w`` is tuned). A doc one engine did not return scored at most that engine's last
    hit, so it gets the list's minimum (0 after min-max). Higher raw scores must mean
    better in both inputs.

    ``dense_of_rest`` holds the exact dense similarity of keyword hits that were not among
    the nearest neighbours (the service computes it from the stored vectors). They are
    scaled with the neighbour list's own statistics, so a keyword hit the dense side
    rates poorly no longer ties with the last neighbour, and one it rates well is not
    pushed down to it.

    >>> convex_fuse({"a": 10.0, "b": 5.0}, {"b": 0.9, "c": 0.5}, 0.5, "minmax")
    [('b', 0.5), ('a', 0.5), ('c', 0.0)]
    >>> [(k, round(s, 6)) for k, s in convex_fuse({"a": 10.0, "b": 5.0}, {"b": 0.9, "c": 0.5}, 0.5)]
    [('b', 0.0), ('a', 0.0), ('c', -1.0)]
    """
    if not 0.0 <= dense_weight <= 1.0:
        raise ValueError(f"dense_weight must be in [0, 1], got {dense_weight}")
    scale = zscore_normalise if normalise == "zscore" else minmax_normalise
    lex, den = scale(lexical), scale(dense)
    lex_floor, den_floor = min(lex.values(), default=0.0), min(den.values(), default=0.0)
    if dense_of_rest and dense:
        den = {**_rescale_like(dense, dense_of_rest, normalise), **den}
    keys = list(dict.fromkeys([*den, *lex]))
    fused = {
        key: (1 - dense_weight) * lex.get(key, lex_floor) + dense_weight * den.get(key, den_floor) for key in keys
    }
    return sorted(fused.items(), key=lambda kv: -kv[1])


def _rescale_like(
    reference: Mapping[K, float], extra: Mapping[K, float], normalise: Literal["zscore", "minmax"]
) -> dict[K, float]:
    """``extra`` scaled with the statistics of ``reference`` (its mean/sd, or its min/max)."""
    values = list(reference.values())
    if normalise == "zscore":
        mean = sum(values) / len(values)
        sd = (sum((v - mean) ** 2 for v in values) / len(values)) ** 0.5
        return {k: (s - mean) / sd if sd > 1e-12 else 0.0 for k, s in extra.items()}
    lo, hi = min(values), max(values)
    return {k: (s - lo) / (hi - lo) if hi - lo > 1e-12 else 1.0 for k, s in extra.items()}


_QUESTION_START = re.compile(
    r"^(how|what|which|why|when|where|who|whom|whose|is|are|was|were|do|does|did|can|could|should|would|will|"
    r"has|have|had|may|might|must|shall)\b", re.IGNORECASE)


def is_question(text: str) -> bool:
    """Whether a query is phrased as a question (a question word first, or a question mark last).

    >>> is_question("do language models just tell users what they want to hear?")
    True
    >>> is_question("speculative decoding draft model")
    False
    """
    flat = normalize_query(text)
    return flat.endswith("?") or bool(_QUESTION_START.match(flat))


def dense_weight_for(text: str, keyword_weight: float = DENSE_WEIGHT,
                     question_weight: float = QUESTION_DENSE_WEIGHT) -> float:
    """The dense side's fusion weight for this query's form."""
    return question_weight if is_question(text) else keyword_weight


def above_floor(hits: Sequence[tuple[K, float]], floor: float = DENSE_FLOOR) -> list[tuple[K, float]]:
    """The dense hits whose similarity reaches ``floor`` (the rest are neighbours, not matches).

    >>> above_floor([("a", 0.61), ("b", 0.36), ("c", 0.2)])
    [('a', 0.61), ('b', 0.36)]
    """
    return [(key, score) for key, score in hits if score >= floor]


def fuse(
    lexical: Sequence[tuple[K, float]],
    dense: Sequence[tuple[K, float]],
    method: str = "convex",
    dense_weight: float = DENSE_WEIGHT,
    dense_of_rest: Mapping[K, float] | None = None,
) -> list[tuple[K, float]]:
    """Fuse two ranked ``(key, score)`` lists, best first, by ``method``.

    An empty side means the other side alone decides (its own scores kept).
    ``dense_of_rest``: exact dense scores of keyword hits outside the dense list (convex only).
    """
    if not dense:
        return list(lexical)
    if not lexical:
        return list(dense)
    if method == "rrf":
        # Weights 2(1-w) and 2w keep plain RRF at w = 0.5.
        return rrf_fuse([[k for k, _ in lexical], [k for k, _ in dense]], weights=[2 * (1 - dense_weight), 2 * dense_weight])
    if method == "convex":
        return convex_fuse(dict(lexical), dict(dense), dense_weight, "zscore", dense_of_rest)
    if method == "convex-minmax":
        return convex_fuse(dict(lexical), dict(dense), dense_weight, "minmax", dense_of_rest)
    raise ValueError(f"unknown fusion method {method!r}; expected one of {FUSION_METHODS}")


# --------------------------------------------------------------------------- filters


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Restrictions that combine with any query (all optional)."""

    published_from: date | None = None
    published_to: date | None = None
    categories: tuple[str, ...] = ()  # a paper must have at least one of these
    exclude_categories: tuple[str, ...] = ()  # and none of these
    author: str | None = None  # case-insensitive substring of any author name
    listed_only: bool = False  # only papers that appeared on a daily list
    has_code: bool = False  # only papers naming a code repository

    @property
    def active(self) -> bool:
        return self != SearchFilters()


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """One search as the service receives it."""

    text: str
    filters: SearchFilters = field(default_factory=SearchFilters)
    sort: Sort = "relevance"
    page: int = 0
    page_size: int = 20
    mode: Mode = "hybrid"
    correct_spelling: bool = True  # False: search the words as typed ("Search instead for …")


_CATEGORY = re.compile(r"^[A-Za-z-]+(\.[A-Za-z-]+)?$")
MAX_FILTER_CATEGORIES = 20
MAX_AUTHOR_CHARS = 200


def parse_date(text: str | None) -> date | None:
    """``YYYY-MM-DD`` (or ``YYYY-MM``, ``YYYY``) → date; anything else → None.

    >>> parse_date("2024-05"), parse_date("nonsense")
    (datetime.date(2024, 5, 1), None)
    """
    s = (text or "").strip()
    for pattern, fmt in ((r"\d{4}-\d{2}-\d{2}", "%Y-%m-%d"), (r"\d{4}-\d{2}", "%Y-%m"), (r"\d{4}", "%Y")):
        if re.fullmatch(pattern, s):
            from datetime import datetime

            try:
                return datetime.strptime(s, fmt).date()
            except ValueError:
                return None
    return None


def parse_categories(values: Iterable[str] | str | None) -> tuple[str, ...]:
    """Category codes from form values (comma/space separated or repeated); junk dropped.

    >>> parse_categories(["cs.CL, cs.LG", "bad;code", "cs.CL"])
    ('cs.CL', 'cs.LG')
    """
    if values is None:
        return ()
    items = [values] if isinstance(values, str) else list(values)
    out: dict[str, None] = {}
    for item in items:
        for part in re.split(r"[,\s]+", item or ""):
            if part and _CATEGORY.match(part) and len(part) <= 32:
                out.setdefault(part, None)
    return tuple(out)[:MAX_FILTER_CATEGORIES]


def make_filters(
    published_from: str | None = None,
    published_to: str | None = None,
    categories: Iterable[str] | str | None = None,
    exclude_categories: Iterable[str] | str | None = None,
    author: str | None = None,
    listed_only: bool = False,
    has_code: bool = False,
) -> SearchFilters:
    """Validate raw (form or CLI) filter values into :class:`SearchFilters`.

    A reversed date range is swapped rather than returning nothing.
    """
    lo, hi = parse_date(published_from), parse_date(published_to)
    if lo and hi and lo > hi:
        lo, hi = hi, lo
    who = normalize_query(author or "")[:MAX_AUTHOR_CHARS] or None
    return SearchFilters(lo, hi, parse_categories(categories), parse_categories(exclude_categories), who, listed_only,
                         has_code)


def parse_sort(text: str | None) -> Sort:
    s = (text or "relevance").strip().lower()
    if s == "date":
        return "date"
    if s == "upvotes":
        return "upvotes"
    return "relevance"


# ------------------------------------------------------------------------ highlights


def _matches(word: str, terms: Sequence[str]) -> bool:
    return _matches_lower(word.lower(), tuple(terms))


@functools.lru_cache(maxsize=65_536)
def _matches_lower(w: str, terms: tuple[str, ...]) -> bool:
    # Cached: a results page tests the same few hundred words against the same terms
    # thousands of times (highlighting was ~15 ms a page uncached, bench/RESULTS.md).
    # Prefix match on either side stands in for stemming ("network" ~ "networks").
    # A CJK bigram term marks the whole run that holds it (runs are not split into words).
    return any(
        w == t or (len(t) >= 4 and w.startswith(t)) or (len(w) >= 4 and t.startswith(w) and len(t) - len(w) <= 3)
        or (is_cjk_term(t) and t in w)
        for t in terms
    )


def highlight(text: str, terms: Sequence[str]) -> list[tuple[str, bool]]:
    """Split ``text`` into ``(segment, is_match)`` pieces for rendering with <mark>.

    >>> highlight("Graph networks rock", ("network",))
    [('Graph ', False), ('networks', True), (' rock', False)]
    """
    if not terms or not text:
        return [(text, False)] if text else []
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in _WORD.finditer(text):
        if _matches(m.group(), terms):
            if m.start() > pos:
                out.append((text[pos : m.start()], False))
            out.append((m.group(), True))
            pos = m.end()
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
    first = next((m.start() for m in _WORD.finditer(flat) if terms and _matches(m.group(), terms)), 0)
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

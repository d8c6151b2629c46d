"""Queries as people type them: conversational framing and arXiv ids inside other words.

People type "is there any work on graph transformers?" or paste
"https://arxiv.org/abs/2405.12345v3 code?". The dense model copes with the first (it reads
the whole sentence), but BM25 weighs "work" like a topic word, and an arXiv URL becomes
the junk terms ``abs``, ``2405``, ``12345v3``. :func:`understand_query` splits a query into
what each side should see: the dense text (ids removed, framing kept), the lexical terms
(framing stripped too) and the arXiv ids it names.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from papertide.domain.operators import Operators, parse_operators
from papertide.domain.papers import InvalidArxivId, parse_arxiv_id
from papertide.domain.search import normalize_query, query_terms

K = TypeVar("K", bound=Hashable)

# ------------------------------------------------------------------------ framing

_APOS = "['’]"
# Words that turn a topic into "literature about the topic"; stripped only together with
# the preposition after them ("papers on X"), never alone, and only at the query's start.
_QUALITY = (r"(?:best|good|great|recent|latest|new|newest|current|key|important|main|seminal|influential|"
            r"relevant|top|popular|interesting|existing|prior|previous|state[- ]of[- ]the[- ]art|sota)")
_LITERATURE = (r"(?:papers?|works?|research|articles?|publications?|literature|studies|methods?|approach(?:es)?|"
               r"techniques?|ways?|resources)")
_ABOUT = (r"(?:on|about|regarding|concerning|into|for|to|in|of|related\s+to|dealing\s+with|"
          r"(?:that\s+)?(?:use|discuss|stud(?:y|ie)|address|propos|appl(?:y|ie)|explor|investigat)\w*)")
# Framing that may open a query, tried in order and repeatedly ("hi, can you find me
# recent papers on X"). Each row: (pattern, an example, what strip_framing leaves of it);
# the examples double as a unit-test table (tests/domain/test_queries.py).
FRAMING_PREFIXES: tuple[tuple[str, str, str], ...] = (
    (r"(?:hi|hello|hey|please)\b[,!]?\s*", "hi, papers on X", "X"),
    (r"(?:can|could|would|will)\s+(?:you|u)\s+(?:please\s+)?(?:help\s+me\s+)?"
     r"(?:find|show|give|get|recommend|suggest|list|point\s+me\s+to|tell\s+me\s+about)(?:\s+me)?\s+",
     "can you find me X", "X"),
    (rf"(?:i\s*{_APOS}?\s*m|i\s+am|we\s*{_APOS}?\s*re|we\s+are)\s+(?:looking|searching|hunting)\s+for\s+",
     "I'm looking for X", "X"),
    (rf"(?:i|we)\s+(?:want|need|would\s+like|{_APOS}d\s+like)\s+(?:to\s+(?:find|read|see|know|learn)\s+(?:about\s+)?)?",
     "I want to read about X", "X"),
    # An imperative only before "me" or a framing word: "show attend and tell" is a title.
    (r"(?:find|show|give|get|list|recommend|suggest|search\s+for|look\s+for|looking\s+for|searching\s+for)\s+"
     rf"(?:me\s+|(?=(?:some|any|a|an|the|all|{_QUALITY}|{_LITERATURE})\b))",
     "find me X", "X"),
    (r"(?:is|are)\s+there\s+(?:any|some)?\s*", "is there any X", "X"),
    (r"do\s+you\s+(?:have|know)\s+(?:of\s+|about\s+)?(?:any\s+|some\s+)?", "do you know of any X", "X"),
    (r"(?:tell|teach)\s+me\s+(?:about\s+)?", "tell me about X", "X"),
    (r"(?:anything|something|stuff)\s+(?:on|about|regarding)\s+", "anything on X", "X"),
    (r"(?:what|which|where)\s+(?:are|is|were|was)\s+", "what are the best methods for X", "X"),
    (r"how\s+(?:do|can|could|should|would|does|did)\s+(?:i|we|you|one|people|researchers)\s+",
     "how do I fine-tune X", "fine-tune X"),
    (r"how\s+to\s+", "how to X", "X"),
    (rf"(?:(?:the|some|any|a\s+few|all)\s+)?(?:{_QUALITY}\s+)*{_LITERATURE}\s+{_ABOUT}\s+",
     "recent research on X", "X"),
)
# Framing that may close a query.
FRAMING_SUFFIXES: tuple[tuple[str, str, str], ...] = (
    (r"\s*[?!.]+", "X?", "X"),
    (r"\s+(?:please|thanks|thank\s+you|thx)", "X please", "X"),
    (r"\s+(?:on|in|from)\s+arxiv", "X on arxiv", "X"),
    (r"\s+(?:research\s+)?(?:papers?|articles?|publications?)", "X papers", "X"),
)
MAX_FRAMING_PASSES = 6  # framing rows stripped from one end of a query at most
_PREFIXES = [re.compile(f"^(?:{p})", re.IGNORECASE) for p, _, _ in FRAMING_PREFIXES]
_SUFFIXES = [re.compile(f"(?:{p})$", re.IGNORECASE) for p, _, _ in FRAMING_SUFFIXES]


def strip_framing(text: str) -> str:
    """The query without conversational framing at its start and end (for lexical search).

    Conservative: only the phrases in :data:`FRAMING_PREFIXES` / :data:`FRAMING_SUFFIXES`
    go, "survey" and "review" stay (they are often the intent), and a query that would
    be left without a search term keeps all its words.

    >>> strip_framing("Is there any work on graph transformers?")
    'graph transformers'
    >>> strip_framing("survey of graph transformers")
    'survey of graph transformers'
    >>> strip_framing("Is there any?")
    'Is there any?'
    """
    rest = normalize_query(text)
    for patterns in (_PREFIXES, _SUFFIXES):
        for _ in range(MAX_FRAMING_PASSES):
            before = rest
            for pattern in patterns:
                rest = pattern.sub("", rest, count=1).strip()
            if rest == before:
                break
    return rest if query_terms(rest) else normalize_query(text)


# ------------------------------------------------------------------------ arXiv ids

# An id or arXiv / Hugging Face (or other site's) URL anywhere in a query, with an optional "arXiv" or
# "arXiv:" before it. Candidates are checked by papers.parse_arxiv_id (a bad month is
# not an id), so the patterns may be generous.
_MENTION = re.compile(
    r"(?i:\barxiv\b\s*[:#]?\s*)?"
    r"(?:(?i:(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html|format)/)(?P<url>[^\s?#]+)(?:[?#]\S*)?"
    r"|(?i:(?:https?://)?(?:www\.)?huggingface\.co/papers/)(?P<hf>[^\s?#]+)(?:[?#]\S*)?"
    # arXiv's DOI, bare, "doi:" or a doi.org link (its digits are no words to search).
    r"|(?i:(?:(?:https?://)?(?:dx\.)?doi\.org/|doi:\s*)?10\.48550/arxiv\.)(?P<doi>[^\s?#]+)(?:[?#]\S*)?"
    # Any other site's address ending in a new-style id (hf.co/papers/, alphaxiv.org/abs/, ...).
    r"|(?i:(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,}/(?:[^\s?#/]+/)*)(?P<web>\d{4}\.\d{4,5}(?:v\d+)?)(?i:\.pdf)?"
    r"(?=[\s?#/.,;:)\]}'\"]|$)(?:[?#]\S*)?"
    r"|(?P<new>\b\d{4}\.\d{4,5}(?:v\d+)?\b)(?i:\.pdf\b)?"  # also a downloaded PDF's name
    r"|(?P<old>\b[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?\b))"
    # The primary category of arXiv's "Cite as" line, "arXiv:2405.12345 [cs.CL]", is no search word.
    r"(?:\s+\[[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]+(?:-[a-z]+)*)?\])?",
    re.ASCII,
)


@dataclass(frozen=True, slots=True)
class UnderstoodQuery:
    """What each side of hybrid search gets from one typed query."""

    text: str  # normalised, as typed
    dense_text: str  # without arXiv ids and URLs (the embedding model reads framing well)
    lexical_text: str  # without ids and without framing
    terms: tuple[str, ...]  # query_terms(lexical_text)
    arxiv_ids: tuple[str, ...] = ()  # versionless, in order of appearance
    only_ids: bool = False  # nothing but ids / URLs (and "arXiv")
    names: frozenset[str] = frozenset()  # terms typed with capitals (Merlin, OPMLs): never "corrected"
    operators: Operators = Operators()  # "exact phrases" and -excluded words: filters on the ranking


def find_arxiv_ids(text: str) -> tuple[tuple[str, ...], str]:
    """The versionless arXiv ids mentioned in ``text``, and the text without them.

    >>> find_arxiv_ids("arXiv 2401.00003 results and hep-th/9901001v2")
    (('2401.00003', 'hep-th/9901001'), 'results and')
    >>> find_arxiv_ids("https://arxiv.org/abs/2401.00003v3 code?")
    (('2401.00003',), 'code?')
    """
    ids: dict[str, None] = {}

    def _take(m: re.Match[str]) -> str:
        raw = next(g for g in (m.group("url"), m.group("hf"), m.group("doi"), m.group("web"), m.group("new"),
                               m.group("old")) if g)
        try:
            ids.setdefault(parse_arxiv_id(raw.rstrip(".,;:)]}'\"")).id, None)
        except InvalidArxivId:
            return m.group()
        return " "

    rest = normalize_query(_MENTION.sub(_take, text))
    return tuple(ids), rest


def understand_query(text: str) -> UnderstoodQuery:
    """Split a typed query into dense text, lexical terms and the arXiv ids it names.

    >>> q = understand_query("Is there any work on 2401.00003 speedups for BERT?")
    >>> q.dense_text, q.terms, q.arxiv_ids, q.names
    ('Is there any work on speedups for BERT?', ('speedups', 'bert'), ('2401.00003',), frozenset({'bert'}))
    """
    query = normalize_query(text)
    operators, plain = parse_operators(query)
    ids, rest = find_arxiv_ids(plain) if plain else ((), "")
    lexical = strip_framing(rest) if rest else ""
    only_ids = bool(ids) and not query_terms(re.sub(r"(?i)\barxiv\b", " ", rest))
    dense = "" if only_ids else rest
    terms = query_terms(lexical) if not only_ids else ()
    exact = frozenset(w for run in operators.phrases for w in run)  # quoted: never "corrected" either
    return UnderstoodQuery(query, dense, lexical, terms, ids, only_ids, _names(lexical) | exact, operators)


# Why a query has no keywords to search: it names only arXiv ids, holds only -minus words,
# holds no letters or digits at all, or only very common words. The no-match page says which.
WordlessReason = Literal["ids", "minus", "symbols", "common"]


def wordless_reason(understood: UnderstoodQuery) -> WordlessReason | None:
    """Why ``understood`` has no keywords to search (None when it has some, or is empty).

    >>> [wordless_reason(understand_query(q)) for q in ("2405.12345", "-attention", "!!! 😀", "the of", "graphs")]
    ['ids', 'minus', 'symbols', 'common', None]
    """
    if understood.terms or not understood.text:
        return None
    if understood.arxiv_ids:
        return "ids"
    words = any(ch.isalnum() for ch in understood.lexical_text)
    if understood.operators.excluded and not understood.operators.phrases and not words:
        return "minus"
    if not words and not understood.operators.phrases:
        return "symbols"
    return "common"


def _names(text: str) -> frozenset[str]:
    """Lower-cased words typed with a capital, except a capital that only starts the query.

    People type topics in lower case; "Merlin", "UreH" or "OPMLs" are names and acronyms
    that a corpus may lack, and spelling them as its nearest word loses them.

    >>> sorted(_names("Transfomer for NF2 (Merlin) and YAP in mice"))
    ['merlin', 'nf2', 'yap']
    """
    words = re.findall(r"\w+", text)
    return frozenset(w.lower() for i, w in enumerate(words) if any(c.isupper() for c in (w[1:] if i == 0 else w)))


def pin_first(ranked: Sequence[tuple[K, float]], pinned: Sequence[K]) -> list[tuple[K, float]]:
    """``ranked`` with the ``pinned`` keys moved to the front, in order, scored at least the top score.

    >>> pin_first([("a", 3.0), ("b", 2.0), ("c", 1.0)], ["c", "z"])
    [('c', 3.0), ('z', 3.0), ('a', 3.0), ('b', 2.0)]
    """
    if not pinned:
        return list(ranked)
    top = ranked[0][1] if ranked else 1.0
    first = set(pinned)
    return [(key, top) for key in dict.fromkeys(pinned)] + [(k, s) for k, s in ranked if k not in first]

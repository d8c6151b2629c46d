"""Search as pure functions: query normalisation, FTS escaping, filters (highlights: domain/highlight.py;
fusion: domain/fusion.py).

Nothing here touches a database or a model; storage/ and search/ feed these functions
plain values.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from papertide.domain.arxiv_categories import canonical_category
from papertide.domain.cjk import cjk_bigrams

MAX_QUERY_CHARS = 1_000  # longer input (a pasted abstract, 10 kB of junk) is cut here
MAX_QUERY_TERMS = 32  # terms kept for the lexical engine, in order of appearance
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


# A hyphenated word of Latin letters and digits, starting with a letter: multi-modal, GPT-4,
# state-of-the-art. Not "5-VL" (from "Qwen2.5-VL") or "2-3".
_COMPOUND = re.compile(r"(?<![\w-])[A-Za-zÀ-ɏ][A-Za-zÀ-ɏ0-9]*(?:-[A-Za-zÀ-ɏ0-9]+)+(?![\w-])")
MAX_COMPOUND_CHARS = 40  # the keyword analyzers drop longer tokens anyway


def hyphen_compounds(text: str) -> tuple[str, ...]:
    """Each hyphenated word of ``text`` written as one word, lower case, once.

    Papers write "multi-modal" (3,345 of the 241,792-paper corpus) and "multimodal" (12,993),
    "pre-trained" and "pretrained" about equally; a keyword engine splits the first into "multi"
    and "modal", so someone typing "multimodal" missed the papers that hyphenate it. The keyword
    index holds the joined word beside the parts. A query's own hyphenated words are not joined:
    searching parts and joined word counts that idea twice for papers that hyphenate it, and
    measured worse (bench/RESULTS.md "Hyphenated words").

    >>> hyphen_compounds("Multi-modal pre-training, state-of-the-art GPT-4 on Qwen2.5-VL; 2-3 x")
    ('multimodal', 'pretraining', 'stateoftheart', 'gpt4')
    """
    if "-" not in text:
        return ()
    out: dict[str, None] = {}
    for m in _COMPOUND.finditer(text):
        joined = m.group().replace("-", "").lower()
        if len(joined) <= MAX_COMPOUND_CHARS:
            out.setdefault(joined, None)
    return tuple(out)


# British spellings the keyword index reads as American ones, on both sides: "optimisation" is in
# 739 abstracts of the shared corpus and "optimization" in 22,040, and the stemmer keeps them apart
# ("optimis" / "optim"). Only stems and suffixes that are unambiguous: never "emphasis", "four".
_IZE_STEMS = (
    "optimis|minimis|maximis|generalis|normalis|regularis|tokenis|visualis|characteris|summaris|"
    "parameteris|parametris|initialis|utilis|recognis|organis|specialis|standardis|categoris|"
    "prioritis|randomis|discretis|vectoris|quantis|synchronis|customis|personalis|localis|"
    "stabilis|realis|emphasis|memoris|criticis|finalis|hypothesis|polymeris|crystallis|ionis|"
    "linearis|marginalis|binaris|factoris|symmetris|diagonalis|canonicalis|neutralis|globalis"
)
_BRITISH = re.compile(
    rf"\b(?:(?P<ize>{_IZE_STEMS})(?P<ize_end>e|ed|es|ing|er|ers|ation|ations)"
    r"|(?P<isation>\w+)isation(?P<isation_end>s?)"
    r"|(?P<ll>model|label|signal|travel|cancel|channel|tunnel|level|fuel|counsel)l(?P<ll_end>ed|ing|er|ers)"
    r"|(?P<our>behavi|col|fav|neighb|harb|hon|lab|vap|rum|flav|hum)our(?P<our_end>s|ed|ing|al|ally|hood|hoods)?"
    r"|(?P<yse>analy|cataly|paraly)s(?P<yse_end>e|ed|ing|er|ers)"  # not "analyses", also the plural of "analysis"
    r"|(?P<re>cent|met|fib)re(?P<re_end>s?))\b",
    re.IGNORECASE,
)


def american_spelling(text: str) -> str:
    """``text`` with the British spellings above written the American way, case kept.

    >>> american_spelling("Optimisation of labelled neighbours: we analysed colour modelling")
    'Optimization of labeled neighbors: we analyzed color modeling'
    >>> american_spelling("emphasis on four hours at the centre")
    'emphasis on four hours at the center'
    >>> american_spelling("analysed data")
    'analyzed data'
    """
    if "is" not in text and "our" not in text and "ll" not in text and "re" not in text and "ys" not in text:
        return text
    return _BRITISH.sub(_american, text)


def _american(m: re.Match[str]) -> str:
    if stem := m["ize"]:  # optimis|e → optimiz|e, keeping an upper-case S upper case
        return stem[:-1] + ("z" if stem[-1] == "s" else "Z") + m["ize_end"]
    if stem := m["isation"]:
        return stem + "ization" + m["isation_end"]
    if stem := m["ll"]:
        return stem + m["ll_end"]
    if stem := m["our"]:
        return stem + "or" + (m["our_end"] or "")
    if stem := m["yse"]:
        return stem + "z" + m["yse_end"]
    return m["re"] + "er" + (m["re_end"] or "")


_AMERICAN = re.compile(
    r"^(?:(?P<ize>{})(?P<ize_end>e|ed|es|ing|er|ers|ation|ations)"
    r"|(?P<ization>\w+)ization(?P<ization_end>s?)"
    r"|(?P<ll>model|label|signal|travel|cancel|channel|tunnel|level|fuel|counsel)(?P<ll_end>ed|ing|er|ers)"
    r"|(?P<or>behavi|col|fav|neighb|harb|hon|lab|vap|rum|flav|hum)or(?P<or_end>s|ed|ing|al|ally|hood|hoods)?"
    r"|(?P<yze>analy|cataly|paraly)z(?P<yze_end>e|ed|ing|er|ers)"
    r"|(?P<er>cent|met|fib)er(?P<er_end>s?))$".format("|".join(s[:-1] + "z" for s in _IZE_STEMS.split("|")))
)


def british_spellings(word: str) -> tuple[str, ...]:
    """The British spellings that :func:`american_spelling` reads as this lower-case ``word``.

    >>> british_spellings("optimization"), british_spellings("colors"), british_spellings("graph")
    (('optimisation',), ('colours',), ())
    """
    m = _AMERICAN.match(word)
    if m is None:
        return ()
    if stem := m["ize"]:
        return (stem[:-1] + "s" + m["ize_end"],)
    if stem := m["ization"]:
        return (stem + "isation" + m["ization_end"],)
    if stem := m["ll"]:
        return (stem + "l" + m["ll_end"],)
    if stem := m["or"]:
        return (stem + "our" + (m["or_end"] or ""),)
    if stem := m["yze"]:
        return (stem + "s" + m["yze_end"],)
    return (m["er"] + "re" + (m["er_end"] or ""),)


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
                out.setdefault(canonical_category(part), None)
    return tuple(out)[:MAX_FILTER_CATEGORIES]


class InvalidFilter(ValueError):
    """A search filter value that cannot be read; the message says what to write instead."""


def _filter_date(name: str, text: str | None) -> tuple[date, date] | None:
    """The first and last day a typed date covers: one day, or a whole month or year."""
    given = (text or "").strip()
    if not given:
        return None
    found = parse_date(given)
    if found is None:
        raise InvalidFilter(f"{name} date {given[:40]!r} is not a date: write YYYY-MM-DD, YYYY-MM or YYYY")
    if len(given) == 4:  # YYYY
        return found, found.replace(month=12, day=31)
    if len(given) == 7:  # YYYY-MM
        return found, found.replace(day=calendar.monthrange(found.year, found.month)[1])
    return found, found


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

    A date may be a day, a month or a year; a month or year as the end of the range means its
    last day. A reversed date range is swapped rather than returning nothing. A date that is given but
    cannot be read raises :class:`InvalidFilter`: dropping it silently would show every paper
    under a filter the reader believes is on.
    """
    start, end = _filter_date("from", published_from), _filter_date("to", published_to)
    # "From 2023 to 2024" is both whole years: a month or year ends a range on its last day.
    lo, hi = (start[0] if start else None), (end[1] if end else None)
    if start and end and start[0] > end[1]:
        lo, hi = end[0], start[1]
    who = normalize_query(author or "")[:MAX_AUTHOR_CHARS] or None
    return SearchFilters(lo, hi, parse_categories(categories), parse_categories(exclude_categories), who, listed_only,
                         has_code)


def listing_sort(sort: Sort) -> Sort:
    """The order filters alone (no words) list papers in: with no words there is no relevance,
    so newest first (the page's sort box shows that order, not "relevance").

    >>> listing_sort("relevance"), listing_sort("upvotes")
    ('date', 'upvotes')
    """
    return "date" if sort == "relevance" else sort


def parse_sort(text: str | None) -> Sort:
    s = (text or "relevance").strip().lower()
    if s == "date":
        return "date"
    if s == "upvotes":
        return "upvotes"
    return "relevance"

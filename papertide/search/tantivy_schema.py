"""What the tantivy keyword index holds of a paper, and how a filter becomes part of its query.

The index's lifecycle (building, following the change log, answering) is in tantivy_index.py;
this module is the part an index built with other settings must not be mixed with, which
:data:`LAYOUT` names.

Every filter runs inside the index: categories, dates, listed-only and has-code are fields.
The author filter is a *substring* of an author's search key (case and accents folded) in SQL; the
index keeps those same keys as 2- and 3-letter grams, so "papers holding every trigram of the
needle" (or its one bigram) is a superset of the matches, which SQL then checks.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from papertide.domain.authors import search_key
from papertide.domain.cjk import cjk_bigrams
from papertide.domain.search import SearchFilters, american_spelling, hyphen_compounds
from papertide.storage import search_changes as changes
from papertide.storage.dialects.search_sqlite import TITLE_WEIGHT

# Bumped whenever the schema, tokenizer or boosts below change: an index built with
# other settings is rebuilt rather than silently mixed.
LAYOUT = ("papertide-tantivy-11 en_fold text=title*3+abstract+authors freq, CJK runs as bigrams, "
          "hyphenated words also joined, British spellings as American; "
          "category raw; published days; newest key; author search key 2-3 grams; listed; code")
TITLE_REPEAT = int(TITLE_WEIGHT)  # the title counts as often as FTS5's bm25() weights it
# Characters per author n-gram: trigrams select well; bigrams serve two-letter names (Li, Wu,
# Xu), which are common and otherwise leave SQL to check thousands of hits.
AUTHOR_GRAMS = (2, 3)
_AUTHOR_TOKENIZER = "author_grams"
# tantivy's en_stem plus ASCII folding, so "Schrodinger" and "Poincare" find the accented words
# (FTS5's remove_diacritics does the same on the SQL side).
_TEXT_TOKENIZER = "en_fold"
LONG_WORD_BYTES = 40  # the text analyzer drops tokens this long or longer (UTF-8 bytes)
_EPOCH = date(1970, 1, 1)
# The newest-first key: (days since 1970 + _DAY_OFFSET) in the high bits, the row id in the low 32,
# so one descending sort is SQL's "published DESC NULLS LAST, id DESC"; an unknown date has 0 days.
_DAY_OFFSET = 1 << 20
_ID_BITS = 32


def schema(tantivy: Any) -> Any:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("id", stored=False, indexed=True, fast=True)
    # One field holding the title TITLE_REPEAT times, then abstract and authors. That is
    # FTS5's bm25() (weighted term counts summed over columns, then one saturation),
    # which beat tantivy's per-field scores summed with a title boost on SciFact by
    # 0.09 nDCG@10 (bench/RESULTS.md).
    sb.add_text_field("text", stored=False, tokenizer_name=_TEXT_TOKENIZER, index_option="freq")
    sb.add_text_field("category", stored=False, tokenizer_name="raw", index_option="basic")
    sb.add_integer_field("published", stored=False, indexed=True, fast=True)  # days since 1970; -1 unknown
    # Browsing by filters reads the newest papers in the order SQL lists them (newest_key).
    sb.add_integer_field("newest", stored=False, indexed=False, fast=True)
    sb.add_text_field("author", stored=False, tokenizer_name=_AUTHOR_TOKENIZER, index_option="basic")
    sb.add_integer_field("listed", stored=False, indexed=True)  # 1: on a daily page
    sb.add_integer_field("code", stored=False, indexed=True)  # 1: names a code repository
    return sb.build()


def register_tokenizers(tantivy: Any, index: Any) -> None:
    """The text and author fields' tokenizers: an index opened without them cannot read those fields."""
    index.register_tokenizer(_TEXT_TOKENIZER, stemmer(tantivy))
    index.register_tokenizer(_AUTHOR_TOKENIZER, tantivy.TextAnalyzerBuilder(
        tantivy.Tokenizer.ngram(*AUTHOR_GRAMS, False)).filter(tantivy.Filter.lowercase()).build())


def stemmer(tantivy: Any) -> Any:
    """The text field's analyzer; spelling candidates are stemmed with it exactly as the index did."""
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.remove_long(LONG_WORD_BYTES))
            .filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.ascii_fold())
            .filter(tantivy.Filter.stemmer("english")).build())


def _words(text: str) -> str:
    # CJK runs become bigrams here and in query_terms, so a sub-phrase matches (domain/cjk.py);
    # hyphenated words are also held joined, so "multimodal" finds "multi-modal"; British spellings
    # are held as American ones, as queries are searched (domain/search.py).
    joined = hyphen_compounds(text)
    return american_spelling(cjk_bigrams(text)) + ("\n" + " ".join(joined) if joined else "")


def document(tantivy: Any, doc: changes.Document) -> Any:
    title = _words(doc.title)
    return tantivy.Document(
        id=doc.paper_id,
        # The author field keeps the authors' search keys: SQL's substring check reads the same keys.
        text="\n".join([title] * TITLE_REPEAT + [_words(doc.abstract), cjk_bigrams(doc.authors)]),
        category=list(doc.categories),
        published=_days(doc.published) if doc.published else -1,
        newest=newest_key(doc.published, doc.paper_id),
        author=doc.author_text,
        listed=int(doc.listed),
        code=int(doc.has_code),
    )


def filtered(tantivy: Any, index_schema: Any, query: Any, filters: SearchFilters) -> Any:
    """``query`` restricted to the papers passing ``filters`` (the author filter: a superset)."""
    t, must = tantivy, tantivy.Occur.Must
    clauses = [(must, query)]
    if filters.categories:
        clauses.append((must, t.Query.term_set_query(index_schema, "category", list(filters.categories))))
    if filters.exclude_categories:
        clauses.append((t.Occur.MustNot,
                        t.Query.term_set_query(index_schema, "category", list(filters.exclude_categories))))
    if filters.published_from or filters.published_to:
        # Lower bound 0, not open: an unknown date (-1) passes no date filter, as NULL in SQL.
        low = _days(filters.published_from) if filters.published_from else 0
        high = _days(filters.published_to) if filters.published_to else None
        clauses.append((must, t.Query.range_query(index_schema, "published", t.FieldType.Integer, low, high)))
    if filters.listed_only:
        clauses.append((must, t.Query.term_query(index_schema, "listed", 1)))
    if filters.has_code:
        clauses.append((must, t.Query.term_query(index_schema, "code", 1)))
    clauses.extend((must, t.Query.term_query(index_schema, "author", g)) for g in author_grams(filters.author or ""))
    return t.Query.boolean_query(clauses)


def _days(d: date) -> int:
    return (d - _EPOCH).days


def newest_key(published: date | None, paper_id: int) -> int:
    """A paper's place in newest-first order: later date first, then higher row id; no date last."""
    days = _days(published) + _DAY_OFFSET if published else 0
    return (days << _ID_BITS) | paper_id


def author_grams(needle: str) -> list[str]:
    """The n-grams a paper must hold to match an author needle: its trigrams, or itself at two letters."""
    s = search_key(needle)
    if len(s) < AUTHOR_GRAMS[0]:
        return []
    n = min(len(s), AUTHOR_GRAMS[1])
    return sorted({s[i : i + n] for i in range(len(s) - n + 1)})

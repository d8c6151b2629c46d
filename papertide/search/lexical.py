"""Lexical engines behind one small protocol: SQL (FTS5 / tsvector) and tantivy.

SQLite's FTS5 scores every row an OR query matches (80–200 ms for common words at
241k papers, bench/RESULTS.md); tantivy prunes with block-max WAND and answers the
same top-200 in a few ms, so SQLite mode uses it. It also applies the category and
date filters itself; the author-substring and listed-only filters are SQL, so those
queries go to FTS5, whose rows join ``papers``.

The tantivy index lives beside the database file and is kept current from the
``search_pending`` queue that triggers fill (0007_search_pending): each query first
indexes a few queued papers, so an import is searchable at once; bulk catch-up runs
in ``papertide search reindex``, after imports and in the web process's background
thread. Only one process can hold tantivy's writer: the others skip and search what
is committed.

Both engines also propose spellings for query words that match (almost) nothing
(:meth:`LexicalIndex.correct`): the candidates come from the engine's own vocabulary
(domain/spelling.py), so a correction is always a word the index holds.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import threading
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Protocol

from papertide.domain.cjk import cjk_bigrams
from papertide.domain.search import SearchFilters
from papertide.domain.spelling import is_suspect, max_edits, spelling_candidates, vocabulary_prefixes, worth_it
from papertide.storage import search as search_store
from papertide.storage import search_pending as queue
from papertide.storage.db import Database
from papertide.storage.dialects.search_sqlite import TITLE_WEIGHT

log = logging.getLogger(__name__)

Hits = list[tuple[int, float]]
ENGINES = ("auto", "sql", "tantivy")
# Bumped whenever the schema, tokenizer or boosts below change: an index built with
# other settings is rebuilt rather than silently mixed.
TANTIVY_LAYOUT = ("papertide-tantivy-4 en_stem text=title*3+abstract+authors freq, CJK runs as bigrams; "
                  "category raw; published days")
TITLE_REPEAT = int(TITLE_WEIGHT)  # the title counts as often as FTS5's bm25() weights it
INLINE_SYNC = 2_000  # queued papers a query indexes itself before answering
INLINE_BUILD_MAX = 20_000  # a never-built index this small is built by the first query
WRITER_HEAP = 128_000_000
VOCABULARY_SLICE = 5_000  # most common terms per two-letter start scanned for a spelling correction
_SPLIT = re.compile(r"[\W_]+", re.UNICODE)
_EPOCH = date(1970, 1, 1)


class LexicalIndex(Protocol):
    """Keyword search returning ``(paper row id, score)``, higher is better."""

    name: str

    def search(self, terms: Sequence[str], filters: SearchFilters, limit: int) -> Hits: ...

    def sync(self, limit: int | None = None) -> int:
        """Index papers changed since the last sync; returns how many."""
        ...

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Rebuild from the papers table; ``progress(done, total)``."""
        ...

    def correct(self, terms: Sequence[str]) -> dict[str, str]:
        """Spellings for the terms that look misspelt (found in no or almost no document), by term."""
        ...


class SqlLexicalIndex:
    """FTS5 on SQLite, BM25 over tsvector on PostgreSQL; kept by triggers in the same transaction."""

    name = "sql"

    def __init__(self, db: Database) -> None:
        self.db = db

    def search(self, terms: Sequence[str], filters: SearchFilters, limit: int) -> Hits:
        with self.db.read() as conn:
            return search_store.lexical_search(conn, terms, filters, limit)

    def sync(self, limit: int | None = None) -> int:
        return 0  # triggers keep it current

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> None:
        with self.db.write() as conn:
            search_store.rebuild_lexical_index(conn)

    def correct(self, terms: Sequence[str]) -> dict[str, str]:
        if not any(max_edits(t) for t in terms):
            return {}
        with self.db.read() as conn:
            return search_store.correct_terms(conn, terms)


class TantivyLexicalIndex:
    """A tantivy index in ``path`` over title (×3), abstract and authors, English stemming."""

    name = "tantivy"

    def __init__(self, db: Database, path: Path, fallback: LexicalIndex | None = None) -> None:
        import tantivy

        self._t = tantivy
        self.db = db
        self.path = path
        self.fallback = fallback or SqlLexicalIndex(db)
        self._sync_lock = threading.Lock()
        self._built = False
        self._too_big = False  # set once the corpus is known to be too big to build inline
        path.mkdir(parents=True, exist_ok=True)
        if self._layout() not in (None, TANTIVY_LAYOUT):
            log.warning("search index at %s has another layout; rebuilding it", path)
            shutil.rmtree(path)
            path.mkdir(parents=True)
        sb = tantivy.SchemaBuilder()
        sb.add_integer_field("id", stored=False, indexed=True, fast=True)
        # One field holding the title TITLE_REPEAT times, then abstract and authors. That is
        # FTS5's bm25() (weighted term counts summed over columns, then one saturation),
        # which beat tantivy's per-field scores summed with a title boost on SciFact by
        # 0.09 nDCG@10 (bench/RESULTS.md).
        sb.add_text_field("text", stored=False, tokenizer_name="en_stem", index_option="freq")
        # Filters the index can apply itself; author substrings and "listed" stay in SQL (FTS5).
        sb.add_text_field("category", stored=False, tokenizer_name="raw", index_option="basic")
        sb.add_integer_field("published", stored=False, indexed=True, fast=True)  # days since 1970; -1 unknown
        schema = sb.build()
        # tantivy's "en_stem" analyzer, rebuilt to stem candidate spellings exactly as the index did.
        self._stem = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple()).filter(tantivy.Filter.remove_long(40))
                      .filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.stemmer("english")).build())
        try:
            self.index = tantivy.Index(schema, path=str(path), reuse=True)
        except (ValueError, OSError):  # a half-built index of another schema (a crash before papertide.json)
            log.warning("search index at %s is unreadable; rebuilding it", path)
            shutil.rmtree(path)
            path.mkdir(parents=True)
            self.index = tantivy.Index(schema, path=str(path), reuse=True)

    # ------------------------------------------------------------------ state

    def _meta(self) -> Path:
        return self.path / "papertide.json"

    def _layout(self) -> str | None:
        try:
            return str(json.loads(self._meta().read_text())["layout"])
        except (OSError, ValueError, KeyError):
            return None

    @property
    def built(self) -> bool:
        if not self._built:  # once seen built, it stays so (saves a file read per query)
            self._built = self._layout() == TANTIVY_LAYOUT
        return self._built

    # ----------------------------------------------------------------- search

    def search(self, terms: Sequence[str], filters: SearchFilters, limit: int) -> Hits:
        if not terms:
            return []
        # The tantivy index holds no author, listing or repo fields: SQL answers those filters.
        if filters.author or filters.listed_only or filters.has_code or not (self.built or self._build_if_small()):
            return self.fallback.search(terms, filters, limit)
        with self.db.read() as conn:
            stale = queue.has_pending(conn)
        if stale:
            self.sync(INLINE_SYNC)
        words = [w for t in terms for w in _SPLIT.split(t.lower()) if w]
        if not words:
            return []
        try:
            query = self.index.parse_query(" ".join(words), ["text"])
        except ValueError:  # words are letters and digits only, but never 500 on a query
            query, _errors = self.index.parse_query_lenient(" ".join(words), ["text"])
        if filters.active:
            query = self._filtered(query, filters)
        searcher = self.index.searcher()
        # count=False lets tantivy skip blocks that cannot reach the top `limit`.
        hits = searcher.search(query, limit, count=False).hits
        ids = searcher.fast_field_values("id", [addr for _, addr in hits])
        return [(int(i), float(score)) for (score, _), i in zip(hits, ids, strict=True) if i is not None]

    def correct(self, terms: Sequence[str]) -> dict[str, str]:
        if not any(max_edits(t) for t in terms):
            return {}
        if not self.built:
            return self.fallback.correct(terms)
        searcher = self.index.searcher()
        out: dict[str, str] = {}
        for term in terms:
            stems = self._stem.analyze(term) if max_edits(term) else []
            if len(stems) != 1:
                continue
            documents = searcher.doc_freq("text", stems[0])
            if not is_suspect(documents, searcher.num_docs):
                continue
            vocabulary = [pair for start in vocabulary_prefixes(term)
                          for pair in searcher.terms_with_prefix("text", start, limit=VOCABULARY_SLICE)]
            for cand in spelling_candidates(term, vocabulary, stem_of=self._stem_of):
                # The spelling must stem to the term it was built from: "attent" + "ion" does,
                # a made-up ending such as "attendion" does not.
                if worth_it(cand, documents) and self._stem_of(cand.spelling) == cand.stem:
                    out[term] = cand.spelling
                    break
        return out

    def _stem_of(self, word: str) -> str | None:
        stems = self._stem.analyze(word)
        return stems[0] if len(stems) == 1 else None

    def _filtered(self, query, filters: SearchFilters):  # type: ignore[no-untyped-def]
        t, schema = self._t, self.index.schema
        clauses = [(t.Occur.Must, query)]
        if filters.categories:
            clauses.append((t.Occur.Must, t.Query.term_set_query(schema, "category", list(filters.categories))))
        if filters.exclude_categories:
            clauses.append((t.Occur.MustNot, t.Query.term_set_query(schema, "category", list(filters.exclude_categories))))
        if filters.published_from or filters.published_to:
            # Lower bound 0, not open: an unknown date (-1) passes no date filter, as NULL in SQL.
            low = _days(filters.published_from) if filters.published_from else 0
            high = _days(filters.published_to) if filters.published_to else None
            clauses.append((t.Occur.Must, t.Query.range_query(schema, "published", t.FieldType.Integer, low, high)))
        return t.Query.boolean_query(clauses)

    # ------------------------------------------------------------------ write

    def sync(self, limit: int | None = None) -> int:
        """Index queued papers (all, or ``limit``); 0 when another thread or process holds the writer."""
        if not self.built:
            return 0
        if not self._sync_lock.acquire(blocking=False):
            return 0
        try:
            with self.db.read() as conn:
                seen = queue.pending(conn, limit)
                docs = queue.documents(conn, [p for p, _ in seen]) if seen else []
            if not seen:
                return 0
            writer = self._writer()
            if writer is None:
                return 0
            for pid, _ in seen:
                writer.delete_documents_by_term("id", pid)
            for doc in docs:
                writer.add_document(self._doc(doc))
            writer.commit()
            writer.wait_merging_threads()
            self.index.reload()
            with self.db.write() as conn:
                queue.clear(conn, seen)
            return len(seen)
        finally:
            self._sync_lock.release()

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> None:
        with self._sync_lock:
            writer = self._writer(wait=True, threads=0)
            assert writer is not None
            # Queue rows seen before the full read are covered by it; later ones stay queued.
            with self.db.read() as conn:
                seen = queue.pending(conn)
            writer.delete_all_documents()
            with self.db.read() as conn:
                total, done = queue.count_papers(conn), 0
                for batch in queue.iter_documents(conn):
                    for doc in batch:
                        writer.add_document(self._doc(doc))
                    done += len(batch)
                    if progress is not None:
                        progress(done, total)
            writer.commit()
            writer.wait_merging_threads()
            self._meta().write_text(json.dumps({"layout": TANTIVY_LAYOUT}))
            self._built = True
            self.index.reload()
            with self.db.write() as conn:
                queue.clear(conn, seen)

    def _build_if_small(self) -> bool:
        """Build a never-built index on the spot when the corpus is small (demo, tests)."""
        if self._too_big:  # don't count every paper on every query until the build is done
            return False
        with self.db.read() as conn:
            self._too_big = queue.count_papers(conn) > INLINE_BUILD_MAX
        if not self._too_big:
            self.ensure_built()
        return not self._too_big

    def ensure_built(self, progress: Callable[[int, int], None] | None = None) -> bool:
        """Build the index if it never was; True when this call built it."""
        if self.built:
            return False
        self.rebuild(progress)
        return True

    def _writer(self, wait: bool = False, threads: int = 1):  # type: ignore[no-untyped-def]
        try:
            return self.index.writer(WRITER_HEAP * max(threads, 2) // 2, threads)
        except ValueError:
            if wait:
                raise
            log.info("search index writer busy (another process is indexing); skipping this sync")
            return None

    def _doc(self, doc: queue.Document):  # type: ignore[no-untyped-def]
        title = cjk_bigrams(doc.title)
        return self._t.Document(
            id=doc.paper_id,
            # CJK runs become bigrams here and in query_terms, so a sub-phrase matches (domain/cjk.py).
            text="\n".join([title] * TITLE_REPEAT + [cjk_bigrams(doc.abstract), cjk_bigrams(doc.authors)]),
            category=list(doc.categories),
            published=_days(doc.published) if doc.published else -1,
        )


def _days(d: date) -> int:
    return (d - _EPOCH).days


def index_path(db: Database) -> Path | None:
    """Where SQLite mode keeps its tantivy index: beside the database file (None in memory)."""
    if db.dialect != "sqlite":
        return None
    name = db.engine.url.database
    if not name or name == ":memory:":
        return None
    p = Path(name)
    return p.with_name(p.name + ".search")


def make_lexical_index(db: Database, engine: str = "auto") -> LexicalIndex:
    """tantivy for a SQLite file database ("auto"), else the SQL engine of the dialect."""
    if engine not in ENGINES:
        raise ValueError(f"unknown lexical engine {engine!r}; choose one of {', '.join(ENGINES)}")
    path = index_path(db)
    if engine == "sql" or path is None:
        if engine == "tantivy":
            raise ValueError("the tantivy lexical engine needs a SQLite database file")
        return SqlLexicalIndex(db)
    return TantivyLexicalIndex(db, path)

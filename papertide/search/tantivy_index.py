"""The tantivy keyword index: derived data on local disk, kept current from the database's change log.

One index per folder: beside a SQLite database file, or ``PAPERTIDE_SEARCH_INDEX_DIR``
(default ``DATA_DIR/search-index-<database>``) on PostgreSQL, where each host or process
keeps its own. Processes that share a folder share the index; only one can hold its
writer, the others skip syncing and search what is committed.

What it holds of a paper and how filters join its queries: tantivy_schema.py. The author
filter there admits a superset of the matches (every n-gram of the name), found in a few ms;
SQL checks the hits that would be shown (:meth:`TantivyLexicalIndex._author_checked`).

Chinese, Japanese and Korean runs are indexed as character bigrams (domain/cjk.py), as
queries are, so a sub-phrase matches; spelling corrections come from the index's own
vocabulary (:meth:`TantivyLexicalIndex.correct`, domain/spelling.py).
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import threading
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

from papertide.domain.authors import search_key
from papertide.domain.search import SearchFilters, american_spelling
from papertide.domain.spelling import is_suspect, max_edits, spelling_candidates, vocabulary_prefixes, worth_it
from papertide.search import tantivy_browse, tantivy_schema
from papertide.search.kept_filters import KeptFilterSets
from papertide.search.lexical import Hits, LexicalIndex, SqlLexicalIndex
from papertide.storage import papers as papers_store
from papertide.storage import search as search_store
from papertide.storage import search_changes as changes
from papertide.storage.db import Database

log = logging.getLogger(__name__)

INLINE_SYNC = 2_000  # change-log rows a query applies itself before answering
# How long a query waits for a sync another thread of this process is running (the
# search.keywords job) before answering from what is committed.
INLINE_WAIT_S = 1.0
INLINE_BUILD_MAX = 20_000  # a never-built index this small is built by the first query
WRITER_HEAP = 128_000_000
VOCABULARY_SLICE = 5_000  # most common terms per two-letter start scanned for a spelling correction
AUTHOR_CHECK_MAX = 12_800  # hits SQL checks for an author filter before handing the query to SQL
_SPLIT = re.compile(r"[\W_]+", re.UNICODE)


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
        self._identity: str | None = None  # the database's, read once (storage.search_changes)
        self._too_big = False  # set once the corpus is known to be too big to build inline
        self._author_lists = KeptFilterSets(db)
        self._stem = tantivy_schema.stemmer(tantivy)
        self._index: Any = None
        self._open_lock = threading.Lock()

    @property
    def index(self) -> Any:
        """The tantivy index, opened on first use.

        Not in ``__init__``: every command builds the services, also one that then refuses the
        database's schema (``serve`` before ``db upgrade``), and opening clears an index of another
        layout. Only a build or a search of a built index opens it, so such an index is cleared
        when it is being rebuilt, never by a process that ends up not using it.
        """
        if self._index is None:
            with self._open_lock:
                if self._index is None:
                    self._index = self._open()
        return self._index

    def _open(self) -> Any:
        tantivy, path = self._t, self.path
        path.mkdir(parents=True, exist_ok=True)
        if self._state().get("layout") not in (None, tantivy_schema.LAYOUT):
            log.warning("search index at %s has another layout; rebuilding it", path)
            self._clear_index_files()
        schema = tantivy_schema.schema(tantivy)
        try:
            index = tantivy.Index(schema, path=str(path), reuse=True)
        except (ValueError, OSError):  # a half-built index of another schema (a crash before papertide.json)
            log.warning("search index at %s is unreadable; rebuilding it", path)
            self._clear_index_files()
            index = tantivy.Index(schema, path=str(path), reuse=True)
        tantivy_schema.register_tokenizers(tantivy, index)
        return index

    def _clear_index_files(self) -> None:
        # Only tantivy's files: SQLite mode keeps its HNSW graph (vectors-*.usearch) in the same folder.
        for f in self.path.iterdir():
            if f.name.startswith("vectors-"):
                continue
            shutil.rmtree(f) if f.is_dir() else f.unlink()

    # ------------------------------------------------------------------ state
    # papertide.json holds the layout, the database the index was built from, and the
    # cursor: the last change-log row applied. Only the holder of tantivy's writer lock
    # writes it, after the index commit it describes, so a crash in between replays a few
    # changes (harmless) rather than skipping any.

    def _meta(self) -> Path:
        return self.path / "papertide.json"

    def _state(self) -> dict[str, Any]:
        try:
            state = json.loads(self._meta().read_text())
        except (OSError, ValueError):
            return {}
        return state if isinstance(state, dict) else {}

    def _write_state(self, cursor: changes.Cursor, identity: str) -> None:
        tmp = self._meta().with_suffix(".tmp")
        tmp.write_text(json.dumps({"layout": tantivy_schema.LAYOUT, "database": identity, "cursor": list(cursor)}))
        os.replace(tmp, self._meta())  # readers never see half a file

    def cursor(self) -> changes.Cursor:
        """The last change-log position this index has applied."""
        t, i = self._state().get("cursor", changes.START)
        return (int(t), int(i))

    def _database(self) -> str:
        if self._identity is None:
            with self.db.read() as conn:
                self._identity = changes.database_identity(conn)
        return self._identity

    @property
    def built(self) -> bool:
        if not self._built:  # once seen built, it stays so (saves a file read per query)
            state = self._state()
            self._built = state.get("layout") == tantivy_schema.LAYOUT and state.get("database") == self._database()
        return self._built

    def behind(self) -> int:
        """Change-log rows this index has yet to apply."""
        with self.db.read() as conn:
            return changes.count_after(conn, self.cursor())

    # ----------------------------------------------------------------- search

    def search(self, terms: Sequence[str], filters: SearchFilters, limit: int) -> Hits:
        if not terms:
            return []
        if not (self.built or self._build_if_small()):
            return self.fallback.search(terms, filters, limit)
        if not self._catch_up():
            return self.fallback.search(terms, filters, limit)
        query = self._words_query(terms)
        if query is None:
            return []
        if filters.active:
            query = tantivy_schema.filtered(self._t, self.index.schema, query, filters)
        if filters.author:
            return self._author_checked(query, terms, filters, limit)
        return self._top(query, limit)

    def _words_query(self, terms: Sequence[str], every: bool = False) -> Any:
        """The text query for ``terms`` (any word scores; ``every``: each word required), None without words."""
        words = [w for t in terms for w in _SPLIT.split(american_spelling(t).lower()) if w]
        if every:  # a word the analyzer drops (too long) would leave a clause nothing matches
            words = ["+" + w for w in words if len(w.encode()) < tantivy_schema.LONG_WORD_BYTES]
        if not words:
            return None
        try:
            return self.index.parse_query(" ".join(words), ["text"])
        except ValueError:  # words are letters and digits only, but never 500 on a query
            return self.index.parse_query_lenient(" ".join(words), ["text"])[0]

    def _top(self, query, limit: int) -> Hits:  # type: ignore[no-untyped-def]
        searcher = self.index.searcher()
        # count=False lets tantivy skip blocks that cannot reach the top `limit`.
        hits = searcher.search(query, limit, count=False).hits
        ids = searcher.fast_field_values("id", [addr for _, addr in hits])
        return [(int(i), float(score)) for (score, _), i in zip(hits, ids, strict=True) if i is not None]

    def _author_checked(self, query, terms: Sequence[str], filters: SearchFilters, limit: int) -> Hits:  # type: ignore[no-untyped-def]
        """Hits passing SQL's author substring test, from ever deeper pre-filtered lists.

        The pre-filter only admits papers holding every n-gram of the name, so it misses
        no match; once ``limit`` of its best hits pass (or it has no more), those are
        exactly the best matches. A one-letter name has no n-gram: then it is the text
        query alone that SQL checks.
        """
        only_author = SearchFilters(author=filters.author)
        listed = self._author_lists.passing(only_author)  # a name asked for again: its papers, listed once
        depth = limit
        while depth <= AUTHOR_CHECK_MAX:
            hits = self._top(query, depth)
            passing: Collection[int]
            if listed is not None:
                passing = listed
            else:
                with self.db.read() as conn:
                    passing = search_store.filter_among(conn, only_author, [i for i, _ in hits])
            kept = [h for h in hits if h[0] in passing]
            if len(kept) >= limit or len(hits) < depth:
                return kept[:limit]
            depth *= 4
        return self.fallback.search(terms, filters, limit)

    def newest(self, filters: SearchFilters, limit: int, terms: Sequence[str] = (),
               among: Sequence[int] | None = None) -> tuple[list[int], int] | None:
        """The ``limit`` newest papers passing ``filters`` and how many pass (tantivy_browse.py);
        None when SQL must answer (the index is not built, or cannot catch up with a small corpus).

        ``among`` checks papers a query of this request already found, so the log is not read again.
        """
        if not (self.built or self._build_if_small()) or among is None and not self._catch_up():
            return None
        t, schema = self._t, self.index.schema
        query = self._words_query(terms, every=True) if terms else t.Query.all_query()
        if query is None or among is not None and not among:
            return [], 0
        if among is not None:
            query = t.Query.boolean_query([(t.Occur.Must, query),
                                           (t.Occur.Must, t.Query.term_set_query(schema, "id", list(among)))])
        query = tantivy_schema.filtered(t, schema, query, filters)
        searcher = self.index.searcher()
        if filters.author:
            return tantivy_browse.newest_by_author(searcher, query, filters, limit, self.db, self._author_lists)
        return tantivy_browse.newest(searcher, query, limit)

    def papers_sharing_name(self, name: str, limit: int) -> list[int]:
        """Where to look for what a misspelt author filter meant; none until the index is built.

        First the papers holding a word one or two edits from each of ``name``'s words (the text
        field holds the authors' names too), then those whose authors hold the most of its
        n-grams. The n-grams alone lose a short name: "bengo" shares "ben" and "eng" with Bengio
        but all three of its grams with papers whose *different* authors are a Ben, a Cheng and
        a Ngo, and those fill the pool first.
        """
        grams = tantivy_schema.author_grams(name)
        if not grams or not self.built:
            return []
        t, schema = self._t, self.index.schema
        near = [t.Query.fuzzy_term_query(schema, "text", stem, distance=max_edits(word))
                for word in search_key(name).split() if max_edits(word) and word.isalpha()
                for stem in self._stem.analyze(word)]
        found = [i for i, _ in self._top(t.Query.boolean_query([(t.Occur.Should, q) for q in near]), limit)] if near else []
        query = t.Query.boolean_query([(t.Occur.Should, t.Query.term_query(schema, "author", g)) for g in grams])
        seen = set(found)
        return found + [i for i, _ in self._top(query, limit) if i not in seen]

    def _catch_up(self) -> bool:
        """Apply what the log holds beyond this index before answering from it (bounded).

        False when changes are still missing and the corpus is small: SQL then answers, with the
        papers just added (a large corpus answers from the index, a moment behind, rather than
        scan in SQL). Missing either because another thread or process holds the writer past our
        wait, or because an older write transaction still runs on the PostgreSQL server, so the
        log cannot yet be read in commit order past it.
        """
        with self.db.read() as conn:
            if not changes.has_visible_after(conn, self.cursor()):
                return True
        self.sync(INLINE_SYNC, wait_s=INLINE_WAIT_S)
        with self.db.read() as conn:
            if not changes.has_visible_after(conn, self.cursor()):
                return True
        return not self._small()

    def correct(self, terms: Sequence[str]) -> dict[str, str]:
        if not any(max_edits(t) for t in terms):
            return {}
        if not (self.built or self._build_if_small()):
            return self.fallback.correct(terms)
        self._catch_up()  # a word a paper added a moment ago is not a misspelling
        searcher = self.index.searcher()
        out: dict[str, str] = {}
        for term in terms:
            # Read as the index holds it: "optimisation" is a word there, not a misspelling.
            stems = self._stem.analyze(american_spelling(term)) if max_edits(term) else []
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

    # ------------------------------------------------------------------ write

    def sync(self, limit: int | None = None, wait_s: float = 0.0) -> int:
        """Apply change-log rows after the cursor (all, or ``limit``); returns how many.

        0 when another process holds the writer, or another thread of ours is syncing and
        does not finish within ``wait_s``: they are applying the rows.
        """
        if not self.built:
            return 0
        acquired = self._sync_lock.acquire(timeout=wait_s) if wait_s > 0 else self._sync_lock.acquire(blocking=False)
        if not acquired:
            return 0
        try:
            with self.db.read() as conn:
                if not changes.has_after(conn, self.cursor()):
                    return 0
            writer = self._writer()
            if writer is None:
                return 0
            # Read the cursor again now that we hold the writer: another process may have moved it.
            with self.db.read() as conn:
                batch = changes.read(conn, self.cursor(), limit)
                docs = changes.documents(conn, batch.paper_ids) if not batch.pruned else []
            if batch.pruned:
                log.warning("the search change log was pruned past this index's cursor; rebuilding %s", self.path)
                self._rebuild(writer)
                return batch.rows
            for pid in batch.paper_ids:
                writer.delete_documents_by_term("id", pid)
            for doc in docs:
                writer.add_document(tantivy_schema.document(self._t, doc))
            if batch.paper_ids:
                writer.commit()
                writer.wait_merging_threads()
            self._write_state(batch.cursor, self._database())
            self.index.reload()
            return batch.rows
        finally:
            self._sync_lock.release()

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> None:
        with self._sync_lock:
            writer = self._writer(wait=True, threads=0)
            assert writer is not None
            self._rebuild(writer, progress)

    def _rebuild(self, writer, progress: Callable[[int, int], None] | None = None) -> None:  # type: ignore[no-untyped-def]
        with self.db.read() as conn:
            # Taken before the full read: changes after it are replayed from the log.
            start = changes.horizon(conn)
            identity = changes.database_identity(conn)
        writer.delete_all_documents()
        with self.db.read() as conn:
            total, done = papers_store.count_papers(conn), 0
            for batch in changes.iter_documents(conn):
                for doc in batch:
                    writer.add_document(tantivy_schema.document(self._t, doc))
                done += len(batch)
                if progress is not None:
                    progress(done, total)
        writer.commit()
        writer.wait_merging_threads()
        self._write_state(start, identity)
        self._identity, self._built = identity, True
        self.index.reload()

    def _build_if_small(self) -> bool:
        """Build a never-built index on the spot when the corpus is small (demo, tests)."""
        if not self._small():
            return False
        self.ensure_built()
        # Not built yet when another thread or process holds the writer for its own build: until
        # that build is committed the index is empty, so the query goes to SQL.
        return self.built

    def _small(self) -> bool:
        """Whether SQL can stand in for this index (INLINE_BUILD_MAX papers or fewer); once the
        corpus is known to be bigger, papers are not counted again on every query."""
        if not self._too_big:
            with self.db.read() as conn:
                self._too_big = papers_store.count_papers(conn) > INLINE_BUILD_MAX
        return not self._too_big

    def ensure_built(self, progress: Callable[[int, int], None] | None = None) -> bool:
        """Build the index if it never was; True when this call built it.

        False also when another thread or process is building it (it holds the writer):
        queries go to SQL until that build is committed.
        """
        if self.built:
            return False
        with self._sync_lock:
            if self.built:  # another thread finished it while we waited
                return False
            writer = self._writer(threads=0)
            if writer is None:
                return False
            self._rebuild(writer, progress)
        return True

    def _writer(self, wait: bool = False, threads: int = 1):  # type: ignore[no-untyped-def]
        try:
            return self.index.writer(WRITER_HEAP * max(threads, 2) // 2, threads)
        except ValueError:
            if wait:
                raise
            log.info("search index writer busy (another process is indexing); skipping this sync")
            return None

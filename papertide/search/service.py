"""Hybrid search: lexical (FTS5 / tsvector) + dense (embeddings) → fused ranking.

The web search page, ``papertide search`` and ``papertide eval beir`` all call
:meth:`SearchService.search` / :meth:`SearchService.rank`, so the figures in
bench/RESULTS.md measure exactly what users get.

Before the engines see a query it is read as people type it (domain/queries.py): arXiv
ids and URLs in it pin those papers first, conversational framing is kept from the
keyword side, and a keyword that looks misspelt is searched as the index's closest
spelling (the page says "Showing results for …").
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from papertide.domain.authors import closest_names
from papertide.domain.fusion import DENSE_WEIGHT, QUESTION_DENSE_WEIGHT, admitted, dense_weight_for, fuse
from papertide.domain.highlight import best_snippet, highlight
from papertide.domain.languages import other_language
from papertide.domain.mathml import tex_to_text
from papertide.domain.operators import Operators, passes
from papertide.domain.papers import PaperEntry
from papertide.domain.queries import UnderstoodQuery, pin_first, understand_query
from papertide.domain.search import Mode, SearchFilters, SearchRequest, listing_sort
from papertide.domain.spelling import corrected_text, max_edits
from papertide.domain.suggestions import MAX_SUGGESTIONS, order_suggestions, read_typed
from papertide.search.browsing import browse, with_words
from papertide.search.embedders import Embedder, NullEmbedder, document_text
from papertide.search.lexical import LexicalIndex, make_lexical_index
from papertide.search.results import CANDIDATES, Ranking, SearchHit, SearchPage
from papertide.search.tantivy_index import TantivyLexicalIndex
from papertide.search.vectors import NullVectorIndex, PgVectorIndex, VectorIndex
from papertide.storage import authors as authors_store
from papertide.storage import embeddings as emb_store
from papertide.storage import github as github_store
from papertide.storage import papers as papers_store
from papertide.storage import search as search_store
from papertide.storage.db import Database
from papertide.telemetry.metrics import SEARCH_SECONDS

log = logging.getLogger(__name__)

# Sorting by date or upvotes reorders only the most relevant hits, so weak dense-only
# neighbours do not crowd the top of a "newest first" list.
SORTED_CANDIDATES = 50
NAME_POOL = 200  # papers whose authors a misspelt author filter is compared with (~40 ms at 241,792 papers)
# Nearest neighbours asked for under a filter. A filtered walk costs about k / (share passing)
# graph steps, and the fused ranking hardly depends on the list's depth, since every keyword hit
# gets its exact similarity anyway: development set 0.6601 / 0.6599, SciFact 0.7408 / 0.7396
# nDCG@10 with 200 / 100 neighbours (bench/RESULTS.md).
FILTERED_NEIGHBOURS = 100
EMBED_WRITE_BATCH = 64  # vectors per write transaction when embedding (resumable unit)
SNIPPET_CHARS = 300
SUGGESTION_POOL = 30  # keyword hits among which the typed word's completions are looked for
LEXICAL_THREADS = 4  # concurrent hybrid queries whose lexical half runs beside the dense half


def source_hash(title: str, abstract: str) -> str:
    """The hash stored beside a vector: of exactly the text we embedded."""
    return emb_store.text_hash(document_text(title, abstract))


class SearchService:
    """Owns the embedder and vector index; everything else goes through storage/."""

    def __init__(
        self,
        db: Database,
        embedder: Embedder | None = None,
        index: VectorIndex | None = None,
        fusion: str = "convex",
        dense_weight: float = DENSE_WEIGHT,
        lexical: LexicalIndex | None = None,
        dense_floor: float = 0.0,
        question_dense_weight: float = QUESTION_DENSE_WEIGHT,
    ) -> None:
        self.db = db
        self.lexical: LexicalIndex = lexical if lexical is not None else make_lexical_index(db)
        self.embedder: Embedder = embedder if embedder is not None else NullEmbedder()
        # Not `index or ...`: an empty index has len() 0 and is falsy.
        self.index: VectorIndex = index if index is not None else NullVectorIndex()
        self.fusion = fusion
        self.dense_weight = dense_weight
        self.question_dense_weight = question_dense_weight
        # 0 keeps every neighbour (evaluations that score the full ranking); the site passes
        # PAPERTIDE_SEARCH_DENSE_FLOOR so a query that matches nothing says so.
        self.dense_floor = dense_floor
        self._executor: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()
        # An in-memory SQLite database is per connection (per thread), so there the
        # lexical half must run on the calling thread.
        self._overlap = not (db.dialect == "sqlite" and db.engine.url.database in (None, "", ":memory:"))

    # ------------------------------------------------------------------ ranking

    def rank(self, text: str, filters: SearchFilters | None = None, mode: Mode = "hybrid",
             limit: int = CANDIDATES) -> list[tuple[int, float]]:
        """Fused ``(paper row id, score)`` list for a query, best first; held papers it names by arXiv id lead."""
        return self.rank_query(understand_query(text), filters, mode, limit).hits

    def rank_query(self, understood: UnderstoodQuery, filters: SearchFilters | None = None, mode: Mode = "hybrid",
                   limit: int = CANDIDATES, correct: bool = True) -> Ranking:
        """:meth:`rank` with what the page shows about it: corrections, pinned and unknown ids."""
        filters = filters or SearchFilters()
        pinned, missing = self._named_papers(understood.arxiv_ids, filters)
        corrections: dict[str, str] = {}
        ranked, vectors = self._fused(understood, filters, mode, limit, corrections if correct else None)
        if understood.operators:
            ranked = self._with_operators(ranked, understood.operators)
        terms = tuple(dict.fromkeys(corrections.get(t, t) for t in understood.terms))
        return Ranking(pin_first(ranked, pinned)[:limit], terms, corrections, pinned, missing, vectors)

    def _with_operators(self, ranked: list[tuple[int, float]], operators: Operators) -> list[tuple[int, float]]:
        """The candidates holding every "phrase" and no -excluded word (domain/operators.py)."""
        with self.db.read() as conn:
            texts = search_store.texts_by_row_id(conn, [pid for pid, _ in ranked])
        return [(pid, score) for pid, score in ranked if pid in texts and passes(texts[pid], operators)]

    def _named_papers(self, arxiv_ids: tuple[str, ...], filters: SearchFilters) -> tuple[tuple[int, ...], tuple[str, ...]]:
        """Row ids of the named papers we hold (and that pass ``filters``), and the ids we do not hold."""
        if not arxiv_ids:
            return (), ()
        with self.db.read() as conn:
            held = {aid: papers_store.paper_row_id(conn, aid) for aid in arxiv_ids}
            rows = [rid for rid in held.values() if rid is not None]
            if rows and filters.active:
                passing = search_store.filter_among(conn, filters, rows)
                rows = [rid for rid in rows if rid in passing]
        return tuple(rows), tuple(aid for aid, rid in held.items() if rid is None)

    def _lexical_hits(self, understood: UnderstoodQuery, filters: SearchFilters, limit: int,
                      corrections: dict[str, str] | None) -> list[tuple[int, float]]:
        """Keyword hits; a term that looks misspelt is searched as the index's spelling (into ``corrections``)."""
        terms = understood.terms
        suspects = [t for t in terms if max_edits(t) and t not in understood.names]
        if corrections is not None and suspects:
            found = self.lexical.correct(suspects)  # first, so the index is searched once
            if found:
                corrections.update(found)
                terms = tuple(dict.fromkeys(found.get(t, t) for t in terms))
        return self.lexical.search(terms, filters, limit)

    def _fused(self, understood: UnderstoodQuery, filters: SearchFilters, mode: Mode, limit: int,
               corrections: dict[str, str] | None) -> tuple[list[tuple[int, float]], bool]:
        """Fused hits, and whether the mode reads vectors and the index holds some."""
        # The dense model reads the whole question (framing helps it); keywords go without it.
        query = understood.dense_text
        terms = understood.terms
        want_lexical = mode in ("hybrid", "lexical") and bool(terms)
        vectors = mode in ("hybrid", "dense") and bool(self.embedder.dim) and bool(self.index)
        want_dense = vectors and bool(query)

        def run_lexical() -> list[tuple[int, float]]:
            return self._lexical_hits(understood, filters, limit, corrections)

        vector = None
        # Dense mode keeps the full list: its neighbours are all the pages it has.
        neighbours = min(limit, FILTERED_NEIGHBOURS) if filters.active and want_lexical else limit
        if want_lexical and want_dense and self._overlap:
            # The lexical query and the embedding + vector product all release the GIL, so
            # on two cores a hybrid query costs about the slower side, not the sum.
            pending = self._pool().submit(run_lexical)
            try:
                vector = self.embedder.embed_query(query)
                dense = self.index.search(vector, neighbours, filters)
            finally:
                lexical = pending.result()
        else:
            lexical = run_lexical() if want_lexical else []
            if want_dense:
                vector = self.embedder.embed_query(query)
            dense = self.index.search(vector, neighbours, filters) if vector is not None else []
        rest: dict[int, float] = {}
        if vector is not None and dense and lexical and self.fusion != "rrf":
            # Keyword hits outside the neighbour list get their real similarity, not a guess.
            near = {pid for pid, _ in dense}
            rest = self.index.similarities(vector, [pid for pid, _ in lexical if pid not in near])
        weight = dense_weight_for(query, self.dense_weight, self.question_dense_weight)
        fused = fuse(lexical, dense, self.fusion, weight, rest)
        if self.dense_floor > 0 and dense:
            fused = admitted(fused, lexical, dense, self.dense_floor)
        return fused[:limit], vectors

    def _pool(self) -> ThreadPoolExecutor:
        if self._executor is None:
            with self._executor_lock:
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(LEXICAL_THREADS, thread_name_prefix="papertide-lexical")
        return self._executor

    def close(self) -> None:
        """Stop the lexical worker threads (idle ones only hold a little memory)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    def search(self, request: SearchRequest) -> SearchPage:
        """One page of results for the web page and the CLI."""
        t0 = time.perf_counter()
        understood = understand_query(request.text)
        query, terms = understood.text, understood.terms
        if understood.only_ids and len(understood.arxiv_ids) == 1:  # an id or URL alone opens the paper
            aid = understood.arxiv_ids[0]
            with self.db.read() as conn:
                if papers_store.paper_row_id(conn, aid) is not None:
                    return SearchPage(request, query, terms, redirect=f"/papers/{aid}")
        size, start = request.page_size, request.page * request.page_size
        dense_used = every_word = False
        scores: dict[int, float] = {}
        ranking = Ranking([], terms)
        if not query:
            if not request.filters.active:
                return SearchPage(request, query, terms)
            # No text but filters: browse what passes them, newest or most upvoted first.
            sort = listing_sort(request.sort)
            ids, total = browse(self.db, self.lexical, request.filters, sort, size, start)
        else:
            ranking = self.rank_query(understood, request.filters, request.mode, correct=request.correct_spelling)
            ranked, terms = ranking.hits, ranking.terms
            dense_used = ranking.vectors
            if request.sort != "relevance":
                ranked = ranked[:SORTED_CANDIDATES]
            scores = dict(ranked)
            ordered = [pid for pid, _ in ranked]
            # Operators (phrases, -words) are checked on the best matches' texts only, and a
            # semantic-only search asked for no keyword matching: both sort their best matches.
            listing = None
            if request.sort != "relevance" and request.mode != "dense" and not understood.operators:
                listing = with_words(self.db, self.lexical, terms, request.filters, request.sort, ordered,
                                     start + size + len(ranking.pinned))
            if listing is not None:
                ordered, total = listing
                every_word = True
            else:
                with self.db.read() as conn:
                    ordered = search_store.sort_ids(conn, ordered, request.sort)
                total = len(ordered)
            # A paper the query names stays first whatever the sort.
            ordered = [*ranking.pinned, *(i for i in ordered if i not in ranking.pinned)]
            ids = ordered[start : start + size]
        with self.db.read() as conn:
            entries = papers_store.entries_by_row_id(conn, ids)
            # Each hit shows where its code is, as cards do (the page has a "Has code" filter).
            entries = dict(zip(entries, github_store.with_repo_stars(conn, list(entries.values())), strict=True))
        hits = [
            SearchHit(
                entries[i], scores.get(i, 0.0), highlight(entries[i].paper.title, terms),
                highlight(best_snippet(tex_to_text(entries[i].paper.abstract), terms, SNIPPET_CHARS), terms), i in ranking.pinned,
            )
            for i in ids
            if i in entries
        ]
        took = 1000 * (time.perf_counter() - t0)
        SEARCH_SECONDS.labels(request.mode if query else "browse").observe(took / 1000)
        corrected = corrected_text(query, ranking.corrections) if ranking.corrections else None
        return SearchPage(request, query, terms, hits, total, None, dense_used, took, corrected,
                          ranking.missing_ids, ranking.pinned, other_language(query), bool(understood.operators),
                          every_word)

    def author_suggestions(self, typed: str) -> list[str]:
        """Names held that look like ``typed``, an author filter that matched nothing: the papers
        sharing most of its n-grams in the keyword index, their authors compared with it."""
        if not isinstance(self.lexical, TantivyLexicalIndex):
            return []
        alone = self.lexical.newest(SearchFilters(author=typed), 1)
        if alone is None or alone[1]:  # the name is held: the other filters left nothing
            return []
        ids = self.lexical.papers_sharing_name(typed, NAME_POOL)
        with self.db.read() as conn:
            return closest_names(typed, authors_store.names_of_papers(conn, ids))

    def suggest(self, typed: str, limit: int = MAX_SUGGESTIONS) -> list[tuple[str, str]]:
        """``(arXiv id, title)`` of papers for a query still being typed, for the search box.

        Keywords only: asked on every keystroke, it must cost a keyword query (a few ms), not an
        embedding; no spelling correction either, as an unfinished word looks misspelt.
        """
        query = read_typed(typed)
        understood = understand_query(query.text) if query.worth_asking else None
        if understood is None:
            return []
        hits = self.lexical.search(understood.terms, SearchFilters(), SUGGESTION_POOL) if understood.terms else []
        with self.db.read() as conn:
            # A pasted arXiv id or link offers the paper it names (Enter would open it), by its title.
            named = [rid for rid in (papers_store.paper_row_id(conn, aid) for aid in understood.arxiv_ids[:limit])
                     if rid is not None]
            titles = search_store.titles_by_row_id(conn, [*named, *(pid for pid, _ in hits)])
        ranked = [(pid, titles[pid][1]) for pid, _ in hits if pid in titles and pid not in named]
        chosen = [*(pid for pid in named if pid in titles), *order_suggestions(ranked, query.partial, limit)][:limit]
        return [(titles[pid][0], " ".join(titles[pid][1].split())) for pid in chosen]

    def readiness(self) -> str:
        """Open the indexes queries need (loading this process's vectors on SQLite) and say which.

        Raises when one cannot be opened (a database without the search tables, an unreadable
        vector graph). A keyword index that is still being built is ready: SQL answers meanwhile.
        """
        inner = getattr(self.index, "inner", self.index)  # DeferredVectorIndex loads here, once
        if isinstance(inner, PgVectorIndex | NullVectorIndex):
            vectors = type(inner).__name__  # pgvector is the database: nothing to load, nothing to count
        else:
            vectors = f"{type(inner).__name__} ({len(inner):,} vectors)"
        return f"keywords: {self.keyword_engine()}; vectors: {vectors}"

    def keyword_engine(self) -> str:
        """Which engine answers keyword queries now, e.g. ``tantivy (3 changes behind)``."""
        sql = "FTS5" if self.db.dialect == "sqlite" else "SQL BM25"
        if not isinstance(self.lexical, TantivyLexicalIndex):
            return f"sql ({sql})"
        if not self.lexical.built:
            return f"tantivy (building; {sql} answers meanwhile)"
        return f"tantivy ({self.lexical.behind():,} changes behind)"

    # ---------------------------------------------------------------- similar

    def similar(self, arxiv_id: str, k: int = 10) -> list[tuple[PaperEntry, float]]:
        """Nearest papers to ``arxiv_id`` by embedding, excluding itself."""
        with self.db.read() as conn:
            pid = papers_store.paper_row_id(conn, arxiv_id)
        if pid is None:
            return []
        vec = self.index.vector_of(pid)
        if vec is None:
            return []
        hits = self.index.search(vec, k + 1, exclude=pid)
        hits = [(i, s) for i, s in hits if i != pid][:k]
        with self.db.read() as conn:
            entries = papers_store.entries_by_row_id(conn, [i for i, _ in hits])
        return [(entries[i], s) for i, s in hits if i in entries]

    # -------------------------------------------------------------- embedding

    def pending_keywords(self) -> int:
        """How many change-log rows the keyword index has yet to apply (0 for SQL, kept by triggers)."""
        return self.lexical.behind() if isinstance(self.lexical, TantivyLexicalIndex) else 0

    def pending(self) -> int:
        """How many papers lack a current embedding from the configured model."""
        if not self.embedder.dim:
            return 0
        with self.db.read() as conn:
            return sum(1 for _ in emb_store.iter_stale(conn, self.embedder.model_id, source_hash))

    def embed_pending(self, progress: Callable[[int], None] | None = None,
                      batch: int = EMBED_WRITE_BATCH, limit: int | None = None,
                      stop: Callable[[], bool] | None = None, planned: Callable[[int], None] | None = None) -> int:
        """Embed every paper whose vector is missing or stale; returns how many.

        ``planned`` is told how many that is before the first batch, ``progress`` each batch's size.
        Each batch commits on its own, so an interrupted run resumes where it stopped.
        """
        if not self.embedder.dim:
            return 0
        with self.db.read() as conn:
            todo = list(itertools.islice(emb_store.iter_stale(conn, self.embedder.model_id, source_hash), limit))
        if planned is not None:
            planned(len(todo))
        done = 0
        for i in range(0, len(todo), batch):
            if stop is not None and stop():
                break
            chunk = todo[i : i + batch]
            texts = [document_text(p.title, p.abstract) for p in chunk]
            vectors = self.embedder.embed_documents(texts)
            with self.db.write() as conn:
                emb_store.upsert_vectors(
                    conn, self.embedder.model_id, [p.paper_id for p in chunk],
                    [emb_store.text_hash(t) for t in texts], vectors,
                )
            done += len(chunk)
            if progress is not None:
                progress(len(chunk))
        if done:
            self.index.refresh()
        return done

    def reindex_lexical(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Rebuild the lexical index (and the SQL one behind tantivy, which filtered queries use)."""
        fallback = getattr(self.lexical, "fallback", None)
        if fallback is not None:
            fallback.rebuild()
        self.lexical.rebuild(progress)


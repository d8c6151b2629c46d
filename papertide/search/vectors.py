"""Vector indexes behind one small protocol: exact numpy, HNSW (usearch), pgvector, Null.

SQLite mode searches exactly (one float32 matrix-vector product) below
``HNSW_MIN_VECTORS`` papers; above it the product reads too much memory per query
(~54 ms at 241,792 × 384, bench/RESULTS.md), so it uses a usearch HNSW graph saved
beside the database and extended as vectors are written. PostgreSQL mode asks
pgvector's HNSW index in the database, so every web worker shares it and filters run
in SQL.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from papertide.domain.search import SearchFilters
from papertide.search.graph_filters import FilteredGraphSearch
from papertide.search.lexical import index_path
from papertide.search.usearch_lib import usearch_index
from papertide.storage import embeddings as emb_store
from papertide.storage import search as search_store
from papertide.storage.db import Database

if TYPE_CHECKING:
    # For annotations only; at run time usearch is imported lazily, through usearch_lib.
    from usearch.index import Index

log = logging.getLogger(__name__)

Hits = list[tuple[int, float]]
VECTOR_INDEXES = ("auto", "exact", "hnsw")
HNSW_MIN_VECTORS = 100_000  # "auto" switches from exact search to HNSW at this size
# Vectors a restored graph takes in while a process opens it (about a second of adding);
# a longer backlog is added by the background refresh while the saved graph answers.
INLINE_CATCH_UP = 2_000
# Vectors per add call into a graph that searches are reading: a search waits for the call
# in progress. At 241,792 papers, 64 keep searches at their idle p50 while a 42,747-vector
# backlog goes in (worst wait 63 ms against 12.7 s for one call) for ~20 % more adding time
# (bench/hnsw_refresh_bench.py, bench/RESULTS.md).
LIVE_ADD_CHUNK = 64
# Graph settings, checked for recall@10 >= 0.98 against exact search on real MiniLM
# vectors of the arXiv corpus (bench/hnsw_recall.py, bench/RESULTS.md).
HNSW_DTYPE = "f16"
HNSW_CONNECTIVITY = 16
HNSW_EXPANSION_ADD = 128
HNSW_EXPANSION_SEARCH = 768  # recall@10 0.985 on search-box queries at 241k (256: 0.961)
# Unfiltered walks remembered per graph version. The same walk comes again and again: every
# uncached render of a paper page asks for that paper's neighbours (signed-in readers always
# render), and a walk at HNSW_EXPANSION_SEARCH costs 1.5-3 ms at 241k papers. ~3 MB at most.
WALKS_KEPT = 2_048
SIZE_TTL_S = 600.0  # how long PgVectorIndex trusts its estimate of the collection's size
HNSW_LAYOUT = f"usearch {HNSW_DTYPE} M{HNSW_CONNECTIVITY} efc{HNSW_EXPANSION_ADD}"


@runtime_checkable
class VectorIndex(Protocol):
    """Nearest papers to a unit vector, by inner product (= cosine)."""

    def search(self, query: npt.NDArray[np.float32], k: int, filters: SearchFilters | None = None,
               exclude: int | None = None) -> Hits:
        """Up to ``k`` (paper row id, similarity) pairs, best first."""
        ...

    def vector_of(self, paper_id: int) -> npt.NDArray[np.float32] | None:
        """The stored vector of a paper, if it has one."""
        ...

    def similarities(self, query: npt.NDArray[np.float32], paper_ids: Sequence[int]) -> dict[int, float]:
        """Exact similarity of ``query`` to each of ``paper_ids`` that has a vector.

        Fusion scores the keyword side's hits on the dense side with this, instead of
        guessing a score for hits that were not among the nearest neighbours.
        """
        ...

    def refresh(self) -> None:
        """Pick up vectors written since the index was built."""
        ...

    def __len__(self) -> int: ...


def _top_k(ids: npt.NDArray[np.integer], scores: npt.NDArray[np.float32], k: int) -> Hits:
    """The ``k`` best ``(id, score)`` pairs, best first; -inf scores (filtered out) are dropped."""
    k = min(k, len(ids))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(ids[i]), float(scores[i])) for i in top if np.isfinite(scores[i])]


class NullVectorIndex:
    """No vectors: dense search returns nothing, so search is lexical only."""

    def search(self, query: npt.NDArray[np.float32], k: int, filters: SearchFilters | None = None,
               exclude: int | None = None) -> Hits:
        return []

    def vector_of(self, paper_id: int) -> npt.NDArray[np.float32] | None:
        return None

    def similarities(self, query: npt.NDArray[np.float32], paper_ids: Sequence[int]) -> dict[int, float]:
        return {}

    def refresh(self) -> None:
        return None

    def __len__(self) -> int:
        return 0


class NumpyVectorIndex:
    """Exact search over all stored vectors of one model, held in memory as float32."""

    def __init__(self, db: Database, model_id: str) -> None:
        self.db = db
        self.model_id = model_id
        self._lock = threading.Lock()
        self._ids = np.zeros(0, dtype=np.int64)
        self._matrix = np.zeros((0, 0), dtype=np.float32)
        self._pos: dict[int, int] = {}
        self.refresh()

    def refresh(self) -> None:
        with self.db.read() as conn:
            ids, matrix = emb_store.load_vectors(conn, self.model_id)
        order = np.argsort(ids)
        with self._lock:
            self._ids, self._matrix = ids[order], matrix[order] if len(ids) else matrix
            self._pos = {int(i): n for n, i in enumerate(self._ids)}

    def __len__(self) -> int:
        return len(self._ids)

    def vector_of(self, paper_id: int) -> npt.NDArray[np.float32] | None:
        n = self._pos.get(paper_id)
        return None if n is None else self._matrix[n]

    def similarities(self, query: npt.NDArray[np.float32], paper_ids: Sequence[int]) -> dict[int, float]:
        pos, matrix = self._pos, self._matrix
        found = [(i, pos[i]) for i in paper_ids if i in pos]
        if not found or query.shape[-1] != matrix.shape[1]:
            return {}
        scores = matrix[[n for _, n in found]] @ query.astype(np.float32)
        return {i: float(s) for (i, _), s in zip(found, scores, strict=True)}

    def search(self, query: npt.NDArray[np.float32], k: int, filters: SearchFilters | None = None,
               exclude: int | None = None) -> Hits:
        ids, matrix = self._ids, self._matrix
        if not len(ids) or query.shape[-1] != matrix.shape[1]:
            return []
        scores = matrix @ query.astype(np.float32)
        if filters is not None and filters.active:
            with self.db.read() as conn:
                allowed = search_store.filtered_ids(conn, filters)
            mask = np.isin(ids, np.fromiter(allowed, dtype=np.int64, count=len(allowed)))
            scores = np.where(mask, scores, -np.inf)
        if exclude is not None and exclude in self._pos:
            scores[self._pos[exclude]] = -np.inf
        return _top_k(ids, scores, k)


class PgVectorIndex:
    """pgvector HNSW search in PostgreSQL; filters become SQL conditions."""

    def __init__(self, db: Database, model_id: str) -> None:
        self.db = db
        self.model_id = model_id
        self._size: tuple[float, int] | None = None  # (monotonic time read, estimated vectors)

    def search(self, query: npt.NDArray[np.float32], k: int, filters: SearchFilters | None = None,
               exclude: int | None = None) -> Hits:
        if query.size == 0:
            return []
        with self.db.read() as conn:
            # About how many vectors are stored (the graph's size sets how wide a search must look),
            # re-read every SIZE_TTL_S: the estimate only moves when PostgreSQL analyses the table.
            now = time.monotonic()
            if self._size is None or now - self._size[0] > SIZE_TTL_S:
                self._size = (now, emb_store.estimated_vectors(conn))
            return emb_store.knn_postgres(conn, self.model_id, query, k, filters, exclude, self._size[1])

    def vector_of(self, paper_id: int) -> npt.NDArray[np.float32] | None:
        with self.db.read() as conn:
            return emb_store.get_vector(conn, paper_id, self.model_id)

    def similarities(self, query: npt.NDArray[np.float32], paper_ids: Sequence[int]) -> dict[int, float]:
        if query.size == 0 or not paper_ids:
            return {}
        with self.db.read() as conn:
            return emb_store.similarities_postgres(conn, self.model_id, query, paper_ids)

    def refresh(self) -> None:
        return None  # the database is the index

    def __len__(self) -> int:
        with self.db.read() as conn:
            return emb_store.count_vectors(conn, self.model_id)

    def __bool__(self) -> bool:
        # Search asks this on every query; a count(*) over the vectors cost 14 ms a time at 241k.
        with self.db.read() as conn:
            return emb_store.any_vectors(conn, self.model_id)


def new_hnsw(ndim: int) -> Index:
    """An empty usearch graph with papertide's settings (inner product over unit vectors)."""
    graph: Index = usearch_index().Index(
        ndim=ndim, metric="ip", dtype=HNSW_DTYPE, connectivity=HNSW_CONNECTIVITY,
        expansion_add=HNSW_EXPANSION_ADD, expansion_search=HNSW_EXPANSION_SEARCH,
    )
    return graph


class HnswVectorIndex:
    """Approximate search over a usearch HNSW graph kept in ``path`` (+ ``.json``), one model."""

    def __init__(self, db: Database, model_id: str, path: Path, threads: int = 0) -> None:
        self.db = db
        self.model_id = model_id
        self.path = path
        self.threads = threads
        self._lock = threading.Lock()
        self._graph: Index | None = None
        self._filtered = FilteredGraphSearch(db)
        self._version = 0  # counts the graph's changes: vectors kept for filters are of one version
        self._walks: OrderedDict[tuple[bytes, int], tuple[int, Hits]] = OrderedDict()  # see WALKS_KEPT
        self._walks_lock = threading.Lock()
        self._since: datetime | None = None  # vectors written at or after this are (re)read
        self._load()
        if self._graph is not None and self._backlog() <= INLINE_CATCH_UP:
            self.refresh()  # a few vectors written since the graph was saved: caught up at once
        # A longer backlog (a bulk import or a re-embedding since the graph was saved: 86,799
        # vectors took minutes to add at 241,792 papers), like a graph never built, is left to
        # refresh() — the web process's background thread, `papertide embed` / `search
        # reindex`. Meanwhile the saved graph answers, a little behind (or, with none, search
        # runs on keywords alone), instead of every search waiting on this constructor.

    def _meta_path(self) -> Path:
        return self.path.with_suffix(".json")

    def _backlog(self) -> int:
        """Vectors written since the saved graph (all of them when it records no time)."""
        with self.db.read() as conn:
            if self._since is None:
                return emb_store.count_vectors(conn, self.model_id)
            return emb_store.count_written_since(conn, self.model_id, self._since - timedelta(seconds=1))

    def _load(self) -> None:
        try:
            meta = json.loads(self._meta_path().read_text())
        except (OSError, ValueError):
            return
        if meta.get("layout") != HNSW_LAYOUT or meta.get("model") != self.model_id or not self.path.exists():
            log.warning("vector index %s was built with other settings; rebuilding it", self.path)
            return
        graph: Index | None = usearch_index().Index.restore(str(self.path))
        if graph is None:
            return
        # usearch has this setter, but declared apart from its getter, so mypy sees it read-only.
        graph.expansion_search = HNSW_EXPANSION_SEARCH  # type: ignore[misc]
        self._graph = graph
        self._since = datetime.fromisoformat(meta["since"]) if meta.get("since") else None

    def refresh(self) -> None:
        """Add vectors written since the last refresh (all of them the first time); save the graph."""
        with self._lock:
            with self.db.read() as conn:
                newest = emb_store.last_written(conn, self.model_id)
                if newest is None or (self._since is not None and self._graph is not None and newest < self._since):
                    return
                # A second earlier: SQLite stores whole-second text timestamps, so a vector
                # written in the same second as the last refresh must still be read.
                since = self._since - timedelta(seconds=1) if self._graph is not None and self._since else None
                ids, matrix = emb_store.load_vectors(conn, self.model_id, since)
            if not len(ids):
                return
            live = self._graph is not None
            graph = self._graph if self._graph is not None else new_hnsw(matrix.shape[1])
            keys = ids.astype(np.uint64)
            # A search of a graph waits until an add call on it returns, so the graph searches
            # are reading takes vectors a slice at a time (a whole backlog in one call held
            # every search for minutes); a graph nobody reads yet takes them in one call.
            step = LIVE_ADD_CHUNK if live else len(keys)
            for start in range(0, len(keys), step):
                chunk = keys[start:start + step]
                present = np.asarray(graph.contains(chunk), dtype=bool) if len(graph) else None
                if present is not None and present.any():
                    graph.remove(chunk[present])  # a re-embedded paper replaces its old vector
                graph.add(chunk, matrix[start:start + step], threads=self.threads)
            self._graph, self._since = graph, newest
            self._version += 1
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Write-then-rename: several web processes may save the same graph; a reader
            # never sees a half-written file.
            tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
            graph.save(str(tmp))
            os.replace(tmp, self.path)
            meta_tmp = self._meta_path().with_name(f"{self._meta_path().name}.{os.getpid()}.tmp")
            meta_tmp.write_text(json.dumps(
                {"layout": HNSW_LAYOUT, "model": self.model_id, "since": newest.isoformat(), "count": len(graph)}
            ))
            os.replace(meta_tmp, self._meta_path())

    def __len__(self) -> int:
        return 0 if self._graph is None else len(self._graph)

    def vector_of(self, paper_id: int) -> npt.NDArray[np.float32] | None:
        if self._graph is None:
            return None
        # "f32": usearch's name for float32 (it maps np.float32 there too, but types only names).
        v = self._graph.get(np.uint64(paper_id), dtype="f32")
        return None if v is None else np.asarray(v, dtype=np.float32).reshape(-1)

    def similarities(self, query: npt.NDArray[np.float32], paper_ids: Sequence[int]) -> dict[int, float]:
        graph = self._graph
        if graph is None or not paper_ids or query.shape[-1] != graph.ndim:
            return {}
        keys = np.asarray(paper_ids, dtype=np.uint64)
        keys = keys[np.asarray(graph.contains(keys), dtype=bool)]
        if not len(keys):
            return {}
        vecs = np.asarray(graph.get(keys, dtype="f32"), dtype=np.float32).reshape(len(keys), -1)
        return {int(k): float(s) for k, s in zip(keys, vecs @ query.astype(np.float32), strict=True)}

    def search(self, query: npt.NDArray[np.float32], k: int, filters: SearchFilters | None = None,
               exclude: int | None = None) -> Hits:
        graph = self._graph
        if graph is None or not len(graph) or query.shape[-1] != graph.ndim:
            return []
        q = query.astype(np.float32)
        if filters is not None and filters.active:
            return self._filtered.search(graph, q, k, filters, exclude, self._version)
        hits = self._walk(graph, q, k + (exclude is not None))
        return [(i, s) for i, s in hits if i != exclude][:k]

    def _walk(self, graph: Index, q: npt.NDArray[np.float32], count: int) -> Hits:
        """:meth:`FilteredGraphSearch.walk`, remembered until the graph changes (the same query on
        the same graph walks the same way, so a remembered answer is the one a walk would give)."""
        key, version = (q.tobytes(), count), self._version  # the version before the walk: a refresh
        with self._walks_lock:                               # meanwhile makes this answer stale
            kept = self._walks.get(key)
            if kept is not None and kept[0] == version:
                self._walks.move_to_end(key)
                return kept[1]
        hits = FilteredGraphSearch.walk(graph, q, count)
        with self._walks_lock:
            self._walks[key] = (version, hits)
            self._walks.move_to_end(key)
            if len(self._walks) > WALKS_KEPT:
                self._walks.popitem(last=False)
        return hits


def hnsw_path(db: Database, model_id: str) -> Path | None:
    """Where SQLite mode keeps a model's HNSW graph: in the search folder beside the database."""
    folder = index_path(db)
    return None if folder is None else folder / f"vectors-{re.sub(r'[^A-Za-z0-9._-]+', '_', model_id)}.usearch"


class DeferredVectorIndex:
    """Builds the real index on first use.

    Choosing and loading one reads the stored vectors (and, for "auto", counts them), which
    needs a migrated database; the composition root builds every service up front, also for
    commands that create the schema or never search.
    """

    def __init__(self, build: Callable[[], VectorIndex]) -> None:
        self._build = build
        self._index: VectorIndex | None = None
        self._lock = threading.Lock()

    @property
    def inner(self) -> VectorIndex:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._index = self._build()
        return self._index

    def search(self, query: npt.NDArray[np.float32], k: int, filters: SearchFilters | None = None,
               exclude: int | None = None) -> Hits:
        return self.inner.search(query, k, filters, exclude)

    def vector_of(self, paper_id: int) -> npt.NDArray[np.float32] | None:
        return self.inner.vector_of(paper_id)

    def similarities(self, query: npt.NDArray[np.float32], paper_ids: Sequence[int]) -> dict[int, float]:
        return self.inner.similarities(query, paper_ids)

    def refresh(self) -> None:
        self.inner.refresh()

    def __len__(self) -> int:
        return len(self.inner)

    def __bool__(self) -> bool:
        return bool(self.inner)  # not len(): pgvector answers "any?" far cheaper than "how many?"


def make_vector_index(db: Database, model_id: str, kind: str = "auto") -> VectorIndex:
    """pgvector on PostgreSQL; on SQLite exact numpy, or HNSW from ``HNSW_MIN_VECTORS`` papers; Null without a model."""
    if kind not in VECTOR_INDEXES:
        raise ValueError(f"unknown vector index {kind!r}; choose one of {', '.join(VECTOR_INDEXES)}")
    if model_id == "null":
        return NullVectorIndex()
    if db.dialect == "postgresql":
        return PgVectorIndex(db, model_id)
    path = hnsw_path(db, model_id)
    if kind == "auto" and path is not None:
        with db.read() as conn:
            kind = "hnsw" if emb_store.count_vectors(conn, model_id) >= HNSW_MIN_VECTORS or path.exists() else "exact"
    if kind == "hnsw":
        if path is None:
            raise ValueError("the HNSW vector index needs a SQLite database file")
        return HnswVectorIndex(db, model_id, path)
    return NumpyVectorIndex(db, model_id)

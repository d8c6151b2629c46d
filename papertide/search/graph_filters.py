"""Filtered search over an HNSW graph: walk it deeper until enough neighbours pass, or answer exactly.

A graph knows nothing of categories, dates or authors, so a filtered search either walks the
graph until ``k`` of the candidates it met pass the filter (SQL checks them), or scores the
vectors of every paper the filter passes. Which is cheaper depends on the filter's pass rate:
a walk needs about ``1.5 k / share`` candidates and each costs a random memory access, while an
exact pass reads the passing vectors in one sweep. So the pass rate each filter had on earlier
queries is remembered, and a filter that would need a deep walk has its passing papers' vectors
copied out of the graph once, in the background, and kept (while no paper and no vector changes)
for exact answers.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from papertide.domain.search import SearchFilters
from papertide.search.kept_filters import keep_newest
from papertide.search.usearch_lib import usearch_index
from papertide.storage import search as search_store
from papertide.storage.db import Database
from papertide.storage.page_generation import read_generation

if TYPE_CHECKING:
    from usearch.index import Index

log = logging.getLogger(__name__)

Hits = list[tuple[int, float]]

# A walk that would have to go deeper than this is not started: the filter is answered exactly.
FILTERED_DEPTH_MAX = 16_384
# How many filters' pass rates among a query's neighbours are remembered, so the next search
# with the same filter starts the walk deep enough instead of finding out with a second walk.
FILTER_HINTS = 256
# A search the filter's pass rate says would walk at least this deep is answered exactly
# instead, over the passing papers' kept vectors, when at most EXACT_ROWS_MAX papers pass:
# a walk 1,000 deep costs 10-100 ms at 241k papers, an exact pass over 34k float16 vectors ~5 ms.
EXACT_FROM_DEPTH = 512
EXACT_ROWS_MAX = 100_000
# Vectors kept for exact answers over all filters (float16: ~190 MB at 384 dimensions), of at most
# FILTER_HINTS filters (one that passes no paper keeps no vector). Copying a filter's vectors out of
# the graph costs 0.3-1 s for 34k papers, so they are kept, not re-read.
KEPT_ROWS = 250_000


@dataclass(frozen=True)
class Passing:
    """The papers a filter passes and their vectors, as of one page generation and graph version.

    ``vectors`` is None when more than EXACT_ROWS_MAX papers pass: such a filter is walked.
    """

    generation: int | None
    version: int
    ids: npt.NDArray[np.int64]
    vectors: npt.NDArray[np.float16] | None

    @property
    def rows(self) -> int:
        return 0 if self.vectors is None else len(self.vectors)


class FilteredGraphSearch:
    """The filtered searches of one graph; remembers pass rates and keeps passing vectors."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._pass_share: dict[SearchFilters, float] = {}  # filter → share of neighbours passing it
        self._kept: dict[SearchFilters, Passing] = {}
        self._copying: set[SearchFilters] = set()  # filters whose vectors a background thread copies
        self._lock = threading.Lock()

    def search(self, graph: Index, q: npt.NDArray[np.float32], k: int, filters: SearchFilters,
               exclude: int | None, version: int) -> Hits:
        """Top ``k`` among papers passing ``filters``; ``version`` changes whenever the graph does.

        The graph is searched ever deeper, keeping the candidates SQL says pass: once ``k``
        pass, they are the filtered top ``k`` (every better paper was a candidate too). The
        walk starts as deep as the filter's pass rate on earlier queries suggests; where that
        is deep, the passing papers' vectors are copied in the background and later queries
        score them exactly, and a walk that would go past FILTERED_DEPTH_MAX is not started.
        """
        hint = self._pass_share.get(filters)
        kept = self._valid_kept(filters, version)
        if kept is not None and kept.vectors is not None:
            return _exact(kept, q, k, exclude)
        if kept is None and hint is not None and _depth_for(k, hint) >= EXACT_FROM_DEPTH \
                and hint * len(graph) <= EXACT_ROWS_MAX:
            self._copy_in_background(graph, filters, version)  # this query still walks
        depth = max(4 * k, 256) if hint is None else _depth_for(k, hint)
        checked: dict[int, bool] = {}
        while True:
            hits = [(i, s) for i, s in self.walk(graph, q, min(depth, len(graph))) if i != exclude]
            found, seen = self._first_passing(hits, checked, k, filters, hint)
            if len(found) >= k or depth >= len(graph):
                self._remember(filters, len(found) / max(seen, 1))
                return found
            # Deep enough for k at the share that passed so far (with a margin): each step searches
            # the graph again from the top. A walk that would have to go past the maximum is not
            # started: the papers passing the filter are then answered exactly.
            hint = max(len(found), 1) / max(len(hits), 1)
            if depth >= FILTERED_DEPTH_MAX or 1.5 * k / hint > FILTERED_DEPTH_MAX:
                self._remember(filters, len(found) / max(seen, 1))
                return _exact(self._passing(graph, filters, version, must_score=True), q, k, exclude)
            depth = max(2 * depth, _depth_for(k, hint))

    @staticmethod
    def walk(graph: Index, q: npt.NDArray[np.float32], count: int) -> Hits:
        """The ``count`` nearest papers by the graph, best first (inner product)."""
        # usearch widens the candidate list to `count` by itself when count > expansion_search.
        m = graph.search(q, count)
        # usearch's "ip" distance is 1 - inner product.
        return [(int(key), float(1.0 - d)) for key, d in zip(m.keys, m.distances, strict=True)]

    def _first_passing(self, hits: Hits, checked: dict[int, bool], k: int, filters: SearchFilters,
                       hint: float | None) -> tuple[Hits, int]:
        """The first ``k`` of ``hits`` that pass, and how many hits that took to find.

        Unknown candidates are checked in rank order a chunk at a time, sized by the share
        passing so far, so a deep walk does not check thousands of candidates past the k-th pass.
        """
        kept: Hits = []
        pos = 0
        while True:
            while pos < len(hits) and hits[pos][0] in checked:
                if checked[hits[pos][0]]:
                    kept.append(hits[pos])
                    if len(kept) == k:
                        return kept, pos + 1
                pos += 1
            if pos == len(hits):
                return kept, pos
            share = len(kept) / pos if kept else (hint or 0.25)
            size = max(256, int(1.2 * (k - len(kept)) / max(share, 0.01)))
            chunk = [i for i, _ in hits[pos : pos + size] if i not in checked]
            with self.db.read() as conn:
                passing = search_store.filter_among(conn, filters, chunk)
            checked.update((i, i in passing) for i in chunk)

    def _valid_kept(self, filters: SearchFilters, version: int) -> Passing | None:
        kept = self._kept.get(filters)
        if kept is None or kept.version != version or kept.generation is None:
            return None
        with self.db.read() as conn:
            return kept if read_generation(conn) == kept.generation else None

    def _passing(self, graph: Index, filters: SearchFilters, version: int, must_score: bool = False) -> Passing:
        """The papers passing ``filters`` with their vectors out of the graph, kept for the next query.

        Listing them costs 100-200 ms for a large category at 241k papers and copying their vectors
        0.3-1 s; the page generation (one primary-key read) and the graph's version say whether a
        kept copy is still right. Over EXACT_ROWS_MAX passing papers only the count is kept, unless
        ``must_score`` (a walk found too few: such a filter passes few papers near the query).
        """
        kept = self._valid_kept(filters, version)
        if kept is not None and (kept.vectors is not None or not must_score):
            return kept
        with self.db.read() as conn:
            generation = read_generation(conn)
            listed = search_store.filtered_ids(conn, filters)
        keys = np.fromiter(listed, dtype=np.uint64, count=len(listed))
        if len(keys):
            keys = keys[np.asarray(graph.contains(keys), dtype=bool)]
        vectors: npt.NDArray[np.float16] | None = None
        if len(keys) <= EXACT_ROWS_MAX or must_score:
            vectors = np.empty((len(keys), graph.ndim), dtype=np.float16)
            if len(keys):
                vectors[:] = np.asarray(graph.get(keys, dtype="f16"), dtype=np.float16).reshape(len(keys), -1)
        # A filter too wide to score is remembered as such, without its (long) list of papers.
        ids = keys.astype(np.int64) if vectors is not None else np.zeros(0, dtype=np.int64)
        found = Passing(generation, version, ids, vectors)
        if generation is not None and found.rows <= KEPT_ROWS:
            with self._lock:
                keep_newest(self._kept, filters, found, FILTER_HINTS, KEPT_ROWS, lambda p: p.rows)
        return found

    def _copy_in_background(self, graph: Index, filters: SearchFilters, version: int) -> None:
        """Copy the filter's passing vectors for the queries after this one, off the request path
        (listing and copying cost 0.3-1 s for a large category at 241k papers)."""
        with self._lock:
            if filters in self._copying:
                return
            self._copying.add(filters)

        def copy() -> None:
            try:
                self._passing(graph, filters, version)
            except Exception:  # the next query tries again; a walk answers meanwhile
                log.exception("copying the vectors of a filter's papers failed")
            finally:
                with self._lock:
                    self._copying.discard(filters)

        threading.Thread(target=copy, name="papertide-filter-vectors", daemon=True).start()

    def _remember(self, filters: SearchFilters, share: float) -> None:
        with self._lock:
            old = self._pass_share.get(filters)
            keep_newest(self._pass_share, filters, share if old is None else (old + share) / 2, FILTER_HINTS)


def _exact(passing: Passing, q: npt.NDArray[np.float32], k: int, exclude: int | None) -> Hits:
    """The best ``k`` of the passing papers by exact inner product (usearch's SIMD float16 kernel)."""
    vectors = passing.vectors
    if vectors is None or not len(vectors):
        return []
    m = usearch_index().search(vectors, q.astype(np.float16), min(k + (exclude is not None), len(vectors)),
                     "ip", exact=True, threads=1)
    hits = [(int(passing.ids[row]), float(1.0 - d)) for row, d in zip(m.keys, m.distances, strict=True)]
    return [(i, s) for i, s in hits if i != exclude][:k]


def _depth_for(k: int, share: float) -> int:
    """How deep to walk for ``k`` passing neighbours when ``share`` of them pass (with a margin)."""
    return min(FILTERED_DEPTH_MAX, max(4 * k, 256, int(1.5 * k / max(share, 1e-4))))

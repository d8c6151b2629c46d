"""Vector indexes behind one small protocol: exact numpy (SQLite mode), pgvector, Null.

Exact search over float32 in numpy is a single matrix-vector product: 241,792 × 384
takes a few ms on one core (bench/RESULTS.md). PostgreSQL mode asks pgvector's HNSW
index in the database, so every web worker shares it and filters run in SQL.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa

from papertide.domain.search import SearchFilters
from papertide.storage import embeddings as emb_store
from papertide.storage import search as search_store
from papertide.storage.db import Database

Hits = list[tuple[int, float]]


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

    def refresh(self) -> None:
        """Pick up vectors written since the index was built."""
        ...

    def __len__(self) -> int: ...


class NullVectorIndex:
    """No vectors: dense search returns nothing, so search is lexical only."""

    def search(self, query: npt.NDArray[np.float32], k: int, filters: SearchFilters | None = None,
               exclude: int | None = None) -> Hits:
        return []

    def vector_of(self, paper_id: int) -> npt.NDArray[np.float32] | None:
        return None

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
        k = min(k, len(ids))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(ids[i]), float(scores[i])) for i in top if np.isfinite(scores[i])]


class PgVectorIndex:
    """pgvector HNSW search in PostgreSQL; filters become SQL conditions."""

    def __init__(self, db: Database, model_id: str) -> None:
        self.db = db
        self.model_id = model_id

    def search(self, query: npt.NDArray[np.float32], k: int, filters: SearchFilters | None = None,
               exclude: int | None = None) -> Hits:
        if query.size == 0:
            return []
        conds: Sequence[sa.ColumnElement[bool]] = search_store.filter_conditions(filters) if filters else []
        with self.db.read() as conn:
            return emb_store.knn_postgres(conn, self.model_id, query, k, conds, exclude)

    def vector_of(self, paper_id: int) -> npt.NDArray[np.float32] | None:
        with self.db.read() as conn:
            return emb_store.get_vector(conn, paper_id, self.model_id)

    def refresh(self) -> None:
        return None  # the database is the index

    def __len__(self) -> int:
        with self.db.read() as conn:
            return emb_store.count_vectors(conn, self.model_id)


def make_vector_index(db: Database, model_id: str) -> VectorIndex:
    """pgvector on PostgreSQL, exact numpy on SQLite, Null without a model."""
    if model_id == "null":
        return NullVectorIndex()
    if db.dialect == "postgresql":
        return PgVectorIndex(db, model_id)
    return NumpyVectorIndex(db, model_id)

"""Every VectorIndex behaves the same: exact numpy (SQLite), pgvector (PostgreSQL), Null."""

from __future__ import annotations

import numpy as np
import pytest

from papertide.domain.search import make_filters
from papertide.search.vectors import NullVectorIndex, VectorIndex, make_vector_index
from papertide.storage import embeddings as emb_store
from tests.factories import add_papers, make_paper

MODEL = "contract-model"


def _unit(v: list[float]) -> np.ndarray:
    a = np.zeros(384, dtype=np.float32)
    a[: len(v)] = v
    return a / np.linalg.norm(a)


@pytest.fixture
def index(db) -> VectorIndex:  # type: ignore[no-untyped-def]
    add_papers(db, make_paper("2501.00001", categories=("cs.LG",)), make_paper("2501.00002", categories=("cs.CV",)),
               make_paper("2501.00003", categories=("cs.CV",)))
    with db.read() as conn:
        from papertide.storage.papers import paper_row_id

        ids = [paper_row_id(conn, f"2501.0000{i}") for i in (1, 2, 3)]
    with db.write() as conn:
        emb_store.upsert_vectors(conn, MODEL, ids, ["h1", "h2", "h3"],
                                 np.stack([_unit([1, 0]), _unit([0.9, 0.1]), _unit([0, 1])]))
    idx = make_vector_index(db, MODEL)
    idx.refresh()
    idx.ids = ids  # type: ignore[attr-defined]
    return idx


def test_index_is_a_vector_index(index):
    assert isinstance(index, VectorIndex) and isinstance(NullVectorIndex(), VectorIndex)
    assert len(index) == 3


def test_search_returns_nearest_first_with_cosine_scores(index):
    a, b, c = index.ids
    hits = index.search(_unit([1, 0]), 3)
    assert [h[0] for h in hits] == [a, b, c]
    assert [round(s, 2) for _, s in hits] == [1.0, round(0.9 / np.hypot(0.9, 0.1), 2), 0.0]


def test_search_honours_filters_and_exclusion(index):
    a, b, c = index.ids
    assert [h[0] for h in index.search(_unit([1, 0]), 3, filters=make_filters(categories="cs.CV"))] == [b, c]
    assert [h[0] for h in index.search(_unit([1, 0]), 2, exclude=a)] == [b, c]


def test_vector_of_round_trips_through_float16(index):
    a, _, _ = index.ids
    v = index.vector_of(a)
    assert v is not None and np.allclose(v, _unit([1, 0]), atol=1e-3)
    assert index.vector_of(999_999) is None


def test_null_index_finds_nothing():
    null = NullVectorIndex()
    assert (null.search(_unit([1]), 5), null.vector_of(1), len(null)) == ([], None, 0)

"""Vectors leaving one database and entering another: bundled demo files and `eval beir --vectors-from`."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from papertide.search.beir import copy_vectors
from papertide.search.bundled import export_vectors, import_vectors
from papertide.search.service import source_hash
from papertide.storage import embeddings as emb_store
from papertide.storage.db import Database
from papertide.storage.papers import paper_row_id
from tests.factories import add_papers, make_paper

MODEL = "transfer-model"
IDS = ("2501.00001", "2501.00002", "2501.00003")


@pytest.fixture
def source(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    """A second SQLite database holding three papers with a vector each."""
    path = tmp_path / "source.db"
    shutil.copy(sqlite_template, path)
    database = Database(f"sqlite:///{path}")
    papers = [make_paper(a) for a in IDS]
    add_papers(database, *papers)
    with database.write() as conn:
        emb_store.upsert_vectors(conn, MODEL, [paper_row_id(conn, a) for a in IDS],
                                 [source_hash(p.title, p.abstract) for p in papers], _vectors())
    yield database
    database.dispose()


def _vectors() -> np.ndarray:
    return np.eye(3, 384, dtype=np.float32)  # pgvector columns are 384-dimensional


def _stored(db: Database) -> dict[str, list[float]]:
    with db.read() as conn:
        out = {}
        for a in IDS:
            row = paper_row_id(conn, a)
            v = None if row is None else emb_store.get_vector(conn, row, MODEL)
            if v is not None:
                out[a] = v.tolist()
        return out


def test_bundled_vectors_load_only_where_the_text_still_matches(source, db, tmp_path):
    npy, params = tmp_path / "v.npy", tmp_path / "v.json"
    assert export_vectors(source, MODEL, npy, params) == 3
    # The target holds two of the papers, one with a changed abstract: only the other gets its vector.
    add_papers(db, make_paper(IDS[0]), make_paper(IDS[1], abstract="Rewritten."))
    assert import_vectors(db, MODEL, npy, params) == 1
    assert _stored(db) == {IDS[0]: _vectors()[0].tolist()}
    assert import_vectors(db, "another-model", npy, params) == 0


def test_copy_vectors_matches_papers_by_arxiv_id(source, db):
    add_papers(db, make_paper("2501.99999"), make_paper(IDS[2]), make_paper(IDS[0]))  # other row ids than the source's
    assert copy_vectors(source, db) == 2
    assert _stored(db) == {IDS[0]: _vectors()[0].tolist(), IDS[2]: _vectors()[2].tolist()}

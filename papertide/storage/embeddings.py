"""Stored embeddings: which papers need (re-)embedding and their text, writing vectors, reading them back.

Vectors are stored as float16: on SQLite as raw little-endian bytes, on PostgreSQL as a
pgvector ``halfvec`` (searched there through its HNSW index, see :func:`knn_postgres`).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from pgvector.sqlalchemy import HALFVEC
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from papertide.domain.search import SearchFilters
from papertide.storage.dialects.search_postgres import id_in_list
from papertide.storage.papers import IN_CHUNK
from papertide.storage.schema import papers
from papertide.storage.search import filter_conditions
from papertide.storage.tables.search import EMBEDDING_DIM, paper_embeddings

SCAN_CHUNK = 2_000  # papers read per round trip when looking for stale embeddings
HNSW_EF_SEARCH = 100  # pgvector candidate list per query; recall over speed
# A list of k needs a longer candidate list than k for recall@10 ≥ 0.98 on search-box queries
# (241,792 papers, bench/pg_path_bench.py: ef 200 → 0.972, ef 300 → 0.982 for k = 200).
HNSW_EF_PER_K = 1.5
# A bigger graph needs a longer candidate list for the same recall: 1.5 k gave 0.982 at 241,792
# vectors but 0.966 at 967,168, where 3 k gave 0.981 (bench/RESULTS.md). The list grows with the
# square root of the collection's size past this many vectors (fitted to those two points).
EF_REFERENCE_VECTORS = 250_000
PGVECTOR_EF_MAX = 1000  # the largest hnsw.ef_search pgvector accepts
HNSW_MAX_SCAN_TUPLES = 20_000  # pgvector's default: how far a filtered (iterative) scan walks


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class PaperText:
    paper_id: int
    arxiv_id: str
    title: str
    abstract: str


def iter_stale(conn: Connection, model_id: str, hasher) -> Iterator[PaperText]:  # type: ignore[no-untyped-def]
    """Papers with no embedding from ``model_id`` for their current text, by row id.

    ``hasher(title, abstract)`` gives the hash stored beside each vector.
    """
    last = 0
    while True:
        q = (
            sa.select(
                papers.c.id, papers.c.arxiv_id, papers.c.title, papers.c.abstract,
                paper_embeddings.c.model_id, paper_embeddings.c.source_hash,
            )
            .select_from(papers.outerjoin(paper_embeddings, paper_embeddings.c.paper_id == papers.c.id))
            .where(papers.c.id > last)
            .order_by(papers.c.id)
            .limit(SCAN_CHUNK)
        )
        rows = conn.execute(q).all()
        if not rows:
            return
        for r in rows:
            if r.model_id != model_id or r.source_hash != hasher(r.title, r.abstract):
                yield PaperText(r.id, r.arxiv_id, r.title, r.abstract)
        last = rows[-1].id


def paper_texts(conn: Connection, arxiv_ids: Sequence[str] | None = None) -> list[PaperText]:
    """The embedded text of every paper, or of those of ``arxiv_ids`` that are stored."""
    q = sa.select(papers.c.id, papers.c.arxiv_id, papers.c.title, papers.c.abstract)
    if arxiv_ids is None:
        return [PaperText(*r) for r in conn.execute(q)]
    wanted = list(arxiv_ids)
    out: list[PaperText] = []
    for i in range(0, len(wanted), IN_CHUNK):
        out.extend(PaperText(*r) for r in conn.execute(q.where(papers.c.arxiv_id.in_(wanted[i : i + IN_CHUNK]))))
    return out


@dataclass(frozen=True, slots=True)
class StoredVector:
    """A vector keyed by arXiv id rather than row id, so it can move between databases."""

    arxiv_id: str
    model_id: str
    source_hash: str
    vector: npt.NDArray[np.float32]


def vectors_by_arxiv_id(conn: Connection) -> list[StoredVector]:
    """Every stored vector, of every model, with its paper's arXiv id."""
    q = sa.select(
        papers.c.arxiv_id, paper_embeddings.c.model_id, paper_embeddings.c.source_hash, paper_embeddings.c.vector
    ).join(paper_embeddings, paper_embeddings.c.paper_id == papers.c.id)
    return [StoredVector(r.arxiv_id, r.model_id, r.source_hash, to_array(r.vector)) for r in conn.execute(q)]


def upsert_vectors(
    conn: Connection, model_id: str, paper_ids: Sequence[int], hashes: Sequence[str], vectors: npt.NDArray[np.floating]
) -> None:
    """Insert or replace the vectors of ``paper_ids`` (rows of ``vectors``)."""
    if not paper_ids:
        return
    f16 = np.asarray(vectors, dtype=np.float16)
    pg = conn.dialect.name == "postgresql"
    rows = [
        {"paper_id": pid, "model_id": model_id, "source_hash": h, "vector": f16[i] if pg else f16[i].tobytes()}
        for i, (pid, h) in enumerate(zip(paper_ids, hashes, strict=True))
    ]
    insert = postgresql.insert if pg else sqlite.insert
    stmt = insert(paper_embeddings)
    stmt = stmt.on_conflict_do_update(
        index_elements=["paper_id"],
        set_={"model_id": stmt.excluded.model_id, "source_hash": stmt.excluded.source_hash,
              "vector": stmt.excluded.vector, "updated_at": sa.func.now()},
    )
    conn.execute(stmt, rows)


def to_array(value: object) -> npt.NDArray[np.float32]:
    if isinstance(value, bytes | bytearray | memoryview):
        return np.frombuffer(bytes(value), dtype=np.float16).astype(np.float32)
    return np.asarray(getattr(value, "to_numpy", lambda: value)(), dtype=np.float32)


def load_vectors(
    conn: Connection, model_id: str, since: datetime | None = None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Stored vectors of ``model_id`` (all, or written at or after ``since``) as (row ids, float32 matrix)."""
    ids: list[int] = []
    vecs: list[npt.NDArray[np.float32]] = []
    q = sa.select(paper_embeddings.c.paper_id, paper_embeddings.c.vector).where(paper_embeddings.c.model_id == model_id)
    if since is not None:
        q = q.where(paper_embeddings.c.updated_at >= since)
    for r in conn.execution_options(yield_per=5_000).execute(q):
        ids.append(r.paper_id)
        vecs.append(to_array(r.vector))
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 0), dtype=np.float32)
    return np.asarray(ids, dtype=np.int64), np.vstack(vecs)


def get_vector(conn: Connection, paper_id: int, model_id: str) -> npt.NDArray[np.float32] | None:
    r = conn.execute(
        sa.select(paper_embeddings.c.vector).where(
            paper_embeddings.c.paper_id == paper_id, paper_embeddings.c.model_id == model_id
        )
    ).first()
    return None if r is None else to_array(r.vector)


def last_written(conn: Connection, model_id: str) -> datetime | None:
    """When the newest vector of ``model_id`` was written (None when there is none)."""
    q = sa.select(sa.func.max(paper_embeddings.c.updated_at)).where(paper_embeddings.c.model_id == model_id)
    newest: datetime | None = conn.execute(q).scalar_one()  # the Table's columns are untyped (Any)
    return newest


def count_written_since(conn: Connection, model_id: str, since: datetime) -> int:
    """How many vectors of ``model_id`` were written at or after ``since``."""
    q = sa.select(sa.func.count()).select_from(paper_embeddings).where(
        paper_embeddings.c.model_id == model_id, paper_embeddings.c.updated_at >= since,
    )
    return int(conn.execute(q).scalar_one())


def any_vectors(conn: Connection, model_id: str) -> bool:
    """Whether any paper has a vector of ``model_id`` (one index probe, unlike a count)."""
    q = sa.select(sa.exists().where(paper_embeddings.c.model_id == model_id))
    return bool(conn.execute(q).scalar_one())


def count_vectors(conn: Connection, model_id: str) -> int:
    q = sa.select(sa.func.count()).select_from(paper_embeddings).where(paper_embeddings.c.model_id == model_id)
    return conn.execute(q).scalar_one()


def _negative_inner_product(query: npt.NDArray[np.float32]) -> sa.ColumnElement[float]:
    """pgvector's ``vector <#> :query``, the query bound as a halfvec parameter.

    Bound as text cast to halfvec, a prepared statement's generic plan (psycopg prepares a
    query after five runs) parsed the 384 numbers again for every row it returned: ~6 ms
    for 200 rows, where the whole lookup takes under 1 ms.
    """
    bound = sa.bindparam("query_vector", np.asarray(query, dtype=np.float32), type_=HALFVEC(EMBEDDING_DIM))
    return paper_embeddings.c.vector.op("<#>", return_type=sa.Float)(bound)


def similarities_postgres(
    conn: Connection, model_id: str, query: npt.NDArray[np.float32], paper_ids: Sequence[int]
) -> dict[int, float]:
    """Inner product of ``query`` with the stored vectors of ``paper_ids`` (no index: a primary-key lookup)."""
    dist = _negative_inner_product(query)
    # The ids as one array parameter: an IN list of ~200 bound parameters cost ~1.5 ms more per search.
    member, ids = id_in_list(paper_embeddings.c.paper_id, [int(i) for i in paper_ids])
    q = sa.select(paper_embeddings.c.paper_id, (-dist).label("score")).where(paper_embeddings.c.model_id == model_id, member)
    return {int(r[0]): float(r[1]) for r in conn.execute(q, {"ids": ids})}


def hnsw_ef_search(k: int, vectors: int = 0) -> int:
    """The ``hnsw.ef_search`` a list of ``k`` nearest papers is searched with, among ``vectors``."""
    grow = max(1.0, math.sqrt(vectors / EF_REFERENCE_VECTORS))
    return min(PGVECTOR_EF_MAX, max(HNSW_EF_SEARCH, round(HNSW_EF_PER_K * k * grow)))


def estimated_vectors(conn: Connection) -> int:
    """PostgreSQL's own estimate of the stored vectors: a catalog read, no scan (0 before the first ANALYZE)."""
    n = conn.exec_driver_sql("SELECT reltuples FROM pg_class WHERE oid = 'paper_embeddings'::regclass").scalar()
    return max(0, int(n or 0))


def knn_postgres(
    conn: Connection,
    model_id: str,
    query: npt.NDArray[np.float32],
    k: int,
    filters: SearchFilters | None = None,
    exclude: int | None = None,
    vectors: int = 0,
) -> list[tuple[int, float]]:
    """Nearest papers by inner product through pgvector's HNSW index, among those passing ``filters``.

    ``vectors`` (about how many are stored) widens the candidate list on big collections.

    With filters we let pgvector's iterative scan (0.8+) keep walking the graph until
    ``k`` rows pass them, instead of returning fewer; where the walk gives up first (a filter
    few papers pass), the same query runs exactly, without the index.
    """
    conditions = filter_conditions(filters) if filters else []
    conn.exec_driver_sql(f"SET LOCAL hnsw.ef_search = {hnsw_ef_search(k, vectors)}")
    if conditions or exclude is not None:
        conn.exec_driver_sql("SET LOCAL hnsw.iterative_scan = relaxed_order")
        conn.exec_driver_sql(f"SET LOCAL hnsw.max_scan_tuples = {HNSW_MAX_SCAN_TUPLES}")
    if conditions:
        # Walk the graph even where the planner expects few papers to pass: it guesses 806 for
        # authors LIKE '%wang%' (31,436 pass) and then sorts every passing vector instead,
        # 284 ms against 39 ms at 241k papers.
        conn.exec_driver_sql("SET LOCAL enable_sort = off")
    dist = _negative_inner_product(query)  # smaller is nearer
    q = (
        sa.select(paper_embeddings.c.paper_id, (-dist).label("score"))
        .select_from(paper_embeddings.join(papers, papers.c.id == paper_embeddings.c.paper_id))
        .where(paper_embeddings.c.model_id == model_id, *conditions)
        .order_by(dist)
        .limit(k)
    )
    if exclude is not None:
        q = q.where(paper_embeddings.c.paper_id != exclude)
    hits = [(int(r[0]), float(r[1])) for r in conn.execute(q)]
    if conditions and len(hits) < k:
        # The walk gives up after max_scan_tuples; a filter few papers pass gets the exact answer
        # (these settings, like those above, last until the caller's transaction ends).
        conn.exec_driver_sql("SET LOCAL enable_sort = on")
        conn.exec_driver_sql("SET LOCAL enable_indexscan = off")
        hits = [(int(r[0]), float(r[1])) for r in conn.execute(q)]
    return sorted(hits, key=lambda h: -h[1])  # relaxed_order may return neighbours out of order

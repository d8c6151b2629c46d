"""``papertide eval beir``: load a BEIR data set into a throwaway database and score our search.

Queries run through :meth:`SearchService.rank`, the same code the web search page
uses, so the figures are the product's, not a side experiment's.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from papertide.domain.papers import Paper
from papertide.domain.search import Mode
from papertide.search.evaluation import Scores, load_corpus, load_qrels, load_queries, score_run
from papertide.search.results import CANDIDATES
from papertide.search.service import SearchService
from papertide.storage import embeddings as emb_store
from papertide.storage import papers as papers_store
from papertide.storage.db import Database

LOAD_BATCH = 1_000


def load_beir_corpus(db: Database, dataset: Path, progress: Callable[[int], None] | None = None) -> int:
    """Store the corpus as papers (doc id as the paper id); a second call adds nothing."""
    docs = load_corpus(dataset)
    for i in range(0, len(docs), LOAD_BATCH):
        chunk = docs[i : i + LOAD_BATCH]
        with db.write() as conn:
            batch = [Paper(arxiv_id=d.doc_id, title=d.title or d.doc_id, abstract=d.text) for d in chunk]
            papers_store.upsert_papers(conn, batch)
        if progress:
            progress(len(chunk))
    return len(docs)


@dataclass(frozen=True, slots=True)
class EvalRow:
    name: str
    scores: Scores
    ms_per_query: float


def evaluate(service: SearchService, dataset: Path, runs: list[tuple[str, Mode, str | None]],
             progress: Callable[[int], None] | None = None) -> list[EvalRow]:
    """Score each ``(name, mode, fusion)`` run over the judged test queries."""
    import time

    queries = load_queries(dataset)
    qrels = load_qrels(dataset)
    with service.db.read() as conn:
        doc_of = {row_id: doc_id for doc_id, row_id in papers_store.row_ids(conn).items()}
    judged = [q for q in queries if q in qrels]
    out = []
    default_fusion = service.fusion
    for name, mode, fusion in runs:
        service.fusion = fusion or default_fusion
        t0 = time.perf_counter()
        run = {}
        for q in judged:
            run[q] = [doc_of[pid] for pid, _ in service.rank(queries[q], mode=mode, limit=max(CANDIDATES, 100))]
            if progress:
                progress(1)
        dt = time.perf_counter() - t0
        out.append(EvalRow(name, score_run(run, qrels), 1000 * dt / max(1, len(judged))))
    service.fusion = default_fusion
    return out


def copy_vectors(source: Database, target: Database) -> int:
    """Copy stored vectors between databases by paper id (arXiv/doc id), e.g. SQLite → PostgreSQL."""
    with source.read() as conn:
        rows = emb_store.vectors_by_arxiv_id(conn)
    with target.read() as conn:
        ids = papers_store.row_ids(conn)
    keep = [r for r in rows if r.arxiv_id in ids]
    by_model: dict[str, list[emb_store.StoredVector]] = {}
    for r in keep:
        by_model.setdefault(r.model_id, []).append(r)
    for model_id, group in by_model.items():
        for i in range(0, len(group), LOAD_BATCH):
            chunk = group[i : i + LOAD_BATCH]
            with target.write() as conn:
                emb_store.upsert_vectors(conn, model_id, [ids[r.arxiv_id] for r in chunk], [r.source_hash for r in chunk],
                                         np.vstack([r.vector for r in chunk]))
    return len(keep)

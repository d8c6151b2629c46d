"""Our own judged development query set (``bench/devset``): loading and per-kind scoring.

The set is BEIR-shaped so the same metric code scores it: ``queries.jsonl`` (``_id``,
``text``, ``kind``), ``qrels/test.tsv`` (query id, arXiv id, grade), and
``corpus_ids.txt.gz``, the arXiv ids of the slice of the shared corpus the queries are
judged against (the abstracts themselves are not ours to commit).

Queries come in kinds because they fail for different reasons: a half-remembered known
item is scored by MRR@10 (one right answer), topics and questions by nDCG@10 over every
judged paper of their pool.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from papertide.domain.search import Mode
from papertide.search.evaluation import Qrels, load_qrels, mrr_at_k, ndcg_at_k, recall_at_k
from papertide.search.results import CANDIDATES
from papertide.search.service import SearchService

# Kinds whose queries look for one paper (scored by MRR@10); the rest are topics.
KNOWN_ITEM_KINDS = ("known", "typo", "tex", "pasted", "id", "foreign")
TOPIC_KINDS = ("topic", "question", "foreign-topic")
KINDS = (*KNOWN_ITEM_KINDS, *TOPIC_KINDS)


@dataclass(frozen=True, slots=True)
class DevQuery:
    qid: str
    text: str
    kind: str


@dataclass(frozen=True, slots=True)
class DevSet:
    queries: list[DevQuery]
    qrels: Qrels
    corpus_ids: frozenset[str]

    def judged(self) -> list[DevQuery]:
        return [q for q in self.queries if any(g > 0 for g in self.qrels.get(q.qid, {}).values())]


class DevSetError(ValueError):
    """The set on disk contradicts itself (an unknown kind, a judged paper outside the slice)."""


def load_devset(folder: Path) -> DevSet:
    """Read and check a development set; every problem is named with its line."""
    queries: list[DevQuery] = []
    problems: list[str] = []
    seen: set[str] = set()
    with (folder / "queries.jsonl").open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            d = json.loads(line)
            q = DevQuery(str(d["_id"]), str(d["text"]), str(d.get("kind", "topic")))
            if q.kind not in KINDS:
                problems.append(f"queries.jsonl:{n}: kind {q.kind!r} is not one of {', '.join(KINDS)}")
            if q.qid in seen:
                problems.append(f"queries.jsonl:{n}: duplicate id {q.qid}")
            seen.add(q.qid)
            queries.append(q)
    with gzip.open(folder / "corpus_ids.txt.gz", "rt", encoding="utf-8") as fh:
        corpus = frozenset(line.strip() for line in fh if line.strip())
    qrels = load_qrels(folder)
    for qid, judged in qrels.items():
        if qid not in seen:
            problems.append(f"qrels: query {qid} is not in queries.jsonl")
        problems += [f"qrels: {qid} judges {doc}, which is not in the corpus slice"
                     for doc, g in judged.items() if g > 0 and doc not in corpus]
    if problems:
        raise DevSetError("; ".join(problems[:20]) + (f" (and {len(problems) - 20} more)" if len(problems) > 20 else ""))
    return DevSet(queries, qrels, corpus)


@dataclass(frozen=True, slots=True)
class KindScores:
    kind: str
    queries: int
    mrr10: float
    ndcg10: float
    recall100: float

    @property
    def headline(self) -> float:
        """The figure the issue's targets use for this kind."""
        return self.mrr10 if self.kind in KNOWN_ITEM_KINDS or self.kind == "known items" else self.ndcg10


@dataclass(slots=True)
class DevRun:
    name: str
    by_kind: dict[str, KindScores] = field(default_factory=dict)
    rankings: dict[str, list[str]] = field(default_factory=dict)
    ms_per_query: float = 0.0


def score_by_kind(queries: Sequence[DevQuery], rankings: dict[str, list[str]], qrels: Qrels) -> dict[str, KindScores]:
    """Mean MRR@10 / nDCG@10 / recall@100 per kind, plus the pooled "known items" and "all"."""
    groups: dict[str, list[DevQuery]] = {}
    for q in queries:
        groups.setdefault(q.kind, []).append(q)
        if q.kind in KNOWN_ITEM_KINDS:
            groups.setdefault("known items", []).append(q)
        groups.setdefault("all", []).append(q)
    out = {}
    for kind, qs in groups.items():
        n = len(qs)
        out[kind] = KindScores(
            kind, n,
            sum(mrr_at_k(rankings.get(q.qid, []), qrels[q.qid], 10) for q in qs) / n,
            sum(ndcg_at_k(rankings.get(q.qid, []), qrels[q.qid], 10) for q in qs) / n,
            sum(recall_at_k(rankings.get(q.qid, []), qrels[q.qid], 100) for q in qs) / n,
        )
    return out


def run_devset(service: SearchService, devset: DevSet, runs: Sequence[tuple[str, Mode, str | None]],
               progress: Callable[[int], None] | None = None) -> list[DevRun]:
    """Rank every judged query through the product's :meth:`SearchService.rank` for each run."""
    import time

    from papertide.storage import papers as papers_store

    with service.db.read() as conn:
        doc_of = {row_id: doc_id for doc_id, row_id in papers_store.row_ids(conn).items()}
    judged = devset.judged()
    default_fusion = service.fusion
    out = []
    try:
        for name, mode, fusion in runs:
            service.fusion = fusion or default_fusion
            result = DevRun(name)
            t0 = time.perf_counter()
            for q in judged:
                ranked = service.rank(q.text, mode=mode, limit=max(CANDIDATES, 100))
                result.rankings[q.qid] = [doc_of[pid] for pid, _ in ranked if pid in doc_of]
                if progress:
                    progress(1)
            result.ms_per_query = 1000 * (time.perf_counter() - t0) / max(1, len(judged))
            result.by_kind = score_by_kind(judged, result.rankings, devset.qrels)
            out.append(result)
    finally:
        service.fusion = default_fusion
    return out

"""Retrieval quality on BEIR-format data sets: loading, and nDCG@k / recall@k / MRR@k.

The metric functions are pure and follow BEIR's pytrec_eval definitions (binary or
graded gains, log2 discount, ideal DCG from the judged documents). Data loading reads
``corpus.jsonl(.gz)``, ``queries.jsonl`` and ``qrels/test.tsv`` or ``qrels.test.tsv``.
"""

from __future__ import annotations

import gzip
import json
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

Qrels = dict[str, dict[str, int]]

# Published SciFact nDCG@10 figures we print beside ours (BEIR paper, MTEB leaderboard).
SCIFACT_REFERENCE = {
    "BM25 (BEIR, Anserini)": "0.665-0.679",
    "all-MiniLM-L6-v2": "0.645",
    "bge-small-en-v1.5": "0.713",
    "bge-base-en-v1.5": "0.741",
    "hybrid BM25 + bge-base, RRF": "0.744",
}


def ndcg_at_k(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    """Normalised discounted cumulative gain of one ranking (Järvelin & Kekäläinen 2002).

    >>> round(ndcg_at_k(["b", "a"], {"a": 1}), 4)
    0.6309
    """
    dcg = sum(relevant.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted((g for g in relevant.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def recall_at_k(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 100) -> float:
    """Share of the relevant documents found in the top ``k``.

    >>> recall_at_k(["a", "x"], {"a": 1, "b": 1}, k=2)
    0.5
    """
    rel = {d for d, g in relevant.items() if g > 0}
    return len(rel.intersection(ranked[:k])) / len(rel) if rel else 0.0


def mrr_at_k(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    """Reciprocal rank of the first relevant document within the top ``k``.

    >>> mrr_at_k(["x", "a"], {"a": 1})
    0.5
    """
    for i, d in enumerate(ranked[:k]):
        if relevant.get(d, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


@dataclass(frozen=True, slots=True)
class Scores:
    ndcg10: float
    recall100: float
    mrr10: float
    queries: int

    def row(self, name: str) -> str:
        return f"{name:<28} nDCG@10 {self.ndcg10:.4f}  recall@100 {self.recall100:.4f}  MRR@10 {self.mrr10:.4f}"


def score_run(run: Mapping[str, Sequence[str]], qrels: Qrels) -> Scores:
    """Mean metrics over every judged query (a query with no results scores 0)."""
    ids = list(qrels)
    n = len(ids) or 1
    return Scores(
        sum(ndcg_at_k(run.get(q, []), qrels[q], 10) for q in ids) / n,
        sum(recall_at_k(run.get(q, []), qrels[q], 100) for q in ids) / n,
        sum(mrr_at_k(run.get(q, []), qrels[q], 10) for q in ids) / n,
        len(ids),
    )


@dataclass(frozen=True, slots=True)
class BeirDoc:
    doc_id: str
    title: str
    text: str


def _open_text(path: Path) -> Iterator[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        yield from fh


def load_corpus(dataset: Path) -> list[BeirDoc]:
    path = dataset / "corpus.jsonl.gz"
    if not path.exists():
        path = dataset / "corpus.jsonl"
    out = []
    for line in _open_text(path):
        d = json.loads(line)
        out.append(BeirDoc(str(d["_id"]), d.get("title") or "", d.get("text") or ""))
    return out


def load_queries(dataset: Path) -> dict[str, str]:
    return {str(q["_id"]): q["text"] for q in map(json.loads, _open_text(dataset / "queries.jsonl"))}


def load_qrels(dataset: Path, split: str = "test") -> Qrels:
    path = dataset / f"qrels.{split}.tsv"
    if not path.exists():
        path = dataset / "qrels" / f"{split}.tsv"
    qrels: Qrels = {}
    for i, line in enumerate(_open_text(path)):
        parts = line.rstrip("\n").split("\t")
        if i == 0 and not parts[-1].lstrip("-").isdigit():
            continue  # header row
        qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return qrels

"""Step-1 quality sweep on SciFact: FTS5 BM25 variants, dense, and fusion weights.

Reads cached vectors from bench/scifact_embed.py. This is the exploration that picked
the defaults; the figures of record come from `papertide eval beir`, which runs the
same search service the web uses.

    PYTHONPATH=. .venv/bin/python bench/scifact_quality.py --dataset ../shared/beir/scifact
"""

from __future__ import annotations

import argparse
import json
import logging
import sqlite3
from pathlib import Path

import numpy as np

from papertide.domain.fusion import fuse
from papertide.domain.search import fts5_match, query_terms
from papertide.search.evaluation import load_corpus, load_qrels, load_queries, score_run

log = logging.getLogger("bench")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", type=Path, default=Path("../shared/beir/scifact"))
    ap.add_argument("--model", default="all-MiniLM-L6-v2-onnx-int8")
    ap.add_argument("--out", type=Path, default=Path("bench/out"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    docs = load_corpus(args.dataset)
    queries = load_queries(args.dataset)
    qrels = load_qrels(args.dataset)
    qids = [q for q in queries if q in qrels]

    con = sqlite3.connect(":memory:")
    variants = {
        "unicode61": "unicode61 remove_diacritics 2",
        "porter": "porter unicode61 remove_diacritics 2",
    }
    lex_runs: dict[str, dict[str, list[tuple[str, float]]]] = {}
    for name, tok in variants.items():
        con.execute(f"CREATE VIRTUAL TABLE f_{name} USING fts5(title, abstract, tokenize='{tok}')")
        con.executemany(f"INSERT INTO f_{name}(rowid, title, abstract) VALUES (?,?,?)",
                        [(i, d.title, d.text) for i, d in enumerate(docs)])
        for tw in (1.0, 2.0, 3.0):
            run: dict[str, list[tuple[str, float]]] = {}
            for q in qids:
                m = fts5_match(query_terms(queries[q]))
                if m is None:
                    run[q] = []
                    continue
                rows = con.execute(
                    f"SELECT rowid, -bm25(f_{name}, {tw}, 1.0) FROM f_{name} WHERE f_{name} MATCH ? "
                    f"ORDER BY bm25(f_{name}, {tw}, 1.0) LIMIT 100", (m,)).fetchall()
                run[q] = [(docs[r][0].doc_id if False else docs[r[0]].doc_id, r[1]) for r in rows]
            key = f"fts5 {name} title×{tw:g}"
            lex_runs[key] = run
            log.info("%s", score_run({q: [d for d, _ in v] for q, v in run.items()}, qrels).row(key))

    ids = json.loads((args.out / f"scifact_{args.model}_ids.json").read_text())
    dv = np.load(args.out / f"scifact_{args.model}_docs.npy")
    qv = np.load(args.out / f"scifact_{args.model}_queries.npy")
    qpos = {q: i for i, q in enumerate(ids["query_ids"])}
    dense: dict[str, list[tuple[str, float]]] = {}
    for q in qids:
        s = dv @ qv[qpos[q]]
        top = np.argsort(-s)[:100]
        dense[q] = [(ids["doc_ids"][i], float(s[i])) for i in top]
    log.info("%s", score_run({q: [d for d, _ in v] for q, v in dense.items()}, qrels).row("dense " + args.model))

    best_lex = max(lex_runs, key=lambda k: score_run({q: [d for d, _ in v] for q, v in lex_runs[k].items()}, qrels).ndcg10)
    log.info("best lexical: %s", best_lex)
    lex = lex_runs[best_lex]
    for method in ("rrf", "convex"):
        for w in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
            run2 = {q: [d for d, _ in fuse(lex[q], dense[q], method, w)] for q in qids}
            log.info("%s", score_run(run2, qrels).row(f"hybrid {method} w={w}"))


if __name__ == "__main__":
    main()

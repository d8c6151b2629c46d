"""Pool candidates for judging a development-set query (bench/devset/README.md says how).

For each query, the union of the top ``--depth`` papers of lexical, dense, hybrid-convex
and hybrid-RRF search over the slice, printed with the systems' ranks, the title and the
start of the abstract, so a judge reads each candidate once. Needs the kept database that
``papertide eval search`` builds (``PAPERTIDE_DATA_DIR/search-dev.db``).

    PAPERTIDE_DATA_DIR=/path/devdata python bench/devset_pool.py --depth 10 "query one" "query two"
    ... --file queries.jsonl   # one {"_id", "text"} per line
"""

from __future__ import annotations

import argparse
import json
import logging
import textwrap

from papertide.config import Settings
from papertide.services import build_search
from papertide.storage import papers as papers_store
from papertide.storage.db import Database

SYSTEMS = [("lex", "lexical", None), ("den", "dense", None), ("hyb", "hybrid", "convex"), ("rrf", "hybrid", "rrf")]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("queries", nargs="*")
    ap.add_argument("--file")
    ap.add_argument("--depth", type=int, default=10)
    ap.add_argument("--chars", type=int, default=260, help="abstract characters shown")
    args = ap.parse_args()
    logging.disable(logging.WARNING)
    items = [(f"q{i}", q) for i, q in enumerate(args.queries)]
    if args.file:
        items += [(d["_id"], d["text"]) for d in map(json.loads, open(args.file, encoding="utf-8")) if d]
    settings = Settings()
    db = Database(f"sqlite:///{(settings.data_dir / 'search-dev.db').resolve()}")
    svc = build_search(settings, db, threads=2)
    for qid, text in items:
        ranks: dict[int, dict[str, int]] = {}
        for short, mode, fusion in SYSTEMS:
            svc.fusion = fusion or "convex"
            for r, (pid, _) in enumerate(svc.rank(text, mode=mode, limit=args.depth), start=1):  # type: ignore[arg-type]
                ranks.setdefault(pid, {})[short] = r
        with db.read() as conn:
            entries = papers_store.entries_by_row_id(conn, list(ranks))
        order = sorted(ranks, key=lambda p: min(ranks[p].values()))
        print(f"=== {qid}: {text}  ({len(order)} candidates)")
        for pid in order:
            p = entries[pid].paper
            where = " ".join(f"{k}{v}" for k, v in ranks[pid].items())
            print(f"- {p.arxiv_id} [{where}] {p.title}")
            print(textwrap.indent(textwrap.shorten(p.abstract, args.chars), "    "))
        print()
    svc.close()


if __name__ == "__main__":
    main()

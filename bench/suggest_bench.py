"""Search-box suggestions: how soon a title being typed is suggested, and what a keystroke costs.

    PYTHONPATH=. .venv/bin/python bench/suggest_bench.py --db /path/to/papertide.db

Someone half-way through typing a paper's title: for a seeded sample of the papers held, each
title is cut after 30 %, 50 % and 70 % of its characters (usually mid-word, as a keystroke leaves
it), and we ask whether the paper is among the 8 suggestions and at which place. Baseline in
the same run: the same keyword hits in plain keyword order (no completion of the unfinished word).
Timing: :meth:`SearchService.suggest` per keystroke, against the keyword-only search page
(:meth:`SearchService.search`, lexical mode: hits, papers, highlighting) for the same text.
"""

from __future__ import annotations

import argparse
import random
import statistics
from pathlib import Path

import sqlalchemy as sa
from search_bench import pct, timed  # bench/ is on sys.path when a bench script runs

from papertide.domain.search import SearchRequest, make_filters
from papertide.domain.suggestions import MAX_SUGGESTIONS, read_typed
from papertide.search.lexical import make_lexical_index
from papertide.search.service import SearchService
from papertide.storage.db import Database
from papertide.storage.schema import papers

CUTS = (0.3, 0.5, 0.7)
SEED = 5


def sample_titles(db: Database, n: int) -> list[tuple[str, str]]:
    with db.read() as conn:
        ids = list(conn.execute(sa.select(papers.c.id)).scalars())
        chosen = random.Random(SEED).sample(ids, min(n, len(ids)))
        rows = conn.execute(sa.select(papers.c.arxiv_id, papers.c.title).where(papers.c.id.in_(chosen))).all()
    return [(r.arxiv_id, " ".join(r.title.split())) for r in rows]


def place(found: list[tuple[str, str]], arxiv_id: str) -> int | None:
    ids = [aid for aid, _ in found]
    return ids.index(arxiv_id) + 1 if arxiv_id in ids else None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", type=Path, required=True, help="a SQLite papertide database (its tantivy index beside it)")
    ap.add_argument("--titles", type=int, default=300)
    args = ap.parse_args()
    db = Database(f"sqlite:///{args.db}")
    svc = SearchService(db, lexical=make_lexical_index(db))
    svc.lexical.ensure_built()
    titles = sample_titles(db, args.titles)
    with db.read() as conn:
        held = conn.execute(sa.select(sa.func.count()).select_from(papers)).scalar_one()
    print(f"{held:,} papers; {len(titles)} titles typed part-way (seed {SEED}); suggestions: {MAX_SUGGESTIONS}")
    print("| typed | suggested (completion first) | mean place | suggested (keyword order) | mean place |")
    print("|---|---:|---:|---:|---:|")
    typed_all: list[str] = []
    for cut in CUTS:
        typed = [(aid, title[: max(1, round(len(title) * cut))]) for aid, title in titles]
        typed_all += [t for _, t in typed]
        with_completion = [place(svc.suggest(t), aid) for aid, t in typed]
        keyword_order = [place(_keyword_order(svc, t), aid) for aid, t in typed]
        row = [f"{cut:.0%} of the title"]
        for places in (with_completion, keyword_order):
            hit = [p for p in places if p]
            row += [f"{len(hit) / len(places):.1%}", f"{statistics.mean(hit):.2f}" if hit else "-"]
        print("| " + " | ".join(row) + " |")
    sugg = timed(svc.suggest, typed_all)
    page = timed(lambda t: svc.search(SearchRequest(t, make_filters(), "relevance", 0, 20, "lexical")), typed_all)
    print(f"\nper keystroke ({len(typed_all)} texts): suggest p50 {pct(sugg, 50):.1f} ms, p99 {pct(sugg, 99):.1f} ms; "
          f"keyword search page p50 {pct(page, 50):.1f} ms, p99 {pct(page, 99):.1f} ms "
          f"(suggest / page at p50: {pct(sugg, 50) / pct(page, 50):.2f})")


def _keyword_order(svc: SearchService, text: str) -> list[tuple[str, str]]:
    """The baseline: the same pool and cap, but no word being typed (plain keyword order)."""
    return svc.suggest(text.rstrip() + " ") if read_typed(text).partial else svc.suggest(text)


if __name__ == "__main__":
    main()

"""``papertide eval search``: our judged development set and SciFact, side by side.

Both run through the product's :meth:`SearchService.rank`. Each data set lives in its own
kept SQLite database under ``DATA_DIR`` so a second run reuses the stored vectors and only
re-ranks (embedding 42k abstracts on two cores takes about an hour).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from papertide.cli.context import load_settings
from papertide.cli.search import _embed, _progress, console, sync_lexical_index
from papertide.config import Settings
from papertide.domain.ingest import Harvested, RunCounts
from papertide.domain.search import Mode
from papertide.search.devset import DevRun, DevSet, load_devset, run_devset
from papertide.search.service import SearchService
from papertide.services import build_search
from papertide.storage.db import Database
from papertide.storage.migrate import upgrade

RUNS: list[tuple[str, Mode, str | None]] = [
    ("lexical", "lexical", None),
    ("dense", "dense", None),
    ("hybrid (convex)", "hybrid", "convex"),
    ("hybrid (RRF)", "hybrid", "rrf"),
]
COLUMNS = ("known", "typo", "tex", "pasted", "id", "foreign", "known items", "topic", "question", "foreign-topic", "all")


def _slice_records(corpus: Path, wanted: frozenset[str], counts: RunCounts) -> Iterator[Harvested]:
    from papertide.ingest.bulk import iter_records

    for rec in iter_records(corpus, counts):
        if rec.paper.arxiv_id in wanted:
            yield rec


def load_slice(db: Database, corpus: Path, devset: DevSet) -> int:
    """Import the slice's papers from the shared corpus file (skipped when already there)."""
    from papertide.ingest.writer import write_stream
    from papertide.storage import papers as papers_store

    with db.read() as conn:
        have = set(papers_store.row_ids(conn))
    missing = devset.corpus_ids - have
    if not missing:
        return 0
    counts = RunCounts()
    with _progress() as bar:
        task = bar.add_task(f"Importing {len(missing):,} papers of the slice", total=len(missing))
        write_stream(db, _slice_records(corpus, frozenset(missing), counts), counts,
                     on_progress=lambda n: bar.advance(task, n))
    return len(missing)


def _service(settings: Settings, path: Path, threads: int) -> tuple[Database, SearchService]:
    logging.getLogger("alembic").setLevel(logging.WARNING)
    db = Database(f"sqlite:///{path.resolve()}")
    upgrade(db)
    return db, build_search(settings, db, threads=threads)


def _build_keywords(svc: SearchService) -> None:
    """Build the keyword index the site serves from: a large corpus is otherwise answered by
    FTS5 until the background job has built tantivy, and we would measure the wrong engine."""
    ensure = getattr(svc.lexical, "ensure_built", None)
    if ensure is None or getattr(svc.lexical, "built", True):
        return
    with _progress() as bar:
        task = bar.add_task(f"Building the keyword index ({svc.lexical.name})", total=None)
        ensure(lambda done, total: bar.update(task, completed=done, total=total))


def _scifact(settings: Settings, dataset: Path, threads: int) -> dict[str, float]:
    from papertide.search.beir import evaluate, load_beir_corpus

    db, svc = _service(settings, settings.data_dir / f"{dataset.name}-eval.db", threads)
    with db.read() as conn:
        from papertide.storage import papers as papers_store

        empty = not papers_store.row_ids(conn)
    if empty:
        load_beir_corpus(db, dataset)
    _build_keywords(svc)
    sync_lexical_index(svc)
    _embed(svc, batch=64)
    with _progress() as bar:
        task = bar.add_task(f"{dataset.name} queries", total=None)
        rows = evaluate(svc, dataset, RUNS, progress=lambda n: bar.advance(task, n))
    svc.close()
    db.dispose()
    return {r.name: r.scores.ndcg10 for r in rows}


def eval_search(
    devset: Annotated[Path, typer.Option(
        exists=True, file_okay=False, help="The judged development set folder.")] = Path("bench/devset"),
    corpus: Annotated[Path, typer.Option(
        exists=True, dir_okay=False, help="The arXiv corpus file the set's slice is taken from.")] = Path(
        "../shared/data/arxiv_corpus.jsonl.gz"),
    beir: Annotated[Path | None, typer.Option(
        exists=True, file_okay=False, help="Also score a BEIR set (e.g. ../shared/beir/scifact).")] = None,
    vectors_from: Annotated[Path | None, typer.Option(
        exists=True, dir_okay=False, help="Copy stored vectors from another SQLite database first.")] = None,
    threads: Annotated[int, typer.Option(help="ONNX Runtime threads.", min=1)] = 2,
    runs_out: Annotated[Path | None, typer.Option(help="Write each run's top 20 per query here (JSON lines).")] = None,
) -> None:
    """Score lexical, dense and hybrid search on the development set (and SciFact), per query kind."""
    settings = load_settings()
    dev = load_devset(devset)
    db, svc = _service(settings, settings.data_dir / "search-dev.db", threads)
    added = load_slice(db, corpus, dev)
    if added:
        console.print(f"Imported {added:,} papers of the slice.")
    if vectors_from is not None:
        from papertide.search.beir import copy_vectors

        console.print(f"Copied {copy_vectors(Database(f'sqlite:///{vectors_from.resolve()}'), db):,} vectors.")
        svc.index.refresh()
    _build_keywords(svc)
    sync_lexical_index(svc)
    _embed(svc, batch=64)
    with _progress() as bar:
        task = bar.add_task("Development queries", total=len(dev.judged()) * len(RUNS))
        runs = run_devset(svc, dev, RUNS, progress=lambda n: bar.advance(task, n))
    svc.close()
    scifact = _scifact(settings, beir, threads) if beir is not None else {}
    print_runs(runs, scifact, beir.name if beir is not None else "")
    if runs_out is not None:
        write_runs(runs_out, runs)
    db.dispose()


def print_runs(runs: list[DevRun], beir: dict[str, float], beir_name: str) -> None:
    """One row per query kind, one column per run: the issue's targets read down a column."""
    kinds = [k for k in COLUMNS if k in runs[0].by_kind]
    table = Table(title="Development set: MRR@10 for known-item kinds, nDCG@10 for topics and questions")
    table.add_column("kind (queries)")
    for r in runs:
        table.add_column(r.name, justify="right")
    for k in kinds:
        table.add_row(f"{k} ({runs[0].by_kind[k].queries})", *[f"{r.by_kind[k].headline:.3f}" for r in runs])
    table.add_row("recall@100, all", *[f"{r.by_kind['all'].recall100:.3f}" for r in runs])
    if beir:
        table.add_row(f"{beir_name} nDCG@10", *[f"{beir.get(r.name, 0.0):.4f}" for r in runs])
    table.add_row("ms/query", *[f"{r.ms_per_query:.1f}" for r in runs])
    console.print(table)


def write_runs(path: Path, runs: list[DevRun]) -> None:
    import json

    with path.open("w", encoding="utf-8") as fh:
        for r in runs:
            for qid, ranked in r.rankings.items():
                fh.write(json.dumps({"run": r.name, "qid": qid, "top": ranked[:20]}) + "\n")


def register(eval_app: typer.Typer) -> None:
    eval_app.command("search")(eval_search)

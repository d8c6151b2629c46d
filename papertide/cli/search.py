"""CLI for search: ``papertide search``, ``papertide search reindex``, ``papertide embed``,
``papertide eval beir``. Thin shells over :class:`papertide.search.service.SearchService`."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table
from typer.core import TyperGroup

from papertide.cli.context import load_services, load_settings, open_database
from papertide.search.service import SearchService
from papertide.services import Edges, build_search
from papertide.storage.db import Database

console = Console()
err = Console(stderr=True, soft_wrap=True)  # paths and URLs in errors stay whole for copying


class _DefaultToQuery(TyperGroup):
    """``papertide search WORDS…`` runs the ``query`` subcommand unless WORDS names another."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["query", *args]
        return super().parse_args(ctx, args)


search_app = typer.Typer(cls=_DefaultToQuery, help="Search papers, or rebuild the search index.", no_args_is_help=True)
eval_app = typer.Typer(help="Measure search and recommendation quality.", no_args_is_help=True)


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TimeRemainingColumn(), console=err)


def _db_and_service(device: str = "cpu", threads: int | None = None) -> tuple[Database, SearchService]:
    services = load_services(edges=Edges(search_device=device, search_threads=threads))
    return services.db, services.search


@search_app.command("query")
def query(
    words: Annotated[list[str] | None, typer.Argument(
        help="The query (words, a question, or an arXiv id); none with a filter lists the newest papers passing it.")] = None,
    limit: Annotated[int, typer.Option(help="How many results to print.", min=1, max=1000)] = 10,
    sort: Annotated[Literal["relevance", "date", "upvotes"], typer.Option(help="How to order the results.")] = "relevance",
    mode: Annotated[Literal["hybrid", "lexical", "dense"], typer.Option(help="Which half of search to run.")] = "hybrid",
    cat: Annotated[list[str] | None, typer.Option(help="Only these arXiv categories (repeatable).")] = None,
    exclude_cat: Annotated[list[str] | None, typer.Option(help="Not these categories (repeatable).")] = None,
    author: Annotated[str, typer.Option(help="Author name contains this.")] = "",
    date_from: Annotated[str, typer.Option(help="Published on or after (YYYY-MM-DD).")] = "",
    date_to: Annotated[str, typer.Option(help="Published on or before (YYYY-MM-DD).")] = "",
    listed: Annotated[bool, typer.Option(help="Only papers listed on a daily page.")] = False,
    has_code: Annotated[bool, typer.Option(help="Only papers that name a code repository.")] = False,
) -> None:
    """Search papers and print the best matches."""
    from papertide.domain.search import InvalidFilter, SearchRequest, make_filters, parse_sort

    try:
        filters = make_filters(date_from, date_to, cat, exclude_cat, author, listed, has_code)
    except InvalidFilter as exc:
        raise typer.BadParameter(str(exc)) from None
    text = " ".join(words or ())
    if not text.strip() and not filters.active:
        raise typer.BadParameter("give words to search for, or a filter (--cat, --author, --date-from, …)")
    _, svc = _db_and_service()
    page = svc.search(SearchRequest(text, filters, parse_sort(sort), 0, limit, mode))
    if page.redirect:
        console.print(f"arXiv id → {page.redirect}")
        return
    if page.corrected:
        console.print(f"Showing results for: {escape(page.corrected)}")
    for aid in page.missing_ids:
        console.print(f"Not in this database: {aid} (`papertide ingest arxiv-ids` or the submit page fetches it)")
    table = Table(title=f"{page.count_label} ({page.took_ms:.0f} ms)")
    for col in ("#", "arXiv id", "title", "published", "▲"):
        table.add_column(col)
    for n, hit in enumerate(page.hits, start=1):
        p = hit.entry.paper
        table.add_row(str(n), p.arxiv_id, escape(p.title), p.published.isoformat() if p.published else "", str(hit.entry.upvotes))
    console.print(table)
    if page.query and page.sort != "relevance":
        order = "newest first" if page.sort == "date" else "most upvoted first"
        console.print(f"Every paper holding all the words, and the best matches for the whole query, {order}."
                      if page.every_word else f"The best matches only, {order}.")


@search_app.command("reindex")
def reindex(
    embeddings: Annotated[bool, typer.Option(help="Also compute missing or stale embeddings.")] = True,
    threads: Annotated[int, typer.Option(help="ONNX Runtime threads.", min=1)] = 2,
) -> None:
    """Rebuild the lexical index and bring every paper's embedding up to date."""
    db, svc = _db_and_service(threads=threads)
    with _progress() as bar:
        task = bar.add_task(f"Rebuilding the lexical index ({svc.lexical.name})", total=None)
        svc.reindex_lexical(progress=lambda done, total: bar.update(task, completed=done, total=total))
    console.print("Lexical index rebuilt.")
    if embeddings:
        _embed(svc, batch=64)


def sync_lexical_index(search: SearchService) -> None:
    """After an import: bring an external (tantivy) keyword index up to date, with a progress bar."""
    lexical = search.lexical
    if not getattr(lexical, "built", False):
        return  # SQL engines are kept by triggers; an unbuilt index is built on first use or by reindex
    total = search.pending_keywords()
    if not total:
        return
    with _progress() as bar:
        task = bar.add_task("Updating the search index", total=total)
        while n := lexical.sync(10_000):
            bar.advance(task, n)


def _embed(svc, batch: int) -> int:  # type: ignore[no-untyped-def]
    from papertide.search.bundled import import_vectors

    loaded = import_vectors(svc.db, svc.embedder.model_id)
    if loaded:
        console.print(f"Loaded {loaded} bundled vectors.")
    total = svc.pending()
    with _progress() as bar:
        task = bar.add_task(f"Embedding with {svc.embedder.model_id}", total=total)
        done: int = svc.embed_pending(progress=lambda n: bar.advance(task, n), batch=batch)
    if not done:
        with err.status("Updating the vector index…"):
            svc.index.refresh()  # embed_pending refreshes only when it embedded something
    console.print(f"Embedded {done} papers; {len(svc.index)} vectors in the index.")
    return done


def embed(
    device: Annotated[Literal["cpu", "cuda"], typer.Option(
        help="cpu, or cuda when onnxruntime-gpu and a GPU are present.")] = "cpu",
    threads: Annotated[int, typer.Option(help="ONNX Runtime CPU threads.", min=1)] = 2,
    batch: Annotated[int, typer.Option(help="Papers per write transaction.", min=1)] = 64,
) -> None:
    """Embed papers that have no current embedding (resumable: rerun after an interruption)."""
    _, svc = _db_and_service(device=device, threads=threads)
    if device == "cuda" and "CUDAExecutionProvider" not in getattr(svc.embedder, "providers", []):
        err.print("[yellow]CUDA is not available to ONNX Runtime (install onnxruntime-gpu); using the CPU.[/yellow]")
    _embed(svc, batch)


@eval_app.command("beir")
def eval_beir(
    dataset: Annotated[Path, typer.Option(
        exists=True, file_okay=False, help="A BEIR data set folder (corpus.jsonl[.gz], queries.jsonl, qrels).")],
    db_path: Annotated[Path | None, typer.Option(help="Keep the throwaway SQLite database here to reuse its vectors.")] = None,
    database_url: Annotated[str | None, typer.Option(help="Evaluate on this (empty) database instead, e.g. PostgreSQL.")] = None,
    threads: Annotated[int, typer.Option(help="ONNX Runtime threads.", min=1)] = 2,
    vectors_from: Annotated[Path | None, typer.Option(
        exists=True, dir_okay=False, help="Copy stored vectors from an earlier eval's SQLite database.")] = None,
) -> None:
    """Load a BEIR data set into a throwaway database and print nDCG@10, recall@100, MRR@10."""
    from papertide.search.beir import evaluate, load_beir_corpus
    from papertide.search.evaluation import SCIFACT_REFERENCE
    from papertide.storage.migrate import upgrade

    logging.getLogger("alembic").setLevel(logging.WARNING)
    tmp = tempfile.TemporaryDirectory()
    url = database_url or f"sqlite:///{(db_path or Path(tmp.name) / 'beir.db').resolve()}"
    db = open_database(url)
    upgrade(db)
    svc = build_search(load_settings(), db, threads=threads)
    with _progress() as bar:
        task = bar.add_task("Loading corpus", total=None)
        load_beir_corpus(db, dataset, progress=lambda n: bar.advance(task, n))
    if vectors_from is not None:
        from papertide.search.beir import copy_vectors

        console.print(f"Copied {copy_vectors(Database(f'sqlite:///{vectors_from.resolve()}'), db)} vectors from {vectors_from}.")
        svc.index.refresh()
    _embed(svc, batch=64)
    with _progress() as bar:
        task = bar.add_task("Running queries", total=None)
        rows = evaluate(svc, dataset, [("lexical", "lexical", None), ("dense", "dense", None),
                                       ("hybrid (convex)", "hybrid", "convex"),
                                       ("hybrid (convex, min-max)", "hybrid", "convex-minmax"),
                                       ("hybrid (RRF)", "hybrid", "rrf")],
                        progress=lambda n: bar.advance(task, n))
    table = Table(title=f"{dataset.name} on {db.dialect} ({rows[0].scores.queries} queries)")
    for col in ("run", "nDCG@10", "recall@100", "MRR@10", "ms/query"):
        table.add_column(col)
    for r in rows:
        s = r.scores
        table.add_row(r.name, f"{s.ndcg10:.4f}", f"{s.recall100:.4f}", f"{s.mrr10:.4f}", f"{r.ms_per_query:.1f}")
    console.print(table)
    if dataset.name.lower() == "scifact":
        ref = Table(title="Published SciFact nDCG@10")
        ref.add_column("system")
        ref.add_column("nDCG@10")
        for k, v in SCIFACT_REFERENCE.items():
            ref.add_row(k, v)
        console.print(ref)
    db.dispose()
    tmp.cleanup()


def register(app: typer.Typer) -> None:
    """Add the search commands to the main ``papertide`` CLI."""
    app.add_typer(search_app, name="search")
    from papertide.cli.recs import register as register_recs

    register_recs(eval_app)  # eval recs
    from papertide.cli.search_eval import register as register_search_eval

    register_search_eval(eval_app)  # eval search
    app.add_typer(eval_app, name="eval")
    app.command("embed")(embed)

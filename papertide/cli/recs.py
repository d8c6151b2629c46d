"""``papertide eval recs``: rank evaluation users' candidates through the live recommender.

The database is kept between runs (``--database-url``, by default ``DATA_DIR/recs-eval.db``):
the first run loads what the users need from ``--corpus``/``--hf`` (candidates stripped of
authors and HF fields), later runs only rank.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import logging
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from papertide.cli.context import load_services, load_settings
from papertide.recs.evaluation import KS, Timings, aggregate, eval_records, read_users, run, user_metrics
from papertide.recs.ranking import PERSONAL_BLEND
from papertide.storage.db import Database
from papertide.storage.migrate import upgrade
from papertide.storage.recs import paper_ids_by_arxiv

console = Console(width=150)
err = Console(stderr=True, soft_wrap=True)  # paths and URLs in errors stay whole for copying
METRICS = [f"recall@{k}" for k in KS] + ["nDCG@20", "MRR"]


def eval_recs(
    users: Annotated[Path, typer.Option(
        exists=True, dir_okay=False, help="Users file (JSONL): likes, window or candidate_ids, optional targets.")],
    out: Annotated[Path, typer.Option(help="Write one ranked line per user here (JSONL).")],
    corpus: Annotated[list[Path] | None, typer.Option(
        exists=True, dir_okay=False, help="Paper files (JSONL[.gz]) holding likes and candidates.")] = None,
    hf: Annotated[list[Path] | None, typer.Option(
        exists=True, dir_okay=False, help="HF daily papers files (likes only known there).")] = None,
    database_url: Annotated[str | None, typer.Option(help="The evaluation database (kept between runs).")] = None,
    likes: Annotated[int | None, typer.Option(help="Use only each user's N most recent likes.", min=1)] = None,
    depth: Annotated[int, typer.Option(help="Results written per user.", min=1)] = 100,
    kind: Annotated[str | None, typer.Option(help="Only users of this kind (author or community).")] = None,
    dense: Annotated[float | None, typer.Option(help="Weight of the readers' dense (embedding) view (experiments).")] = None,
    vectors_from: Annotated[Path | None, typer.Option(
        exists=True, dir_okay=False, help="Copy stored embeddings from this SQLite database first.")] = None,
    refit_vocabulary: Annotated[bool, typer.Option(help="Refit the text models first (done after every load).")] = False,
    baselines: Annotated[Path | None, typer.Option(
        exists=True, dir_okay=False, help="Baselines JSON printed alongside (default: beside users).")] = None,
) -> None:
    """Rank each user's candidates with the recommender the site uses; print figures when targets are given."""
    logging.getLogger("alembic").setLevel(logging.WARNING)
    settings = load_settings()
    url = database_url or f"sqlite:///{(settings.data_dir / 'recs-eval.db').resolve()}"
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    services = load_services(require_schema=False, settings=settings.model_copy(update={"database_url": url}))
    try:
        upgrade(services.db)
        people = [u for u in read_users(users) if kind is None or u.kind == kind]
        models = services.recommender.models
        if _load_missing(services, people, corpus or [], hf or []) or refit_vocabulary:
            err.print("Fitting the tf-idf vocabulary and counting phrases over the database's papers…")
            models.refit_text()
            models.refit_phrases()
        elif not models.has_phrases():
            err.print("Counting phrases over the database's papers…")
            models.refit_phrases()
        if vectors_from is not None:
            from papertide.search.beir import copy_vectors

            err.print(f"Copied {copy_vectors(Database(f'sqlite:///{vectors_from.resolve()}'), services.db)} vectors.")
        blend = PERSONAL_BLEND if dense is None else dataclasses.replace(PERSONAL_BLEND, dense=dense)
        timings = Timings()
        per_user: list[tuple[str, dict[str, float]]] = []
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as fh, _progress() as bar:
            task = bar.add_task("Ranking", total=len(people))
            for u, ranked in run(services.recommender, people, likes, depth, lambda n: bar.advance(task, n), timings, blend):
                fh.write(json.dumps({"id": u.id, "results": ranked}) + "\n")
                if u.targets:
                    per_user.append((u.kind, user_metrics(u.targets, ranked)))
        console.print(f"Wrote {timings.users} users to {out}.")
        console.print(
            f"Per user: profile {1000 * timings.profile_s / max(1, timings.users):.1f} ms, "
            f"candidate features {1000 * timings.pools_s / max(1, timings.users):.1f} ms (shared per window), "
            f"scoring {1000 * timings.scoring_s / max(1, timings.users):.1f} ms."
        )
        if per_user:
            _print_table(aggregate(per_user), _baselines(baselines or users.parent / "baselines_dev.json"), likes)
    finally:
        services.close()


def _load_missing(services, people, corpus: list[Path], hf: list[Path]) -> bool:  # type: ignore[no-untyped-def]
    with services.db.read() as conn:
        known = paper_ids_by_arxiv(conn, sorted({a for u in people for a in u.likes}))
    missing = {a for u in people for a in u.likes} - set(known)
    if not missing:
        return False
    if not corpus:
        err.print(f"[red]{len(missing)} liked papers are not in the database; pass --corpus (and --hf).[/red]")
        raise typer.Exit(2)
    err.print(f"Loading the evaluation papers from {', '.join(p.name for p in corpus + hf)} (once per database)…")
    records = eval_records(people, corpus, hf)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "eval-papers.jsonl.gz"
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            for r in records:
                fh.write(json.dumps(r) + "\n")
        with _progress() as bar:
            task = bar.add_task("Importing", total=len(records))
            services.ingest.import_file(path, "jsonl", on_progress=lambda n: bar.advance(task, n))
    return True


def _baselines(path: Path) -> dict[str, dict[str, dict[str, float]]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _print_table(ours: dict[str, dict[str, float]], base: dict[str, dict[str, dict[str, float]]], likes: int | None) -> None:
    title = "For you — recommendation quality" + (f" (each user's {likes} most recent likes)" if likes else "")
    table = Table(title=title)
    for col in ("system", "kind", "users", *METRICS):
        table.add_column(col, justify="right" if col not in ("system", "kind") else "left")
    rows = [("papertide", ours), *base.items()]
    for name, kinds in rows:
        for kind in ("author", "community", "overall"):
            m = kinds.get(kind)
            if m:
                table.add_row(name, kind, f"{int(m['n'])}", *(f"{m.get(x, 0.0):.3f}" for x in METRICS),
                              style="bold" if name == "papertide" else None)
    console.print(table)


def _progress():  # type: ignore[no-untyped-def]
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err)


def register(eval_app: typer.Typer) -> None:
    eval_app.command("recs")(eval_recs)

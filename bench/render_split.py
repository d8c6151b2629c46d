"""Where an uncached page's time goes: loading what it shows vs rendering its template (a command).

    .venv/bin/python bench/render_split.py --db DATA_DIR/bench.db [--requests 300] [--code DIR]

Runs the work of ``/``, ``/trending`` and a paper page without HTTP, in this thread: the
same calls the routes make (catalog, page services), then the template with the context
processor's values for a signed-out visitor, and reports the p50 of each half. Far steadier
than whole-request latency on a shared machine, so small template changes can be compared;
``--code DIR`` measures another checkout (a ``git worktree`` of an older commit) on the
same database. Build a database once with ``papertide import`` (or keep the one
foundation_bench.py builds) — this script only reads it.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# --code must take effect before papertide is imported below, so it is read here by hand.
CODE = Path(sys.argv[sys.argv.index("--code") + 1]).resolve() if "--code" in sys.argv[:-1] else REPO
sys.path.insert(0, str(CODE))

import argparse  # noqa: E402

from starlette.requests import Request  # noqa: E402

from papertide.config import Settings  # noqa: E402
from papertide.domain import trending as trending_domain  # noqa: E402
from papertide.services import Edges, build_services  # noqa: E402
from papertide.storage.db import Database  # noqa: E402
from papertide.web.templating import make_templates  # noqa: E402

PAPER = "2603.12572"  # the paper page foundation_bench.py times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, required=True, help="an SQLite database file with papers and listings")
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--code", type=Path, default=REPO, help="the checkout whose papertide is measured (read above)")
    args = ap.parse_args()
    db = Database(f"sqlite:///{args.db.resolve()}")
    settings = Settings(data_dir=args.db.resolve().parent, database_url=db.url, _env_file=None)  # type: ignore[call-arg]
    services = build_services(settings, Edges(db=db))
    templates = make_templates(services)
    app = SimpleNamespace(state=SimpleNamespace(services=services))
    catalog = services.catalog

    def request(path: str) -> Request:
        return Request({"type": "http", "method": "GET", "path": path, "query_string": b"", "headers": [],
                        "scheme": "http", "server": ("bench", 80), "root_path": "", "state": {}, "app": app})

    def home() -> tuple[str, dict[str, Any]]:
        period = catalog.latest_day()
        result = catalog.period(period, page=0, has_code=False)
        return "list.html", {"page": result, "period": period, "earlier": catalog.earlier_day(result)}

    def trending() -> tuple[str, dict[str, Any]]:
        return "trending.html", {"result": catalog.trending(limit=50), "formula": trending_domain.FORMULA,
                                 "offset": trending_domain.OFFSET_HOURS}

    def paper() -> tuple[str, dict[str, Any]]:
        page = services.pages.paper(PAPER, None)
        assert page is not None, f"{PAPER} is not in {args.db}"
        return "paper.html", {"entry": page.entry, "paper": page.entry.paper, "threads": page.threads,
                              "comment_count": page.comment_count, "similar": page.similar, "paper_page": page}

    def render(name: str, context: dict[str, Any], path: str) -> str:
        req = request(path)
        full = {**context, "request": req}
        for processor in templates.context_processors:
            full.update(processor(req))
        return templates.get_template(name).render(full)

    pages: list[tuple[str, Callable[[], tuple[str, dict[str, Any]]], str]] = [
        ("/", home, "/"), ("/trending", trending, "/trending"), ("paper page", paper, f"/papers/{PAPER}")]
    print(f"code: {CODE}; database: {args.db}")
    for label, load, path in pages:
        for _ in range(5):  # warm: compiled templates, caches a running site has
            render(*load(), path)
        loads, renders = [], []
        for _ in range(args.requests):
            t0 = time.perf_counter()
            name, context = load()
            t1 = time.perf_counter()
            render(name, context, path)
            loads.append((t1 - t0) * 1000)
            renders.append((time.perf_counter() - t1) * 1000)
        print(f"{label:10s} load p50 {statistics.median(loads):6.2f} ms   render p50 {statistics.median(renders):6.2f} ms")
    services.close()


if __name__ == "__main__":
    main()

"""Compute the demo corpus's bundled vectors (papertide/data/demo_embeddings.{npy,json}).

    PYTHONPATH=. .venv/bin/python bench/make_demo_vectors.py
Rerun after changing the embedding model or the demo corpus.
"""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path

from papertide.ingest.bulk import import_file
from papertide.search.bundled import bundled_paths, export_vectors
from papertide.search.embedders import make_embedder
from papertide.search.service import SearchService
from papertide.search.vectors import make_vector_index
from papertide.storage.db import Database
from papertide.storage.migrate import upgrade

log = logging.getLogger("bench")


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'demo.db'}")
        upgrade(db)
        import_file(db, Path("papertide/data/demo_papers.jsonl.gz"))
        emb = make_embedder("minilm", threads=2)
        svc = SearchService(db, emb, make_vector_index(db, emb.model_id))
        t0 = time.perf_counter()
        n = svc.embed_pending()
        dt = time.perf_counter() - t0
        log.info("embedded %d demo papers in %.1fs (%.1f/s)", n, dt, n / dt)
        npy, params = bundled_paths()
        log.info("exported %d vectors to %s", export_vectors(db, emb.model_id, npy, params), npy)
        db.dispose()


if __name__ == "__main__":
    main()

"""Precomputed vectors shipped with the demo corpus, so `make run` embeds nothing at start.

Format (no pickles; STYLE 12): ``demo_embeddings.npy`` holds a float16 (N × dim) array and
``demo_embeddings.json`` its params: format version, model id, dim, and per row the arXiv
id and the hash of the embedded text. Rows whose model or text no longer match the
database are skipped, and the background embedder computes them instead.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np

from papertide.storage import embeddings as emb_store
from papertide.storage.db import Database

FORMAT_VERSION = 1


def bundled_paths() -> tuple[Path, Path]:
    base = Path(str(resources.files("papertide") / "data"))
    return base / "demo_embeddings.npy", base / "demo_embeddings.json"


def export_vectors(db: Database, model_id: str, npy: Path, params: Path) -> int:
    """Write every stored vector of ``model_id`` to ``npy`` + ``params`` (sorted by arXiv id)."""
    with db.read() as conn:
        ids, matrix = emb_store.load_vectors(conn, model_id)
        rows = emb_store.paper_texts(conn)
    from papertide.search.service import source_hash

    by_id = {r.paper_id: r for r in rows}
    order = sorted(range(len(ids)), key=lambda n: by_id[int(ids[n])].arxiv_id)
    np.save(npy, matrix[order].astype(np.float16))
    meta = {
        "format": FORMAT_VERSION,
        "model_id": model_id,
        "dim": int(matrix.shape[1]) if len(ids) else 0,
        "dtype": "float16",
        "arxiv_ids": [by_id[int(ids[n])].arxiv_id for n in order],
        "source_hashes": [source_hash(by_id[int(ids[n])].title, by_id[int(ids[n])].abstract) for n in order],
    }
    params.write_text(json.dumps(meta, indent=0) + "\n")
    return len(order)


def import_vectors(db: Database, model_id: str, npy: Path | None = None, params: Path | None = None) -> int:
    """Load bundled vectors for papers whose text still matches; returns how many were stored."""
    default_npy, default_params = bundled_paths()
    npy, params = npy or default_npy, params or default_params
    if not npy.exists() or not params.exists():
        return 0
    meta = json.loads(params.read_text())
    if meta.get("format") != FORMAT_VERSION or meta.get("model_id") != model_id:
        return 0  # another model: its vectors must not mix with ours
    matrix = np.load(npy)
    from papertide.search.service import source_hash

    want = dict(zip(meta["arxiv_ids"], range(len(meta["arxiv_ids"])), strict=True))
    with db.read() as conn:
        rows = emb_store.paper_texts(conn, list(want)) if len(want) < 30_000 else []
        stale = {p.paper_id for p in emb_store.iter_stale(conn, model_id, source_hash)}
    keep = [
        (r.paper_id, want[r.arxiv_id]) for r in rows
        if r.paper_id in stale and meta["source_hashes"][want[r.arxiv_id]] == source_hash(r.title, r.abstract)
    ]
    if not keep:
        return 0
    with db.write() as conn:
        emb_store.upsert_vectors(
            conn, model_id, [pid for pid, _ in keep], [meta["source_hashes"][n] for _, n in keep],
            matrix[[n for _, n in keep]],
        )
    return len(keep)

"""Writes of the derived ``paper_authors`` rows, called by the paper writer with each paper."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.domain.authors import author_key, search_key
from papertide.storage.tables.authors import paper_authors

IN_CHUNK = 500  # SQLite's bound-parameter cap, as in storage/papers.py


def replace_paper_authors(conn: Connection, authors_by_id: Mapping[int, Sequence[str]]) -> None:
    """Rewrite the author rows of the papers in ``authors_by_id`` (row id → author names, in order)."""
    ids = list(authors_by_id)
    for i in range(0, len(ids), IN_CHUNK):
        conn.execute(sa.delete(paper_authors).where(paper_authors.c.paper_id.in_(ids[i : i + IN_CHUNK])))
    rows = [
        {"paper_id": pid, "position": pos, "author_key": key, "name": name, "search_key": search_key(name)}
        for pid in ids
        for pos, name in enumerate(authors_by_id[pid])
        if (key := author_key(name))
    ]
    if rows:
        conn.execute(sa.insert(paper_authors), rows)

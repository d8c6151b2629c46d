"""Paper version history: one row per arXiv version we have seen."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from papertide.domain.ingest import PaperVersion
from papertide.storage.schema import papers
from papertide.storage.tables.ingest import paper_versions


def upsert_versions(conn: Connection, rows: Sequence[tuple[int, PaperVersion]]) -> None:
    """Record (paper row id, version) pairs; known text and dates are never replaced by NULL."""
    if not rows:
        return
    values = [
        {"paper_id": pid, "version": v.version, "submitted": v.submitted, "title": v.title, "abstract": v.abstract,
         "authors": list(v.authors) if v.authors is not None else None}
        # In (paper, version) order: on PostgreSQL each row is locked as it is written, and two
        # batches dating the same unchanged papers (not locked by the writer) could otherwise
        # deadlock, each holding a row the other waits for.
        for pid, v in sorted(rows, key=lambda row: (row[0], row[1].version))
    ]
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(paper_versions)
    ex = stmt.excluded
    t = paper_versions.c
    stmt = stmt.on_conflict_do_update(
        index_elements=["paper_id", "version"],
        set_={
            "submitted": sa.func.coalesce(ex.submitted, t.submitted),
            "title": sa.func.coalesce(ex.title, t.title),
            "abstract": sa.func.coalesce(ex.abstract, t.abstract),
            # JSON NULL vs SQL NULL differs by dialect; a CASE on the title keeps it portable.
            "authors": sa.case((ex.title.is_(None), t.authors), else_=ex.authors),
            "updated_at": sa.func.now(),
        },
    )
    conn.execute(stmt, values)


def list_versions(conn: Connection, arxiv_id: str) -> list[PaperVersion]:
    """A paper's versions, oldest first."""
    q = (
        sa.select(paper_versions)
        .join(papers, papers.c.id == paper_versions.c.paper_id)
        .where(papers.c.arxiv_id == arxiv_id)
        .order_by(paper_versions.c.version)
    )
    return [
        PaperVersion(r.version, r.submitted, r.title, r.abstract, tuple(r.authors) if r.authors is not None else None)
        for r in conn.execute(q)
    ]

"""SQLite FTS5 lexical search over the ``papers_fts`` external-content table (0005_search).

bm25() column weights were measured on SciFact (bench/RESULTS.md): title ×3 with the
porter stemmer beat unstemmed and unboosted variants by 0.01–0.02 nDCG@10.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.domain.search import fts5_match
from papertide.storage.schema import papers

TITLE_WEIGHT = 3.0  # bm25() weight of the title column
ABSTRACT_WEIGHT = 1.0
AUTHORS_WEIGHT = 1.0

_fts = sa.table("papers_fts", sa.column("rowid"))
_fts_name: sa.ColumnClause[object] = sa.literal_column("papers_fts")


def lexical_search(
    conn: Connection, terms: Sequence[str], conditions: Sequence[sa.ColumnElement[bool]], limit: int
) -> list[tuple[int, float]]:
    """BM25 top ``limit``: papers holding every term when there are enough, else any term.

    FTS5 scores every row an OR query matches, so an OR of common words over 240k papers
    costs ~100 ms+; the AND query walks intersected doclists and is several times cheaper
    (bench/RESULTS.md). When fewer than ``limit`` papers hold every term (long queries,
    rare words) we fall back to OR, so recall does not drop.
    """
    if not terms:
        return []
    if len(terms) > 1:
        both = _run(conn, fts5_match(terms, "AND"), conditions, limit)
        if len(both) >= limit:
            return both
    return _run(conn, fts5_match(terms), conditions, limit)


def _run(
    conn: Connection, match: str | None, conditions: Sequence[sa.ColumnElement[bool]], limit: int
) -> list[tuple[int, float]]:
    if match is None:
        return []
    # bm25() is "lower is better"; we negate it so every engine returns higher = better.
    rank = sa.func.bm25(_fts_name, TITLE_WEIGHT, ABSTRACT_WEIGHT, AUTHORS_WEIGHT)
    q = sa.select(_fts.c.rowid, (-rank).label("score")).select_from(_fts)
    # Join papers only when a filter needs its columns: the join costs one papers
    # b-tree lookup per *matching* row before the top-k cut (2x on OR queries over
    # common words at 241k papers, bench/RESULTS.md). The triggers of 0005_search keep
    # papers_fts and papers in step, so the unjoined rows are the same rows.
    if conditions:
        q = q.join(papers, papers.c.id == _fts.c.rowid)
    q = q.where(_fts_name.op("MATCH")(match), *conditions).order_by(rank).limit(limit)
    return [(int(r[0]), float(r[1])) for r in conn.execute(q)]


def rebuild(conn: Connection) -> None:
    conn.exec_driver_sql("INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")

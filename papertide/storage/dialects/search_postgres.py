"""PostgreSQL full-text search over ``search_documents`` (weighted tsvector, GIN; 0005_search).

Title is weight A, abstract B, authors C. We OR the query terms (BM25-like "any term
may match") and rank with ts_rank normalised by document length (flag 1).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.domain.search import tsquery_text
from papertide.storage.schema import papers

# ts_rank weights for {D, C, B, A}: authors count a little, title most.
RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"
RANK_NORMALISATION = 1  # divide by 1 + log(document length)

_docs = sa.table("search_documents", sa.column("paper_id"), sa.column("document"))


def lexical_search(
    conn: Connection, terms: Sequence[str], conditions: Sequence[sa.ColumnElement[bool]], limit: int
) -> list[tuple[int, float]]:
    text = tsquery_text(terms)
    if text is None:
        return []
    query = sa.func.to_tsquery(sa.literal_column("'english'::regconfig"), text)
    rank = sa.func.ts_rank(
        sa.literal_column(f"'{RANK_WEIGHTS}'::float4[]"), _docs.c.document, query, RANK_NORMALISATION
    )
    q = (
        sa.select(_docs.c.paper_id, rank.label("score"))
        .select_from(_docs)
        .join(papers, papers.c.id == _docs.c.paper_id)
        .where(_docs.c.document.op("@@")(query), *conditions)
        .order_by(rank.desc(), _docs.c.paper_id)
        .limit(limit)
    )
    return [(int(r[0]), float(r[1])) for r in conn.execute(q)]


def rebuild(conn: Connection) -> None:
    # Touching the text columns re-fires the trigger that writes search_documents.
    conn.exec_driver_sql("UPDATE papers SET title = title")

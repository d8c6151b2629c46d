"""Filtered search without words: the papers passing the filters, newest or most upvoted first.

The keyword index lists the newest passing papers and counts them when it can (tantivy holds
every filter as a field: tantivy_browse.py); SQL walks the papers table otherwise. "Most upvoted"
is the upvoted papers passing the filters, most upvoted first (a few percent of all papers, on
their own small index), then every other passing paper newest first: SQL's one ORDER BY, read
as two lists.
"""

from __future__ import annotations

from papertide.domain.search import SearchFilters
from papertide.search.lexical import LexicalIndex
from papertide.storage import search as search_store
from papertide.storage.db import Database


def browse(db: Database, lexical: LexicalIndex, filters: SearchFilters, sort: str,
           size: int, start: int) -> tuple[list[int], int]:
    """One page (``start``, ``size``) of the papers passing ``filters``, by "date" or "upvotes"; and their count."""
    end = start + size
    found = lexical.newest(filters, end)
    if found is None:
        with db.read() as conn:
            return search_store.browse(conn, filters, sort, size, start)
    dated, total = found
    if sort != "upvotes":
        return dated[start:end], total
    with db.read() as conn:
        upvoted = search_store.upvoted(conn, filters)
    # Of the newest `end` papers at most len(upvoted) are in the head, so the head and the
    # rest of them hold the first `end` papers of the whole order.
    head = set(upvoted)
    ordered = upvoted + [i for i in dated if i not in head]
    return ordered[start:end], total

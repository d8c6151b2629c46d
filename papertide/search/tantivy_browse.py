"""Browsing by filters alone from the tantivy index: the newest papers passing them, and how many.

SQL answers "the 20 newest cs.CL papers with code" by walking papers newest first and checking
each one, then counting the passing papers with a second pass: 100-600 ms at 241,792 papers, on
every page (bench/RESULTS.md). The index holds every filter as a field and a newest-first sort
key (tantivy_schema.newest_key), so it lists and counts them in a few ms.

Only the author filter is not exact in the index: its n-grams admit a superset (a "hinton"
query also admits a paper by a Hinrich and a Clinton: every trigram, though in no one name), which SQL checks — the whole superset
when it is small, otherwise ever deeper newest-first slices until the page is full, with the
count from the name's kept list (kept_filters.py) or, failing that, from SQL.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from papertide.domain.search import SearchFilters
from papertide.search.kept_filters import KeptFilterSets
from papertide.storage import search as search_store
from papertide.storage.db import Database

# An author superset this small is checked whole, which gives the exact count as well
# (SQL checks ~150 papers a ms at 241,792 papers: 4,000 in ~26 ms).
AUTHOR_EXACT_MAX = 4_000
# With the name's papers kept in memory, a superset up to this size is read whole from the index
# (~20 ms for 33,000) and checked against them; a wider one (a one-letter name) is read slice by slice.
KEPT_EXACT_MAX = 50_000


def newest(searcher: Any, query: Any, limit: int) -> tuple[list[int], int]:
    """The ``limit`` first papers ``query`` matches in newest-first order, and how many it matches."""
    result = searcher.search(query, max(limit, 1), count=True, order_by_field="newest")
    ids = searcher.fast_field_values("id", [addr for _, addr in result.hits][:limit])
    return [int(i) for i in ids if i is not None], result.count


def newest_by_author(searcher: Any, query: Any, filters: SearchFilters, limit: int,
                     db: Database, kept: KeptFilterSets) -> tuple[list[int], int]:
    """As :func:`newest` for a query holding the author filter's n-grams: the superset checked."""
    only_author = SearchFilters(author=filters.author)
    listed = kept.passing(only_author)  # a name asked for again: its papers, listed once
    first, admitted = newest(searcher, query, limit)
    if admitted <= (AUTHOR_EXACT_MAX if listed is None else KEPT_EXACT_MAX):
        every = first if admitted <= limit else newest(searcher, query, admitted)[0]
        exact = _passing(every, only_author, db, listed)
        return exact[:limit], len(exact)
    depth, slice_ = limit, first
    while True:
        found = _passing(slice_, only_author, db, listed)
        if len(found) >= limit or depth >= admitted:
            break
        depth *= 4
        slice_ = newest(searcher, query, depth)[0]
    if listed is not None and filters == only_author:
        return found[:limit], len(listed)
    with db.read() as conn:
        total = search_store.count_passing(conn, filters)
    return found[:limit], total


def _passing(ids: list[int], only_author: SearchFilters, db: Database,
             listed: Collection[int] | None) -> list[int]:
    """Those of ``ids`` (in their order) the author filter passes."""
    if listed is None:
        with db.read() as conn:
            listed = search_store.filter_among(conn, only_author, ids)
    return [i for i in ids if i in listed]

"""Listings by date or upvotes: the papers passing the filters (:func:`browse`), or a query's
papers (:func:`with_words`), newest or most upvoted first.

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

UPVOTED_SLICE = 1_000  # upvoted papers checked for a query's words at a time, most upvoted first


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


def with_words(db: Database, lexical: LexicalIndex, terms: tuple[str, ...], filters: SearchFilters, sort: str,
               best: list[int], end: int) -> tuple[list[int], int] | None:
    """The first ``end`` papers by ``sort`` of a query's listing, and how many it holds; None when
    the keyword engine cannot list it (SQL) or no paper holds every word.

    A listing newest (or most upvoted) first answers "what is new on X": every paper holding all of
    the query's words and passing ``filters``, as a library catalogue sorts, together with ``best``,
    the query's best-ranked matches (which already pass the filters), so a paraphrase's semantic
    matches stay in it. Relevance alone would reorder only those few: the newest papers on a
    common topic rank below its classics and would never show.
    """
    if not terms:  # words the keyword side cannot read: no listing would hold them all
        return None
    found = lexical.newest(filters, end, terms)
    if found is None or not found[1]:
        return None
    newest_first, count = found
    # The best matches outside the all-words listing add to its count.
    holding = lexical.newest(SearchFilters(), len(best), terms, among=best)
    outside = len(best) - len(holding[0]) if holding is not None else 0
    pool = list(dict.fromkeys([*newest_first, *best]))  # holds the first `end` of the listing by date
    with db.read() as conn:
        if sort != "upvotes":
            return search_store.sort_ids(conn, pool, "date")[:end], count + outside
        upvoted = search_store.upvoted(conn, filters)  # most upvoted first: a few percent of the papers
        head = _first_upvoted(lexical, terms, upvoted, set(best), end)
        voted = set(upvoted)
        # Every other paper of the listing has no upvote: newest first, as SQL orders the ties at 0.
        rest = search_store.sort_ids(conn, [i for i in pool if i not in voted], "date")
    return (head + rest)[:end], count + outside


def _first_upvoted(lexical: LexicalIndex, terms: tuple[str, ...], upvoted: list[int], best: set[int],
                   end: int) -> list[int]:
    """The first ``end`` of ``upvoted`` (in its order) that hold every word or are best matches,
    checked a slice at a time: a common topic fills the page from the first slice."""
    head: list[int] = []
    for i in range(0, len(upvoted), UPVOTED_SLICE):
        chunk = upvoted[i : i + UPVOTED_SLICE]
        found = lexical.newest(SearchFilters(), len(chunk), terms, among=chunk)
        holding = set(found[0]) if found is not None else set()
        head += [pid for pid in chunk if pid in holding or pid in best]
        if len(head) >= end:
            break
    return head[:end]

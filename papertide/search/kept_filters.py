"""The papers a repeated filter passes, listed once in the background and kept while nothing changes.

Checking a keyword list's hits against the author filter in SQL reads each hit's row: 200 hits
cost 18 ms at 241,792 papers, and a name common enough to need a deeper list 50-140 ms
(bench/RESULTS.md). Listing every paper the filter passes costs a scan (about a second for
"wang"), too much for a request but cheap to do once off the request path when the same filter
comes back; the page generation (one primary-key read) says whether a kept list is still right.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from papertide.domain.search import SearchFilters
from papertide.storage import search as search_store
from papertide.storage.db import Database
from papertide.storage.page_generation import read_generation

log = logging.getLogger(__name__)

K = TypeVar("K")
V = TypeVar("V")

KEPT_FILTERS = 16  # filters whose passing papers are kept (a common name's list is ~2 MB)
KEPT_IDS = 1_000_000  # papers kept over all filters (~60 MB)
LIST_MAX = 250_000  # a filter passing more (a one-letter name: almost every paper) is not kept, only marked


class KeptFilterSets:
    """``passing(filters)`` once a second use of ``filters`` has had it listed in the background."""

    def __init__(self, db: Database) -> None:
        self.db = db
        # filter → (generation, ids), ids None where the filter passes more than LIST_MAX papers
        self._kept: dict[SearchFilters, tuple[int, frozenset[int] | None]] = {}
        self._seen: dict[SearchFilters, int] = {}  # filter → generation it was last asked for at
        self._listing: set[SearchFilters] = set()
        self._lock = threading.Lock()

    def passing(self, filters: SearchFilters) -> frozenset[int] | None:
        """Every paper passing ``filters`` if a list of them is kept and current; else None, and the
        second time a filter is asked for within one generation, a thread starts listing it."""
        with self.db.read() as conn:
            generation = read_generation(conn)
        if generation is None:
            return None
        with self._lock:
            kept = self._kept.get(filters)
            if kept is not None and kept[0] == generation:
                return kept[1]  # None for a filter too wide to keep: SQL checks its hits
            again = self._seen.get(filters) == generation
            keep_newest(self._seen, filters, generation, 16 * KEPT_FILTERS)
            if not again or filters in self._listing:
                return None
            self._listing.add(filters)
        threading.Thread(target=self._list, args=(filters,), name="papertide-filter-list", daemon=True).start()
        return None

    def _list(self, filters: SearchFilters) -> None:
        try:
            with self.db.read() as conn:  # one transaction: the list is of the generation read with it
                generation = read_generation(conn)
                ids = search_store.filtered_ids(conn, filters)
            if generation is not None:
                with self._lock:
                    keep_newest(self._kept, filters, (generation, ids if len(ids) <= LIST_MAX else None),
                                KEPT_FILTERS, KEPT_IDS, lambda kept: len(kept[1] or ()))
        except Exception:  # the next query tries again; SQL checks the hits meanwhile
            log.exception("listing the papers a filter passes failed")
        finally:
            with self._lock:
                self._listing.discard(filters)


def keep_newest(store: dict[K, V], key: K, value: V, entries: int, total: int | None = None,
                size: Callable[[V], int] = lambda _: 1) -> None:
    """Put ``key`` last in ``store`` (dicts keep insertion order), dropping the oldest while more than
    ``entries`` are kept or their ``size`` adds up to more than ``total``; the newest always stays."""
    store.pop(key, None)
    store[key] = value
    while len(store) > 1 and (len(store) > entries or (total is not None and sum(map(size, store.values())) > total)):
        del store[next(iter(store))]

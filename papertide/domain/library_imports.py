"""What became of each entry of an imported library (a reading list read by
:mod:`papertide.recs.library`), whether it went into a member's For-you profile or into one of
their collections. Pure: entries and what the database holds in, per-entry results out.

Both imports sort entries the same way, so both reports say the same things in the same words:
an entry without an arXiv id is an error with its reason, a second entry naming a paper an
earlier one named is "repeated", a paper we hold is "matched" and one we do not is "pending"
(fetched from arXiv by the ``recs.fetch_pending`` job). A collection adds two more outcomes:
"present" (already in it, left where it is) and "full" (no room left under its cap).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, Protocol

# "repeated": the entry names a paper an earlier entry of the same file named (a preprint and its
# published version), so each paper is counted once.
EntryStatus = Literal["matched", "pending", "repeated", "present", "full", "error"]


class ReadEntry(Protocol):
    """One entry as the library reader returns it (``papertide.recs.library_entries.LibraryEntry``)."""

    @property
    def index(self) -> int: ...
    @property
    def key(self) -> str: ...
    @property
    def arxiv_id(self) -> str | None: ...
    @property
    def title(self) -> str: ...
    @property
    def message(self) -> str: ...


@dataclass(frozen=True, slots=True)
class EntryResult:
    """What became of one entry of an imported library."""

    index: int  # 1-based position in the file
    key: str  # the entry's citation key, id or line, for the member to find it
    status: EntryStatus
    arxiv_id: str | None = None
    message: str = ""


@dataclass(frozen=True, slots=True)
class ImportReport:
    filename: str
    format: str  # bibtex, ris, csl, csv, ids
    results: tuple[EntryResult, ...] = ()
    notices: tuple[str, ...] = field(default=())  # about the whole file (e.g. read as Latin-1)

    def count(self, status: EntryStatus) -> int:
        return sum(r.status == status for r in self.results)

    def having(self, status: EntryStatus) -> tuple[EntryResult, ...]:
        return tuple(r for r in self.results if r.status == status)

    @property
    def matched(self) -> int:
        return self.count("matched")

    @property
    def pending(self) -> int:
        return self.count("pending")

    @property
    def repeated(self) -> int:
        return self.count("repeated")

    @property
    def present(self) -> int:
        return self.count("present")

    @property
    def errors(self) -> tuple[EntryResult, ...]:
        return self.having("error")


def _named(e: ReadEntry) -> str:
    return f"entry {e.index} ({e.key})" if e.key else f"entry {e.index}"


def sort_entries(entries: Iterable[ReadEntry], held: Mapping[str, object], present: Collection[str] = (),
                 limit: int | None = None) -> list[EntryResult]:
    """One result per entry, in file order.

    ``held`` holds the arXiv ids the instance has (any value), ``present`` the ids already in
    the collection and ``limit`` the most papers it may hold: the first new papers in file
    order take the room left, the rest are "full". Papers not held are "pending" and take no
    room (they join nothing until the member adds them again, when the limit applies).

    >>> from types import SimpleNamespace as E
    >>> es = [E(index=i, key=k, arxiv_id=a, title="", message="entry 4: no arXiv id") for i, k, a in
    ...       [(1, "a", "2401.00001"), (2, "b", "2401.00001"), (3, "c", "2401.00002"), (4, "", None), (5, "", "2401.00003")]]
    >>> [(r.index, r.status) for r in sort_entries(es, {"2401.00001": 1, "2401.00002": 2}, {"2401.00002"})]
    [(1, 'matched'), (2, 'repeated'), (3, 'present'), (4, 'error'), (5, 'pending')]
    >>> [r.status for r in sort_entries(es[:1], {"2401.00001": 1}, {"2401.00002"}, limit=1)]
    ['full']
    """
    room = None if limit is None else max(0, limit - len(present))
    results: list[EntryResult] = []
    first: dict[str, int] = {}  # arXiv id → the entry that named it first
    for e in entries:
        if e.arxiv_id is None:
            results.append(EntryResult(e.index, e.key, "error", None, e.message))
            continue
        if e.arxiv_id in first:
            results.append(EntryResult(e.index, e.key, "repeated", e.arxiv_id,
                                       f"{_named(e)}: the same paper as entry {first[e.arxiv_id]} ({e.arxiv_id})"))
            continue
        first[e.arxiv_id] = e.index
        if e.arxiv_id in present:
            results.append(EntryResult(e.index, e.key, "present", e.arxiv_id, e.title))
        elif e.arxiv_id not in held:
            results.append(EntryResult(e.index, e.key, "pending", e.arxiv_id, e.title))
        elif room is not None and room <= 0:
            results.append(EntryResult(e.index, e.key, "full", e.arxiv_id,
                                       f"{_named(e)}: {e.arxiv_id} did not fit; a collection holds at most {limit:,} papers"))
        else:
            room = None if room is None else room - 1
            results.append(EntryResult(e.index, e.key, "matched", e.arxiv_id, e.title))
    return results

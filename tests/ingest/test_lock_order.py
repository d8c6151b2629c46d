"""Two batches writing rows of the same papers in opposite orders must not deadlock (PostgreSQL).

Papers whose content did not change are not locked by the writer (``claim_papers``), yet their
listing and version rows are still written: two batches listing the same papers on the same day
(the daily job and a re-import, two imports of overlapping files) each lock those rows as they
go. Taken in the batch's own order, the first held one row and waited for the second while the
other held the second and waited for the first: PostgreSQL killed one batch ("deadlock
detected") and its whole page of papers was lost.

Each test puts the two batches in exactly that spot: a third connection holds a row the first
batch reaches last, so the first has written its first row and stops; the second batch then
starts and stops at a row the first holds; the third lets go.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

import pytest

from papertide.domain.ingest import Harvested, PaperVersion, SourceKind
from papertide.domain.papers import Listing
from papertide.ingest.writer import store_records
from papertide.storage import listings as listings_store
from papertide.storage import paper_versions as versions_store
from papertide.storage import papers as papers_store
from papertide.storage.db import Database
from tests.factories import make_paper
from tests.interleave import wait_for_lock_waiters

DAY = date(2026, 6, 3)
SUBMITTED = datetime(2026, 6, 1, tzinfo=UTC)
IDS = ("2606.00071", "2606.00072", "2606.00073")


@pytest.fixture
def other(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


def _listed(arxiv_id: str) -> Harvested:
    return Harvested(make_paper(arxiv_id), SourceKind.ARXIV, listing=Listing(arxiv_id, DAY))


def _dated(arxiv_id: str) -> Harvested:
    return Harvested(make_paper(arxiv_id), SourceKind.ARXIV, versions=(PaperVersion(1, SUBMITTED),))


def _hold_listing(conn, ids: dict[str, int], arxiv_id: str) -> None:  # type: ignore[no-untyped-def]
    listings_store.upsert_listings(conn, [Listing(arxiv_id, DAY)], ids)


def _hold_version(conn, ids: dict[str, int], arxiv_id: str) -> None:  # type: ignore[no-untyped-def]
    versions_store.upsert_versions(conn, [(ids[arxiv_id], PaperVersion(1, SUBMITTED))])


def _in_thread(work: Callable[[], object]) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as e:  # noqa: BLE001 - the test reports it
            errors.append(e)
    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


@pytest.mark.parametrize(("record", "hold"), [(_listed, _hold_listing), (_dated, _hold_version)],
                         ids=["listings", "versions"])
def test_two_batches_writing_unchanged_papers_rows_in_opposite_orders_both_land(db, other, record, hold):
    if db.is_sqlite:
        pytest.skip("SQLite's writers take turns from BEGIN IMMEDIATE: no row locks to take out of order")
    store_records(db, [Harvested(make_paper(a), SourceKind.ARXIV) for a in IDS])  # row ids in IDS order
    with db.read() as conn:
        ids = {a: papers_store.paper_row_id(conn, a) for a in IDS}
    first, second, third = IDS
    holder = db.engine.connect()
    try:
        holder.begin()
        hold(holder, ids, third)  # the row our batch reaches last
        ours, our_errors = _in_thread(lambda: store_records(db, [record(first), record(third), record(second)]))
        wait_for_lock_waiters(db, 1)  # ours wrote `first`'s row and waits for `third`'s
        theirs, their_errors = _in_thread(lambda: store_records(other, [record(second), record(first)]))
        wait_for_lock_waiters(db, 2)  # theirs waits for a row ours holds
        holder.commit()
    finally:
        holder.close()
    ours.join()
    theirs.join()
    assert our_errors == [] and their_errors == []

"""A member's vote landing while their account is banned or deleted in another process: the
vote either counts and comes off with the rest, or is refused; the totals never keep it
(tests/interleave.py puts the vote right after the statement that takes their votes off)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from papertide.community import Denied
from papertide.community.accounts import Accounts
from papertide.community.contributions import Votes
from papertide.storage import papers as papers_store
from papertide.storage import personal_data
from papertide.storage import users as users_store
from papertide.storage import votes as votes_store
from papertide.storage.db import Database
from tests.factories import add_papers, make_paper
from tests.interleave import between


@pytest.fixture
def other(db_url: str) -> Iterator[Database]:
    """The other process's database handle (its own engine and pool)."""
    database = Database(db_url)
    yield database
    database.dispose()


def _takes_votes_off(statement: str) -> bool:
    """Picks shift_member_votes' UPDATE of the totals of the papers the member upvoted."""
    return statement.lstrip().upper().startswith("UPDATE PAPERS") and "upvotes.user_id" in statement


def _locks_the_member(statement: str) -> bool:
    return statement.lstrip().upper().startswith("SELECT USERS.ID") and "FOR NO KEY UPDATE" in statement


def _setup(db: Database):  # type: ignore[no-untyped-def]
    add_papers(db, make_paper("2606.00081", upvotes_baseline=5), make_paper("2606.00082", upvotes_baseline=7))
    with db.write() as conn:
        ada = users_store.find_or_create_user(conn, "ada@example.org")[0]
        ids = [papers_store.paper_row_id(conn, a) for a in ("2606.00081", "2606.00082")]
    Votes(db).vote(ada, "2606.00081", True)
    return ada, ids


def _totals(db: Database, ids: list[int]) -> list[tuple[int, int, int]]:
    with db.read() as conn:
        found = votes_store.vote_totals(conn, ids)
    return [found[i] for i in ids]


def test_a_vote_cast_while_the_member_is_banned_does_not_stay_counted(db, other):
    """The ban took the member's votes off the totals it found; a vote committed right then added
    one the ban never saw, and the banned member's upvote stayed on the list for good."""
    ada, ids = _setup(db)
    with between(db, _takes_votes_off, other, lambda: Votes(other).vote(ada, "2606.00082", True),
                 waits=_locks_the_member) as theirs:
        Accounts(db).set_banned_by_email("ada@example.org", True)
    assert theirs.fired
    with pytest.raises(Denied, match="suspended"):
        theirs.join()
    assert _totals(db, ids) == [(5, 5, 0), (7, 7, 0)]


def test_a_vote_cast_while_the_member_deletes_their_account_does_not_stay_counted(db, other):
    """The member deleted their account in one tab and upvoted in another: the deletion took off
    the votes it had found, the new vote committed, then the account's deletion removed the vote
    row, and the paper kept one upvote from nobody for good."""
    ada, ids = _setup(db)
    with between(db, _takes_votes_off, other, lambda: Votes(other).vote(ada, "2606.00082", True),
                 waits=_locks_the_member) as theirs:
        with db.write() as conn:
            assert personal_data.delete_user(conn, ada.id)
    assert theirs.fired
    with pytest.raises(Denied):
        theirs.join()
    assert _totals(db, ids) == [(5, 5, 0), (7, 7, 0)]


def test_a_ban_while_the_hf_job_rewrites_the_members_papers_does_not_deadlock(db, other):
    """The ban moved the totals of the member's papers in whatever order the query plan took
    (here: as stored), the ingest writer locks papers in arXiv id order: with two such papers
    each held one and waited for the other, and PostgreSQL killed the ban (or the job's page)."""
    if db.is_sqlite:
        pytest.skip("SQLite's writers take turns from BEGIN IMMEDIATE: no row locks to take out of order")
    import threading

    from papertide.domain.ingest import Harvested, SourceKind
    from papertide.ingest.writer import store_records
    from tests.interleave import wait_for_lock_waiters

    add_papers(db, make_paper("2606.00092"), make_paper("2606.00091"))  # stored in the other order
    with db.write() as conn:
        troll = users_store.find_or_create_user(conn, "troll@example.org")[0]
        ids = [papers_store.paper_row_id(conn, a) for a in ("2606.00091", "2606.00092")]
    for arxiv_id in ("2606.00092", "2606.00091"):  # and voted on in that order too
        Votes(db).vote(troll, arxiv_id, True)
    errors: list[BaseException] = []

    def run(work) -> threading.Thread:  # type: ignore[no-untyped-def]
        def catch() -> None:
            try:
                work()
            except BaseException as e:  # noqa: BLE001 - the test reports it
                errors.append(e)
        thread = threading.Thread(target=catch)
        thread.start()
        return thread

    holder = db.engine.connect()
    try:
        holder.begin()
        holder.exec_driver_sql("SELECT id FROM papers WHERE arxiv_id = '2606.00092' FOR UPDATE")
        ban = run(lambda: Accounts(db).set_banned_by_email("troll@example.org", True))
        wait_for_lock_waiters(db, 1)  # the ban holds what it took before 2606.00092 and waits for it
        job = run(lambda: store_records(other, [
            Harvested(make_paper(a, upvotes_baseline=3), SourceKind.HF) for a in ("2606.00091", "2606.00092")]))
        wait_for_lock_waiters(db, 2)
        holder.commit()
    finally:
        holder.close()
    ban.join()
    job.join()
    assert errors == []
    assert _totals(db, ids) == [(3, 3, 0), (3, 3, 0)]

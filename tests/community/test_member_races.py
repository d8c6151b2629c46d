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

"""Vote storage on SQLite and PostgreSQL: toggling, explicit states, and the invariant
``upvotes = upvotes_baseline + vote rows`` surviving a re-import with a new baseline."""

from papertide.domain.votes import VoteResult
from papertide.storage import papers as papers_store
from papertide.storage import users as users_store
from papertide.storage import votes as votes_store
from tests.factories import add_papers, make_paper


def test_toggle_set_and_reimport_keep_the_invariant(db):
    add_papers(db, make_paper("2606.00001", upvotes_baseline=10))
    with db.write() as conn:
        ada, _ = users_store.find_or_create_user(conn, "ada@example.org")
        bob, _ = users_store.find_or_create_user(conn, "bob@example.org")
        pid = papers_store.paper_row_id(conn, "2606.00001")
        steps = [
            votes_store.set_vote(conn, ada.id, pid, None),   # toggle on
            votes_store.set_vote(conn, ada.id, pid, True),   # already on: no-op
            votes_store.set_vote(conn, bob.id, pid, True),
            votes_store.set_vote(conn, ada.id, pid, None),   # toggle off
            votes_store.set_vote(conn, ada.id, pid, False),  # already off: no-op
        ]
    assert steps == [
        VoteResult(True, 11, True), VoteResult(True, 11, False), VoteResult(True, 12, True),
        VoteResult(False, 11, True), VoteResult(False, 11, False),
    ]
    add_papers(db, make_paper("2606.00001", upvotes_baseline=40, title="Re-imported with a new baseline"))
    with db.read() as conn:
        assert votes_store.vote_totals(conn, [pid]) == {pid: (41, 40, 1)}
        assert votes_store.voted_arxiv_ids(conn, bob.id) == {"2606.00001"}
        assert votes_store.voted_arxiv_ids(conn, ada.id) == set()


def test_a_banned_members_votes_stop_counting_until_the_ban_is_lifted(db):
    # A ban stopped the troll voting but every upvote they had cast still counted on the lists,
    # in trending and on the paper page's sparkline.
    from datetime import date

    from papertide.storage import personal_data

    add_papers(db, make_paper("2606.00001", upvotes_baseline=10, published=date(2026, 6, 9)))
    with db.write() as conn:
        troll, _ = users_store.find_or_create_user(conn, "troll@example.org")
        ada, _ = users_store.find_or_create_user(conn, "ada@example.org")
        pid = papers_store.paper_row_id(conn, "2606.00001")
        votes_store.set_vote(conn, troll.id, pid, True)
        votes_store.set_vote(conn, ada.id, pid, True)

    def totals() -> tuple[tuple[int, int, int], int]:
        with db.read() as conn:
            return votes_store.vote_totals(conn, [pid])[pid], len(votes_store.vote_times(conn, "2606.00001"))

    assert totals() == ((12, 10, 2), 2)
    with db.write() as conn:
        users_store.set_status(conn, troll.id, "banned")
        users_store.set_status(conn, troll.id, "banned")  # twice: counted off once
    assert totals() == ((11, 10, 1), 1)
    add_papers(db, make_paper("2606.00001", upvotes_baseline=20, title="Re-imported"))  # recounts the votes
    assert totals() == ((21, 20, 1), 1)
    with db.write() as conn:
        assert votes_store.set_vote(conn, ada.id, pid, False) == VoteResult(False, 20, True)
        assert votes_store.set_vote(conn, ada.id, pid, True) == VoteResult(True, 21, True)
        users_store.set_status(conn, troll.id, "active")
    assert totals() == ((22, 20, 2), 2)
    with db.write() as conn:
        users_store.set_status(conn, troll.id, "banned")
        personal_data.delete_user(conn, troll.id)  # their votes go, and were not counted: nothing more comes off
    assert totals() == ((21, 20, 1), 1)

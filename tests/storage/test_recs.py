"""Recommendation signal storage on SQLite and PostgreSQL: the lead's read/write contract
(profile inputs, who needs training, models) and the marks, follows and pending rows."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from papertide.domain.recs_signals import Follow, ProfileInputs, Signal
from papertide.storage import collections as collections_store
from papertide.storage import papers as papers_store
from papertide.storage import recs
from papertide.storage import users as users_store
from papertide.storage import votes as votes_store
from tests.factories import add_papers, make_paper

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def _setup(db):  # type: ignore[no-untyped-def]
    add_papers(db, *(make_paper(f"2606.0000{i}") for i in range(1, 6)))
    with db.write() as conn:
        ada, _ = users_store.find_or_create_user(conn, "ada@example.org")
        bob, _ = users_store.find_or_create_user(conn, "bob@example.org")
        ids = [papers_store.paper_row_id(conn, f"2606.0000{i}") for i in range(1, 6)]
    return ada, bob, ids


def test_profile_inputs_gather_votes_saves_marks_and_follows(db):
    ada, bob, (p1, p2, p3, p4, p5) = _setup(db)
    with db.write() as conn:
        votes_store.set_vote(conn, ada.id, p1, True)
        votes_store.set_vote(conn, bob.id, p5, True)  # someone else's: not in ada's profile
        for name in ("A", "B"):  # one paper in two collections is one save
            cid = collections_store.create(conn, f"uuid-{name}", ada.id, name, False)
            collections_store.add_item(conn, cid, p2)
        assert recs.add_signal(conn, ada.id, p3, "library", "bibtex")
        assert not recs.add_signal(conn, ada.id, p3, "library", "ris")  # already there
        assert recs.add_signal(conn, ada.id, p4, "mine", "web")
        assert recs.add_signal(conn, ada.id, p5, "not_interested", "web")
        assert recs.add_follow(conn, ada.id, "author", "ada lovelace", "Ada Lovelace")
        assert not recs.add_follow(conn, ada.id, "author", "ada lovelace", "ADA LOVELACE")
        recs.set_paused(conn, ada.id, True)
    with db.read() as conn:
        got = recs.profile_inputs(conn, ada.id)
        assert recs.not_interested_ids(conn, ada.id) == {p5}
        assert recs.marked_arxiv_ids(conn, ada.id) == {
            "library": frozenset({"2606.00003"}), "mine": frozenset({"2606.00004"}),
            "not_interested": frozenset({"2606.00005"}),
        }
    assert isinstance(got, ProfileInputs) and got.paused is True
    assert sorted((s.paper_id, s.kind) for s in got.positives) == sorted(
        [(p1, "upvote"), (p2, "save"), (p3, "library"), (p4, "mine")]
    )
    assert [(s.paper_id, s.kind) for s in got.negatives] == [(p5, "not_interested")]
    assert all(isinstance(s, Signal) and s.at.tzinfo is not None for s in got.positives + got.negatives)
    assert got.follows == (Follow("author", "ada lovelace", "Ada Lovelace"),)


def test_users_needing_training_follow_changes_models_and_pause(db):
    ada, bob, (p1, *_rest) = _setup(db)
    with db.write() as conn:
        recs.touch(conn, bob.id, T0)  # changed, but no signal at all: nothing to train on
        votes_store.set_vote(conn, ada.id, p1, True)
        recs.touch(conn, ada.id, T0)
    with db.read() as conn:
        assert recs.users_needing_training(conn, 10) == [ada.id]
        assert recs.load_model(conn, ada.id) is None
    with db.write() as conn:
        recs.save_model(conn, ada.id, "centroid", b"\x00\x01model", T0 + timedelta(seconds=5))
    with db.read() as conn:
        assert recs.users_needing_training(conn, 10) == []
        assert recs.load_model(conn, ada.id) == ("centroid", b"\x00\x01model", T0 + timedelta(seconds=5))
    with db.write() as conn:
        recs.touch(conn, ada.id, T0 + timedelta(minutes=1))
    with db.read() as conn:
        assert recs.users_needing_training(conn, 10) == [ada.id]
    with db.write() as conn:
        recs.set_paused(conn, ada.id, True)
    with db.read() as conn:
        assert recs.users_needing_training(conn, 10) == []


def test_pending_follows_and_reset(db):
    ada, bob, (p1, *_rest) = _setup(db)
    with db.write() as conn:
        assert recs.add_pending(conn, ada.id, "2607.00001", "library", "ids")
        assert not recs.add_pending(conn, ada.id, "2607.00001", "library", "bibtex")
        recs.add_pending(conn, bob.id, "2607.00002", "mine", "ids")
        recs.add_signal(conn, ada.id, p1, "mine", "web")
        recs.add_follow(conn, ada.id, "category", "cs.LG", "cs.LG")
        recs.save_model(conn, ada.id, "centroid", b"m", T0)
    with db.read() as conn:
        waiting = recs.open_pending(conn, max_attempts=3)
        assert [(p.arxiv_id, p.kind, p.attempts) for p in waiting] == [("2607.00001", "library", 0), ("2607.00002", "mine", 0)]
        follow_id = recs.follows_for(conn, ada.id)[0].id
    with db.write() as conn:
        assert [recs.record_attempt(conn, waiting[0].id, 3) for _ in range(4)] == [1, 2, 3, None]
        recs.set_last_error(conn, waiting[0].id, "arXiv did not return it")
        assert not recs.remove_follow(conn, bob.id, follow_id)  # not bob's
    with db.read() as conn:
        assert [p.arxiv_id for p in recs.open_pending(conn, max_attempts=3)] == ["2607.00002"]
        assert recs.pending_for(conn, ada.id)[0].last_error == "arXiv did not return it"
    with db.write() as conn:
        recs.reset(conn, ada.id, T0 + timedelta(hours=1))
    with db.read() as conn:
        assert recs.profile_inputs(conn, ada.id) == ProfileInputs((), (), (), False)
        assert recs.pending_for(conn, ada.id) == [] and recs.load_model(conn, ada.id) is None
        assert recs.profile(conn, ada.id).signals_changed_at == T0 + timedelta(hours=1)
        assert len(recs.pending_for(conn, bob.id)) == 1  # bob's untouched


def test_the_migration_gives_existing_voters_and_savers_a_profile_to_train(tmp_path):
    from papertide.storage.db import Database
    from papertide.storage.migrate import upgrade

    db = Database(f"sqlite:///{tmp_path / 'old.db'}")
    before = ("0002_ingest", "0004_email", "0006_api", "0007_search_pending", "0008_jobs", "0009_paper_requests",
              "0011_readable_names", "0012_paper_authors", "0013_github", "0014_thumbnails", "0015_project_page")
    for head in before:  # the schema as it was just before 0016
        upgrade(db, head)
    with db.write() as conn:  # a paper as that schema stored it (today's writer fills later columns too)
        conn.execute(sa.text("INSERT INTO papers (arxiv_id, title, authors, categories, keywords) "
                             "VALUES ('2606.00001', 'A paper', '[]', '[]', '[]')"))
        ada, _ = users_store.find_or_create_user(conn, "ada@example.org")
        bob, _ = users_store.find_or_create_user(conn, "bob@example.org")
        users_store.find_or_create_user(conn, "cy@example.org")  # no signal: no profile
        pid = papers_store.paper_row_id(conn, "2606.00001")
        votes_store.set_vote(conn, ada.id, pid, True)
        collections_store.add_item(conn, collections_store.create(conn, "u1", bob.id, "Later", False), pid)
    upgrade(db)
    with db.read() as conn:
        assert sorted(recs.users_needing_training(conn, 10)) == sorted([ada.id, bob.id])
    db.dispose()

"""The Signals service over real SQLite and PostgreSQL, built by the composition root: marks,
follows, library imports whose unknown ids a job fetches from a fake arXiv over real HTTP, and
the member's data (download and delete)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from papertide.domain.accounts import InvalidInput
from papertide.domain.recs_signals import Follow
from papertide.recs.library_entries import LibraryError
from papertide.recs.signals import UnknownPaper
from papertide.services import Edges, Services, build_services
from papertide.storage import recs as recs_store
from papertide.storage import users as users_store
from papertide.storage import votes as votes_store
from tests.factories import add_papers, make_paper
from tests.ingest.conftest import sample_records
from tests.ingest.fake_sources import FakeServer, FakeSources

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.at = T0

    def __call__(self) -> datetime:
        self.at += timedelta(seconds=1)
        return self.at


@pytest.fixture
def fake_arxiv() -> Iterator[FakeServer]:
    server = FakeServer(FakeSources(records=sample_records(2, day="2026-05-30")))
    yield server
    server.stop()


@pytest.fixture
def services(settings, db, fake_arxiv) -> Iterator[Services]:  # type: ignore[no-untyped-def]
    settings = settings.model_copy(update={
        "ingest_arxiv_api_url": f"{fake_arxiv.url}/api/query", "ingest_delay_seconds": 0, "ingest_max_retries": 0,
    })
    built = build_services(settings, Edges(db=db))
    built.signals.now = Clock()
    yield built
    built.close()


def _user(services: Services, email: str = "ada@example.org"):  # type: ignore[no-untyped-def]
    with services.db.write() as conn:
        return users_store.find_or_create_user(conn, email)[0]


def _changed_at(services: Services, user_id: int) -> datetime | None:
    with services.db.read() as conn:
        return recs_store.profile(conn, user_id).signals_changed_at


def test_not_interested_and_undo_move_the_change_time(services):
    add_papers(services.db, make_paper("2606.00001"))
    ada = _user(services)
    signals = services.signals
    assert signals.not_interested(ada, "https://arxiv.org/abs/2606.00001v2") is True
    first = _changed_at(services, ada.id)
    assert signals.not_interested(ada, "2606.00001") is False  # already: nothing changes
    assert _changed_at(services, ada.id) == first
    assert signals.marks(ada) == {"not_interested": frozenset({"2606.00001"})}
    assert signals.undo_not_interested(ada, "2606.00001") is True
    assert _changed_at(services, ada.id) > first  # type: ignore[operator]
    assert signals.marks(ada) == {} and signals.marks(None) == {}
    with pytest.raises(UnknownPaper):
        signals.not_interested(ada, "2606.09999")
    with pytest.raises(UnknownPaper):
        signals.mark_mine(ada, "not an id")


def test_a_category_arxiv_adds_later_can_be_followed_once_papers_here_carry_it(services):
    ada = _user(services)
    with pytest.raises(InvalidInput, match="not an arXiv category"):
        services.signals.follow(ada, "category", "cs.QZ")
    add_papers(services.db, make_paper("2606.00001", categories=("cs.QZ", "cs.LG")))
    assert services.signals.follow(ada, "category", "cs.QZ")

def test_follows_are_normalised_validated_and_removed_only_by_their_owner(services):
    ada, bob = _user(services), _user(services, "bob@example.org")
    signals = services.signals
    assert signals.follow(ada, "author", "  Émilie  du CHÂTELET ")
    assert not signals.follow(ada, "author", "émilie du châtelet")  # the same person
    assert signals.follow(ada, "category", "cs.LG")
    assert signals.follow(ada, "query", "  graph   neural networks ")
    for kind, raw, message in [
        ("category", "Computer Science", "Not an arXiv category"),
        ("category", "cs.LGG", "'cs.LGG' is not an arXiv category. Did you mean cs.LG"),  # would follow nothing
        ("query", "x" * 201, "at most 200 can be followed"),
        ("query", "   ", "Type the query to follow"),
        ("journal", "Nature", "You can follow an author, a category or a search query"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            signals.follow(ada, kind, raw)
    assert signals.profile_inputs(ada.id).follows == (
        Follow("author", "émilie du châtelet", "Émilie du CHÂTELET"), Follow("category", "cs.LG", "cs.LG"),
        Follow("query", "graph neural networks", "graph neural networks"),
    )
    assert not signals.follow(ada, "category", "cs.lg")  # typed in any case, it is cs.LG, followed already
    follow_id = signals.interests(ada).follows[0].id
    assert signals.unfollow(bob, follow_id) is False
    assert signals.unfollow(ada, follow_id) is True
    assert len(signals.interests(ada).follows) == 2


def test_an_author_typed_as_a_bibliography_writes_it_follows_the_name_papers_carry(services):
    # Papers carry "First Last" with real letters (ingest turns TeX into letters); a follow of
    # "Lovelace, Ada" or "G{\\"o}del" as a .bib file spells them matched nothing, ever.
    ada = _user(services)
    signals = services.signals
    assert signals.follow(ada, "author", "Lovelace,  Ada")
    assert not signals.follow(ada, "author", "Ada Lovelace")
    assert signals.follow(ada, "author", 'G{\\"o}del, Kurt')
    assert not signals.follow(ada, "author", "Kurt Gödel")
    assert signals.follow(ada, "author", "Martin Luther King, Jr.")
    assert signals.follow(ada, "author", "King, Jr., Martin")
    assert signals.profile_inputs(ada.id).follows == (
        Follow("author", "ada lovelace", "Ada Lovelace"), Follow("author", "kurt gödel", "Kurt Gödel"),
        Follow("author", "martin king jr.", "Martin King Jr."),
        Follow("author", "martin luther king, jr.", "Martin Luther King, Jr."),
    )
    assert signals.follow_id(ada, "author", "Lovelace, Ada") == signals.follow_id(ada, "author", "Ada Lovelace")


def test_import_keeps_good_entries_reports_bad_ones_and_fetches_unknown_ids(services, fake_arxiv):
    held = make_paper("2606.00001", title="Held here")
    add_papers(services.db, held)
    remote = fake_arxiv.fake.records[0]["arxiv_id"]
    bib = (
        "@article{held, title={Held here}, eprint={2606.00001}}\n"
        f"@misc{{remote, title={{Remote}}, url={{https://arxiv.org/abs/{remote}}}}}\n"
        "@misc{ghost, title={Never on arXiv}, eprint={2606.99999}}\n"
        "@book{smith2020, title={A book}}\n"
        "@article{broken, title={Unclosed\n"
    )
    ada = _user(services)
    report = services.signals.import_library(ada, "refs.bib", bib.encode(), mine=True)
    assert (report.format, report.matched, report.pending) == ("bibtex", 1, 2)
    assert [r.message for r in report.errors] == [
        "entry 4 (smith2020): no arXiv id, DOI or URL found",
        "entry 5 (broken): could not be read as BibTeX near line 5 (an unclosed brace or quote?)",
    ]
    page = services.signals.interests(ada)
    assert [m.arxiv_id for m in page.by_kind["mine"]] == ["2606.00001"]
    assert sorted(p.arxiv_id for p in page.pending) == sorted([remote, "2606.99999"])

    seen: list[tuple[int, int | None]] = []
    run = services.jobs.run_now("recs.fetch_pending", progress=lambda done, total: seen.append((done, total)))
    assert run is not None and run.outcome == "succeeded"
    assert seen == [(0, 2), (0, 2), (2, 2)]  # both had to be fetched: one request for the two
    page = services.signals.interests(ada)
    assert sorted(m.arxiv_id for m in page.by_kind["mine"]) == sorted(["2606.00001", remote])
    assert [(p.arxiv_id, p.attempts) for p in page.pending] == [("2606.99999", 1)]
    assert "try 1 of 3" in (page.pending[0].last_error or "")
    assert services.signals.fetch_pending() == 0
    assert services.signals.fetch_pending() == 1  # the third miss gives up on it
    page = services.signals.interests(ada)
    assert page.pending[0].attempts == 3 and "after 3 tries" in (page.pending[0].last_error or "")
    assert services.signals.remove_pending(ada, page.pending[0].id)
    assert services.signals.interests(ada).pending == []


def test_an_import_counts_each_paper_once_and_names_the_entries_that_repeat_one(services):
    # Libraries hold a paper twice (the preprint and the published version, both linking arXiv):
    # counted per entry, "3 matched" stood for two papers.
    add_papers(services.db, make_paper("2606.00001"), make_paper("2606.00002"))
    bib = (
        "@misc{preprint, eprint={2606.00001}}\n"
        "@article{published, doi={10.1000/x}, note={arXiv:2606.00001v2}}\n"
        "@misc{other, eprint={2606.00002}}\n"
        "@misc{new, eprint={2606.00009}}\n"
        "@misc{new_again, url={https://arxiv.org/abs/2606.00009}}\n"
    )
    ada = _user(services)
    report = services.signals.import_library(ada, "refs.bib", bib)
    assert (report.matched, report.pending, report.repeated, len(report.errors)) == (2, 1, 2, 0)
    assert [r.message for r in report.results if r.status == "repeated"] == [
        "entry 2 (published): the same paper as entry 1 (2606.00001)",
        "entry 5 (new_again): the same paper as entry 4 (2606.00009)",
    ]
    assert [p.arxiv_id for p in services.signals.interests(ada).pending] == ["2606.00009"]


def test_offline_instances_never_fetch_but_settle_ids_imported_since(services, fake_arxiv):
    ada = _user(services)
    services.signals.offline = True
    services.signals.import_library(ada, "", "2606.00007\n2606.00008")
    assert services.signals.fetch_pending() == 0
    assert fake_arxiv.fake.requests == []
    add_papers(services.db, make_paper("2606.00007"))  # e.g. a snapshot import brought it in
    assert services.signals.fetch_pending() == 1
    page = services.signals.interests(ada)
    assert [m.arxiv_id for m in page.by_kind["library"]] == ["2606.00007"]
    assert [(p.arxiv_id, p.attempts) for p in page.pending] == [("2606.00008", 0)]


def test_a_file_that_cannot_be_read_changes_nothing(services):
    ada = _user(services)
    with pytest.raises(LibraryError, match="not valid CSL-JSON"):
        services.signals.import_library(ada, "x.json", b"[{")
    assert _changed_at(services, ada.id) is None


def test_upvotes_and_saves_move_the_change_time_too(services):
    add_papers(services.db, make_paper("2606.00001"))
    ada = _user(services)
    community = services.community
    community.votes.vote(ada, "2606.00001", True)
    voted = _changed_at(services, ada.id)
    assert voted is not None
    uuid = community.reading_lists.create(ada, "Later", False)
    community.reading_lists.add(ada, uuid, "2606.00001")
    saved = _changed_at(services, ada.id)
    assert saved is not None and saved > voted
    community.reading_lists.remove(ada, uuid, "2606.00001")
    assert _changed_at(services, ada.id) > saved  # type: ignore[operator]
    kinds = sorted(s.kind for s in services.signals.profile_inputs(ada.id).positives)
    assert kinds == ["upvote"]


def test_pause_and_reset(services):
    add_papers(services.db, make_paper("2606.00001"), make_paper("2606.00002"))
    ada = _user(services)
    signals = services.signals
    signals.mark_mine(ada, "2606.00001")
    signals.not_interested(ada, "2606.00002")
    signals.follow(ada, "category", "cs.LG")
    services.community.votes.vote(ada, "2606.00001", True)
    signals.set_paused(ada, True)
    assert signals.interests(ada).profile.paused is True
    signals.reset(ada)
    inputs = signals.profile_inputs(ada.id)
    assert ([s.kind for s in inputs.positives], inputs.negatives, inputs.follows, inputs.paused) == (
        ["upvote"], (), (), True,  # votes are the community's, and pausing is a setting, not a signal
    )


def test_download_my_data_holds_everything_but_secrets(services):
    add_papers(services.db, make_paper("2606.00001"))
    ada = _user(services)
    services.community.votes.vote(ada, "2606.00001", True)
    uuid = services.community.reading_lists.create(ada, "Later", True)
    services.community.reading_lists.add(ada, uuid, "2606.00001")
    services.community.discussion.add(ada, "2606.00001", "Nice paper")
    services.signals.follow(ada, "author", "Ada Lovelace")
    services.signals.mark_mine(ada, "2606.00001")
    services.tokens.create_for_user(ada.id, "read", "laptop")
    data = services.signals.export(ada)
    assert data["account"]["email"] == "ada@example.org"
    assert [v["arxiv_id"] for v in data["upvotes"]] == ["2606.00001"]
    assert [(c["name"], c["papers"]) for c in data["collections"]] == [("Later", ["2606.00001"])]
    assert [c["body"] for c in data["comments"]] == ["Nice paper"]
    assert [(s["arxiv_id"], s["kind"]) for s in data["rec_signals"]] == [("2606.00001", "mine")]
    assert [f["label"] for f in data["follows"]] == ["Ada Lovelace"]
    assert [t["name"] for t in data["api_tokens"]] == ["laptop"]
    flat = repr(data)
    assert "hash" not in flat.replace("has_", "")  # no token, session or password digests
    assert set(data) >= {"email_subscriptions", "sessions", "submissions", "recommendation_profile"}


def test_delete_my_account_erases_comments_but_keeps_threads_and_vote_totals_right(services):
    add_papers(services.db, make_paper("2606.00001", upvotes_baseline=5))
    ada, bob = _user(services), _user(services, "bob@example.org")
    services.community.votes.vote(ada, "2606.00001", True)
    services.community.votes.vote(bob, "2606.00001", True)
    comment = services.community.discussion.add(ada, "2606.00001", "Mine")
    services.community.discussion.add(bob, "2606.00001", "Bob's reply", reply_to=comment.uuid)
    services.signals.mark_mine(ada, "2606.00001")
    with pytest.raises(InvalidInput, match="type its email address"):
        services.signals.delete_account(ada, "bob@example.org")
    services.signals.delete_account(ada, " ADA@example.org ")
    with services.db.read() as conn:
        assert users_store.get_user(conn, ada.id) is None
        pid = recs_store.paper_ids_by_arxiv(conn, ["2606.00001"])["2606.00001"]
        assert votes_store.vote_totals(conn, [pid]) == {pid: (6, 5, 1)}
    threads, _ = services.community.discussion.threads("2606.00001", None)
    assert [(t.comment.uuid, t.comment.author_id, t.comment.status, t.comment.body, [r.body for r in t.replies])
            for t in threads] == [(comment.uuid, None, "deleted", "", ["Bob's reply"])]


def test_a_reset_while_the_job_settles_pending_ids_is_not_undone(services, settings):
    """The member pressed "Reset" (or removed a pending import) after the fetch job had read the
    pending ids: the job then made them marks anyway, and the forgotten library came back."""
    from papertide.services import build_services
    from tests.interleave import between, reads

    ada = _user(services)
    services.signals.offline = True
    services.signals.import_library(ada, "", "2606.00007\n2606.00008")
    add_papers(services.db, make_paper("2606.00007"), make_paper("2606.00008"))
    web = build_services(settings)  # the web process, with its own engine
    try:
        with between(services.db, reads("rec_pending"), web.db, lambda: web.signals.reset(ada)) as reset:
            services.signals.fetch_pending()
        assert reset.fired
        reset.join()
    finally:
        web.close()
    page = services.signals.interests(ada)
    assert (page.marked, page.pending) == ([], [])


def test_a_reset_arriving_while_the_job_settles_a_pending_id_forgets_its_mark_too(services, settings):
    """The other order: the job has taken the pending row (deleted it, mark not yet added) when the
    reset starts. The reset must wait for the job and then delete the mark it added."""
    from papertide.services import build_services
    from tests.interleave import between

    ada = _user(services)
    services.signals.offline = True
    services.signals.import_library(ada, "", "2606.00007")
    add_papers(services.db, make_paper("2606.00007"))
    web = build_services(settings)
    try:
        with between(services.db, lambda s: s.lstrip().startswith("DELETE FROM rec_pending"), web.db,
                     lambda: web.signals.reset(ada),
                     waits=lambda s: s.lstrip().startswith("DELETE FROM rec_pending")) as reset:
            services.signals.fetch_pending()
        assert reset.fired
        reset.join()
    finally:
        web.close()
    page = services.signals.interests(ada)
    assert (page.marked, page.pending) == ([], [])


def test_two_fetch_runs_missing_an_id_at_once_count_two_attempts(services, settings, fake_arxiv):
    """Two runs of the fetch job at once (two workers, or the job beside a member's own fetch) both
    missed an id arXiv does not have: each wrote the attempts it had read plus one, so two misses
    counted as one and the id was tried more times than the three it is given."""
    from papertide.services import build_services
    from tests.interleave import between, reads

    ada = _user(services)
    services.signals.import_library(ada, "", "2606.99999")
    other = build_services(services.settings)  # the other run, with its own engine
    try:
        with between(services.db, reads("rec_pending"), other.db, lambda: other.signals.fetch_pending()) as theirs:
            services.signals.fetch_pending()
        assert theirs.fired
        theirs.join()
    finally:
        other.close()
    [pending] = services.signals.interests(ada).pending
    assert pending.attempts == 2 and "try 2 of 3" in (pending.last_error or "")

"""Two processes writing the same papers at once (a submission fetch in a web process, the arXiv
and Hugging Face jobs in the worker), each run with the other's whole write landing at the worst
point of ours (tests/interleave.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from papertide.domain.ingest import Harvested, SourceKind
from papertide.domain.papers import Paper
from papertide.ingest.writer import store_records
from papertide.storage import papers as papers_store
from papertide.storage import users as users_store
from papertide.storage import votes as votes_store
from papertide.storage.db import Database
from tests.factories import make_paper
from tests.interleave import between, wait_for_lock_waiters


@pytest.fixture
def other(db_url: str) -> Iterator[Database]:
    """The other process's database handle (its own engine and pool)."""
    database = Database(db_url)
    yield database
    database.dispose()


def _nth_read_of_hashes(n: int) -> Callable[[str], bool]:
    """Picks our n-th lookup of stored papers' fingerprints (the writer's first read, then the one
    right before it inserts)."""
    seen = 0

    def pick(statement: str) -> bool:
        nonlocal seen
        if statement.lstrip().upper().startswith("SELECT") and "papers.content_hash" in statement:
            seen += 1
            return seen == n
        return False
    return pick


def _reads_stored_papers(statement: str) -> bool:
    """Picks the writer's read of the stored papers it merges incoming records with."""
    return statement.lstrip().upper().startswith("SELECT") and "papers.abstract" in statement \
        and "FROM papers" in statement


def _inserts_papers(statement: str) -> bool:
    return statement.lstrip().upper().startswith("INSERT INTO PAPERS")


def _arxiv(paper: Paper) -> Harvested:
    return Harvested(paper, SourceKind.ARXIV)


def _hf(paper: Paper) -> Harvested:
    return Harvested(paper, SourceKind.HF)


def _stored(db: Database, arxiv_id: str) -> Paper:
    with db.read() as conn:
        return papers_store.get_papers(conn, [arxiv_id])[arxiv_id]


@pytest.mark.parametrize("when", [1, 2], ids=["after-our-first-read", "right-before-our-insert"])
def test_two_sources_writing_the_same_new_paper_at_once_both_land(db, other, when):
    """The arXiv fetch of a submission and the Hugging Face job write a paper nobody held yet: the
    one that inserted second hit the unique key on arxiv_id (and lost its whole page of records),
    or overwrote the other's counts with its own zeros."""
    arxiv = make_paper("2606.00042", title="The arXiv title", version=2)
    hf = make_paper("2606.00042", title="HF's title", upvotes_baseline=17, github_repo="https://github.com/a/b",
                    keywords=("llm",))
    neighbour = make_paper("2606.00043")
    with between(db, _nth_read_of_hashes(when), other, lambda: store_records(other, [_hf(hf)]),
                 waits=_inserts_papers) as theirs:
        ours = store_records(db, [_arxiv(arxiv), _arxiv(neighbour)])
    theirs.join()
    assert theirs.fired
    stored = _stored(db, "2606.00042")
    # arXiv owns the text and version, Hugging Face its counts, repository and keywords.
    assert (stored.title, stored.version, stored.upvotes_baseline, stored.github_repo, stored.keywords) == (
        "The arXiv title", 2, 17, "https://github.com/a/b", ("llm",))
    assert _stored(db, "2606.00043") == neighbour
    assert ours.inserted + ours.updated == 2


def test_two_sources_merging_the_same_stored_paper_at_once_keep_each_others_fields(db, other):
    """The Hugging Face job merged its counts into the paper it had read, while the arXiv job
    committed v2 in between: the HF write, still carrying v1, was skipped as older than what was
    stored, and its upvotes and repository were lost."""
    store_records(db, [_arxiv(make_paper("2606.00050", title="First version", version=1))])
    v2 = make_paper("2606.00050", title="Second version", abstract="Rewritten.", version=2)
    hf = make_paper("2606.00050", title="HF's title", upvotes_baseline=33, github_repo="https://github.com/c/d")
    with between(db, _reads_stored_papers, other, lambda: store_records(other, [_arxiv(v2)]),
                 waits=lambda s: "FOR UPDATE" in s or _inserts_papers(s)) as theirs:
        store_records(db, [_hf(hf)])
    theirs.join()
    assert theirs.fired
    stored = _stored(db, "2606.00050")
    assert (stored.title, stored.abstract, stored.version, stored.upvotes_baseline, stored.github_repo) == (
        "Second version", "Rewritten.", 2, 33, "https://github.com/c/d")


def test_the_other_way_round_the_arxiv_write_keeps_the_counts_committed_meanwhile(db, other):
    store_records(db, [_arxiv(make_paper("2606.00051", title="First version", version=1))])
    v2 = make_paper("2606.00051", title="Second version", version=2)
    hf = make_paper("2606.00051", upvotes_baseline=8, keywords=("rl",))
    with between(db, _reads_stored_papers, other, lambda: store_records(other, [_hf(hf)]),
                 waits=lambda s: "FOR UPDATE" in s or _inserts_papers(s)) as theirs:
        store_records(db, [_arxiv(v2)])
    theirs.join()
    stored = _stored(db, "2606.00051")
    assert (stored.title, stored.version, stored.upvotes_baseline, stored.keywords) == (
        "Second version", 2, 8, ("rl",))


def test_a_vote_committed_while_the_hf_job_rewrites_the_paper_is_counted(db, other):
    """A member upvoted a paper while the Hugging Face job was writing its new baseline: the job's
    UPDATE (upvotes = baseline + count of vote rows) waited for the vote's row lock, and PostgreSQL
    then re-checked only the paper row, not the count, which came from before the vote: lost."""
    store_records(db, [_arxiv(make_paper("2606.00060", upvotes_baseline=10))])
    with db.write() as conn:
        ada = users_store.find_or_create_user(conn, "ada@example.org")[0]
        paper_id = papers_store.paper_row_id(conn, "2606.00060")
    assert paper_id is not None
    hf = make_paper("2606.00060", upvotes_baseline=12)
    updates_papers = lambda s: s.lstrip().upper().startswith("UPDATE PAPERS")  # noqa: E731
    with between(db, updates_papers, other, lambda: store_records(other, [_hf(hf)]),
                 waits=lambda s: updates_papers(s) or _inserts_papers(s)) as theirs:
        with db.write() as conn:
            votes_store.set_vote(conn, ada.id, paper_id, True)
            wait_for_lock_waiters(db)
    theirs.join()
    assert theirs.fired
    with db.read() as conn:
        entry = papers_store.get_paper(conn, "2606.00060")
    assert entry is not None and (entry.paper.upvotes_baseline, entry.upvotes) == (12, 13)

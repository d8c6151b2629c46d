"""Stored phrase counts (``paper_phrases``, the recs.phrases job): the same counts as counting the
text, kept for recent papers only, recounted when a paper changes and never read stale, and the
ranking the same with or without them — on SQLite and PostgreSQL."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from scipy import sparse

from papertide.recs import phrase_counts
from papertide.services import Edges, Services, build_services
from papertide.storage import rec_candidates, rec_phrases
from papertide.storage import recs as recs_store
from papertide.storage import users as users_store
from papertide.storage.tables.recs import paper_phrases
from tests.factories import add_papers, make_paper

TODAY = datetime.now(UTC).date()
TEXTS = ["Graph neural networks for molecules", "", "ZetaFold ZetaFold ZetaFold folds proteins, again ZetaFold",
         "Diffusion models for audio synthesis"]


def _same(a: sparse.csr_matrix, b: sparse.csr_matrix) -> None:
    assert a.shape == b.shape
    assert a.indptr.tolist() == b.indptr.tolist()
    assert a.indices.tolist() == b.indices.tolist()
    assert a.data.dtype == b.data.dtype and a.data.tolist() == b.data.tolist()


def test_stored_rows_and_counted_rows_make_the_same_matrix_as_counting_everything():
    packed = phrase_counts.pack(phrase_counts.count(TEXTS))
    for stored in (packed, [None] * 4, [packed[0], None, packed[2], None]):
        _same(phrase_counts.counts_for(TEXTS, stored), phrase_counts.count(TEXTS))


def test_a_row_hash_changes_with_the_text_and_with_the_hashing_settings(monkeypatch):
    before = phrase_counts.source_hash("A title An abstract")
    assert phrase_counts.source_hash("A title An abstract.") != before
    monkeypatch.setattr(phrase_counts, "LAYOUT", phrase_counts.LAYOUT + " ngram_range=(1, 3)")
    assert phrase_counts.source_hash("A title An abstract") != before


@pytest.fixture
def services(settings, db) -> Iterator[Services]:  # type: ignore[no-untyped-def]
    built = build_services(settings, Edges(db=db))
    papers = [make_paper(f"2606.{i:05d}", title=f"Protein folding study {i}", abstract=f"Residue contact maps {i} and ZetaFold.",
                         categories=("q-bio.BM",), published=TODAY - timedelta(days=i % 5)) for i in range(6)]
    papers += [make_paper(f"2606.{10 + i:05d}", title=f"Galaxy rotation {i}", abstract=f"Dark matter halo {i} survey.",
                          categories=("astro-ph.GA",), published=TODAY - timedelta(days=i % 5)) for i in range(6)]
    # Past the horizon: no candidate of any named window, so never stored.
    papers.append(make_paper("2601.00001", title="Old protein folding", abstract="ZetaFold, long ago.",
                             published=TODAY - timedelta(days=phrase_counts.HORIZON_DAYS + 5)))
    add_papers(built.db, *papers)
    yield built
    built.close()


def _ids(services: Services) -> dict[str, int]:
    with services.db.read() as conn:
        return recs_store.paper_ids_by_arxiv(conn, [f"2606.{i:05d}" for i in range(16)] + ["2601.00001"])


def _stored(services: Services) -> dict[int, str]:
    with services.db.read() as conn:
        return dict(conn.execute(sa.select(paper_phrases.c.paper_id, paper_phrases.c.source_hash)).all())


def _counts(services: Services, ids: list[int]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
    """(what a pool reads, what counting the papers' texts now gives)."""
    with services.db.read() as conn:
        texts, rows = rec_candidates.texts(conn, ids), rec_phrases.stored(conn, ids)
    return phrase_counts.stored_counts(ids, texts, rows), phrase_counts.count(texts)


def test_the_job_stores_recent_papers_counts_and_runs_again_for_nothing(services):
    ids = _ids(services)
    assert services.jobs.run_now("recs.phrases").outcome == "succeeded"
    recent = sorted(pid for a, pid in ids.items() if a.startswith("2606."))
    assert sorted(_stored(services)) == recent  # the old paper is past the horizon
    assert phrase_counts.refresh(services.db) == 0
    read, counted = _counts(services, recent)
    _same(read, counted)


def test_the_job_says_how_many_papers_it_has_counted(services, monkeypatch):
    # `papertide jobs run recs.phrases` on a freshly imported big instance counts months of papers.
    monkeypatch.setattr(phrase_counts, "BATCH", 5)
    seen: list[tuple[int, int | None]] = []
    run = services.jobs.run_now("recs.phrases", progress=lambda done, total: seen.append((done, total)))
    assert run is not None and run.outcome == "succeeded"
    assert seen == [(0, 12), (5, 12), (10, 12), (12, 12)]


def test_an_edited_abstract_is_never_read_stale_and_is_recounted_by_the_next_run(services):
    phrase_counts.refresh(services.db)
    pid = _ids(services)["2606.00003"]
    old_hash = _stored(services)[pid]
    time.sleep(1.1)  # SQLite's CURRENT_TIMESTAMP counts whole seconds: the edit must be in a later one
    add_papers(services.db, make_paper("2606.00003", title="Protein folding study 3",
                                       abstract="A new abstract naming OmegaFold instead.", categories=("q-bio.BM",),
                                       published=TODAY - timedelta(days=3)))
    read, counted = _counts(services, [pid])
    _same(read, counted)  # the stored row no longer matches the text: counted where read
    assert phrase_counts.refresh(services.db) == 1
    assert _stored(services)[pid] != old_hash
    _same(*_counts(services, [pid]))


def test_a_paper_falling_past_the_horizon_loses_its_row_and_a_deleted_paper_its_row(services, db):
    phrase_counts.refresh(services.db)
    ids = _ids(services)
    later = TODAY + timedelta(days=phrase_counts.HORIZON_DAYS - 2)
    newest = make_paper("2606.00099", title="A much later paper", published=later)
    add_papers(services.db, newest)
    phrase_counts.refresh(services.db)
    kept = _stored(services)
    assert ids["2606.00000"] in kept and ids["2606.00004"] not in kept  # published today, and 4 days ago
    with db.write() as conn:
        conn.execute(sa.text("DELETE FROM papers WHERE id = :id"), {"id": ids["2606.00000"]})
    assert ids["2606.00000"] not in _stored(services)


def test_the_ranking_is_the_same_with_and_without_stored_counts(services):
    with services.db.write() as conn:
        user = users_store.find_or_create_user(conn, "ada@example.org")[0]
        recs_store.add_signal(conn, user.id, _ids(services)["2601.00001"], "library", "test")
        recs_store.add_follow(conn, user.id, "query", "dark matter", "")
    week = (TODAY - timedelta(days=7), TODAY)

    def ranked() -> list[tuple[int, float, tuple[object, ...]]]:
        services.recommender._pools.clear()  # a fresh process's first request
        found = services.for_you.for_user(user.id, *week, limit=100)
        return [(r.paper_id, r.score, r.reasons) for r in found.recommendations]

    without = ranked()
    assert phrase_counts.refresh(services.db) == 12
    assert ranked() == without
    # Both the phrases (the liked paper's ZetaFold) and the followed query moved it.
    assert len(without) == 12 and {r.kind for _, _, reasons in without for r in reasons} >= {"similar", "keyword"}

"""OAI-PMH harvesting over real HTTP: paging, checkpoints, retries, deletions, failures and resume."""

from __future__ import annotations

from datetime import date

from papertide.domain.ingest import Checkpoint, RunStatus
from papertide.storage import ingest_runs, paper_versions, papers
from tests.ingest.conftest import TODAY


def _count(db) -> int:
    with db.read() as conn:
        return papers.count_papers(conn)


def test_harvest_follows_resumption_tokens_and_records_the_run(service, fake, db, sleeps):
    changed: list[list[str]] = []
    service.on_changed.append(changed.append)
    result = service.harvest_oai("cs")
    assert result.ok, result.error
    assert (result.counts.fetched, result.counts.inserted, result.counts.pages) == (8, 8, 3)
    assert [len(x) for x in changed] == [3, 3, 2]
    assert sorted(sum(changed, [])) == sorted(r["arxiv_id"] for r in fake.records)
    assert [q for q in fake.requests if "resumptionToken" in q].__len__() == 2
    assert sleeps.count(3.0) == 0 and all(s <= 3.0 for s in sleeps)  # politeness waits, never more
    with db.read() as conn:
        cp = ingest_runs.get_checkpoint(conn, "oai:arXivRaw:cs")
        run = ingest_runs.get_run(conn, result.run_id)
        stored = papers.get_paper(conn, fake.records[0]["arxiv_id"]).paper
    assert cp == Checkpoint("oai:arXivRaw:cs", TODAY, None, date(2026, 6, 1), TODAY)
    assert (run.source, run.status, run.fetched, run.inserted, run.pages, run.error) == (
        "oai", RunStatus.SUCCEEDED, 8, 8, 3, None)
    assert run.window == "cs (arXivRaw) 2026-06-01..2026-06-02"
    assert run.duration_s is not None and run.duration_s >= 0
    rec = fake.records[0]
    assert (stored.title, stored.abstract, stored.authors, stored.categories) == (
        rec["title"], rec["abstract"], tuple(rec["authors"]), tuple(rec["categories"]))


def test_second_harvest_is_incremental_and_changes_nothing(service, fake, db):
    service.harvest_oai("cs")
    again = service.harvest_oai("cs")
    assert again.ok and again.counts.fetched == 0  # nothing stamped since the last complete day
    assert "from=2026-06-02" in fake.requests[-1]  # restarts at the last complete datestamp
    overlap = service.harvest_oai("cs", from_=date(2026, 6, 1))
    assert (overlap.counts.inserted, overlap.counts.updated, overlap.counts.skipped) == (0, 0, 8)


def test_no_records_match_is_a_successful_empty_run(service, fake):
    result = service.harvest_oai("math")
    assert result.ok and result.counts.fetched == 0 and result.counts.pages == 1


def test_503_retry_after_is_honoured(service, fake, sleeps):
    fake.retry_after_first = 7
    result = service.harvest_oai("cs")
    assert result.ok and result.counts.inserted == 8
    assert 7.0 in sleeps


def test_a_retry_after_longer_than_allowed_fails_clearly(service, fake, ingest_settings):
    fake.retry_after_first = 10_000
    result = service.harvest_oai("cs")
    assert result.status is RunStatus.FAILED
    assert "asks us to wait 10000 s" in result.error and "page 1" in result.error


def test_newer_version_updates_text_and_keeps_history(service, fake, db):
    service.harvest_oai("cs")
    rec = fake.records[1]
    fake.records[1] = rec | {"title": "A better title", "published": "2026-06-01"}
    fake.prefix_versions[rec["arxiv_id"]] = 2
    result = service.harvest_oai("cs", from_=date(2026, 6, 1), until=TODAY)
    assert result.ok and result.counts.updated == 1 and result.counts.changed_ids == [rec["arxiv_id"]]
    with db.read() as conn:
        p = papers.get_paper(conn, rec["arxiv_id"]).paper
        versions = paper_versions.list_versions(conn, rec["arxiv_id"])
    assert (p.title, p.version, p.published) == ("A better title", 2, date(2026, 5, 31))
    assert [(v.version, v.title) for v in versions] == [(1, rec["title"]), (2, None)]  # v2's text is the paper's
    assert versions[0].submitted is not None and versions[1].submitted is not None


def test_deleted_and_withdrawn_records_mark_papers_withdrawn_without_deleting(service, fake, db):
    service.harvest_oai("cs")
    gone, withdrawn = fake.records[0]["arxiv_id"], fake.records[1]["arxiv_id"]
    fake.deleted.add(gone)
    fake.comments[withdrawn] = "This paper has been withdrawn by the authors due to an error in Lemma 2"
    fake.prefix_versions[withdrawn] = 2
    result = service.harvest_oai("cs", from_=date(2026, 6, 1), until=TODAY)
    assert result.ok and result.counts.withdrawn == 2
    with db.read() as conn:
        assert papers.count_papers(conn) == 8
        assert papers.get_paper(conn, gone).paper.withdrawn
        assert papers.get_paper(conn, withdrawn).paper.withdrawn


def test_a_500_mid_harvest_fails_the_run_keeps_pages_and_the_next_run_resumes(service, fake, db):
    fake.fail_page = 2
    failed = service.harvest_oai("cs")
    assert failed.status is RunStatus.FAILED
    assert "HTTP 500" in failed.error and "page 2" in failed.error and "resumptionToken" in failed.error
    assert _count(db) == 3  # page 1 was committed
    with db.read() as conn:
        cp = ingest_runs.get_checkpoint(conn, "oai:arXivRaw:cs")
    assert cp.resumption_token and cp.last_datestamp is None
    fake.fail_page = None
    fake.requests.clear()
    resumed = service.harvest_oai("cs")
    assert resumed.ok and "(resumed)" in resumed.window
    assert "resumptionToken" in fake.requests[0]  # did not start over
    assert (resumed.counts.inserted, resumed.counts.pages) == (5, 2)
    assert _count(db) == 8
    runs = service.runs()
    assert [r.status for r in runs] == [RunStatus.SUCCEEDED, RunStatus.FAILED]


def test_a_malformed_page_names_the_position_and_the_next_run_refetches_it(service, fake, db):
    fake.malformed_page = 3
    failed = service.harvest_oai("cs")
    assert failed.status is RunStatus.FAILED
    assert failed.error.startswith("oai at page 3")
    assert "malformed XML" in failed.error and "line " in failed.error
    assert _count(db) == 6
    fake.malformed_page = None
    assert service.harvest_oai("cs").ok and _count(db) == 8


def test_a_bogus_resumption_token_fails_clearly_and_the_next_run_restarts_the_window(service, fake, db):
    with db.write() as conn:
        ingest_runs.save_checkpoint(conn, Checkpoint("oai:arXivRaw:cs", None, "garbage", date(2026, 6, 1), TODAY))
    failed = service.harvest_oai("cs")
    assert failed.status is RunStatus.FAILED and "rejected the resumption token" in failed.error
    assert "'garbage'" in failed.error
    again = service.harvest_oai("cs")
    assert again.ok and again.counts.inserted == 8


def test_arxiv_metadata_format_harvests_too(service, fake, db):
    result = service.harvest_oai("cs", prefix="arXiv")
    assert result.ok and result.counts.inserted == 8
    with db.read() as conn:
        p = papers.get_paper(conn, fake.records[2]["arxiv_id"]).paper
    assert p.authors == tuple(fake.records[2]["authors"]) and p.published == date(2026, 5, 31)


def test_an_unreachable_source_fails_the_run_with_the_url(service, ingest_settings, db):
    service.settings = ingest_settings.model_copy(update={"ingest_oai_url": "http://127.0.0.1:9/oai"})
    result = service.harvest_oai("cs")
    assert result.status is RunStatus.FAILED and "network error" in result.error and "127.0.0.1:9" in result.error


def test_a_truncated_response_is_retried_then_fails_the_run_and_resume_works(service, fake, db, sleeps):
    fake.truncated_page = 2
    failed = service.harvest_oai("cs")
    assert failed.status is RunStatus.FAILED
    assert "network error" in failed.error and "gave up after 3 tries" in failed.error and "page 2" in failed.error
    assert _count(db) == 3
    fake.truncated_page = None
    assert service.harvest_oai("cs").ok and _count(db) == 8

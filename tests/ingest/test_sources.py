"""arXiv API by id, Hugging Face daily papers, daily runs and fetch_by_id, over real local HTTP."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from papertide.domain.ingest import RunStatus
from papertide.domain.papers import Paper
from papertide.ingest.arxiv_api import batches
from papertide.storage import listings, paper_versions, papers
from tests.factories import add_papers, make_paper
from tests.ingest.fake_sources import HF_FIXTURES


def test_arxiv_ids_are_fetched_in_batches_of_at_most_100(service, fake, db, sleeps):
    result = service.fetch_arxiv_ids([r["arxiv_id"] for r in fake.records] + ["2401.99999"])
    assert result.ok
    assert (result.counts.fetched, result.counts.inserted, result.counts.failed) == (8, 8, 1)
    assert "not found on arXiv: 2401.99999" in result.notes[0]
    assert len(batches([f"2405.{i:05d}" for i in range(250)])) == 3
    assert [len(b) for b in batches([f"2405.{i:05d}" for i in range(250)] * 2)] == [100, 100, 50]


def test_politeness_delay_is_kept_between_requests_to_one_source(service, fake, sleeps):
    fetcher = service.fetcher("arxiv-api")
    fetcher.delay_s = 3.0  # the production default (arXiv asks for 3 s)
    # The fetcher's own clock, moved by its sleeps and by the test: a real one made the waits
    # depend on how fast a loaded machine answered the requests between them.
    now = [1000.0]
    fetcher.clock = lambda: now[0]
    fetcher.sleep = lambda s: (sleeps.append(s), now.__setitem__(0, now[0] + s))
    for i, rec in enumerate(fake.records[:3]):
        now[0] += 1.25 if i else 0.0  # time spent on other things since the last request
        assert service.fetch_arxiv_ids([rec["arxiv_id"]]).ok
    # The first request goes at once; each later one waits out what is left of the 3 s.
    assert sleeps == [1.75, 1.75]


def test_fetch_by_id_returns_stored_papers_and_fetches_unknown_ones(service, fake, db):
    rec = fake.records[0]
    fake.prefix_versions[rec["arxiv_id"]] = 3
    paper = service.fetch_by_id(f"https://arxiv.org/abs/{rec['arxiv_id']}")
    assert isinstance(paper, Paper) and (paper.arxiv_id, paper.version) == (rec["arxiv_id"], 3)
    n = len(fake.requests)
    assert service.fetch_by_id(rec["arxiv_id"]) == paper and len(fake.requests) == n  # served from the database
    assert service.fetch_by_id("2401.99999") is None
    with db.read() as conn:
        assert [v.version for v in paper_versions.list_versions(conn, rec["arxiv_id"])] == [1, 3]


def test_an_api_withdrawal_comment_marks_the_paper_withdrawn(service, fake, db):
    rec = fake.records[0]
    fake.comments[rec["arxiv_id"]] = "This paper has been withdrawn by the author"
    fake.prefix_versions[rec["arxiv_id"]] = 2
    assert service.fetch_by_id(rec["arxiv_id"]).withdrawn


@pytest.mark.parametrize("fixture", sorted(p.name for p in HF_FIXTURES.glob("*.json")))
def test_every_recorded_hf_response_imports(fixture, service, db):
    day = date.fromisoformat(fixture.removesuffix(".json"))
    items = json.loads((HF_FIXTURES / fixture).read_text(encoding="utf-8"))
    result = service.import_hf_daily(day=day)
    assert result.ok, result.error
    assert (result.counts.fetched, result.counts.failed, result.counts.inserted) == (len(items), 0, len(items))
    first = items[0]["paper"]
    with db.read() as conn:
        entry = papers.get_paper(conn, first["id"])
        assert listings.count_period(conn, day, day) == len(items)
    assert entry.listed_on == day
    assert entry.upvotes == first["upvotes"] and entry.num_comments == items[0]["numComments"]
    assert entry.paper.github_repo == first.get("githubRepo")
    submitter = (items[0].get("submittedBy") or {}).get("name")
    assert entry.submitter_name == submitter
    assert entry.paper.authors[0] == first["authors"][0]["name"]


def test_hf_counts_update_a_paper_arxiv_already_gave_us_without_touching_its_text(service, fake, db):
    items = json.loads((HF_FIXTURES / "2026-06-01.json").read_text(encoding="utf-8"))
    aid = items[0]["paper"]["id"]
    add_papers(db, make_paper(aid, title="The arXiv title", categories=("cs.IR",), version=2))
    result = service.import_hf_daily(day=date(2026, 6, 1))
    assert result.ok and aid in result.counts.changed_ids
    with db.read() as conn:
        entry = papers.get_paper(conn, aid)
    assert (entry.paper.title, entry.paper.categories, entry.paper.version) == ("The arXiv title", ("cs.IR",), 2)
    assert entry.upvotes == items[0]["paper"]["upvotes"]


def test_arxiv_harvest_keeps_hf_upvotes(service, fake, db):
    rec = fake.records[0]
    add_papers(db, make_paper(rec["arxiv_id"], upvotes_baseline=42, github_repo="https://github.com/x/y"))
    assert service.harvest_oai("cs").ok
    with db.read() as conn:
        entry = papers.get_paper(conn, rec["arxiv_id"])
    assert (entry.upvotes, entry.paper.github_repo, entry.paper.title) == (42, "https://github.com/x/y", rec["title"])


@pytest.mark.parametrize(
    "body, expected",
    [(b'[{"paper": {"id": "2606.00001", "title": "x"', "malformed JSON"), (b'{"error": "rate limited"}', "expected a JSON list")],
)
def test_a_bad_hf_response_fails_the_run_with_its_position(service, fake, db, body, expected):
    fake.hf_days["2026-06-01"] = body
    result = service.import_hf_daily(day=date(2026, 6, 1))
    assert result.status is RunStatus.FAILED
    assert result.error.startswith("hf at 2026-06-01 page 1") and expected in result.error


def test_daily_runs_every_configured_source_for_yesterday_and_today(service, fake, db):
    results = service.run_daily()
    assert [(r.source, r.window.split(" ")[0]) for r in results] == [("hf", "2026-06-01"), ("hf", "2026-06-02"), ("oai", "cs")]
    assert all(r.ok for r in results)
    with db.read() as conn:
        assert papers.count_papers(conn) == 8 + 49
    assert [r.source for r in service.runs()] == ["oai", "hf", "hf"]


def test_a_change_hook_that_raises_does_not_fail_the_ingest(service, fake):
    def broken(ids: list[str]) -> None:
        raise RuntimeError("indexer is down")

    seen: list[str] = []
    service.on_changed += [broken, seen.extend]
    assert service.harvest_oai("cs").ok and len(seen) == 8


def test_hf_fixtures_are_byte_copies_of_shared_data():
    shared = Path(__file__).resolve().parents[3] / "shared" / "data" / "fixtures" / "hf_api_daily_papers"
    if not shared.is_dir():
        pytest.skip("shared/data is not beside this checkout")
    assert {p.name: p.read_bytes() for p in shared.glob("*.json")} == {p.name: p.read_bytes() for p in HF_FIXTURES.glob("*.json")}


def test_an_offline_instance_fails_runs_clearly_without_network(db, ingest_settings, fake):
    from papertide.ingest.service import IngestService

    offline = IngestService(db, ingest_settings.model_copy(update={"ingest_offline": True}))
    result = offline.fetch_arxiv_ids([fake.records[0]["arxiv_id"]])
    assert result.status is RunStatus.FAILED and "does not fetch from the network" in result.error
    assert fake.requests == []

"""Project pages: read from Hugging Face and our records, checked, stored on both databases, linked."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from fastapi.testclient import TestClient

from papertide.domain.ingest import Harvested, SourceKind, merge_paper
from papertide.domain.paper_checks import InvalidPaper, check_project_page
from papertide.ingest.hf_parse import parse_daily_papers, parse_item
from papertide.ingest.records import parse_record
from papertide.ingest.writer import store_records
from papertide.storage.papers import content_hash
from tests.factories import app_for, make_paper
from tests.ingest.fake_sources import HF_FIXTURES

DAY = date(2025, 10, 1)
TODAY = date(2026, 6, 1)


def _item(project_page: object) -> dict[str, object]:
    return {"paper": {"id": "2510.00001", "title": "A paper", "summary": "S.", "upvotes": 1,
                      "projectPage": project_page}}


def test_hf_project_pages_are_stored_and_linked_from_the_paper_page(settings, db):
    body = (HF_FIXTURES / "2025-10-01.json").read_bytes()
    expected = {i["paper"]["id"]: i["paper"]["projectPage"] for i in json.loads(body) if i["paper"].get("projectPage")}
    assert len(expected) >= 5  # the recorded day has about ten
    page = parse_daily_papers(body, DAY, today=TODAY)
    counts = store_records(db, page.records)
    assert counts.errors == []
    with TestClient(app_for(settings, db)) as client:
        catalog = client.app.state.services.catalog
        stored = {h.paper.arxiv_id: catalog.paper(h.paper.arxiv_id).paper.project_page for h in page.records}
        assert {a: p for a, p in stored.items() if p} == expected
        arxiv_id, url = next(iter(expected.items()))
        html = client.get(f"/papers/{arxiv_id}").text
        assert f'<a class="button" href="{url}" rel="nofollow noopener">Project page</a>' in html
        without = next(a for a, p in stored.items() if not p)
        assert "Project page" not in client.get(f"/papers/{without}").text


@pytest.mark.parametrize("bad", ["javascript:alert(document.cookie)", "data:text/html,<b>x</b>", "ftp://x.org/p",
                                 "/relative/path", "https://", "https://x.org/a b", "https://x.org/" + "a" * 2_000])
def test_a_project_page_that_is_not_an_http_url_is_dropped_with_a_note(bad, db):
    with pytest.raises(InvalidPaper, match="project_page"):
        check_project_page(bad)
    h = parse_item(_item(bad), DAY, TODAY)
    assert h.paper.project_page is None and h.paper.title == "A paper"  # the record itself is kept
    assert len(h.notes) == 1 and h.notes[0].startswith("2510.00001: project_page: ")
    counts = store_records(db, [h])
    assert counts.inserted == 1 and counts.errors == list(h.notes)


def test_our_records_carry_project_page_through_the_same_check():
    record = {"arxiv_id": "2510.00002", "title": "T", "project_page": " https://lab.example/t "}
    assert parse_record(record, TODAY).paper.project_page == "https://lab.example/t"
    refused = parse_record({**record, "project_page": "JavaScript:alert(1)"}, TODAY)
    assert refused.paper.project_page is None and refused.notes


def test_the_hash_of_a_paper_without_a_project_page_is_unchanged_and_one_with_it_differs():
    p = make_paper("2405.00001")
    # The value the hash had before project pages existed: stored papers must not all look changed.
    assert content_hash(p) == "52537b18ce3aa9c15c168da4d08d729c02511b7e"
    assert content_hash(replace(p, project_page="https://x.org")) != content_hash(p)


def test_arxiv_updates_keep_the_project_page_and_hf_sets_it():
    stored = make_paper("2405.00001", project_page="https://x.org")
    newer = Harvested(replace(make_paper("2405.00001", title="v2"), version=2), SourceKind.ARXIV)
    assert merge_paper(stored, newer).project_page == "https://x.org"
    hf = Harvested(replace(stored, project_page="https://y.org"), SourceKind.HF)
    assert merge_paper(replace(stored, project_page=None), hf).project_page == "https://y.org"

"""Ids sent with a long run of spaces inside (a PDF copied with its layout, or a script) are
refused as fast as any other bad id (both databases): the "Cite as" category pattern tried the
run from each of its spaces in turn, so a field of 100,000 spaces held a worker for about 20
seconds, a 1 MB form field half an hour and a 5 MB reading list for hours."""

from __future__ import annotations

import time

import pytest

from tests.community.conftest import post, sign_in
from tests.factories import add_papers, make_paper

GAP = " " * 100_000
SECONDS = 5  # a bad id answers in milliseconds, even on a loaded machine; the old pattern took about 20 s here


@pytest.fixture
def member(client, db):  # type: ignore[no-untyped-def]
    add_papers(db, make_paper("2606.00001", title="Listed paper"))
    return sign_in(client, "paster@example.org")


def _timed(client, url: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    r = post(client, url, data)
    return r, time.perf_counter() - start


def test_a_comment_form_naming_its_paper_with_a_long_run_of_spaces_is_refused_at_once(client, db):
    # Signed out: the paper's id is read before anything else, so anyone could hold a worker.
    add_papers(db, make_paper("2606.00001", title="Listed paper"))
    r, took = _timed(client, "/comments", {"arxiv_id": f"2606.00001{GAP}[x", "body": "hello"})
    assert (r.status_code, took < SECONDS) == (404, True), took


def test_a_pasted_reading_list_line_with_a_long_run_of_spaces_is_read_at_once(client, member):
    r = post(client, "/collections", {"name": "Pasted", "public": "0"})
    collection = r.headers["location"].rsplit("/", 1)[1]
    r, took = _timed(client, f"/collections/{collection}/import", {"ids": f"2606.00001{GAP}[x\n2606.00001"})
    assert (r.status_code, took < SECONDS) == (200, True), took
    with client.app.state.services.db.read() as conn:
        from papertide.storage import collections as store

        assert store.item_ids(conn, store.get(conn, collection).id) == ["2606.00001"]  # type: ignore[union-attr]

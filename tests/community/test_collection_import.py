"""Filling a collection from a reading list through the real app (both databases): a Zotero
BibTeX export with a good entry, a repeat, a paper already there, an unknown id and a broken
entry; who may import; the cap; and an export that imports back as the same collection."""

from __future__ import annotations

from datetime import date

import pytest

from papertide.community.reading_lists import ReadingLists
from papertide.domain.accounts import InvalidInput
from papertide.storage import collections as store
from papertide.storage import recs as recs_store
from tests.community.conftest import csrf, post, sign_in
from tests.factories import add_papers, make_paper

# As Zotero 7 exports arXiv preprints ("Better BibTeX" off): the id sits in url, doi and note.
ZOTERO_BIB = """
@misc{lovelace_second_2026,
\ttitle = {Second listed},
\turl = {http://arxiv.org/abs/2606.00002},
\tdoi = {10.48550/arXiv.2606.00002},
\tpublisher = {arXiv},
\tauthor = {Lovelace, Ada and Turing, Alan},
\tmonth = jun,
\tyear = {2026},
\tnote = {arXiv:2606.00002 [cs]},
\tkeywords = {Computer Science - Machine Learning},
}

@article{lovelace_second_2027,
\ttitle = {Second listed (journal version)},
\tjournal = {Journal of Tests},
\teprint = {2606.00002v3},
\tarchivePrefix = {arXiv},
\tyear = {2027},
}

@misc{lovelace_first_2026,
\ttitle = {First listed},
\turl = {http://arxiv.org/abs/2606.00001},
\tdoi = {10.48550/arXiv.2606.00001},
\tyear = {2026},
}

@misc{hopper_unseen_2026,
\ttitle = {Not here yet},
\turl = {http://arxiv.org/abs/2607.00009},
\tyear = {2026},
}

@book{knuth_art_1968,
\ttitle = {The Art of Computer Programming},
\tpublisher = {Addison-Wesley},
\tyear = {1968},
}

@misc{broken_2026,
\ttitle = {An unclosed {brace,
\tyear = {2026},
"""


@pytest.fixture
def settings(settings):  # type: ignore[no-untyped-def]
    """Offline: the unknown id stays a fetch request instead of reaching for the real arXiv."""
    return settings.model_copy(update={"ingest_offline": True})


@pytest.fixture
def owner(client):  # type: ignore[no-untyped-def]
    add_papers(client.app.state.services.db, (make_paper("2606.00001", title="First listed"), date(2026, 6, 9)),
               (make_paper("2606.00002", title="Second listed"), date(2026, 6, 9)),
               make_paper("hep-th/9901001", title="Old style"))
    client.viewer = sign_in(client, "lead@example.org")
    return client.viewer


def _new_collection(client, name: str, **data) -> str:  # type: ignore[no-untyped-def]
    """The new collection's path; filled from ``ids`` when given (then the answer is its page with the report)."""
    r = post(client, "/collections", {"name": name, "public": "1", **data})
    if not data:
        assert r.status_code == 303, r.text
        return r.headers["location"]
    assert r.status_code == 200 and "import-report" in r.text, r.text
    return f"/collections/{_uuid(client, name)}"


def _uuid(client, name: str) -> str:  # type: ignore[no-untyped-def]
    return next(c.uuid for c in client.app.state.services.community.reading_lists.mine(client.viewer) if c.name == name)


def _ids(client, path: str) -> list[str]:  # type: ignore[no-untyped-def]
    _, papers = client.app.state.services.community.reading_lists.view(client.viewer, path.rsplit("/", 1)[1])
    return [p.arxiv_id for p in papers]


def _upload(client, url: str, filename: str, body: str, **data):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": csrf(client), **data}, files={"file": (filename, body.encode())},
                       follow_redirects=False)


def test_a_zotero_bibtex_file_fills_a_collection_with_a_report_of_every_entry(client, owner):
    path = _new_collection(client, "Reading group")
    for aid in ("hep-th/9901001", "2606.00001"):
        assert post(client, f"{path}/items", {"arxiv_id": aid}).status_code == 303
    post(client, f"{path}/items", {"arxiv_id": "2606.00001", "action": "up"})  # the member's own order

    r = _upload(client, f"{path}/import", "My Library.bib", ZOTERO_BIB)

    assert r.status_code == 200, r.text
    assert ("<strong>My Library.bib</strong> (bibtex): 1 added, 1 already in the collection, 1 repeating an "
            "earlier entry's paper, 1 not on this instance yet, 2 unreadable.") in r.text
    assert "entry 2 (lovelace_second_2027): the same paper as entry 1 (2606.00002)" in r.text
    assert "requested from arXiv" in r.text
    assert 'entry 4 (<span dir="auto">hopper_unseen_2026</span>): <code>2607.00009</code>' in r.text
    assert "entry 5 (knuth_art_1968): no arXiv id, DOI or URL found" in r.text
    assert "entry 6 (broken_2026): could not be read as BibTeX" in r.text
    # Existing papers keep their place; the new one goes after them.
    assert _ids(client, path) == ["2606.00001", "hep-th/9901001", "2606.00002"]
    # The unknown paper is a fetch request, as in the For-you import.
    pending = client.app.state.services.signals.interests(owner).pending
    assert [(p.arxiv_id, p.kind, p.source) for p in pending] == [("2607.00009", "library", "bibtex")]

    # Importing the same file again adds nothing and moves nothing.
    r = _upload(client, f"{path}/import", "My Library.bib", ZOTERO_BIB)
    assert "0 added, 2 already in the collection" in r.text
    assert _ids(client, path) == ["2606.00001", "hep-th/9901001", "2606.00002"]


def test_the_export_of_an_imported_collection_imports_back_as_the_same_collection(client, owner):
    path = _new_collection(client, "From ids", ids="hep-th/9901001\nhttps://arxiv.org/abs/2606.00002v2\n2606.00001")
    exported = {fmt: client.get(f"{path}/export?format={fmt}").text for fmt in ("bibtex", "csv")}

    copies = {}
    for fmt, ext in (("bibtex", "bib"), ("csv", "csv")):
        r = client.post("/collections", data={"csrf_token": csrf(client), "name": f"Copy {fmt}"},
                        files={"file": (f"from-ids.{ext}", exported[fmt].encode())}, follow_redirects=False)
        assert r.status_code == 200 and f"({fmt}): 3 added, 0 already in the collection" in r.text
        copies[fmt] = _uuid(client, f"Copy {fmt}")

    order = ["hep-th/9901001", "2606.00002", "2606.00001"]
    assert [_ids(client, path), _ids(client, f"/c/{copies['bibtex']}"), _ids(client, f"/c/{copies['csv']}")] == [order] * 3
    assert client.get(f"/collections/{copies['bibtex']}/export?format=bibtex").text == exported["bibtex"]


def test_only_the_owner_may_import_into_a_collection(client, owner):
    path = _new_collection(client, "Mine", ids="2606.00001")
    assert 'action="' + path + '/import"' in client.get(path).text

    client.cookies.clear()
    r = post(client, f"{path}/import", {"ids": "2606.00002"})
    assert (r.status_code, r.headers["location"]) == (303, f"/auth/sign-in?next={path}")

    sign_in(client, "someone@example.org")
    assert "/import" not in client.get(path).text  # public, so they see it, without the form
    assert post(client, f"{path}/import", {"ids": "2606.00002"}).status_code == 404
    assert _ids(client, path) == ["2606.00001"]


def test_an_unreadable_file_or_an_empty_form_is_refused_on_the_collection_page(client, owner):
    path = _new_collection(client, "Mine", ids="2606.00001")
    r = _upload(client, f"{path}/import", "library.rdf", "<rdf:RDF></rdf:RDF>")
    assert r.status_code == 400 and "This is an XML file (Zotero RDF or EndNote XML?)" in r.text
    r = post(client, f"{path}/import", {"ids": "  "})
    assert r.status_code == 400 and "Choose a file or paste arXiv ids to import." in r.text
    assert _ids(client, path) == ["2606.00001"]


def test_imports_are_rate_limited_per_member(client, owner):
    path = _new_collection(client, "Mine")
    codes = [post(client, f"{path}/import", {"ids": "2606.00001"}).status_code for _ in range(7)]
    assert codes == [200] * 5 + [429] * 2


def test_a_full_collection_takes_what_fits_and_names_the_entries_that_did_not(client, owner, db):
    lists = ReadingLists(db, max_papers=2)
    path = _new_collection(client, "Small", ids="hep-th/9901001")
    uuid = path.rsplit("/", 1)[1]

    report = lists.import_papers(owner, uuid, "", "2606.00002 2606.00001 2607.00009 hep-th/9901001")

    assert [(r.index, r.status, r.message) for r in report.results if r.status in ("matched", "full", "present")] == [
        (1, "matched", ""),
        (2, "full", "entry 2 (2606.00001): 2606.00001 did not fit; a collection holds at most 2 papers"),
        (4, "present", ""),
    ]
    assert _ids(client, path) == ["hep-th/9901001", "2606.00002"]
    # The one-paper Save respects the same cap, and a refused save changes nothing.
    with pytest.raises(InvalidInput, match="holds 2 papers, the most one can hold"):
        lists.add(owner, uuid, "2606.00001")
    assert lists.add(owner, uuid, "2606.00002") is False  # already there: not refused
    assert _ids(client, path) == ["hep-th/9901001", "2606.00002"]


def test_adding_papers_in_bulk_skips_those_already_there_and_keeps_their_place(client, owner, db):
    path = _new_collection(client, "Bulk", ids="2606.00002")
    with db.write() as conn:
        ids = recs_store.paper_ids_by_arxiv(conn, ["2606.00001", "2606.00002", "hep-th/9901001"])
        c = store.get(conn, path.rsplit("/", 1)[1])
        assert c is not None
        # A Save from another tab can land between the import's look and its write.
        added = store.add_items(conn, c.id, [ids["2606.00001"], ids["2606.00002"], ids["hep-th/9901001"]])
    assert added == 2
    assert _ids(client, path) == ["2606.00002", "2606.00001", "hep-th/9901001"]


def test_two_saves_at_once_into_an_almost_full_collection_do_not_overfill_it(client, owner, db, db_url):
    """Two tabs (two web processes) save a paper each into a collection with one place left: each
    counted the papers before the other committed, and both went in."""
    from papertide.storage.db import Database
    from tests.interleave import between

    path = _new_collection(client, "Small", ids="hep-th/9901001")
    uuid = path.rsplit("/", 1)[1]
    other = Database(db_url)
    ours, theirs = ReadingLists(db, max_papers=2), ReadingLists(other, max_papers=2)
    counts = lambda s: s.lstrip().upper().startswith("SELECT COUNT") and "collection_items" in s  # noqa: E731
    try:
        with between(db, counts, other, lambda: theirs.add(owner, uuid, "2606.00002"),
                     waits=lambda s: "FOR NO KEY UPDATE" in s) as second:
            try:
                ours.add(owner, uuid, "2606.00001")
                refused = 0
            except InvalidInput:
                refused = 1
        try:
            second.join()
        except InvalidInput:
            refused += 1
    finally:
        other.dispose()
    assert refused == 1
    assert len(_ids(client, path)) == 2


def test_two_moves_at_once_in_one_collection_both_take_effect(client, owner, db, db_url):
    """Two tabs move papers of one collection at once: each read the order before the other
    committed, and wrote its own swap over the other's, so one move was lost."""
    from papertide.storage.db import Database
    from tests.interleave import between

    path = _new_collection(client, "Order")
    uuid = path.rsplit("/", 1)[1]
    other = Database(db_url)
    ours, theirs = ReadingLists(db), ReadingLists(other)
    for aid in ("2606.00001", "2606.00002", "hep-th/9901001"):
        ours.add(owner, uuid, aid)
    first = _ids(client, path)
    reads_order = lambda s: s.lstrip().upper().startswith("SELECT") and "collection_items.position" in s  # noqa: E731
    try:
        with between(db, reads_order, other, lambda: theirs.move(owner, uuid, first[0], "down"),
                     waits=lambda s: "FOR NO KEY UPDATE" in s) as second:
            ours.move(owner, uuid, first[2], "up")
        second.join()
    finally:
        other.dispose()
    a, b, c = first
    # Ours (c up) then theirs (a down), or theirs then ours; not a mix of the two.
    assert _ids(client, path) in ([c, a, b], [b, c, a])

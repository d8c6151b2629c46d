"""Odd but real records from each source, followed from the parser to what pages, exports and the API show.

Each test feeds a format-faithful payload (arXiv OAI-PMH / API documents, recorded Hugging Face
responses, Kaggle snapshot lines) through the production parser and writer, then reads it back
the way a reader would.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import date

import bibtexparser
from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts

from papertide.domain.ingest import RunCounts
from papertide.ingest.atom_parse import parse_feed
from papertide.ingest.bulk import import_file
from papertide.ingest.kaggle import import_snapshot
from papertide.ingest.oai_parse import parse_list_records
from papertide.ingest.writer import store_records
from papertide.storage import papers
from tests.ingest import oai_docs
from tests.ingest.fake_sources import HF_FIXTURES
from tests.ingest.test_bulk_import import record, write_jsonl
from tests.ingest.test_snapshot_and_cli import snapshot_line, write_snapshot

TODAY = date(2026, 6, 2)


def arxiv_format_record(arxiv_id: str, authors_xml: str, title: str = "A paper") -> str:
    """One OAI-PMH record in arXiv's ``arXiv`` metadata format with the given ``<author>`` elements."""
    return (
        f"<record><header><identifier>oai:arXiv.org:{arxiv_id}</identifier><datestamp>2026-05-21</datestamp>"
        "<setSpec>cs</setSpec></header><metadata>"
        '<arXiv xmlns="http://arxiv.org/OAI/arXiv/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://arxiv.org/OAI/arXiv/ http://arxiv.org/OAI/arXiv.xsd">'
        f"<id>{arxiv_id}</id><created>2026-05-20</created><authors>{authors_xml}</authors>"
        f"<title>{title}</title><categories>cs.LG</categories>"
        "<license>http://creativecommons.org/publicdomain/zero/1.0/</license>"
        "<abstract>  An abstract.\n</abstract></arXiv></metadata></record>"
    )


def test_blank_and_wrapped_author_names_from_arxiv_are_tidied_before_they_reach_pages_and_exports(db, client):
    # arXiv's arXiv format allows an <author> whose name parts are all empty, and its API an empty <name>;
    # a blank name was stored and shown as citation_author "", "Plato and  and John Smith" in BibTeX and
    # {"name": ""} in the API. A name wrapped across lines spelled the same person a second way.
    oai = oai_docs.list_records_page([arxiv_format_record(
        "2605.00001",
        "<author><keyname>Plato</keyname></author><author><keyname></keyname><forenames> </forenames></author>"
        "<author><keyname>Smith</keyname><forenames>John\n    Quincy</forenames></author>",
    )], {"verb": "ListRecords"}, None, 0, 1)
    rec = {"arxiv_id": "2605.00002", "title": "Another paper", "abstract": "Text.", "authors": ["Ada Lovelace"],
           "categories": ["cs.LG"], "published": "2026-05-20"}
    atom = oai_docs.atom_feed([oai_docs.atom_entry(rec).replace(
        "<author>\n<name>Ada Lovelace</name>\n</author>",
        "<author>\n<name>Ada Lovelace</name>\n</author>\n<author>\n<name></name>\n</author>\n"
        "<author>\n<name>  Alan\n  Turing </name>\n</author>")])
    records = parse_list_records(oai, today=TODAY).records + parse_feed(atom, today=TODAY).records
    assert [h.paper.authors for h in records] == [("Plato", "John Quincy Smith"), ("Ada Lovelace", "Alan Turing")]
    store_records(db, records)

    bib = client.get("/papers/2605.00001/bibtex").text
    assert "author = {Plato and John Quincy Smith}" in bib
    page = client.get("/papers/2605.00001").text
    assert '<meta name="citation_author" content="">' not in page
    api = client.get("/api/papers/2605.00002").json()
    assert [a["name"] for a in api["authors"]] == ["Ada Lovelace", "Alan Turing"]


def test_an_hf_item_without_counts_keeps_the_counts_we_hold(service, fake, db):
    # Hugging Face items leave out or null a count now and then; read as 0, they wiped the stored
    # upvotes and comment count of a paper on a re-import.
    items = json.loads((HF_FIXTURES / "2026-06-01.json").read_text(encoding="utf-8"))
    assert service.import_hf_daily(day=date(2026, 6, 1)).ok
    first, second = items[0], items[1]
    later = [json.loads(json.dumps(first)), json.loads(json.dumps(second))]
    del later[0]["paper"]["upvotes"], later[0]["numComments"]
    later[1]["paper"]["upvotes"], later[1]["numComments"] = None, first["numComments"] + 5
    fake.hf_days["2026-06-01"] = json.dumps(later).encode()
    result = service.import_hf_daily(day=date(2026, 6, 1))
    assert result.ok and result.counts.failed == 0
    with db.read() as conn:
        one, two = (papers.get_paper(conn, it["paper"]["id"]) for it in (first, second))
    assert (one.upvotes, one.num_comments) == (first["paper"]["upvotes"], first["numComments"])
    assert (two.upvotes, two.num_comments) == (second["paper"]["upvotes"], first["numComments"] + 5)


# The first line of the Kaggle arXiv snapshot, as Kaggle ships it (CC0 metadata).
KAGGLE_0704_0001 = {
    "id": "0704.0001", "submitter": "Pavel Nadolsky",
    "authors": "C. Bal\\'azs, E. L. Berger, P. M. Nadolsky, C.-P. Yuan",
    "title": "Calculation of prompt diphoton production cross sections at Tevatron and\n  LHC energies",
    "comments": "37 pages, 15 figures; published version", "journal-ref": "Phys.Rev.D76:013009,2007",
    "doi": "10.1103/PhysRevD.76.013009", "report-no": "ANL-HEP-PR-07-12", "categories": "hep-ph", "license": None,
    "abstract": "  A fully differential calculation in perturbative quantum chromodynamics is\npresented for the "
                "production of massive photon pairs at hadron colliders.\n",
    "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
                 {"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"}],
    "update_date": "2008-11-26",
    "authors_parsed": [["Bal\u00e1zs", "C.", ""], ["Berger", "E. L.", ""], ["Nadolsky", "P. M.", ""], ["Yuan", "C. -P.", ""]],
}


def test_a_paper_names_its_authors_the_same_from_arxivraw_and_the_kaggle_snapshot(db, client, tmp_path):
    # The snapshot's authors_parsed re-spaces hyphenated initials ("C. -P. Yuan"), and arXivRaw keeps
    # affiliations in the author string ("B. Two (Univ. X, Y)"): either way one person had two author
    # pages, and the affiliation's comma broke the name in BibTeX.
    raw = {"arxiv_id": "2605.00003", "title": "Affiliated", "abstract": "Text.", "authors": [],
           "categories": ["hep-ph"], "published": "2026-05-20"}
    meta = oai_docs.arxiv_raw_metadata(raw).replace(
        "<authors></authors>", "<authors>C.-P. Yuan (Michigan State U.), B. Two (Univ. X, Y) and A. Smith (1) "
                               "((1) MIT)</authors>")
    record = oai_docs.oai_record(raw).split("<metadata>")[0] + f"<metadata>\n{meta}\n</metadata>\n</record>\n"
    page = parse_list_records(oai_docs.list_records_page([record], {"verb": "ListRecords"}, None, 0, 1), today=TODAY)
    store_records(db, page.records)
    lines = [json.dumps(KAGGLE_0704_0001), snapshot_line("2606.00001", authors="A. Person (Univ. X, Y) and B. Ev\\'equoz")]
    counts = RunCounts()
    import_snapshot(db, write_snapshot(tmp_path / "snap.json.gz", lines), counts, notify=lambda ids: None)
    assert counts.inserted == 2 and counts.failed == 0
    with db.read() as conn:
        held = papers.get_papers(conn, ["2605.00003", "0704.0001", "2606.00001"])
    assert held["2605.00003"].authors == ("C.-P. Yuan", "B. Two", "A. Smith")
    assert held["0704.0001"].authors == ("C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C.-P. Yuan")
    assert held["2606.00001"].authors == ("A. Person", "B. Evéquoz")

    author_page = client.get("/authors/C.-P. Yuan").text
    assert "/papers/0704.0001" in author_page and "/papers/2605.00003" in author_page
    bib = bibtexparser.parse_string(client.get("/papers/2605.00003/bibtex").text)
    assert bib.entries[0]["author"] == "C.-P. Yuan and B. Two and A. Smith"


def test_an_old_style_id_with_its_subject_class_names_the_same_paper(db, client, tmp_path):
    # arXiv's identifier is math/0309136; "math.GT/0309136" is the citation form with the subject
    # class. Kept as a separate id, a record spelled that way was a second paper, and the page,
    # export and API under the citation form said 404 for a paper we hold.
    f = write_jsonl(tmp_path / "old.jsonl", [
        record("math/0309136", title="Ricci flow with surgery on three-manifolds", categories=["math.DG", "math.GT"]),
        record("math.GT/0309136v2", title="Ricci flow with surgery on three-manifolds (v2)", version=2,
               categories=["math.DG", "math.GT"]),
    ])
    counts = import_file(db, f)
    assert (counts.inserted, counts.failed) == (1, 0)
    with db.read() as conn:
        assert papers.count_papers(conn) == 1
        assert papers.get_paper(conn, "math/0309136").paper.version == 2
    assert client.get("/papers/math.GT/0309136").status_code == 200
    assert client.get("/api/papers/math.GT/0309136v2").json()["id"] == "math/0309136"
    assert "eprint = {math/0309136}" in client.get("/export?ids=arXiv:math.GT/0309136&format=bibtex").text


def test_collaboration_authors_stay_whole_in_bibtex(db, client):
    # arXiv names a collaboration as one author (<keyname>The ATLAS Collaboration</keyname>); BibTeX
    # read it as first name "The ATLAS", last name "Collaboration" and cited "T. A. Collaboration".
    oai = oai_docs.list_records_page([arxiv_format_record(
        "2605.00004",
        "<author><keyname>The ATLAS Collaboration</keyname></author>"
        "<author><keyname>Aad</keyname><forenames>Georges</forenames></author>",
        title="Observation of a new particle",
    )], {"verb": "ListRecords"}, None, 0, 1)
    store_records(db, parse_list_records(oai, today=TODAY).records)
    bib = client.get("/papers/2605.00004/bibtex").text
    entry = bibtexparser.parse_string(bib, append_middleware=[SeparateCoAuthors(), SplitNameParts()]).entries[0]
    assert [(n.first, n.last) for n in entry["author"]] == [([], ["{The ATLAS Collaboration}"]), (["Georges"], ["Aad"])]


def test_decomposed_accents_are_stored_composed_so_search_and_exports_match_what_readers_type(db, client, tmp_path):
    # Text copied from a PDF or typed on a Mac often spells "ü" as "u" + U+0308. Stored that way,
    # the keyword index split "Müller" into "mu" and "ller", so typing "Müller" or "muller" found
    # nothing, and the API and BibTeX handed the decomposed bytes on to whoever compared them.
    def nfd(s: str) -> str:
        return unicodedata.normalize("NFD", s)

    f = write_jsonl(tmp_path / "nfd.jsonl", [record(
        "2606.00009", title=nfd("Schrödinger bridges for Émile"), abstract=nfd("We revisit Müller's café theorem."),
        authors=[nfd("José Müller"), "Zoë Ng"])])
    counts = import_file(db, f)
    assert counts.failed == 0
    for typed in ("Müller", "muller", "Schrödinger", "cafe"):
        found = client.get("/api/v1/search", params={"q": typed}).json()
        assert [p["arxiv_id"] for p in found["items"]] == ["2606.00009"], typed
    paper = client.get("/api/v1/papers/2606.00009").json()
    assert (paper["title"], paper["abstract"], paper["authors"]) == (
        "Schrödinger bridges for Émile", "We revisit Müller's café theorem.", ["José Müller", "Zoë Ng"])
    assert "author = {José Müller and Zoë Ng}" in client.get("/papers/2606.00009/bibtex").text

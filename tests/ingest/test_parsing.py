"""Pure parsers and rules: OAI-PMH, Atom, HF JSON, Kaggle lines, TeX names, merge and history."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from papertide.domain.ingest import (
    Checkpoint,
    Harvested,
    PaperVersion,
    SourceKind,
    daily_window,
    format_window,
    harvest_from,
    history_rows,
    is_withdrawal_comment,
    merge_paper,
)
from papertide.domain.papers import Listing, Paper
from papertide.domain.tex import ascii_fold, author_search_forms, detex_name, detex_text
from papertide.ingest.atom_parse import AtomParseError, parse_feed
from papertide.ingest.hf_parse import parse_daily_papers
from papertide.ingest.http import parse_retry_after
from papertide.ingest.kaggle import parse_snapshot_line
from papertide.ingest.oai_parse import OaiParseError, clean_abstract, parse_list_records, split_raw_authors
from papertide.ingest.records import RecordError
from tests.ingest import oai_docs
from tests.ingest.fake_sources import HF_FIXTURES

REC = {"arxiv_id": "2606.00001", "title": "On $O(n)$ things", "abstract": "First paragraph here.\nSecond one.",
       "authors": ["Fr\\'ed\\'eric Klopp", "Ada Lovelace"], "categories": ["math.AP", "math.SP"], "published": "2026-06-01"}


@pytest.mark.parametrize(
    "tex, shown",
    [("Ev\\'equoz", "Evéquoz"), ('{\\"O}zt{\\"u}rk', "Öztürk"), ("\\c{C}a\\u{g}lar", "Çağlar"), ("Erd\\H{o}s", "Erdős"),
     ("J\\'{\\i}", "Jí"), ("\\AA{}ngstr\\\"om", "Ångström"), ("{\\L}ukasz", "Łukasz"), ("K\\v{r}\\'i\\v{z}", "Kříž"),
     ("\\v Cech", "Čech"), ("J. {van der} Berg", "J. van der Berg"), ("Plain Name", "Plain Name"),
     ("Petrovski\\u\\i", "Petrovskiĭ")],
)
def test_tex_accents_become_letters(tex, shown):
    assert detex_name(tex) == shown


@pytest.mark.parametrize(
    "tex, shown",
    [('The nonlinear Schr\\"odinger equation', "The nonlinear Schrödinger equation"),
     ("Monge-Amp\\`{e}re and Painlev\\'e", "Monge-Ampère and Painlevé"),
     ("Ko{\\l}odziej, the \\L ojasiewicz inequality, Kre\\u\\i{}n, Bogovski\\u{\\i}",
      "Kołodziej, the Łojasiewicz inequality, Kreĭn, Bogovskiĭ"),
     ("H\\' erau and H{\\\" o}rmander", "Hérau and Hörmander"),
     ("Q\\&A at 50\\% on my\\_repo \\#1", "Q&A at 50% on my_repo #1"),
     # Math is TeX's, left exactly as it is; so are an escaped dollar and other commands' arguments.
     ("$\\ddot{x}$ and $\\'{e}$ for \\$5", "$\\ddot{x}$ and $\\'{e}$ for \\$5"),
     ("on \\mathbb{R} with \\textbf{bold}", "on \\mathbb{R} with \\textbf{bold}"),
     ("a line\\\\& break", "a line\\\\& break"),
     ("First paragraph, Schr\\\"odinger.\nSecond  paragraph.", "First paragraph, Schrödinger.\nSecond  paragraph."),
     ("Plain {BERT} title", "Plain {BERT} title")],
)
def test_tex_accents_in_titles_and_abstracts_become_letters_outside_math(tex, shown):
    assert detex_text(tex) == shown
    assert detex_text(shown) == shown  # stored text goes through again on every re-harvest


def test_every_source_stores_titles_and_abstracts_with_letters():
    from papertide.ingest.records import parse_line

    rec = dict(REC, title='Schr\\"odinger bridges', abstract="After Poincar\\'e.\nNext.")
    doc = oai_docs.list_records_page([oai_docs.oai_record(rec)], {"verb": "ListRecords"}, None, 0, 1)
    for paper in (parse_line(json.dumps(rec)).paper, parse_list_records(doc).records[0].paper):
        assert (paper.title, paper.abstract) == ("Schrödinger bridges", "After Poincaré.\nNext.")


def test_search_sees_display_ascii_and_tex_forms():
    assert author_search_forms("Ev\\'equoz") == ("Evéquoz", "Evequoz", "Ev\\'equoz")
    assert author_search_forms("Ada") == ("Ada",)
    assert ascii_fold("Łukasz Straße") == "Lukasz Strasse"


def test_arxiv_raw_page_parses_versions_authors_and_token():
    doc = oai_docs.list_records_page([oai_docs.oai_record(REC, versions=3)], {"verb": "ListRecords"}, "t2", 0, 9)
    page = parse_list_records(doc)
    (h,) = page.records
    assert (page.resumption_token, page.complete_list_size, page.cursor) == ("t2", 9, 0)
    assert h.paper == Paper("2606.00001", "On $O(n)$ things", "First paragraph here.\nSecond one.",
                            ("Frédéric Klopp", "Ada Lovelace"), ("math.AP", "math.SP"), date(2026, 6, 1), version=3)
    assert [(v.version, v.submitted) for v in h.versions] == [
        (1, datetime(2026, 6, 1, 17, 59, tzinfo=UTC)), (2, datetime(2026, 6, 8, 17, 59, tzinfo=UTC)),
        (3, datetime(2026, 6, 15, 17, 59, tzinfo=UTC))]


def test_deleted_records_and_errors_and_bad_records():
    doc = oai_docs.list_records_page(
        [oai_docs.oai_record(REC, deleted=True), oai_docs.oai_record(REC | {"arxiv_id": "not-an-id"})],
        {"verb": "ListRecords"}, None, 0, 2)
    page = parse_list_records(doc)
    assert [h.deleted for h in page.records] == [True] and page.resumption_token is None
    assert page.bad_records == ("record 2: identifier 'oai:arXiv.org:not-an-id' is not an arXiv id",)
    err = parse_list_records(oai_docs.oai_error("noRecordsMatch", "none"))
    assert (err.error_code, err.error_message, err.records) == ("noRecordsMatch", "none", ())


@pytest.mark.parametrize("body, where", [(b"<OAI-PMH><ListRecords><record>", "line 1"), (b"", "line"),
                                          (b"<html><body>Service unavailable</body></html>", "line 1")])
def test_malformed_or_foreign_documents_raise_with_a_position(body, where):
    with pytest.raises(OaiParseError) as exc:
        parse_list_records(body)
    assert exc.value.position.startswith(where)


def test_the_parser_does_not_expand_entities():
    doc = oai_docs.list_records_page([oai_docs.oai_record(REC)], {"verb": "ListRecords"}, None, 0, 1).decode()
    doc = doc.replace('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0"?><!DOCTYPE OAI-PMH [<!ENTITY a "BOOM">]>')
    doc = doc.replace("<title>On $O(n)$ things", "<title>On $O(n)$ things &a;")
    (h,) = parse_list_records(doc.encode()).records
    assert "BOOM" not in h.paper.title


def test_raw_author_strings_split_outside_parentheses():
    assert split_raw_authors("A. One, B. Two (Univ. X, Y) and C. D\\\"uck") == ("A. One", "B. Two", "C. Dück")
    assert split_raw_authors("Solo Author") == ("Solo Author",)
    # Numbered affiliations, listed after the last name, are affiliations too.
    assert split_raw_authors("A. Smith (1), B. Jones (1 and 2) ((1) MIT, (2) ETH)") == ("A. Smith", "B. Jones")
    # An unclosed parenthesis must not swallow the authors after it.
    assert split_raw_authors("A. One (MIT, B. Two, C. Three") == ("A. One (MIT", "B. Two", "C. Three")


def test_abstract_wraps_are_joined_and_paragraphs_kept():
    assert clean_abstract("  First line\nwrapped here.\n  Second para\ncontinues.\n") == (
        "First line wrapped here.\nSecond para continues.")


def test_atom_feed_parses_entries_versions_and_errors():
    feed = parse_feed(oai_docs.atom_feed([oai_docs.atom_entry(REC, 2, "withdrawn by the author"),
                                          oai_docs.atom_error_entry("12")]))
    (h,) = feed.records
    assert (h.paper.arxiv_id, h.paper.version, h.paper.categories, h.paper.withdrawn) == (
        "2606.00001", 2, ("math.AP", "math.SP"), True)
    assert h.paper.authors == ("Frédéric Klopp", "Ada Lovelace")
    assert [v.version for v in h.versions] == [1, 2]
    assert feed.errors == ("incorrect id format for 12",)
    with pytest.raises(AtomParseError):
        parse_feed(b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>")


@pytest.mark.parametrize("path", sorted(HF_FIXTURES.glob("*.json")), ids=lambda p: p.name)
def test_every_recorded_hf_fixture_parses_completely(path):
    items = json.loads(path.read_bytes())
    page = parse_daily_papers(path.read_bytes(), date.fromisoformat(path.stem))
    assert (len(page.records), page.bad_items) == (len(items), ())
    assert [h.listing.position for h in page.records] == list(range(len(items)))
    for h, item in zip(page.records, items, strict=True):
        assert h.kind is SourceKind.HF and h.paper.title and h.paper.abstract
        assert h.paper.upvotes_baseline == item["paper"]["upvotes"]
        assert h.listing.listed_on == date.fromisoformat(path.stem)


def test_hf_week_queries_take_each_items_own_day():
    path = HF_FIXTURES / "2026-06-01.json"
    page = parse_daily_papers(path.read_bytes(), None)
    assert {h.listing.listed_on for h in page.records} == {date(2026, 6, 1)}


def test_kaggle_snapshot_lines_parse():
    line = json.dumps({
        "id": "0704.0001", "submitter": "Pavel Nadolsky", "authors": "C. Bal\\'azs, E. L. Berger and C.-P. Yuan",
        "title": "Calculation of prompt diphoton production cross sections at Tevatron and\n  LHC energies",
        "comments": "37 pages", "journal-ref": "Phys.Rev.D76:013009,2007", "doi": "10.1103/PhysRevD.76.013009",
        "categories": "hep-ph", "abstract": "  A fully differential calculation\nin perturbative QCD.\n",
        "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
                     {"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"}],
        "update_date": "2008-11-13", "authors_parsed": [["Bal\\'azs", "C.", ""], ["Berger", "E. L.", ""], ["Yuan", "C. -P.", ""]],
    })
    h = parse_snapshot_line(line)
    assert h.paper == Paper("0704.0001", "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies",
                            "A fully differential calculation in perturbative QCD.", ("C. Balázs", "E. L. Berger", "C.-P. Yuan"),
                            ("hep-ph",), date(2007, 4, 2), version=2)
    with pytest.raises(RecordError, match="missing id"):
        parse_snapshot_line('{"arxiv_id": "2405.00001"}')


def test_retry_after_accepts_seconds_and_http_dates():
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


P1 = Paper("2606.00001", "Old title", "Old abstract", ("A",), ("cs.LG",), date(2026, 6, 1), version=1,
           upvotes_baseline=12, github_repo="https://github.com/a/b", keywords=("k",))


def test_merge_arxiv_newer_version_takes_text_keeps_hf_fields():
    v2 = Paper("2606.00001", "New title", "New abstract", ("A", "B"), ("cs.CL",), date(2026, 6, 3), version=2)
    merged = merge_paper(P1, Harvested(v2))
    assert merged == Paper("2606.00001", "New title", "New abstract", ("A", "B"), ("cs.CL",), date(2026, 6, 1), version=2,
                           upvotes_baseline=12, github_repo="https://github.com/a/b", keywords=("k",))
    assert merge_paper(merged, Harvested(P1)) == merged  # an older version never wins
    assert merge_paper(None, Harvested(v2)) == v2


def test_merge_hf_updates_counts_only_and_deletions_withdraw():
    hf = Paper("2606.00001", "HF title", "", (), (), None, upvotes_baseline=30, num_comments_baseline=4)
    assert merge_paper(P1, Harvested(hf, SourceKind.HF)) == Paper(
        "2606.00001", "Old title", "Old abstract", ("A",), ("cs.LG",), date(2026, 6, 1), upvotes_baseline=30,
        num_comments_baseline=4, github_repo="https://github.com/a/b", keywords=("k",))
    # A count the item did not send is unknown: the one we hold stays.
    unsent = Harvested(hf, SourceKind.HF, unsent=frozenset({"upvotes_baseline"}))
    assert (merge_paper(P1, unsent).upvotes_baseline, merge_paper(P1, unsent).num_comments_baseline) == (12, 4)
    gone = Harvested(Paper("2606.00001", "", ""), deleted=True)
    assert merge_paper(P1, gone).withdrawn and merge_paper(None, gone) is None


def test_merge_of_an_unversioned_record_keeps_the_known_version():
    v3 = Paper("2606.00001", "T", "A", version=3)
    same = Harvested(Paper("2606.00001", "T2", "A2"), version_known=False)
    assert merge_paper(v3, same).version == 3 and merge_paper(v3, same).title == "T2"


def test_history_keeps_the_replaced_versions_text():
    v2 = Paper("2606.00001", "New", "NewA", ("B",), version=2)
    when = datetime(2026, 6, 1, tzinfo=UTC)
    rows = history_rows(P1, Harvested(v2, versions=(PaperVersion(1, when), PaperVersion(2))))
    assert rows == (PaperVersion(1, when, "Old title", "Old abstract", ("A",)), PaperVersion(2))
    assert history_rows(None, Harvested(P1, SourceKind.HF, listing=Listing("x", date(2026, 6, 1)))) == ()


def test_windows_checkpoints_and_withdrawal_comments():
    assert daily_window(date(2026, 6, 2)) == (date(2026, 6, 1), date(2026, 6, 2))
    assert harvest_from(None, date(2026, 6, 2)) == date(2026, 6, 1)
    assert harvest_from(Checkpoint("k", date(2026, 5, 20)), date(2026, 6, 2)) == date(2026, 5, 20)
    assert format_window(date(2026, 6, 1), None, "cs") == "cs 2026-06-01..…"
    assert is_withdrawal_comment("This submission has been withdrawn by arXiv administrators")
    assert not is_withdrawal_comment(None)


def test_jsonl_records_show_tex_accented_authors_as_letters():
    from papertide.ingest.records import parse_line

    paper = parse_line(json.dumps(REC)).paper
    assert paper.authors == ("Frédéric Klopp", "Ada Lovelace")

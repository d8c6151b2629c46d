"""The library parsers, pure: every format Zotero, Mendeley, JabRef and Google Scholar write, and
every way a file goes wrong. A bad entry is reported with its number and key; good entries stay."""

import json
from datetime import date

import pytest

from papertide.domain.collections import to_bibtex, to_csv
from papertide.domain.papers import Paper
from papertide.recs.library import MAX_ENTRIES, MAX_IMPORT_BYTES, decode, detect_format, parse_library
from papertide.recs.library_entries import LibraryEntry, LibraryError, find_arxiv_id


def ids(parsed):  # type: ignore[no-untyped-def]
    return [(e.key, e.arxiv_id, e.error) for e in parsed.entries]


# -- BibTeX ------------------------------------------------------------------------------------

ZOTERO_BIB = r"""
@misc{vaswani_attention_2017,
	title = {Attention {Is} {All} {You} {Need}},
	url = {http://arxiv.org/abs/1706.03762},
	doi = {10.48550/arXiv.1706.03762},
	number = {{arXiv}:1706.03762},
	publisher = {{arXiv}},
}
@article{scholar2020, title={Language models}, journal={arXiv preprint arXiv:2005.14165}, year={2020}}
@article{biblatex, title={Old style}, eprint={hep-th/9901001v2}, eprinttype={arxiv}}
@article{jabref, title={JabRef}, arxivid = {2401.00001}}
@article{pubmed, title={A PubMed paper}, eprint={12345678}, eprinttype={pubmed}}
@book{smith2020, title={A book}, year=2020}
@article{acm, title={ACM}, doi={10.1145/3292500.3330701}, url={https://dl.acm.org/doi/10.1145/3292500.3330701}}
@article{typo, title={Typo}, eprint={2401.999}, archivePrefix={arXiv}}
"""


def test_bibtex_finds_ids_in_every_field_exporters_use_and_says_why_not():
    parsed = parse_library("my library.bib", ZOTERO_BIB)
    assert parsed.format == "bibtex"
    assert ids(parsed) == [
        ("vaswani_attention_2017", "1706.03762", None),
        ("scholar2020", "2005.14165", None),
        ("biblatex", "hep-th/9901001", None),
        ("jabref", "2401.00001", None),
        ("pubmed", None, "no arXiv id, DOI or URL found"),
        ("smith2020", None, "no arXiv id, DOI or URL found"),
        ("acm", None, "no arXiv id found (its DOI 10.1145/3292500.3330701 is not arXiv's)"),
        ("typo", None, "eprint '2401.999' is not an arXiv id"),
    ]
    assert parsed.entries[0].title == "Attention Is All You Need"
    assert parsed.entries[5].message == "entry 6 (smith2020): no arXiv id, DOI or URL found"


def test_bibtex_from_google_scholar_names_old_style_ids_without_an_arxiv_prefix():
    # Scholar writes "arXiv preprint arXiv:2005.14165" for new ids but "arXiv preprint hep-th/9711200" for old ones.
    text = """
@article{maldacena1999large,
  title={The large N limit of superconformal field theories and supergravity},
  author={Maldacena, Juan},
  journal={arXiv preprint hep-th/9711200},
  year={1997}
}
@article{gs2, title={Knots}, journal={arXiv preprint math/0309136v2}}
@article{gs3, title={Preprint}, journal={arXiv preprint}, year={2020}}
"""
    assert ids(parse_library("scholar.bib", text)) == [
        ("maldacena1999large", "hep-th/9711200", None),
        ("gs2", "math/0309136", None),
        ("gs3", None, "no arXiv id, DOI or URL found"),
    ]


def test_bibtex_from_semantic_scholar_and_dblp_names_the_paper_by_corr_volume():
    # Semantic Scholar's "Cite" and DBLP's older entries give an arXiv paper only as CoRR's volume.
    text = """
@Article{Brown2020LanguageMA,
 author = {Tom B. Brown and Benjamin Mann},
 journal = {ArXiv},
 title = {Language Models are Few-Shot Learners},
 volume = {abs/2005.14165},
 year = {2020}
}
@article{DBLP:journals/corr/abs-1706-03762, journal = {CoRR}, volume = {abs/1706.03762}, year = {2017}}
@article{other, journal = {Journal of Things}, volume = {abs/1706.03762}}
"""
    assert ids(parse_library("s2.bib", text)) == [
        ("Brown2020LanguageMA", "2005.14165", None),
        ("DBLP:journals/corr/abs-1706-03762", "1706.03762", None),
        ("other", None, "no arXiv id, DOI or URL found"),
    ]
    # The same reference after a trip through Zotero, exported as CSL-JSON.
    csl = json.dumps([{"id": "brown", "container-title": "ArXiv", "volume": "abs/2005.14165"}])
    assert ids(parse_library("zotero.json", csl)) == [("brown", "2005.14165", None)]


def test_bibtex_unbalanced_braces_cost_only_that_entry():
    text = "@article{good1, eprint={2401.00001}}\n@article{broken, title={Unclosed {brace}, eprint={2401.00002}\n" \
           "@article{good2, url={https://arxiv.org/pdf/2401.00003v1}}\n@article{tail, title={Never closed\n"
    parsed = parse_library("x.bib", text)
    assert ids(parsed) == [
        ("good1", "2401.00001", None),
        ("broken", None, "could not be read as BibTeX near line 2 (an unclosed brace or quote?)"),
        ("good2", "2401.00003", None),
        ("tail", None, "could not be read as BibTeX near line 4 (an unclosed brace or quote?)"),
    ]


def test_bibtex_duplicate_keys_and_fields_still_import_the_reference():
    text = "@misc{a, eprint={2401.00001}}\n@misc{a, eprint={2401.00002}}\n@misc{b, title={x}, title={y}, eprint={2401.00003}}"
    assert [e.arxiv_id for e in parse_library("x.bib", text).entries] == ["2401.00001", "2401.00002", "2401.00003"]
    # A repeated field: the later value, as BibTeX reads it, unless only the earlier one names a paper.
    text = "@misc{c, eprint={2401.00004}, eprint={todo}}\n@misc{d, eprint={todo}, eprint={2401.00005}}\n" \
           "@misc{e, eprint={2401.00006}, eprint={2401.00007}}"
    assert [e.arxiv_id for e in parse_library("x.bib", text).entries] == ["2401.00004", "2401.00005", "2401.00007"]


def test_bibtex_strings_comments_and_preambles_are_not_entries():
    text = '@string{ax = "arXiv"}\n@comment{ignore me}\n@preamble{"x"}\nfree text\n@misc{k, eprint={2401.00001}}'
    assert ids(parse_library("x.bib", text)) == [("k", "2401.00001", None)]


def test_bibtex_values_joined_with_hash_read_as_bibtex_joins_them():
    text = ('@string{ax = "arXiv:"}\n@STRING{Pre = {24}}\n'
            "@misc{a, title={One} # { two}, eprint = ax # {2401.00001}}\n"
            '@misc{b, url = "https://arxiv.org/abs/" # pre # "01.00002"}\n'
            "@misc{c, eprint = {2401.00003 # v2}}\n"  # inside braces "#" is a character, not a join
            '@misc{d, eprint = "2401." # }\n'
            "@misc{e, eprint = 2401.00005}")
    entries = parse_library("x.bib", text).entries
    assert [(e.key, e.arxiv_id) for e in entries] == [("a", "2401.00001"), ("b", "2401.00002"), ("c", None), ("d", None),
                                                      ("e", "2401.00005")]
    assert entries[0].title == "One two"
    assert entries[2].error == "eprint '2401.00003 # v2' is not an arXiv id" and entries[3].error


def test_a_bib_file_with_no_entries_is_refused_with_a_message():
    with pytest.raises(LibraryError, match="No BibTeX entries found"):
        parse_library("empty.bib", "just some words")


# -- RIS ---------------------------------------------------------------------------------------


def test_ris_reads_records_and_keeps_one_without_er():
    text = (
        "TY  - JOUR\nID  - rec1\nTI  - First\nUR  - https://arxiv.org/abs/2401.00001\nER  - \n\n"
        "TY  - JOUR\nTI  - Second\nDO  - 10.48550/arXiv.2401.00002\nER  - \n"
        "TY  - BOOK\nTI  - No id\nPY  - 2020\nER  - \n"
        "TY  - JOUR\nTI  - Last, no ER\nN1  - arXiv: 2401.00004\n"
    )
    parsed = parse_library("export.ris", text)
    assert parsed.format == "ris"
    assert ids(parsed) == [
        ("rec1", "2401.00001", None), ("", "2401.00002", None), ("", None, "no arXiv id, DOI or URL found"),
        ("", "2401.00004", None),
    ]
    assert parsed.notices == ("RIS record 4 has no ER line; it was read to the end of the file.",)
    # Zotero's RIS has no ID line: the title is what lets the reader find a failed record.
    assert parsed.entries[2].message == 'entry 3 ("No id"): no arXiv id, DOI or URL found'


def test_ris_with_wrong_tags_single_space_dashes_and_a_missing_er_in_the_middle():
    text = (
        "TY - JOUR\nXX  - an unknown tag\nnot a tag line at all\nUR - http://arxiv.org/abs/2401.00001\n"
        "TY  - JOUR\nM3  - arXiv:2401.00002\nER  - \n"
    )
    parsed = parse_library("x.ris", text)
    assert [e.arxiv_id for e in parsed.entries] == ["2401.00001", "2401.00002"]
    assert parsed.notices == ("RIS record 1 has no ER line; it was read up to the next TY.",)


def test_ris_without_any_record_is_refused():
    with pytest.raises(LibraryError, match="No RIS records found"):
        parse_library("x.ris", "AU  - Somebody\nER  - \n")


# -- CSL-JSON ----------------------------------------------------------------------------------


def test_csl_json_as_zotero_exports_it():
    items = [
        {"id": "http://zotero.org/users/1/items/ABC", "type": "article", "title": "Zotero",
         "number": "arXiv:2401.00001", "DOI": "10.48550/arXiv.2401.00001", "URL": "http://arxiv.org/abs/2401.00001"},
        {"id": "k2", "citation-key": "smith2020", "type": "book", "title": "Book"},
        "not an object",
        {"id": "k4", "note": "arXiv: 2401.00004 [cs.LG]"},
    ]
    parsed = parse_library("My Library.json", json.dumps(items))
    assert parsed.format == "csl"
    assert ids(parsed) == [
        ("http://zotero.org/users/1/items/ABC", "2401.00001", None),
        ("smith2020", None, "no arXiv id, DOI or URL found"),
        ("", None, "is not a CSL-JSON item (an object), but str"),
        ("k4", "2401.00004", None),
    ]


def test_invalid_csl_json_says_where():
    # A page saved instead of the export (a sign-in page): its attributes are not BibTeX fields.
    with pytest.raises(LibraryError, match=r"not valid CSL-JSON: Expecting value at line 1, column 1"):
        parse_library("export.json", '<html><meta charset="utf-8"><a href="x">Sign in</a></html>')
    with pytest.raises(LibraryError, match=r"not valid CSL-JSON: Expecting .* at line 2, column"):
        parse_library("x.json", '[{"id": "a",\n "title": }]')
    with pytest.raises(LibraryError, match="must be a list of items"):
        parse_library("x.json", '"just a string"')


@pytest.mark.parametrize(("filename", "text"), [
    ("", "{vaswani2017,\n  title = {Attention},\n  eprint = {1706.03762},\n}"),
    ("", "  {\n  title={Attention is all you need},\n  journal={arXiv preprint arXiv:1706.03762}\n}"),
    ("pasted.json", "{vaswani2017, title = {Attention}, eprint = {1706.03762}}"),
])
def test_a_bibtex_entry_pasted_without_its_at_type_line_is_named_as_such_not_as_broken_json(filename, text):
    with pytest.raises(LibraryError) as caught:
        parse_library(filename, text)
    assert str(caught.value) == (
        "This looks like a BibTeX entry without its first part: an entry starts like "
        "@article{key, … or @misc{key, …. Paste or export the whole entry, from its @."
    )


ZOTERO_RDF = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:bib="http://purl.org/net/biblio#">
    <bib:Article rdf:about="http://arxiv.org/abs/1706.03762">
        <dc:title>Attention Is All You Need</dc:title>
    </bib:Article>
</rdf:RDF>
"""


@pytest.mark.parametrize(("filename", "text"), [
    ("Exported Items.rdf", ZOTERO_RDF), ("", ZOTERO_RDF), ("", ZOTERO_RDF.split("\n", 1)[1]),
    ("endnote.xml", "<xml><records><record><urls>https://arxiv.org/abs/2401.00001</urls></record></records></xml>"),
])
def test_zotero_rdf_and_other_xml_are_refused_naming_the_formats_that_work(filename, text):
    # Read as a list of ids, every tag was a failed entry, and links in notes imported papers the
    # reader never saved.
    with pytest.raises(LibraryError) as caught:
        parse_library(filename, text)
    assert str(caught.value) == (
        "This is an XML file (Zotero RDF or EndNote XML?), which cannot be imported. Export your library as "
        "BibTeX, RIS or CSL JSON (in Zotero: File → Export Library…), or paste arXiv ids or links."
    )


def test_our_bibtex_export_round_trips_through_our_importer_and_bibtexparser():
    import bibtexparser

    papers = [
        Paper("hep-th/9901001", r"The Large $N$ Limit: 100% & \textsc{Spider} {braces} #1 ~ ^ _x", "",
              ("Juan Maldacena", "Zoë Çağlar", "李小龙", "ATLAS Collaboration", "Martin Luther King Jr."), ("hep-th",)),
        Paper("2401.00001", "Many hands", "", tuple(f"Author{i} Name{i}" for i in range(3000)), ("cs.LG",),
              date(2024, 1, 1)),
        Paper("math/0309136", "Knots", "", (), ("math.GT",)),
    ]
    bib = to_bibtex(papers)
    assert ids(parse_library("collection.bib", bib)) == [
        ("maldacena1999large_hepth9901001", "hep-th/9901001", None),
        ("name02024many_240100001", "2401.00001", None),
        ("anon2003knots_math0309136", "math/0309136", None),
    ]
    parsed = bibtexparser.parse_string(bib)
    assert parsed.failed_blocks == []
    assert [(e["eprint"], len(e["author"].split(" and ")) if "author" in e else 0) for e in parsed.entries] == [
        ("hep-th/9901001", 5), ("2401.00001", 3000), ("math/0309136", 0),
    ]


# -- CSV ---------------------------------------------------------------------------------------


def test_a_collection_exported_as_csv_imports_as_its_papers_and_nothing_else():
    # Read as a list of ids, every word of every title was a failed entry, and a title naming another
    # paper's id ("Beyond 2401.00002") imported that paper too.
    papers = [Paper("hep-th/9901001", "The Large N Limit, of things", "", ("Juan Maldacena", "Ada Lovelace"),
                    ("hep-th",), date(1999, 1, 1)),
              Paper("2401.00001", "-Beyond 2401.00002: scaling", "", ("A B",), ("cs.LG",), date(2024, 1, 1))]
    for filename in ("To read.csv", ""):
        parsed = parse_library(filename, to_csv(papers))
        assert parsed.format == "csv"
        assert ids(parsed) == [("hep-th/9901001", "hep-th/9901001", None), ("2401.00001", "2401.00001", None)]
        assert [e.title for e in parsed.entries] == ["The Large N Limit, of things", "-Beyond 2401.00002: scaling"]


def test_zotero_csv_finds_ids_in_its_url_doi_and_extra_columns():
    text = (
        '"Key","Item Type","Publication Year","Author","Title","DOI","Url","Extra"\r\n'
        '"ABCD1234","preprint","2017","Vaswani, Ashish","Attention","10.48550/arXiv.1706.03762","",""\r\n'
        '"EFGH5678","journalArticle","1997","Maldacena, Juan","Large N","","http://arxiv.org/abs/hep-th/9711200v3",""\r\n'
        '"IJKL9012","preprint","2020","Brown, Tom","GPT-3","","","arXiv: 2005.14165"\r\n'
        '"MNOP3456","book","2020","Smith, J.","A book","","",""\r\n'
    )
    assert ids(parse_library("Exported Items.csv", text)) == [
        ("ABCD1234", "1706.03762", None), ("EFGH5678", "hep-th/9711200", None), ("IJKL9012", "2005.14165", None),
        ("MNOP3456", None, "no arXiv id, DOI or URL found"),
    ]


def test_a_csv_file_of_bare_ids_without_a_header_is_still_a_list_of_ids():
    parsed = parse_library("ids.csv", "2401.00001,\nhep-th/9901001v2,\n")
    assert parsed.format == "ids"
    assert [e.arxiv_id for e in parsed.entries] == ["2401.00001", "hep-th/9901001"]
    with pytest.raises(LibraryError, match="has a header but no rows"):
        parse_library("empty.csv", "arxiv_id,title,url\r\n")


# -- pasted ids ---------------------------------------------------------------------------------


def test_pasted_ids_in_every_spelling():
    text = """
    2401.00001
    2401.00002v3, arXiv:2401.00003  arXiv: 2401.00004
    https://arxiv.org/abs/2401.00005v2
    https://arxiv.org/pdf/2401.00006.pdf
    hep-th/9901001v1   math.AP/0601001
    10.48550/arXiv.2401.00007
    https://doi.org/10.48550/arXiv.2401.00008   # a comment
    not-an-id 2401.99
    """
    parsed = parse_library("", text)
    assert parsed.format == "ids"
    assert [e.arxiv_id for e in parsed.entries] == [
        "2401.00001", "2401.00002", "2401.00003", "2401.00004", "2401.00005", "2401.00006",
        "hep-th/9901001", "math/0601001", "2401.00007", "2401.00008", None,
    ]
    # "not-an-id" is the note of a line whose id is mistyped: the id is what is reported
    assert parsed.entries[-1].message == "entry 11 (2401.99): not an arXiv id, arXiv link or arXiv DOI"


def test_pasted_links_to_the_sites_readers_find_papers_on():
    text = """
    https://hf.co/papers/2401.00001
    https://huggingface.co/papers/2401.00002#community
    https://www.alphaxiv.org/abs/2401.00003v2
    https://alphaxiv.org/overview/2401.00004
    https://www.alphaxiv.org/pdf/2401.00005v1
    """
    assert [e.arxiv_id for e in parse_library("", text).entries] == [
        "2401.00001", "2401.00002", "2401.00003", "2401.00004", "2401.00005",
    ]
    csl = json.dumps([{"id": "hf", "URL": "https://huggingface.co/papers/2401.00006"},
                      {"id": "ax", "URL": "https://www.alphaxiv.org/abs/2401.00007"}])
    assert ids(parse_library("zotero.json", csl)) == [("hf", "2401.00006", None), ("ax", "2401.00007", None)]


def test_pasted_ids_quoted_or_bracketed_as_in_a_list_copied_from_code_or_prose():
    text = """('hep-th/9901001', `2401.00003`)
    see (2401.00004) and [2401.00005]; {2401.00006}. “2401.00007”
    """
    parsed = parse_library("", text)
    assert [e.arxiv_id for e in parsed.entries if e.arxiv_id] == [
        "hep-th/9901001", "2401.00003", "2401.00004", "2401.00005", "2401.00006", "2401.00007",
    ]
    assert [e.key for e in parsed.entries if e.arxiv_id][:2] == ["('hep-th/9901001'", "`2401.00003`)"]


def test_bullets_and_table_rules_in_a_pasted_list_are_not_entries():
    text = "- 2401.00001\n* 2401.00002\n\u2022 2401.00003\n| 2401.00004 | \u2014 |\n- nonsense"
    assert ids(parse_library("", text)) == [
        ("2401.00001", "2401.00001", None), ("2401.00002", "2401.00002", None), ("2401.00003", "2401.00003", None),
        ("2401.00004", "2401.00004", None), ("nonsense", None, "not an arXiv id, arXiv link or arXiv DOI"),
    ]


@pytest.mark.parametrize("text", ['["2401.00001", "2401.00002v2"]', "[1] arXiv:2401.00001\n[2] 2401.00002v2"])
def test_a_pasted_json_list_of_ids_or_a_numbered_reference_list_is_read_as_ids(text):
    parsed = parse_library("", text)
    assert parsed.format == "ids"
    assert [e.arxiv_id for e in parsed.entries if e.arxiv_id] == ["2401.00001", "2401.00002"]


@pytest.mark.parametrize("text", [
    "arXiv:2401.00001 [cs.CL]\narXiv:2401.00002v2 [hep-th]",  # arXiv's "Cite as" lines
    "arXiv 2401.00001\narXiv 2401.00002",  # as some reference styles print them
    "1. 2401.00001\n2) 2401.00002",  # a numbered list
    "[1] arXiv:2401.00001\n[2] https://doi.org/10.48550/arXiv.2401.00002",
])
def test_a_pasted_list_of_references_has_no_unreadable_entries_for_their_numbers_and_categories(text):
    # Each line's number, "[cs.CL]" or "arXiv" was an entry of its own, reported as "not an arXiv id":
    # the member read that half the list had failed.
    parsed = parse_library("", text)
    assert [(e.arxiv_id, e.error) for e in parsed.entries] == [("2401.00001", None), ("2401.00002", None)]


@pytest.mark.parametrize("text", [
    "2401.00001 SlimSpec: Low-Rank Draft LM-Head\n2401.00002  (SPEED-Bench, read for Tuesday)",
    "- arXiv:2401.00001 \u2014 Attention Is All You Need\n* https://arxiv.org/abs/2401.00002v2 great survey",
    "2401.00001\tTree drafts\n2401.00002, 2023 follow-up",
])
def test_an_id_pasted_with_its_title_or_a_note_on_the_line_has_no_unreadable_entries_for_their_words(text):
    # A reading list kept in notes has the title (or a remark) beside each id. Every word of it was an
    # entry of its own, reported "not an arXiv id": the member read that the import had mostly failed
    # while every paper had been found.
    parsed = parse_library("", text)
    assert [(e.arxiv_id, e.error) for e in parsed.entries] == [("2401.00001", None), ("2401.00002", None)]


def test_a_mistyped_id_beside_a_good_one_is_still_reported_and_a_line_of_words_is_one_entry():
    # The words of a line that holds an id are its note; a token that looks like an id attempt is
    # not, and a line with no id at all (a title pasted alone) is one unreadable entry, not one a word.
    parsed = parse_library("", "2401.00001 2401.0002x\nAttention Is All You Need\n")
    assert [(e.key, e.arxiv_id) for e in parsed.entries] == [
        ("2401.00001", "2401.00001"), ("2401.0002x", None), ("Attention Is All You Need", None),
    ]
    assert parsed.entries[2].message == (
        "entry 3 (Attention Is All You Need): not an arXiv id, arXiv link or arXiv DOI"
    )


def test_nothing_pasted_is_refused():
    with pytest.raises(LibraryError, match="Nothing to import"):
        parse_library("", "   \n # only a comment\n")


# -- whole-file limits and encodings --------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_before_parsing():
    with pytest.raises(LibraryError, match=r"at most 5 MB"):
        parse_library("big.bib", b"%" * (MAX_IMPORT_BYTES + 1))


def test_more_than_the_entry_limit_is_refused_with_the_count():
    text = "\n".join(f"2401.{i:05d}" for i in range(MAX_ENTRIES + 1))
    with pytest.raises(LibraryError, match="holds 5,001 entries; at most 5,000"):
        parse_library("ids.txt", text)


def test_latin1_bytes_are_read_with_a_notice_and_ids_survive():
    data = "@article{m\u00fcller, title={M\u00fcller}, eprint={2401.00001}}".encode("latin-1")
    parsed = parse_library("x.bib", data)
    assert [e.arxiv_id for e in parsed.entries] == ["2401.00001"]
    assert parsed.notices[0].startswith("The file is not UTF-8 (byte 0xFC at position 10), so we read it as Latin-1")


def test_utf8_bom_and_utf16_are_decoded():
    assert decode("\ufeff2401.00001".encode()) == ("2401.00001", [])
    assert decode("2401.00001".encode("utf-16")) == ("2401.00001", [])


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_text_not_a_binary_file(codec):
    # Windows tools that write "Unicode" without a BOM; the NULs are every other byte, not binary data.
    data = "TY  - JOUR\r\nAU  - Gödel, Kurt\r\nUR  - https://arxiv.org/abs/2401.00001\r\nER  - \r\n".encode(codec)
    assert ids(parse_library("export.ris", data)) == [("", "2401.00001", None)]


def test_binary_files_are_refused():
    with pytest.raises(LibraryError, match="binary file"):
        parse_library("paper.pdf", b"%PDF-1.5\x00\x00\x01")


@pytest.mark.parametrize(("filename", "text", "fmt"), [
    ("a.bib", "", "bibtex"), ("a.BIB", "", "bibtex"), ("a.ris", "", "ris"), ("a.json", "", "csl"),
    ("a.txt", "[]", "csl"), ("", "TY  - JOUR\n", "ris"), ("", "  @article{x,", "bibtex"), ("", "2401.00001", "ids"),
])
def test_format_comes_from_the_extension_else_the_content(filename, text, fmt):
    assert detect_format(filename, text) == fmt


def test_find_arxiv_id_prefers_links_over_notes_citing_other_papers():
    fields = {"note": "extends arXiv:2301.00001", "url": "https://arxiv.org/abs/2401.00002"}
    assert find_arxiv_id(fields) == ("2401.00002", None)


def test_entry_message_without_a_key_names_the_title_when_there_is_one():
    assert LibraryEntry(2, "", None, "boom").message == "entry 2: boom"
    assert LibraryEntry(2, "", None, "boom", "A title").message == 'entry 2 ("A title"): boom'
    long = LibraryEntry(2, "", None, "boom", "A very long title " * 10).message
    assert long == 'entry 2 ("' + "A very long title " * 3 + 'A very…"): boom'

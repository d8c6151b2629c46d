import pytest

from papertide.domain.papers import (
    ArxivId,
    InvalidArxivId,
    is_arxiv_id,
    normalize_arxiv_id,
    parse_arxiv_id,
    short_authors,
    snippet,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2405.12345", ArxivId("2405.12345")),
        ("2405.12345v2", ArxivId("2405.12345", 2)),
        ("0704.0001", ArxivId("0704.0001")),
        ("1412.6980v9", ArxivId("1412.6980", 9)),
        ("  2405.12345 ", ArxivId("2405.12345")),
        ("arXiv:2405.12345v1", ArxivId("2405.12345", 1)),
        ("arxiv: 2405.12345", ArxivId("2405.12345")),
        ("hep-th/9901001", ArxivId("hep-th/9901001")),
        ("hep-th/9901001v3", ArxivId("hep-th/9901001", 3)),
        ("math.AP/0601001", ArxivId("math/0601001")),  # the subject class is not part of the id
        ("arXiv:math.GT/0309136v2", ArxivId("math/0309136", 2)),
        ("cond-mat/0207270", ArxivId("cond-mat/0207270")),
        ("https://arxiv.org/abs/2405.12345v3", ArxivId("2405.12345", 3)),
        ("http://arxiv.org/abs/2405.12345", ArxivId("2405.12345")),
        ("https://www.arxiv.org/abs/2405.12345", ArxivId("2405.12345")),
        ("arxiv.org/pdf/2405.12345", ArxivId("2405.12345")),
        ("https://arxiv.org/pdf/2405.12345v2.pdf", ArxivId("2405.12345", 2)),
        ("https://arxiv.org/pdf/2405.12345v2/", ArxivId("2405.12345", 2)),
        ("https://export.arxiv.org/abs/hep-th/9901001v1", ArxivId("hep-th/9901001", 1)),
        ("https://arxiv.org/abs/2405.12345?context=cs", ArxivId("2405.12345")),
        ("https://arxiv.org/abs/2405.12345#comments", ArxivId("2405.12345")),
        ("https://arxiv.org/html/2405.12345v1", ArxivId("2405.12345", 1)),
        ("https://huggingface.co/papers/2405.12345", ArxivId("2405.12345")),
    ],
)
def test_parse_arxiv_id_accepts_ids_and_urls(text, expected):
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "2405.123", "2405.1234567", "2413.12345", "2400.12345", "hello", "2405.12345v0",
     "2405.12345vx", "https://example.com/abs/2405.12345", "HEP-TH/9901001", "hep-th/990100",
     "../../etc/passwd", "2405.12345 OR 1=1", "<script>", None],
)
def test_parse_arxiv_id_rejects_non_ids_with_a_clear_error(text):
    with pytest.raises(InvalidArxivId, match="arXiv"):
        parse_arxiv_id(text)


def test_str_round_trips_with_version():
    assert str(parse_arxiv_id("2405.12345v2")) == "2405.12345v2"
    assert str(parse_arxiv_id("hep-th/9901001")) == "hep-th/9901001"
    assert parse_arxiv_id("hep-th/9901001").is_old_style
    assert not parse_arxiv_id("2405.12345").is_old_style


def test_normalize_and_predicate():
    assert normalize_arxiv_id("https://arxiv.org/abs/2405.12345v3") == "2405.12345"
    assert is_arxiv_id("2405.12345") and not is_arxiv_id("transformers")


def test_short_authors_keeps_few_and_adds_et_al():
    assert short_authors(["A", "B", "C", "D", "E"]) == "A, B, C et al."
    assert short_authors(["A", "B", "C", "D"]) == "A, B, C, D"  # "et al." for one name is silly
    assert short_authors([]) == ""
    assert short_authors(["A", "B", "C"], keep=1) == "A et al."


def test_snippet_cuts_on_a_word_boundary():
    text = "word " * 100
    out = snippet(text, 22)
    assert out == "word word word word…"
    assert snippet("short  text\nhere", 50) == "short text here"


@pytest.mark.parametrize("version", ["9" * 5000, "0" * 5000, "1000", "0"])
def test_a_version_no_paper_can_have_is_an_invalid_id_not_a_crash(version):
    # int() raised its own ValueError past 4,300 digits, which every caller let through (a 500).
    with pytest.raises(InvalidArxivId):
        parse_arxiv_id(f"2405.12345v{version}")
    assert parse_arxiv_id("2405.12345v007") == ArxivId("2405.12345", 7)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # arXiv's own DOIs (every abstract page shows one), bare, with "doi:", or as a doi.org link.
        ("10.48550/arXiv.2405.12345", ArxivId("2405.12345")),
        ("doi:10.48550/arXiv.2405.12345", ArxivId("2405.12345")),
        ("https://doi.org/10.48550/arXiv.2405.12345", ArxivId("2405.12345")),
        ("http://dx.doi.org/10.48550/ARXIV.2405.12345", ArxivId("2405.12345")),
        ("https://doi.org/10.48550/arXiv.hep-th/9901001", ArxivId("hep-th/9901001")),
        # Other sites that address a paper by its arXiv id.
        ("https://www.alphaxiv.org/abs/2405.12345v2", ArxivId("2405.12345", 2)),
        ("alphaxiv.org/overview/2405.12345", ArxivId("2405.12345")),
        ("https://hf.co/papers/2405.12345", ArxivId("2405.12345")),
        ("https://browse.arxiv.org/abs/2405.12345", ArxivId("2405.12345")),
    ],
)
def test_parse_arxiv_id_accepts_arxiv_dois_and_sites_named_by_the_id(text, expected):
    # These are what people copy from arXiv's abstract page and from paper sites; the submit form,
    # the paper URL, collections and the API refused them as "not an arXiv id".
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize("text", ["10.48550/arXiv.", "10.1234/arXiv.2405.12345", "https://doi.org/10.1145/3442188",
                                  "https://www.alphaxiv.org/abs/", "https://example.org/papers/2405.12345"])
def test_other_dois_and_sites_are_still_not_arxiv_ids(text):
    with pytest.raises(InvalidArxivId):
        parse_arxiv_id(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("arXiv:2405.12345 [cs.CL]", ArxivId("2405.12345")),  # arXiv's "Cite as:" line
        ("arXiv:2405.12345v2 [hep-th]", ArxivId("2405.12345", 2)),
        ("arXiv:hep-th/9901001 [hep-th]", ArxivId("hep-th/9901001")),
        ("arXiv 2405.12345", ArxivId("2405.12345")),
        ("2405.12345.", ArxivId("2405.12345")),  # the end of a sentence
        ("(2405.12345)", ArxivId("2405.12345")),
        ("<https://arxiv.org/abs/2405.12345>", ArxivId("2405.12345")),
        ("“arXiv:2405.12345”,", ArxivId("2405.12345")),
        ("'hep-th/9901001';", ArxivId("hep-th/9901001")),
        ("2405.12345V2", ArxivId("2405.12345", 2)),  # a reference style that capitalises everything
    ],
)
def test_parse_arxiv_id_reads_an_id_copied_with_what_surrounds_it(text, expected):
    # Copied from a reference list, arXiv's "Cite as" line or a sentence, the submit form and the
    # paper URL refused these as "not an arXiv id".
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize("text", ["arXiv:2405.12345 [cs.CL] extra", "2405.12345 [not a category!]", "arXivist 2405.12345",
                                  "2405.12345 2405.12346"])
def test_an_id_with_other_words_is_still_not_an_id(text):
    with pytest.raises(InvalidArxivId):
        parse_arxiv_id(text)


@pytest.mark.parametrize(("text", "why"), [
    ("2405.1234", "five digits after the dot"),  # a digit lost in typing: arXiv numbers five digits since 2015
    ("1412.00001", "four digits after the dot"),
    ("https://arxiv.org/abs/1501.0001v2", "five digits after the dot"),
    ("0612.1234", "began in April 2007"),  # before new-style ids existed
])
def test_an_id_with_the_wrong_number_of_digits_for_its_month_is_refused_with_the_reason(text, why):
    # Taken, it was offered as "Fetch it from arXiv", and the fetch failed three times without a word of why.
    with pytest.raises(InvalidArxivId, match=why):
        parse_arxiv_id(text)
    assert parse_arxiv_id("1501.00001") == ArxivId("1501.00001") and parse_arxiv_id("1412.9999") == ArxivId("1412.9999")
    assert parse_arxiv_id("0704.0001") == ArxivId("0704.0001")

"""The record rules every parser applies (domain/paper_checks) and the merge rule for our own records."""

from dataclasses import replace
from datetime import date

import pytest

from papertide.domain.ingest import Harvested, PaperVersion, SourceKind, history_rows, merge_paper
from papertide.domain.paper_checks import InvalidPaper, check_harvested, check_paper
from papertide.domain.papers import InvalidArxivId, Listing, Paper, parse_arxiv_id

TODAY = date(2026, 6, 2)
P = Paper("2405.12345", "A title", "An abstract.", ("Ada Lovelace",), ("cs.LG",), date(2024, 5, 20))


def test_a_good_paper_comes_back_as_the_same_object():
    assert check_paper(P, TODAY) is P


@pytest.mark.parametrize(("change", "message"), [
    ({"upvotes_baseline": 2**31}, "upvotes: 2147483648 is outside 0..2,147,483,647"),
    ({"upvotes_baseline": 10**30}, "upvotes: a 31-digit number is outside 0..2,147,483,647"),
    ({"num_comments_baseline": 2**31}, "num_comments: 2147483648 is outside 0..2,147,483,647"),
    ({"upvotes_baseline": -1}, "upvotes: -1 is outside 0..2,147,483,647"),
    ({"version": 2**31}, "version: 2147483648 is outside 0..2,147,483,647"),
    ({"version": 0}, "version: arXiv versions start at 1, got 0"),
    ({"published": date(1, 1, 1)}, "published: 0001-01-01 is outside 1991-01-01..2027-06-03"),
    ({"published": date(9999, 12, 31)}, "published: 9999-12-31 is outside 1991-01-01..2027-06-03"),
    ({"title": " \x00 "}, "title: missing or empty"),
    ({"title": "x" * 2_001}, "title: 2,001 characters; the limit is 2,000"),
    ({"abstract": "Broken \ud800 escape"}, "abstract: contains an unpaired UTF-16 surrogate"),
    ({"authors": ("Ada", "B\udc80")}, "authors: contains an unpaired UTF-16 surrogate"),
])
def test_a_paper_that_breaks_a_rule_is_refused_with_field_and_reason(change, message):
    with pytest.raises(InvalidPaper) as exc:
        check_paper(replace(P, **change), TODAY)
    assert str(exc.value).startswith(message) and "\n" not in str(exc.value)


def test_the_last_plausible_day_is_a_year_and_a_day_ahead():
    assert check_paper(replace(P, published=date(2027, 6, 3)), TODAY).published == date(2027, 6, 3)
    assert check_paper(replace(P, published=date(1991, 1, 1)), TODAY).published == date(1991, 1, 1)


def test_nul_characters_are_stripped_not_refused():
    # PostgreSQL cannot store NUL in text and it means nothing in a title or a name:
    # we keep the paper and drop the character.
    dirty = replace(P, title="A\x00 title", abstract="An\x00 abstract.", authors=("Ada\x00 Lovelace", "\x00"),
                    keywords=("k\x00",), github_repo="https://github.com/a/b\x00")
    assert check_paper(dirty, TODAY) == replace(P, authors=("Ada Lovelace",), keywords=("k",),
                                                github_repo="https://github.com/a/b")


def test_author_names_are_trimmed_collapsed_and_blank_ones_dropped():
    untidy = replace(P, authors=(" Ada\n  Lovelace ", "", "   ", "Alan\tTuring"))
    assert check_paper(untidy, TODAY).authors == ("Ada Lovelace", "Alan Turing")
    assert check_paper(replace(P, authors=()), TODAY).authors == ()


def test_listings_and_version_text_are_checked_with_the_paper():
    h = Harvested(P, SourceKind.HF, listing=Listing(P.arxiv_id, date(2026, 6, 1), submitter_name="a\x00b"),
                  versions=(PaperVersion(1, None, "Old\x00 title"),))
    clean = check_harvested(h, TODAY)
    assert (clean.listing.submitter_name, clean.versions[0].title) == ("ab", "Old title")
    with pytest.raises(InvalidPaper, match="^hf_date: 9999-12-31 is outside"):
        check_harvested(replace(h, listing=Listing(P.arxiv_id, date(9999, 12, 31))), TODAY)


def test_a_deletion_notice_is_not_checked_as_a_paper():
    gone = Harvested(Paper("2405.12345", "", ""), deleted=True)
    assert check_harvested(gone, TODAY) is gone


def test_full_width_digits_in_an_arxiv_id_name_the_same_paper():
    # NFKC folds full-width forms to ASCII; digits of other scripts are not arXiv ids.
    assert parse_arxiv_id("２４０５.１２３４５ｖ２").id == "2405.12345"
    assert str(parse_arxiv_id("arXiv:２４０５.１２３４５ｖ２")) == "2405.12345v2"
    with pytest.raises(InvalidArxivId):
        parse_arxiv_id("٢٤٠٥.١٢٣٤٥")  # Arabic-Indic digits


def test_our_own_records_win_every_field_but_never_unwithdraw_or_downgrade():
    stored = replace(P, version=2, withdrawn=True, upvotes_baseline=3)
    record = replace(P, title="New title", version=2, upvotes_baseline=9)
    assert merge_paper(stored, Harvested(record, SourceKind.RECORD)) == replace(record, withdrawn=True)
    assert merge_paper(stored, Harvested(replace(record, version=1), SourceKind.RECORD)) == stored
    v3 = Harvested(replace(record, version=3), SourceKind.RECORD)
    assert history_rows(stored, v3) == (PaperVersion(2, None, P.title, P.abstract, P.authors),)
    assert history_rows(None, v3) == ()  # a first import writes no version rows


@pytest.mark.parametrize("junk", ["N/A", "n/a", "none", "-", "TBD", "https://github.com/", "github.com",
                                  "https://gitlab.com", "javascript:alert(1)"])
def test_a_code_repository_that_names_no_code_is_dropped_with_a_note(junk):
    checked = check_harvested(Harvested(replace(P, github_repo=junk)), TODAY)
    assert checked.paper.github_repo is None
    assert checked.paper.title == P.title  # the rest of the record is kept
    assert len(checked.notes) == 1 and "names no code repository; dropped it" in checked.notes[0]


@pytest.mark.parametrize("repo", ["https://github.com/lab/model", "lab/model", "https://gitlab.com/lab/model",
                                  "https://github.com/lab", "https://anonymous.4open.science/r/x-1234"])
def test_a_real_code_address_is_kept(repo):
    checked = check_harvested(Harvested(replace(P, github_repo=repo)), TODAY)
    assert (checked.paper.github_repo, checked.notes) == (repo, ())

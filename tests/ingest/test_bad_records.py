"""Bad records never cost good ones: each is reported on one line and skipped; every good record is stored.

The files are 2,500 good records, one bad one, then 99 good ones: before records were
checked ahead of their batch, the bad one failed the first 2,000-record transaction's
neighbour and took 600 good papers with it (or crashed the import with a traceback).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from papertide.ingest.bulk import import_file
from papertide.storage import papers
from tests.ingest.test_bulk_import import record

GOOD_BEFORE, GOOD_AFTER = 2_500, 99
BAD_LINE = GOOD_BEFORE + 1


def write_lines(path: Path, lines: list[bytes | str | dict]) -> Path:
    data = b"".join(
        (x if isinstance(x, bytes) else (x if isinstance(x, str) else json.dumps(x)).encode()) + b"\n" for x in lines
    )
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def around(bad: bytes | str | dict) -> list[bytes | str | dict]:
    """2,500 good records, ``bad``, 99 good records."""
    return ([record(f"2606.{i:05d}") for i in range(1, GOOD_BEFORE + 1)] + [bad]
            + [record(f"2606.{i:05d}") for i in range(GOOD_BEFORE + 2, GOOD_BEFORE + GOOD_AFTER + 2)])


def stored(db) -> int:  # type: ignore[no-untyped-def]
    with db.read() as conn:
        return papers.count_papers(conn)


@pytest.mark.parametrize(("bad", "message"), [
    # These two reach the database's limits, so they run on SQLite and PostgreSQL.
    (record("2606.09999", upvotes=10**30), "upvotes: a 31-digit number is outside 0..2,147,483,647"),
    (record("2606.09999", upvotes=2**31), "upvotes: 2147483648 is outside 0..2,147,483,647"),
    (record("2606.09999", num_comments=2**31), "num_comments: 2147483648 is outside 0..2,147,483,647"),
], ids=["upvotes-10^30", "upvotes-2^31", "num_comments-2^31"])
def test_a_count_too_big_for_the_column_is_reported_and_the_rest_is_stored(db, tmp_path, bad, message):
    report = import_file(db, write_lines(tmp_path / "big.jsonl", around(bad)))
    assert (report.inserted, report.failed, report.errors) == (2_599, 1, [f"big.jsonl:{BAD_LINE}: {message}"])
    assert stored(db) == 2_599


def test_nul_characters_are_stripped_and_the_paper_is_stored(db, tmp_path):
    # We strip NULs rather than reject the record: PostgreSQL cannot store them, they mean
    # nothing in text, and the rest of the record is good.
    bad = record("2606.09999", title="Nul\u0000 title", authors=["A\u0000 Person"], abstract="Text\u0000.")
    report = import_file(db, write_lines(tmp_path / "nul.jsonl", around(bad)))
    assert (report.inserted, report.failed, report.errors) == (2_600, 0, [])
    with db.read() as conn:
        p = papers.get_paper(conn, "2606.09999").paper
    assert (p.title, p.authors, p.abstract) == ("Nul title", ("A Person",), "Text.")


@pytest.mark.parametrize(("bad", "message"), [
    ("[" * 100_000, "invalid JSON: nested too deeply to be a record"),
    (record("2606.09999", upvotes="lots"), "upvotes: must be a non-negative integer, got 'lots'"),
    (record("2606.09999", published="0001-01-01"), "published: 0001-01-01 is outside 1991-01-01.."),
    (record("2606.09999", published="9999-12-31"), "published: 9999-12-31 is outside 1991-01-01.."),
    (record("2606.09999", hf_date="9999-12-31"), "hf_date: 9999-12-31 is outside 1991-01-01.."),
    (record("2606.09999", abstract="bad \ud800 escape"), "abstract: contains an unpaired UTF-16 surrogate"),
], ids=["nested-brackets", "upvotes-lots", "published-0001", "published-9999", "hf_date-9999", "surrogate"])
def test_a_bad_record_is_reported_on_one_line_and_the_rest_is_stored(sqlite_db, tmp_path, bad, message):
    report = import_file(sqlite_db, write_lines(tmp_path / "bad.jsonl", around(bad)))
    assert (report.inserted, report.failed, len(report.errors)) == (2_599, 1, 1)
    assert report.errors[0].startswith(f"bad.jsonl:{BAD_LINE}: {message}") and "\n" not in report.errors[0]
    assert stored(sqlite_db) == 2_599


def test_garbage_after_a_gzip_header_is_a_clear_failure_that_loses_nothing(sqlite_db, tmp_path):
    import_file(sqlite_db, write_lines(tmp_path / "good.jsonl", [record("2606.00001")]))
    garbage = tmp_path / "garbage.jsonl.gz"
    garbage.write_bytes(gzip.compress(b"")[:10] + b"this is not deflate data" * 40)
    report = import_file(sqlite_db, garbage)
    assert (report.inserted, report.failed) == (0, 1)
    assert report.errors[0].startswith("jsonl at garbage.jsonl.gz:1: file is truncated or corrupt")
    assert stored(sqlite_db) == 1


def test_a_utf8_bom_at_the_start_is_accepted(sqlite_db, tmp_path):
    f = write_lines(tmp_path / "bom.jsonl", [b"\xef\xbb\xbf" + json.dumps(record("2606.00001")).encode(),
                                             record("2606.00002")])
    report = import_file(sqlite_db, f)
    assert (report.inserted, report.failed, report.errors) == (2, 0, [])


def test_full_width_digits_in_an_id_are_the_same_paper_as_ascii_ones(sqlite_db, tmp_path):
    first = import_file(sqlite_db, write_lines(tmp_path / "a.jsonl", [record("２６０６.００００１", title="Paper 2606.00001")]))
    again = import_file(sqlite_db, write_lines(tmp_path / "b.jsonl", [record("2606.00001")]))
    assert (first.inserted, again.inserted, again.skipped) == (1, 0, 1)
    with sqlite_db.read() as conn:
        assert papers.get_paper(conn, "2606.00001") is not None


def test_invalid_utf8_is_replaced_and_reported_with_a_count(sqlite_db, tmp_path):
    bad = json.dumps(record("2606.00002", title="Caf\u00e9 \ufffd")).encode().replace(b"Caf", b"Caf\xff\xfe")
    report = import_file(sqlite_db, write_lines(tmp_path / "u.jsonl", [record("2606.00001"), bad]))
    assert (report.inserted, report.failed) == (2, 0)
    assert report.errors == [
        "u.jsonl:2: text: 2 invalid UTF-8 byte sequences replaced with U+FFFD (record kept)",
        "u.jsonl: 1 line had invalid UTF-8; 2 characters replaced with U+FFFD",
    ]
    with sqlite_db.read() as conn:
        assert papers.get_paper(conn, "2606.00002").paper.title == "Caf\ufffd\ufffd\u00e9 \ufffd"


def test_a_json_array_or_pretty_printed_json_is_named_as_such_with_how_to_convert(sqlite_db, tmp_path):
    array = tmp_path / "papers.json"
    array.write_text(json.dumps([record("2606.00001"), record("2606.00002")]) + "\n")
    report = import_file(sqlite_db, array)
    assert report.errors[0].startswith("papers.json:1: record must be a JSON object (the file looks like one JSON array")
    assert "jq -c '.[]'" in report.errors[0]
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(record("2606.00001"), indent=2) + "\n")
    report = import_file(sqlite_db, pretty)
    assert "looks like pretty-printed JSON" in report.errors[0] and len(report.errors) > 1
    assert "looks like" not in " ".join(report.errors[1:])  # said once, on the first line
    assert stored(sqlite_db) == 0

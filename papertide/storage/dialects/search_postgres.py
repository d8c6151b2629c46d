"""PostgreSQL lexical search: BM25 computed in SQL over ``search_documents`` (0005_search).

``ts_rank`` is not BM25 and measured far worse on SciFact (nDCG@10 0.572 against FTS5's
0.694, bench/RESULTS.md), so we score exactly as SQLite's FTS5 ``bm25()`` does, with
the same column weights: the GIN index finds documents holding any query lexeme,
``unnest(tsvector)`` gives each lexeme's positions and weight labels (A title, B
abstract, C authors), and

    score = Σ_t idf(t) · f(t) · (k1 + 1) / (f(t) + k1 · (1 − b + b · |D| / avgdl))
    idf(t) = max(1e-6, ln((N − n(t) + 0.5) / (n(t) + 0.5)))      (FTS5's idf)

where f is the column-weighted term frequency (Robertson & Zaragoza, "The
Probabilistic Relevance Framework: BM25 and Beyond", 2009). ``n(t)`` comes from the
GIN index per query; ``N`` and ``avgdl`` change slowly and are cached for a while.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.domain.spelling import CORRECTION_GAIN, RARE_TERM_SHARE, is_suspect, max_edits, single_edits
from papertide.storage.dialects.search_sqlite import ABSTRACT_WEIGHT, AUTHORS_WEIGHT, TITLE_WEIGHT
from papertide.storage.schema import papers

K1 = 1.2  # FTS5's bm25() constants
B = 0.75
STATS_TTL_S = 300.0  # how long N and avgdl are reused before recounting

_stats_lock = threading.Lock()
_stats: dict[str, tuple[float, int, float]] = {}  # database url → (taken at, N, avgdl)

# Named query (pyformat binds, run with exec_driver_sql): BM25 over the candidate set. The @@ against an OR tsquery uses the GIN
# index; unnest() then reads each candidate's own tsvector, so no per-term posting
# table is needed. Weight labels map A/B/C → title/abstract/authors weights.
_BM25_SQL = """
SELECT d.paper_id,
       sum(q.idf * tf.f * (%(k1)s + 1) / (tf.f + %(k1)s * (1 - %(b)s + %(b)s * d.doc_len / %(avgdl)s))) AS score
FROM search_documents AS d
CROSS JOIN LATERAL (
  SELECT u.lexeme, sum(CASE w WHEN 'A' THEN %(wa)s WHEN 'B' THEN %(wb)s ELSE %(wc)s END) AS f
  FROM unnest(d.document) AS u(lexeme, positions, weights), unnest(u.weights) AS w
  WHERE u.lexeme = ANY(%(lexemes)s)
  GROUP BY u.lexeme
) AS tf
JOIN unnest(CAST(%(lexemes)s AS text[]), CAST(%(idfs)s AS float8[])) AS q(lexeme, idf) ON q.lexeme = tf.lexeme
WHERE d.document @@ CAST(%(tsq)s AS tsquery) {filters}
GROUP BY d.paper_id
ORDER BY score DESC, d.paper_id
LIMIT %(limit)s
"""


def _query_lexemes(conn: Connection, terms: Sequence[str]) -> list[str]:
    """The english-stemmed lexemes of the query terms (stop words drop out here)."""
    rows = conn.execute(
        sa.text("SELECT DISTINCT lexeme FROM unnest(to_tsvector('english', :t))"), {"t": " ".join(terms)}
    )
    return sorted(r[0] for r in rows)


def _corpus_stats(conn: Connection) -> tuple[int, float]:
    key = str(conn.engine.url)
    now = time.monotonic()
    with _stats_lock:
        hit = _stats.get(key)
    if hit and now - hit[0] < STATS_TTL_S and hit[1] > 0:
        return hit[1], hit[2]
    n, avgdl = conn.execute(sa.text("SELECT count(*), coalesce(avg(doc_len), 0) FROM search_documents")).one()
    with _stats_lock:
        _stats[key] = (now, int(n), float(avgdl))
    return int(n), float(avgdl)


def _tsquery(lexemes: Sequence[str]) -> str:
    # Lexemes are quoted tsquery literals, so no character in them acts as an operator.
    return " | ".join("'" + x.replace("\\", "\\\\").replace("'", "''") + "'" for x in lexemes)


def lexical_search(
    conn: Connection, terms: Sequence[str], conditions: Sequence[sa.ColumnElement[bool]], limit: int
) -> list[tuple[int, float]]:
    lexemes = _query_lexemes(conn, terms)
    if not lexemes:
        return []
    n, avgdl = _corpus_stats(conn)
    if n == 0:
        return []
    idfs = []
    for x in lexemes:
        df = conn.execute(
            sa.text("SELECT count(*) FROM search_documents WHERE document @@ CAST(:q AS tsquery)"), {"q": _tsquery([x])}
        ).scalar_one()
        idfs.append(max(1e-6, math.log((n - df + 0.5) / (df + 0.5))))
    params = {"k1": K1, "b": B, "avgdl": max(avgdl, 1.0), "wa": TITLE_WEIGHT, "wb": ABSTRACT_WEIGHT,
              "wc": AUTHORS_WEIGHT, "lexemes": lexemes, "idfs": idfs, "tsq": _tsquery(lexemes), "limit": limit}
    filters = ""
    if conditions:
        # The shared filter conditions, compiled by our driver's dialect into the same
        # pyformat style as the named query above; values stay bound parameters.
        sub = sa.select(papers.c.id).where(*conditions)
        compiled = sub.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
        filters = f"AND d.paper_id IN ({compiled})"
        params.update(compiled.params)
    rows = conn.exec_driver_sql(_BM25_SQL.format(filters=filters), params)
    return [(int(r[0]), float(r[1])) for r in rows]


# Named query: each candidate spelling's english lexeme and how many documents hold it
# (counted up to :cap, so a common word costs a bounded GIN read), best first.
_EDITS_SQL = """
WITH cand AS (
  SELECT w.word, x.lexeme
  FROM unnest(CAST(:words AS text[])) AS w(word)
  CROSS JOIN LATERAL unnest(to_tsvector('english', w.word)) AS x
), found AS (
  SELECT l.lexeme,
         (SELECT count(*) FROM (SELECT 1 FROM search_documents AS d
                                WHERE d.document @@ plainto_tsquery('simple', l.lexeme) LIMIT :cap) AS s) AS docs
  FROM (SELECT DISTINCT lexeme FROM cand) AS l
)
SELECT c.word, f.docs FROM cand AS c JOIN found AS f ON f.lexeme = c.lexeme
WHERE f.docs > 0
ORDER BY f.docs DESC, c.word
LIMIT 1
"""
CANDIDATE_COUNT_CAP = 10_000  # documents counted per candidate spelling; more only ties


def correct_terms(conn: Connection, terms: Sequence[str]) -> dict[str, str]:
    """One-edit spellings for the terms that look misspelt, checked against the GIN index."""
    out: dict[str, str] = {}
    todo = [t for t in terms if max_edits(t)]
    if not todo:
        return out
    n, _ = _corpus_stats(conn)
    for term in todo:
        lexemes = _query_lexemes(conn, [term])
        if len(lexemes) != 1:
            continue
        documents = conn.execute(
            sa.text("SELECT count(*) FROM (SELECT 1 FROM search_documents WHERE document @@ CAST(:q AS tsquery) "
                    "LIMIT :cap) AS s"), {"q": _tsquery(lexemes), "cap": int(n * RARE_TERM_SHARE) + 1},
        ).scalar_one()
        if not is_suspect(documents, n):
            continue
        best = conn.execute(sa.text(_EDITS_SQL), {"words": sorted(single_edits(term)), "cap": CANDIDATE_COUNT_CAP}).first()
        if best is not None and (documents == 0 or best[1] >= CORRECTION_GAIN * documents):
            out[term] = str(best[0])
    return out


def rebuild(conn: Connection) -> None:
    # Touching the text columns re-fires the trigger that writes search_documents.
    conn.exec_driver_sql("UPDATE papers SET title = title")
    with _stats_lock:
        _stats.clear()

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
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection

from papertide.domain.spelling import (
    CORRECTION_GAIN,
    RARE_TERM_SHARE,
    Candidate,
    is_suspect,
    max_edits,
    rank_candidates,
    single_edits,
    vocabulary_prefixes,
    worth_it,
)
from papertide.storage.dialects.search_sqlite import ABSTRACT_WEIGHT, AUTHORS_WEIGHT, TITLE_WEIGHT
from papertide.storage.schema import papers


def id_in_list(column: sa.ColumnElement[int], ids: list[int]) -> tuple[sa.ColumnElement[bool], list[int]]:
    """``column = ANY(:ids)``: the ids as one array parameter, not one parameter each."""
    return column == sa.any_(sa.bindparam("ids", type_=ARRAY(sa.Integer))), ids


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


# Named query: the english lexeme of each word and how many documents hold it, counted
# only up to :cap (a bounded GIN read, so a common word costs little), in one round trip.
_DOCUMENTS_SQL = """
SELECT w.word, x.lexeme,
       (SELECT count(*) FROM (SELECT 1 FROM search_documents AS d
                              WHERE d.document @@ plainto_tsquery('simple', x.lexeme) LIMIT :cap) AS s) AS docs
FROM unnest(CAST(:words AS text[])) AS w(word)
CROSS JOIN LATERAL unnest(to_tsvector('english', w.word)) AS x
"""
# Candidate documents are counted this far (or to 100x the typed word's count): beyond
# it spellings tie and the likeliest slip decides (domain/spelling.py rank_candidates).
CANDIDATE_COUNT_CAP = 1_000


def correct_terms(conn: Connection, terms: Sequence[str]) -> dict[str, str]:
    """One-edit spellings for the terms that look misspelt, checked against the GIN index."""
    todo = [t for t in terms if max_edits(t)]
    if not todo:
        return {}
    n, _ = _corpus_stats(conn)
    rare = int(n * RARE_TERM_SHARE)
    counted = conn.execute(sa.text(_DOCUMENTS_SQL), {"words": todo, "cap": rare + 1}).all()
    out: dict[str, str] = {}
    for term in todo:
        found = [int(r[2]) for r in counted if r[0] == term]
        if len(found) != 1 or not is_suspect(found[0], n):
            continue  # a stop word, or a word that splits in two, or a common one
        documents = found[0]
        starts = vocabulary_prefixes(term)
        spellings = sorted(e for e in single_edits(term) if e.startswith(starts))
        cap = max(CANDIDATE_COUNT_CAP, CORRECTION_GAIN * documents + 1)
        rows = conn.execute(sa.text(_DOCUMENTS_SQL), {"words": spellings, "cap": cap}).all()
        candidates = [Candidate(str(w), str(lexeme), int(docs), 1) for w, lexeme, docs in rows if docs]
        best = next((c for c in rank_candidates(candidates, term) if worth_it(c, documents)), None)
        if best is not None:
            out[term] = best.spelling
    return out


def rebuild(conn: Connection) -> None:
    # Touching the text columns re-fires the trigger that writes search_documents.
    conn.exec_driver_sql("UPDATE papers SET title = title")
    with _stats_lock:
        _stats.clear()

"""Recent papers' phrase counts, kept in the database so a window's first ranking need not hash them.

The phrase view (:mod:`papertide.recs.phrases`) has two steps: counting each paper's hashed word
1–2-grams (scikit-learn's tokeniser in Python: ~0.3 ms a paper, 3.8 of the 10 s that the first
/for-you of a 12k-paper month took) and weighting the counts by the instance's phrase frequencies
(vectorised, and the part that changes when the frequencies are refitted). The counts depend on
nothing but the paper's text, so the ``recs.phrases`` job stores them (``paper_phrases``) for the
papers of the last :data:`HORIZON_DAYS` days, which every named window, the feed and the digest
fall in, and candidate pools read them instead of hashing again.

Nothing trusts a stored row blindly: each carries the hash of the exact text it counted and of the
hashing's settings, and a row whose hash does not match its paper's text now (an edited abstract
not yet recounted, a changed tokeniser) is ignored and the paper counted where it is read, as
papers without a row (today's, before the job's next run; an old custom window) always are. So
the ranking is the same with or without the rows; they only make it faster.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta

import numpy as np
from scipy import sparse

from papertide.domain.jobs import Progress, no_progress
from papertide.recs.phrases import HASH_BITS, _counts, _hasher
from papertide.recs.text import WORDS
from papertide.storage import rec_phrases as store
from papertide.storage.db import Database

HORIZON_DAYS = 92  # before the newest paper: a custom window (62 days at most) within the last quarter
BATCH = 2_000  # papers counted and written per transaction
# Part of every row's hash: rows counted with other settings stop matching when these change.
LAYOUT = f"phrases bits={HASH_BITS} words={sorted(WORDS.items())!r}"
_BUCKETS, _COUNTS = np.dtype("<u4"), np.dtype("<u2")

Packed = tuple[bytes, bytes]  # (buckets as little-endian uint32, counts as little-endian uint16)


def source_hash(text: str) -> str:
    """The hash stored beside a paper's counts: of exactly the text counted, and how."""
    return hashlib.sha1(f"{LAYOUT}\n{text}".encode(), usedforsecurity=False).hexdigest()


def count(texts: Sequence[str]) -> sparse.csr_matrix:
    """Each text's phrase counts: one row per text, buckets ascending (what :meth:`PhraseModel.weigh` takes)."""
    return _counts(_hasher(), texts)


def pack(x: sparse.csr_matrix) -> list[Packed | None]:
    """Each row as stored; None for a row a uint16 cannot hold (a phrase 65,536 times: never kept)."""
    out: list[Packed | None] = []
    for i in range(x.shape[0]):
        a, b = x.indptr[i], x.indptr[i + 1]
        counts = x.data[a:b]
        out.append(None if len(counts) and counts.max() > np.iinfo(_COUNTS).max else
                   (x.indices[a:b].astype(_BUCKETS).tobytes(), counts.astype(_COUNTS).tobytes()))
    return out


def counts_for(texts: Sequence[str], stored: Sequence[Packed | None]) -> sparse.csr_matrix:
    """The counts of ``texts``, rows taken from ``stored`` where given and counted here otherwise:
    the same matrix :func:`count` gives for all of them."""
    missing = [i for i, s in enumerate(stored) if s is None]
    fresh = pack(count([texts[i] for i in missing])) if missing else []
    rows: list[Packed | None] = list(stored)
    for i, row in zip(missing, fresh, strict=True):
        rows[i] = row
    if any(r is None for r in rows):  # only a text with a phrase 65,536 times over: count them all
        return count(texts)
    full: list[Packed] = rows  # type: ignore[assignment]
    buckets = np.frombuffer(b"".join(r[0] for r in full), dtype=_BUCKETS)
    counts = np.frombuffer(b"".join(r[1] for r in full), dtype=_COUNTS)
    indptr = np.zeros(len(full) + 1, dtype=np.int32)
    np.cumsum([len(r[0]) // _BUCKETS.itemsize for r in full], out=indptr[1:])
    return sparse.csr_matrix((counts.astype(np.float32), buckets.astype(np.int32), indptr),
                             shape=(len(full), 2**HASH_BITS))


def stored_counts(paper_ids: Sequence[int], texts: Sequence[str],
                  rows: Mapping[int, tuple[str, bytes, bytes]]) -> sparse.csr_matrix:
    """The counts of papers whose ``texts`` are given, from their stored ``rows`` (:func:`store.stored`)
    where those are current."""
    kept: list[Packed | None] = []
    for pid, text in zip(paper_ids, texts, strict=True):
        row = rows.get(pid)
        kept.append((row[1], row[2]) if row is not None and row[0] == source_hash(text) else None)
    return counts_for(texts, kept)


def refresh(db: Database, stop: Callable[[], bool] = lambda: False, progress: Progress = no_progress) -> int:
    """The job: count the recent papers whose row is missing or older than the paper, and drop rows
    of papers past the horizon. Returns how many papers were counted; ``progress`` hears
    (counted, due) before the first batch and after each."""
    with db.read() as conn:
        newest = store.newest_published(conn)
    if newest is None:
        return 0
    since = newest - timedelta(days=HORIZON_DAYS)
    with db.read() as conn:
        due = store.due(conn, since)
    done = 0
    progress(0, len(due))
    for i in range(0, len(due), BATCH):
        if stop():
            break
        with db.read() as conn:
            papers = store.texts(conn, due[i : i + BATCH])
        packed = pack(count([text for _, text, _ in papers]))
        rows = [(pid, source_hash(text), changed, row) for (pid, text, changed), row in zip(papers, packed, strict=True)
                if row is not None]
        with db.write() as conn:
            store.save(conn, rows)
        done += len(papers)
        progress(done, len(due))
    with db.write() as conn:
        store.prune(conn, since)
    return done

"""The phrase view of papers for a reader's profile: hashed word 1–2-grams weighted by rarity.

Why not the 20,000-term vocabulary of :mod:`papertide.recs.text`: what tells a reader's next
papers apart from their neighbours' is the rare part — the name of their method, their
dataset, a phrase they keep using — and a capped vocabulary keeps only frequent terms. Every
word and word pair that occurs in at least two of the instance's papers counts here. On the
development set (bench/RESULTS.md, "For you") that moves author users' nDCG@20 from 0.19 to
0.25 (0.256 with the closest liked paper beside the centroid); the capped vocabulary stays
for the community classifier, which it suits.

There are millions of such phrases, too many to store as a vocabulary, so they are hashed
(scikit-learn's ``HashingVectorizer``, 2^24 buckets: fewer buckets measurably merge rare
phrases with noise). The model is only the document frequency of each bucket, counted over
the instance's papers (2^24 16-bit counts: 32 MB in memory, a few MB stored, no pickles);
phrases seen in one paper only (noise: nothing else can match them) and phrases in more than
a tenth of the papers (filler) weigh nothing.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

from papertide.recs.text import WORDS

HASH_BITS = 24
MAX_DF_SHARE = 0.1
SMALL_INSTANCE = 2_000  # below this many papers a tenth is too few to call a phrase filler
DF_CAP = np.iinfo(np.uint16).max  # counts saturate here (far above any max_df that matters)
SPARSE_SHARE = 1 / 16  # below this share of buckets in use, the model is stored as (bucket, count) pairs


def _hasher(bits: int = HASH_BITS) -> HashingVectorizer:
    return HashingVectorizer(**WORDS, n_features=2**bits, alternate_sign=False, norm=None, dtype=np.float32)


def _counts(hasher: HashingVectorizer, texts: Sequence[str]) -> sparse.csr_matrix:
    if not texts:
        return sparse.csr_matrix((0, hasher.n_features), dtype=np.float32)
    x = hasher.transform(texts).tocsr()
    x.sum_duplicates()
    return x


@dataclass(frozen=True)
class PhraseModel:
    """How many of the instance's papers hold each hashed phrase, as of the last count.

    Papers added since (id above ``last_paper_id``) are counted where they are met: a batch
    being transformed adds its newer papers' phrases to the stored counts, so a phrase that
    today's paper shares with a liked one counts before the next refit (measured: without
    this, a count three months old loses a tenth of the gain).
    """

    df: npt.NDArray[np.uint16]  # papers per bucket, saturating at DF_CAP
    documents: int
    last_paper_id: int  # papers up to this id are in ``df``; 0 when it was a sample
    bits: int = HASH_BITS

    @classmethod
    def fit(cls, batches: Iterable[tuple[Sequence[int], Sequence[str]]], bits: int = HASH_BITS,
            sample: bool = False) -> PhraseModel:
        """Count each bucket's papers over ``batches`` of (paper ids, title + abstract texts)."""
        hasher = _hasher(bits)
        # Saturating adds on the touched buckets only: no pass over all 2^24 per fit (a small
        # instance's first fit was mostly that).
        df = np.zeros(2**bits, dtype=np.uint16)
        n = last = 0
        for ids, texts in batches:
            x = _counts(hasher, texts)
            buckets, counts = np.unique(x.indices, return_counts=True)
            df[buckets] = np.minimum(df[buckets] + counts.astype(np.int64), DF_CAP)
            n += x.shape[0]
            last = max([last, *ids])
        return cls(df, n, 0 if sample else last, bits)

    def transform(self, texts: Sequence[str], paper_ids: Sequence[int] | None = None,
                  keep_unique: bool = False) -> sparse.csr_matrix:
        """Rows of sublinear term frequency × IDF, unit length over the phrases shared with another paper.

        A phrase no other paper holds cannot match anything today: a candidate drops it; a
        liked paper (``keep_unique``) keeps it outside its length, since a later paper may bring it.
        ``paper_ids`` say which rows are newer than the count (all of them when None).
        """
        return self.weigh(_counts(_hasher(self.bits), texts), paper_ids, keep_unique)

    def weigh(self, x: sparse.csr_matrix, paper_ids: Sequence[int] | None = None,
              keep_unique: bool = False) -> sparse.csr_matrix:
        """:meth:`transform` from the phrase counts (:func:`count` of the same texts): counting is
        the slow part, and a paper's counts never change while its text does not, so they can be
        kept (``paper_phrases``); the weights depend on the instance's counts and are applied here."""
        if not x.nnz:
            return x
        df = self.df[x.indices].astype(np.float64)
        newer = (np.ones(x.shape[0], bool) if paper_ids is None
                 else np.asarray(paper_ids, dtype=np.int64) > self.last_paper_id)
        if newer.any():
            df += _occurrences(x.indices[np.repeat(newer, np.diff(x.indptr))], x.indices)
        n = max(self.documents, 1)
        weight = (1.0 + np.log(x.data)) * (np.log((1.0 + n) / (1.0 + df)) + 1.0)
        if self.documents >= SMALL_INSTANCE:
            weight[df > MAX_DF_SHARE * self.documents] = 0.0  # filler
        shared = df >= 2
        if not keep_unique:
            weight[~shared] = 0.0
        # Row lengths from flat arrays: scipy's helpers allocate a 2^24-wide array per call.
        row = _row_of(x)
        lengths = np.sqrt(np.bincount(row, weights=np.where(shared, weight, 0.0) ** 2, minlength=x.shape[0]))
        lengths[lengths == 0] = 1.0
        x.data = (weight / lengths[row]).astype(np.float32)
        x.eliminate_zeros()
        return x

    def to_bytes(self) -> bytes:
        # A small instance fills a few thousand of the 2^24 buckets: kept as (bucket, count) pairs
        # its model is a kilobyte, stored in ~35 ms and loaded in ~5 ms, where the whole 32 MB array
        # took ~140 ms to compress and ~50 ms to load (paid by a member's first vote on a fresh
        # instance, and by every process loading it). Past 1/16 of the buckets in use (20,000
        # papers fill 3 %) the dense array is kept: by then it compresses as well as the pairs.
        buf = io.BytesIO()
        buckets = np.flatnonzero(self.df)
        meta = {"documents": np.int64(self.documents), "last_paper_id": np.int64(self.last_paper_id),
                "bits": np.int64(self.bits)}
        if len(buckets) < SPARSE_SHARE * len(self.df):
            np.savez_compressed(buf, buckets=buckets.astype(np.uint32), counts=self.df[buckets], **meta)
        else:
            np.savez_compressed(buf, df=self.df, **meta)
        return buf.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> PhraseModel:
        z = np.load(io.BytesIO(data), allow_pickle=False)
        bits = int(z["bits"])
        if "buckets" in z.files:
            df = np.zeros(2**bits, dtype=np.uint16)
            df[z["buckets"]] = z["counts"]
        else:
            df = z["df"].astype(np.uint16)
        return cls(df, int(z["documents"]), int(z["last_paper_id"]), bits)


def _occurrences(counted: npt.NDArray[np.int32], at: npt.NDArray[np.int32]) -> npt.NDArray[np.int64]:
    """How often each bucket of ``at`` occurs in ``counted`` (without a 2^24-wide count array)."""
    if not len(counted):
        return np.zeros(len(at), np.int64)
    buckets, counts = np.unique(counted, return_counts=True)
    pos = np.minimum(np.searchsorted(buckets, at), len(buckets) - 1)
    return np.where(buckets[pos] == at, counts[pos], 0)


def _row_of(x: sparse.csr_matrix) -> npt.NDArray[np.intp]:
    return np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))


Sparse = tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]  # (sorted buckets, values): one wide row


def weighted_sum(rows: sparse.csr_matrix, weights: npt.NDArray[np.float64]) -> Sparse:
    """Σ weight × row, as (buckets, values): a scipy row this wide costs 2^24 of memory per operation."""
    contrib = rows.data * np.asarray(weights, dtype=np.float64)[_row_of(rows)]
    buckets, at = np.unique(rows.indices, return_inverse=True)
    return buckets.astype(np.int64), np.bincount(at, weights=contrib, minlength=len(buckets))


def _unit(v: Sparse) -> Sparse:
    norm = float(np.linalg.norm(v[1]))
    return (v[0], v[1] / norm) if norm > 0 else v


def _minus(a: Sparse, b: Sparse, share: float) -> Sparse:
    buckets, at = np.unique(np.concatenate([a[0], b[0]]), return_inverse=True)
    values = np.bincount(at, weights=np.concatenate([a[1], -share * b[1]]), minlength=len(buckets))
    return buckets, values


def profile_terms(
    liked: sparse.csr_matrix, liked_weights: npt.NDArray[np.float64], negatives: sparse.csr_matrix | None,
    push: float, keep: int,
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:
    """Rocchio over phrase rows: the likes' unit centroid minus ``push`` × the negatives', unit
    length, cut to its ``keep`` heaviest buckets (sorted by bucket)."""
    v = _unit(weighted_sum(liked, liked_weights))
    if negatives is not None and negatives.shape[0]:
        v = _unit(_minus(v, _unit(weighted_sum(negatives, np.ones(negatives.shape[0]))), push))
    idx, val = v[0][v[1] != 0], v[1][v[1] != 0]
    if len(idx) > keep:
        top = np.sort(np.argsort(-np.abs(val), kind="stable")[:keep])
        idx, val = idx[top], val[top]
    return idx.astype(np.int32), val.astype(np.float32)


@dataclass(frozen=True)
class PhraseRows:
    """A candidate pool's phrase rows with their columns compacted to the buckets it uses."""

    rows: sparse.csr_matrix  # n × len(buckets)
    buckets: npt.NDArray[np.int64]  # sorted

    @classmethod
    def of(cls, x: sparse.csr_matrix) -> PhraseRows:
        buckets, at = np.unique(x.indices, return_inverse=True)
        rows = sparse.csr_matrix((x.data, at.astype(np.int32), x.indptr), shape=(x.shape[0], len(buckets)))
        return cls(rows, buckets.astype(np.int64))

    def __len__(self) -> int:
        return int(self.rows.shape[0])

    def _columns(self, buckets: npt.NDArray[np.integer]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
        if not len(self.buckets):
            return np.zeros(len(buckets), np.intp), np.zeros(len(buckets), bool)
        pos = np.minimum(np.searchsorted(self.buckets, buckets), len(self.buckets) - 1)
        return pos, self.buckets[pos] == buckets

    def scores(self, terms: npt.NDArray[np.int32], values: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        """Each row's dot product with a stored profile (terms, values)."""
        q = np.zeros(len(self.buckets))
        pos, found = self._columns(terms)
        q[pos[found]] = values[found]
        return np.asarray(self.rows @ q).ravel()

    def nearest(self, others: sparse.csr_matrix) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.intp]]:
        """For every row: the largest dot product with any of ``others``, and which one it was."""
        n = len(self)
        if not len(self.buckets) or others.shape[0] == 0:
            return np.zeros(n), np.zeros(n, np.intp)
        sims = (self.rows @ self._compact(others).T).tocsr()
        best, which = np.zeros(n), np.zeros(n, np.intp)
        filled = np.diff(sims.indptr) > 0
        if not sims.nnz:
            return best, which
        # Row maxima from the flat arrays (scipy's row-wise argmax is a Python loop over rows).
        best[filled] = np.maximum.reduceat(sims.data, sims.indptr[:-1][filled])
        row = _row_of(sims)
        at = np.flatnonzero(sims.data == best[row])
        rows, first = np.unique(row[at], return_index=True)
        which[rows] = sims.indices[at[first]]
        return best, which

    def _compact(self, others: sparse.csr_matrix) -> sparse.csr_matrix:
        pos, found = self._columns(others.indices)
        return sparse.csr_matrix((np.where(found, others.data, 0.0), pos, others.indptr),
                                 shape=(others.shape[0], len(self.buckets)))

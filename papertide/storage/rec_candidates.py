"""What the recommender reads: candidate papers, their features, liked papers' vectors, background.

A candidate's *features* are only what a new paper has on the day it is recommended — id,
categories, authors (for follows) and its embedding. Votes, comments and listings are never read
here: they are the community's verdict, which the recommender is meant to anticipate.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from papertide.storage.embeddings import to_array
from papertide.storage.papers import IN_CHUNK, in_id_batches
from papertide.storage.schema import daily_listings, papers
from papertide.storage.tables.search import paper_embeddings

_NEW_ID = r"^\d{4}\.\d{4,5}$"


@dataclass(frozen=True, slots=True)
class Features:
    """Papers in one block: parallel tuples, in the order asked for (ids not stored left out)."""

    paper_ids: tuple[int, ...]
    arxiv_ids: tuple[str, ...]
    categories: tuple[tuple[str, ...], ...]
    authors: tuple[tuple[str, ...], ...]
    titles: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.paper_ids)


def features(conn: Connection, paper_ids: Sequence[int], with_authors: bool = True) -> Features:
    """Features of ``paper_ids``; ``with_authors=False`` leaves names out (evaluations hide them)."""
    return _features(conn, paper_ids, with_authors, with_texts=False)[0]


def pool_features(conn: Connection, paper_ids: Sequence[int]) -> tuple[Features, list[str]]:
    """A candidate pool's features without authors (read when a follow needs them: :func:`authors`)
    and the ``title abstract`` of each, in one pass."""
    return _features(conn, paper_ids, with_authors=False, with_texts=True)


def _features(conn: Connection, paper_ids: Sequence[int], with_authors: bool, with_texts: bool) -> tuple[Features, list[str]]:
    rows: dict[int, Any] = {}
    wanted = list(dict.fromkeys(paper_ids))
    cols = [papers.c.id, papers.c.arxiv_id, papers.c.categories, papers.c.title]
    cols += [papers.c.authors] if with_authors else []
    cols += [papers.c.abstract] if with_texts else []
    for i in range(0, len(wanted), IN_CHUNK):
        q = sa.select(*cols).where(papers.c.id.in_(wanted[i : i + IN_CHUNK]))
        rows.update({r.id: r for r in conn.execute(q)})
    kept = [pid for pid in wanted if pid in rows]
    return Features(
        paper_ids=tuple(kept),
        arxiv_ids=tuple(str(rows[p].arxiv_id) for p in kept),
        categories=tuple(tuple(rows[p].categories or ()) for p in kept),
        authors=tuple(tuple(rows[p].authors or ()) if with_authors else () for p in kept),
        titles=tuple(str(rows[p].title) for p in kept),
    ), [f"{rows[p].title} {rows[p].abstract}" for p in kept] if with_texts else []


def authors(conn: Connection, paper_ids: Sequence[int]) -> list[tuple[str, ...]]:
    """The author names of each of ``paper_ids``, in that order (none for a paper not held)."""
    got: dict[int, tuple[str, ...]] = {}
    for i in range(0, len(paper_ids), IN_CHUNK):
        q = sa.select(papers.c.id, papers.c.authors).where(papers.c.id.in_(list(paper_ids[i : i + IN_CHUNK])))
        got.update({r.id: tuple(r.authors or ()) for r in conn.execute(q)})
    return [got.get(p, ()) for p in paper_ids]


def vectors(
    conn: Connection, model_id: str, paper_ids: Sequence[int], dim: int
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]]:
    """Stored embeddings of ``paper_ids`` in that order (zeros where missing) and which rows have one."""
    got: dict[int, object] = {}
    for i in range(0, len(paper_ids), IN_CHUNK):
        q = sa.select(paper_embeddings.c.paper_id, paper_embeddings.c.vector).where(
            paper_embeddings.c.model_id == model_id, paper_embeddings.c.paper_id.in_(list(paper_ids[i : i + IN_CHUNK])))
        got.update({r.paper_id: r.vector for r in conn.execute(q)})
    out = np.zeros((len(paper_ids), dim), dtype=np.float32)
    has = np.zeros(len(paper_ids), dtype=bool)
    for j, pid in enumerate(paper_ids):
        raw = got.get(pid)
        if raw is None:
            continue
        v = to_array(raw)
        if v.shape == (dim,):
            out[j] = v
            has[j] = True
    return out, has


def texts(conn: Connection, paper_ids: Sequence[int]) -> list[str]:
    """``title abstract`` of each paper, in the order given (the tf-idf view's input)."""
    got: dict[int, str] = {}
    for i in range(0, len(paper_ids), IN_CHUNK):
        q = sa.select(papers.c.id, papers.c.title, papers.c.abstract).where(papers.c.id.in_(list(paper_ids[i : i + IN_CHUNK])))
        got.update({r.id: f"{r.title} {r.abstract}" for r in conn.execute(q)})
    return [got.get(p, "") for p in paper_ids]


def published_between(conn: Connection, first: date, last: date, exact_dates_only: bool = False) -> list[int]:
    """Row ids of papers published in ``[first, last]`` (new papers of a day, a week, a window)."""
    q = sa.select(papers.c.id).where(papers.c.published.between(first, last), papers.c.withdrawn.is_(False))
    if exact_dates_only:
        q = q.where(papers.c.published_approx.is_(False))
    return [r.id for r in conn.execute(q.order_by(papers.c.id))]


def ids_between(conn: Connection, low: str, high: str) -> list[int]:
    """Row ids of papers with a new-style arXiv id in ``[low, high]`` (string order = submission order)."""
    q = sa.select(papers.c.id, papers.c.arxiv_id).where(papers.c.arxiv_id.between(low, high), papers.c.withdrawn.is_(False))
    pattern = re.compile(_NEW_ID)
    return [r.id for r in conn.execute(q.order_by(papers.c.id)) if pattern.match(r.arxiv_id)]


def published_dates(conn: Connection, paper_ids: Sequence[int]) -> dict[int, date | None]:
    out: dict[int, date | None] = {}
    for i in range(0, len(paper_ids), IN_CHUNK):
        q = sa.select(papers.c.id, papers.c.published).where(papers.c.id.in_(list(paper_ids[i : i + IN_CHUNK])))
        out.update({r.id: r.published for r in conn.execute(q)})
    return out


def background_sample(conn: Connection, before: date, after: date, size: int, seed: int = 0,
                      unlisted: bool = False) -> list[int]:
    """A fixed-seed random sample of papers with an abstract published in ``[after, before)``.

    ``unlisted`` leaves out papers that were ever on a daily list (the community's negatives).
    Sampled from row ids in Python: ``ORDER BY random()`` differs by dialect and sorts the table.
    """
    q = sa.select(papers.c.id).where(papers.c.published >= after, papers.c.published < before,
                                     papers.c.abstract != "", papers.c.withdrawn.is_(False))
    if unlisted:
        q = q.where(~sa.exists().where(daily_listings.c.paper_id == papers.c.id))
    ids = [r.id for r in conn.execute(q)]
    if len(ids) <= size:
        return ids
    return sorted(random.Random(seed).sample(ids, size))


def sample_texts(conn: Connection, size: int, seed: int = 0) -> list[str]:
    """Title + abstract of up to ``size`` random papers (what the tf-idf vocabulary is fitted on)."""
    ids = [r.id for r in conn.execute(sa.select(papers.c.id).where(papers.c.abstract != ""))]
    if len(ids) > size:
        ids = sorted(random.Random(seed).sample(ids, size))
    return texts(conn, ids)


def text_batches(conn: Connection, batch: int = 5_000) -> Iterator[tuple[list[int], list[str]]]:
    """(ids, ``title abstract``) of every paper, ``batch`` at a time in id order."""
    for rows in in_id_batches(conn, (papers.c.id, papers.c.title, papers.c.abstract), batch):
        yield [r.id for r in rows], [f"{r.title} {r.abstract}" for r in rows]


def listed_papers(conn: Connection, before: date, after: date) -> list[tuple[int, date, int]]:
    """(paper id, first listing day, upvotes) of papers on the daily lists in ``[after, before)``."""
    first = sa.func.min(daily_listings.c.listed_on)
    q = (
        sa.select(daily_listings.c.paper_id, first.label("day"), papers.c.upvotes)
        .join(papers, papers.c.id == daily_listings.c.paper_id)
        .where(daily_listings.c.listed_on >= after, daily_listings.c.listed_on < before)
        .group_by(daily_listings.c.paper_id, papers.c.upvotes)
    )
    return [(r.paper_id, r.day, int(r.upvotes or 0)) for r in conn.execute(q)]

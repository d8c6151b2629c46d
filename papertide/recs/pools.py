"""A candidate pool: the papers one window (a day, a week, the digest's) offers, with the views
every reader ranked against it shares, each computed once per pool and process."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
from scipy import sparse

from papertide.domain.authors import author_key
from papertide.domain.rec_reasons import query_rows, query_terms
from papertide.domain.recs_signals import Follow
from papertide.recs.phrases import PhraseModel, PhraseRows
from papertide.recs.text import TextModel
from papertide.storage import rec_candidates as store


@dataclass
class Pool:
    """A candidate set's features, computed once and shared by every reader ranked against it.

    The views are computed on first use: readers' pools need only the phrases, the community's
    only the vocabulary, and only an evaluation that weights them reads the embeddings (1.7 of the 10 s
    of a 12k-paper month's first /for-you when they were read up front). Two threads racing
    compute the same value twice, harmlessly.
    """

    features: store.Features
    texts: list[str]
    recency: npt.NDArray[np.float64]
    text_model: TextModel
    phrase_model: PhraseModel
    # Read when first needed: the candidates' phrase counts (stored rows where current), their
    # authors (only followed authors need them: decoding 12k name lists cost ~0.3 s) and embeddings.
    read_counts: Callable[[], sparse.csr_matrix]
    read_authors: Callable[[], Sequence[Sequence[str]]]
    read_dense: Callable[[], tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]] | None] = lambda: None

    def __len__(self) -> int:
        return len(self.features)

    @cached_property
    def tfidf(self) -> sparse.csr_matrix:
        """The vocabulary's view (the community classifier)."""
        return self.text_model.transform(self.texts)

    @cached_property
    def phrases(self) -> PhraseRows:
        """The phrase view (readers' profiles, "closest liked paper")."""
        return PhraseRows.of(self.phrase_model.weigh(self.read_counts(), self.features.paper_ids))

    @cached_property
    def dense(self) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]] | None:
        """(embeddings, which rows have one), when the search index stores them."""
        return self.read_dense()

    @cached_property
    def folded(self) -> list[str]:
        """The candidates' texts casefolded, for followed keyword queries."""
        return [t.casefold() for t in self.texts]

    @cached_property
    def authors(self) -> dict[str, list[int]]:
        """The candidates by author key, for followed authors."""
        out: dict[str, list[int]] = {}
        for i, names in enumerate(self.read_authors()):
            for key in dict.fromkeys(author_key(a) for a in names):
                out.setdefault(key, []).append(i)
        return out

    def follow_rows(self, f: Follow) -> Iterable[int]:
        """The candidates a follow matches (as :func:`~papertide.domain.rec_reasons.follow_matches` decides)."""
        if f.kind == "author":
            return self.authors.get(f.value, ())
        if f.kind == "category":
            return [i for i, cats in enumerate(self.features.categories) if f.value in cats]
        return query_rows(query_terms(f.value), self.texts, self.folded)

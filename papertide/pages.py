"""What a page shows, loaded before it is rendered: templates only read these objects.

A paper page needs the paper, its discussion, the viewer's vote and collections, and the
nearest papers by embedding. Loading them here (not from template helpers) keeps every
query of a page in one place, where it can be measured, cached and tested.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from papertide.catalog import Catalog
from papertide.community.services import Community
from papertide.domain.accounts import User
from papertide.domain.collections import Collection, to_bibtex
from papertide.domain.comments import Thread
from papertide.domain.papers import PaperEntry
from papertide.domain.votes import UpvoteHistory
from papertide.search.service import SearchService

log = logging.getLogger(__name__)
SIMILAR_ON_PAGE = 5  # similar papers shown on a paper page
# Authors named before the rest fold into "show all N": a 300-author paper would otherwise
# push the abstract several screens down. Folding fewer than a few names saves nothing.
AUTHORS_BEFORE_FOLD = 10
AUTHORS_MIN_FOLDED = 3


@dataclass(frozen=True, slots=True)
class PaperPage:
    entry: PaperEntry
    threads: list[Thread]
    comment_count: int
    similar: list[tuple[PaperEntry, float]]
    history: UpvoteHistory | None = None  # the upvote sparkline

    @property
    def authors_shown(self) -> tuple[str, ...]:
        """The authors named up front; the rest are :attr:`authors_folded`."""
        authors = self.entry.paper.authors
        return authors if len(authors) < AUTHORS_BEFORE_FOLD + AUTHORS_MIN_FOLDED else authors[:AUTHORS_BEFORE_FOLD]

    @property
    def authors_folded(self) -> tuple[str, ...]:
        return self.entry.paper.authors[len(self.authors_shown):]

    @property
    def comments_imported(self) -> int:
        """Comments counted on the source site (e.g. Hugging Face) but not held here."""
        return self.entry.paper.num_comments_baseline

    @property
    def bibtex(self) -> str:
        return to_bibtex([self.entry.paper])


class PaperPages:
    def __init__(self, catalog: Catalog, community: Community, search: SearchService) -> None:
        self.catalog, self.community, self.search = catalog, community, search

    def paper(self, arxiv_id: str, viewer: User | None) -> PaperPage | None:
        entry = self.catalog.paper(arxiv_id)
        if entry is None:
            return None
        # One comment count everywhere: the imported count plus visible comments here, as the
        # cards and the facts box show it (the threads' own count would omit the imported ones).
        threads, _ = self.community.discussion.threads(arxiv_id, viewer)
        return PaperPage(
            entry=entry, threads=threads, comment_count=entry.num_comments, similar=self._similar(arxiv_id),
            history=self.catalog.upvote_history(entry),
        )

    def bibtex(self, arxiv_id: str) -> str | None:
        """The paper's BibTeX entry (the collections' export format), or None when we do not hold it."""
        entry = self.catalog.paper(arxiv_id)
        return to_bibtex([entry.paper]) if entry else None

    def my_collections(self, viewer: User | None) -> list[Collection]:
        """The viewer's collections, for the Save form on every card (none when signed out)."""
        return self.community.reading_lists.mine(viewer) if viewer else []

    def voted_ids(self, viewer: User | None) -> frozenset[str]:
        """The papers the viewer upvoted (vote buttons on every list show it)."""
        return frozenset(self.community.votes.voted_ids(viewer)) if viewer else frozenset()

    def _similar(self, arxiv_id: str) -> list[tuple[PaperEntry, float]]:
        try:
            return self.search.similar(arxiv_id, SIMILAR_ON_PAGE)
        except Exception:  # a broken vector index must not take the paper page down
            log.exception("similar papers failed for %s", arxiv_id)
            return []

"""What a page shows, loaded before it is rendered: templates only read these objects.

A paper page needs the paper, its discussion, the viewer's vote and collections, and the
nearest papers by embedding. Loading them here (not from template helpers) keeps every
query of a page in one place, where it can be measured, cached and tested.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from papertide.catalog import Catalog
from papertide.community.services import Community
from papertide.domain.accounts import User
from papertide.domain.collections import Collection
from papertide.domain.comments import Thread
from papertide.domain.papers import PaperEntry
from papertide.search.service import SearchService

log = logging.getLogger(__name__)
SIMILAR_ON_PAGE = 5  # similar papers shown on a paper page


@dataclass(frozen=True, slots=True)
class PaperPage:
    entry: PaperEntry
    threads: list[Thread]
    comment_count: int
    similar: list[tuple[PaperEntry, float]]
    collections: list[Collection] = field(default_factory=list)  # the viewer's, to save the paper into


class PaperPages:
    def __init__(self, catalog: Catalog, community: Community, search: SearchService) -> None:
        self.catalog, self.community, self.search = catalog, community, search

    def paper(self, arxiv_id: str, viewer: User | None) -> PaperPage | None:
        entry = self.catalog.paper(arxiv_id)
        if entry is None:
            return None
        threads, count = self.community.discussion.threads(arxiv_id, viewer)
        return PaperPage(
            entry=entry, threads=threads, comment_count=count, similar=self._similar(arxiv_id),
            collections=self.community.reading_lists.mine(viewer) if viewer else [],
        )

    def voted_ids(self, viewer: User | None) -> frozenset[str]:
        """The papers the viewer upvoted (vote buttons on every list show it)."""
        return frozenset(self.community.votes.voted_ids(viewer)) if viewer else frozenset()

    def _similar(self, arxiv_id: str) -> list[tuple[PaperEntry, float]]:
        try:
            return self.search.similar(arxiv_id, SIMILAR_ON_PAGE)
        except Exception:  # a broken vector index must not take the paper page down
            log.exception("similar papers failed for %s", arxiv_id)
            return []

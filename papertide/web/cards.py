"""The parts of a paper card that depend on the paper alone, rendered once per paper and kept.

A card's thumbnail tile, title (TeX as MathML), author links, one-line summary and category
chips follow from the :class:`~papertide.domain.papers.Paper` and whether its thumbnail file
exists; they are most of a card's markup and most of its rendering time (~0.1 ms a card,
five milliseconds of a fifty-card page; bench/RESULTS.md "Foundation"). List pages show the
same few hundred papers all day, so we render those parts through the card template's own
macros (``_paper_card.html``) and keep them in a bounded LRU, keyed by the whole ``Paper``
value and the thumbnail's URL. Counts, stars, scores and the viewer's own buttons are not
part of it: the card macro renders them on every call.

Invalidation needs no bookkeeping: an edited paper is a different key, and the thumbnail
file is checked on every call (``Thumbnails.url``), so a thumbnail rendered or removed by
another process shows on the next render. Each Jinja environment (each app) has its own
cache, so settings the parts read (``authors_shown``) cannot leak between apps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from jinja2 import Environment
from markupsafe import Markup

from papertide.domain.papers import Paper

CARD_TEMPLATE = "_paper_card.html"
# Papers whose parts are kept: a few days of lists, trending and the category pages, at about
# 4 kB each (the Paper held as the key plus ~1.5 kB of markup), ~8 MB per process.
CARD_CACHE_SIZE = 2048


@dataclass(frozen=True, slots=True)
class CardParts:
    thumb: Markup  # the picture link: the thumbnail, or a placeholder tile in the category's colour
    text: Markup  # title, authors and the one-line summary
    chips: Markup  # the first category chips


class CardFragments:
    """``card_parts(paper)`` for templates: the paper's :class:`CardParts`, from the cache when it can."""

    def __init__(self, env: Environment, thumb_url: Callable[[str], str | None],
                 size: int = CARD_CACHE_SIZE) -> None:
        self._env, self._thumb_url = env, thumb_url
        # lru_cache: bounded, thread-safe (routes render in a thread pool) and in C.
        self._cached = lru_cache(maxsize=size)(self._render)

    def __call__(self, paper: Paper) -> CardParts:
        return self._cached(paper, self._thumb_url(paper.arxiv_id))

    def cache_info(self) -> tuple[int, int, int]:
        """(hits, misses, size) of the cache, for tests and benchmarks."""
        info = self._cached.cache_info()
        return info.hits, info.misses, info.currsize

    def _render(self, paper: Paper, thumb: str | None) -> CardParts:
        # The template's macros, called with no request context: the parts cannot show anything
        # personal. (An edited template shows on papers rendered after the edit; the parts kept
        # from before stay until a restart, which a deploy does anyway.)
        macros = self._env.get_template(CARD_TEMPLATE).module
        return CardParts(
            thumb=macros.card_thumb(paper, thumb),  # type: ignore[attr-defined]
            text=macros.card_text(paper),  # type: ignore[attr-defined]
            chips=macros.card_chips(paper),  # type: ignore[attr-defined]
        )

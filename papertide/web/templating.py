"""Jinja environment factory and the filters our templates use. Templates do no I/O:
routes and page services load what they show, ``viewer_context`` the signed-in user."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from papertide.domain.arxiv_categories import category_group, category_name
from papertide.domain.authors import holds_name, names_shown
from papertide.domain.cards import placeholder_hue
from papertide.domain.feeds import describe_search
from papertide.domain.mathml import has_math, render_tex, tex_to_text
from papertide.domain.papers import abs_url, id_year, pdf_url, short_authors, snippet
from papertide.domain.summary import one_line_summary
from papertide.domain.wording import quantity
from papertide.services import Services
from papertide.web import csrf, sessions
from papertide.web.cards import CardFragments
from papertide.web.plots import plot_filters

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def _human_date(d: date | None) -> str:
    return d.strftime("%a, %d %b %Y") if d else ""


def make_templates(services: Services) -> Jinja2Templates:
    settings, pages = services.settings, services.pages

    def viewer_context(request: Request) -> dict[str, Any]:
        # Runs before every render: the signed-in user, their votes, their collections (the
        # cards' Save form) and their marks (Not interested, Mine), so templates never query.
        # Anonymous renders query nothing and carry nothing personal, which keeps those pages
        # cacheable. Its own key, because a context processor's values override the route's
        # and pages pass other people's "collections".
        me = sessions.viewer(request)
        marks = services.signals.marks(me, ("not_interested", "mine"))  # one query for both
        return {"me": me, "voted_ids": pages.voted_ids(me), "my_collections": pages.my_collections(me),
                "not_interested_ids": marks.get("not_interested", frozenset()),
                "mine_ids": marks.get("mine", frozenset())}

    templates = Jinja2Templates(directory=str(TEMPLATES_DIR), context_processors=[viewer_context])
    env = templates.env
    env.autoescape = True  # every template, whatever its suffix: titles may hold <script>
    env.filters.update(
        short_authors=lambda a: short_authors(tuple(a), settings.authors_shown),
        snippet=snippet,
        human_date=_human_date,
        # TeX spans as MathML, the rest escaped: the one safe way to show arXiv titles and abstracts.
        tex=lambda text: Markup(render_tex(str(text))),
        tex_links=lambda text: Markup(render_tex(str(text), links=True)),  # abstracts on the paper page
        tex_text=lambda text: tex_to_text(str(text)),
        summary=one_line_summary,
        category_name=lambda code: category_name(str(code)) or "",
        category_group=lambda code: category_group(str(code)),
        id_year=lambda arxiv_id: id_year(str(arxiv_id)),  # a paper without a date: the year of its id
        quantity=quantity,  # "1 upvote", "2 upvotes"
    )
    env.tests["tex"] = has_math  # a title with math is shown rendered rather than with search highlights
    env.filters.update(plot_filters())
    env.globals.update(
        site_name=settings.site_name,
        authors_shown=settings.authors_shown,
        names_shown=names_shown,
        describe_search=describe_search,  # a search feed's title, as the feed itself names it
        holds_name=holds_name,
        base_url=settings.base_url.rstrip("/"),
        abs_url=abs_url,
        pdf_url=pdf_url,
        comment_edit_minutes=settings.comment_edit_minutes,
        fetches_papers=not settings.ingest_offline,  # offline, no page offers to fetch a paper from arXiv
        csrf_input=csrf.csrf_input,
        csrf_token=csrf.csrf_token,
        placeholder_hue=placeholder_hue,
        # What a card shows of the paper alone, rendered once per paper (web/cards.py).
        card_parts=CardFragments(env, services.thumbnails.url),
    )
    return templates

"""Author and category pages: ``/authors/{name}`` and ``/categories/{category}``.

An author is addressed by any spelling of their name (case, Unicode form and spacing are
folded), so every author link on the site can use the name as the paper spells it. Both
pages are the same for every signed-out visitor and are kept by the page cache.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from papertide.domain.arxiv_categories import (
    canonical_category,
    category_name,
    is_listed_category,
    unknown_category_message,
)
from papertide.web.deps import BrowseDep, SignalsDep, TemplatesDep
from papertide.web.sessions import ViewerDep

router = APIRouter()
PageNumber = Annotated[int, Query(ge=0, le=10_000)]  # ?p= list page, from 0


def _not_found(request: Request, templates: TemplatesDep, title: str, message: str) -> Response:
    return templates.TemplateResponse(request, "error.html", {"title": title, "message": message}, status_code=404)


@router.get("/authors/{name:path}", response_class=HTMLResponse)
def author_page(name: str, request: Request, templates: TemplatesDep, browse: BrowseDep, signals: SignalsDep,
                viewer: ViewerDep, p: PageNumber = 0):
    """An author's papers here, newest first, and the people they write with most."""
    if name.endswith("/") and name.rstrip("/"):
        # The path parameter takes the slash that every other page's address drops with a redirect.
        return RedirectResponse(request.url.replace(path=f"/authors/{quote(name.rstrip('/'), safe='')}"), status_code=308)
    page = browse.author(name, p)
    if page is None:
        return _not_found(request, templates, "No such author", f"No paper here lists the author {name[:200]!r}.")
    follow_id = signals.follow_id(viewer, "author", page.name)
    return templates.TemplateResponse(request, "browse/author.html", {"author": page, "follow_id": follow_id})


@router.get("/categories", response_class=HTMLResponse)
def categories_index(request: Request, templates: TemplatesDep, browse: BrowseDep):
    """Every category this instance holds, grouped as arXiv groups them, with paper counts."""
    groups = browse.categories()
    total = sum(len(held) for _, held in groups)
    return templates.TemplateResponse(request, "browse/categories.html", {"groups": groups, "total": total})


@router.get("/categories/{category}", response_class=HTMLResponse)
def category_page(category: str, request: Request, templates: TemplatesDep, browse: BrowseDep, signals: SignalsDep,
                  viewer: ViewerDep, p: PageNumber = 0):
    """What trends in a category now, then its newest papers."""
    canonical = canonical_category(category)
    if canonical != category and is_listed_category(canonical):  # /categories/cs.lg is cs.LG's page
        return RedirectResponse(request.url.replace(path=f"/categories/{canonical}"), status_code=308)
    page = browse.category(category, p)
    if page is None:
        if is_listed_category(category):
            message = f"We hold no papers in {category} ({category_name(category)}) yet."
        else:
            message = unknown_category_message(category)
        return _not_found(request, templates, "No such category", message)
    follow_id = signals.follow_id(viewer, "category", page.category)
    return templates.TemplateResponse(request, "browse/category.html", {"cat": page, "follow_id": follow_id})

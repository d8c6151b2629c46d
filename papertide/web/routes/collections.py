"""Collections: create, view, rename/publish, add/remove/reorder papers, export BibTeX/CSV.

``/export?ids=…&format=bibtex|csv`` exports any list of papers, e.g. a search result.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, BackgroundTasks, Form, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse

from papertide.community import NotFound
from papertide.domain.accounts import InvalidInput
from papertide.domain.collections import parse_export_ids, to_bibtex, to_csv
from papertide.domain.papers import InvalidArxivId, Paper, parse_arxiv_id
from papertide.web.csrf import CsrfDep
from papertide.web.deps import CommunityDep, TemplatesDep
from papertide.web.params import is_on
from papertide.web.ratelimit import enforce
from papertide.web.responses import back_to_paper, error_page, safe_next, sign_in_redirect
from papertide.web.sessions import ViewerDep
from papertide.web.training import retrain_after

router = APIRouter(dependencies=[CsrfDep])
FORMATS = {"bibtex": ("application/x-bibtex; charset=utf-8", "bib"), "csv": ("text/csv; charset=utf-8", "csv")}


def _paper_id(raw: str) -> str:
    """The arXiv id a form names, as stored (``arXiv:2405.12345v2`` is 2405.12345); NotFound otherwise."""
    try:
        return parse_arxiv_id(raw).id
    except InvalidArxivId:
        raise NotFound(raw[:64]) from None


def _export(papers: list[Paper], fmt: str, filename: str) -> PlainTextResponse:
    if fmt not in FORMATS:
        raise InvalidInput("Export format must be bibtex or csv.")
    media, ext = FORMATS[fmt]
    body = to_bibtex(papers) if fmt == "bibtex" else to_csv(papers)
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", filename).strip("-")[:60] or "papers"
    return PlainTextResponse(body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{safe}.{ext}"'})


@router.get("/collections", response_class=HTMLResponse)
def my_collections(request: Request, community: CommunityDep, templates: TemplatesDep, viewer: ViewerDep):
    if viewer is None:
        return sign_in_redirect(request, "/collections")
    return templates.TemplateResponse(
        request, "community/collections.html", {"collections": community.reading_lists.mine(viewer)}
    )


@router.post("/collections")
def create(
    request: Request, community: CommunityDep, viewer: ViewerDep, background: BackgroundTasks, name: str = Form(""),
    public: str = Form(""), arxiv_id: str = Form(""),
):
    if viewer is None:
        return sign_in_redirect(request, "/collections")
    enforce(request, "collection", viewer)
    first = _paper_id(arxiv_id) if arxiv_id.strip() else None
    new_uuid = community.reading_lists.create(viewer, name, is_on(public), first)
    if first:
        retrain_after(request, background, viewer)  # a save is a signal
        return RedirectResponse(back_to_paper(request, first), status_code=303)
    return RedirectResponse(f"/collections/{new_uuid}", status_code=303)


@router.get("/collections/{collection_uuid}", response_class=HTMLResponse)
def view(request: Request, community: CommunityDep, templates: TemplatesDep, collection_uuid: str, viewer: ViewerDep):
    collection, papers = community.reading_lists.view(viewer, collection_uuid[:40])
    return templates.TemplateResponse(
        request, "community/collection.html",
        {"collection": collection, "papers": papers, "is_owner": viewer is not None and viewer.id == collection.owner_id},
    )


@router.get("/collections/{collection_uuid}/export")
def export_collection(request: Request, community: CommunityDep, collection_uuid: str, viewer: ViewerDep, format: str = "bibtex"):
    collection, papers = community.reading_lists.view(viewer, collection_uuid[:40])
    return _export(papers, format, collection.name)


@router.post("/collections/{collection_uuid}/edit")
def edit(
    request: Request, community: CommunityDep, collection_uuid: str, viewer: ViewerDep, name: str = Form(""),
    public: str = Form(""),
):
    community.reading_lists.update(viewer, collection_uuid[:40], name, is_on(public))
    return RedirectResponse(f"/collections/{collection_uuid[:40]}", status_code=303)


@router.post("/collections/{collection_uuid}/delete")
def delete(request: Request, community: CommunityDep, collection_uuid: str, viewer: ViewerDep):
    community.reading_lists.delete(viewer, collection_uuid[:40])
    return RedirectResponse("/collections", status_code=303)


@router.post("/collections/{collection_uuid}/items")
def items(
    request: Request, community: CommunityDep, collection_uuid: str, viewer: ViewerDep, background: BackgroundTasks,
    arxiv_id: str = Form(""), action: str = Form("add"), next: str = Form(""),
):
    """add | remove | up | down one paper."""
    if viewer is None:
        return sign_in_redirect(request)
    lists = community.reading_lists
    cid, aid = collection_uuid[:40], _paper_id(arxiv_id)
    if action == "add":
        lists.add(viewer, cid, aid)
        retrain_after(request, background, viewer)
    elif action == "remove":
        lists.remove(viewer, cid, aid)
        retrain_after(request, background, viewer)
    elif action in ("up", "down"):
        lists.move(viewer, cid, aid, action)
    else:
        raise InvalidInput("Unknown collection action.")
    return RedirectResponse(safe_next(next, f"/collections/{cid}"), status_code=303)


@router.get("/export")
def export_ids(request: Request, community: CommunityDep, ids: str = Query("", max_length=20_000), format: str = "bibtex"):
    """Export papers by id (comma or space separated), e.g. a search result page's ids."""
    if format not in FORMATS:  # before the ids: the answer to a wrong format does not depend on them
        raise InvalidInput("Export format must be bibtex or csv.")
    wanted = parse_export_ids(ids)
    papers = community.reading_lists.papers(wanted)
    if not papers:  # an empty file would look like a successful export
        named = ", ".join(wanted[:5]) + (" …" if len(wanted) > 5 else "")
        return error_page(request, "Nothing to export", f"None of these papers is here: {named}.", 404)
    return _export(papers, format, "papers")


@router.post("/collections/save")
def save(request: Request, community: CommunityDep, viewer: ViewerDep, background: BackgroundTasks,
         collection: str = Form(""), arxiv_id: str = Form("")):
    """The "Save" form of the paper page and of cards: add the paper to the chosen collection."""
    if viewer is None:
        return sign_in_redirect(request)
    aid = _paper_id(arxiv_id)
    community.reading_lists.add(viewer, collection[:40], aid)
    retrain_after(request, background, viewer)
    return RedirectResponse(back_to_paper(request, aid), status_code=303)

"""Collections: create, view, rename/publish, add/remove/reorder papers, fill one from a file or
a pasted list (``/collections/{uuid}/import``), export BibTeX/CSV.

``/export?ids=…&format=bibtex|csv`` exports any list of papers, e.g. a search result.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from papertide.community import NotFound
from papertide.domain import permissions
from papertide.domain.accounts import InvalidInput, User
from papertide.domain.collections import COLLECTION_PAGE_SIZE, MAX_COLLECTION_PAPERS, parse_export_ids, to_bibtex, to_csv
from papertide.domain.papers import InvalidArxivId, Paper, parse_arxiv_id
from papertide.recs.library_entries import LibraryError
from papertide.recs.signals import FETCH_AFTER_IMPORT
from papertide.web.csrf import CsrfDep
from papertide.web.deps import CommunityDep, TemplatesDep, services_of, templates_of
from papertide.web.params import is_on, switch
from papertide.web.ratelimit import enforce
from papertide.web.responses import attachment, back_to_paper, done_redirect, error_page, safe_next, sign_in_redirect
from papertide.web.sessions import ViewerDep
from papertide.web.training import retrain_after
from papertide.web.uploads import MAX_ECHOED_CHARS, file_chosen, import_echo, reading_list

router = APIRouter(dependencies=[CsrfDep])
PageNumber = Annotated[int, Query(ge=0, le=MAX_COLLECTION_PAPERS // COLLECTION_PAGE_SIZE)]  # ?p= page, from 0
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
    return PlainTextResponse(body, media_type=media, headers={"Content-Disposition": attachment(filename, ext)})


@router.get("/collections", response_class=HTMLResponse)
def my_collections(request: Request, community: CommunityDep, templates: TemplatesDep, viewer: ViewerDep):
    if viewer is None:
        return sign_in_redirect(request, "/collections")
    return templates.TemplateResponse(
        request, "community/collections.html", {"collections": community.reading_lists.mine(viewer)}
    )


@router.post("/collections")
async def create(
    request: Request, community: CommunityDep, viewer: ViewerDep, background: BackgroundTasks, name: str = Form(""),
    public: str = Form(""), arxiv_id: str = Form(""), file: UploadFile | None = None, ids: str = Form(""),
):
    """A new collection: empty, holding the paper a paper page's form names, or filled from a file or pasted list."""
    if viewer is None:
        return sign_in_redirect(request, "/collections")
    enforce(request, "collection", viewer)
    first = _paper_id(arxiv_id) if arxiv_id.strip() else None
    fill = first is None and (file_chosen(file) or bool(ids.strip()))
    if fill:  # before creating: a refused import must not leave an empty collection behind
        enforce(request, "collection-import", viewer)
    # An async route (it may read an upload): the write goes to a thread, as a plain route's would.
    try:
        new_uuid = await run_in_threadpool(community.reading_lists.create, viewer, name, is_on(public), first)
    except InvalidInput as exc:
        if first:  # the paper page's "new collection": its error page names the collection that is full
            raise
        # The form again with what was typed and pasted, and the reason beside the name.
        return templates_of(request).TemplateResponse(request, "community/collections.html", {
            "collections": community.reading_lists.mine(viewer), "name_error": str(exc), "name_value": name[:100],
            "public_value": is_on(public), "ids_value": ids[:MAX_ECHOED_CHARS],
        }, status_code=400)
    if first:
        retrain_after(request, background, viewer)  # a save is a signal
        return RedirectResponse(back_to_paper(request, first), status_code=303)
    if fill:
        return await _import(request, viewer, background, new_uuid, file, ids)
    return RedirectResponse(f"/collections/{new_uuid}", status_code=303)


def _page(request: Request, viewer: User | None, collection_uuid: str, status: int = 200, page: int = 0,
          **ctx) -> Response:  # type: ignore[no-untyped-def]
    lists = services_of(request).community.reading_lists
    offset = page * COLLECTION_PAGE_SIZE
    collection, papers = lists.view(viewer, collection_uuid, COLLECTION_PAGE_SIZE, offset)
    return templates_of(request).TemplateResponse(
        request, "community/collection.html",
        {"collection": collection, "papers": papers, "is_owner": viewer is not None and viewer.id == collection.owner_id,
         "can_moderate": permissions.can_moderate(viewer), "max_papers": lists.max_papers, "page": page, "offset": offset,
         "has_more": offset + len(papers) < collection.size, **ctx},
        status_code=status,
    )


async def _import(request: Request, viewer: User, background: BackgroundTasks, collection_uuid: str,
                  file: UploadFile | None, ids: str) -> Response:
    """Add a reading list's papers to the viewer's collection; its page shows what became of each entry."""
    services = services_of(request)
    try:
        filename, data = await reading_list(file, ids)
        # Reading a 5 MB BibTeX file takes a while: off the event loop, so other pages keep answering.
        report = await run_in_threadpool(services.community.reading_lists.import_papers, viewer, collection_uuid,
                                         filename, data)
    except (LibraryError, InvalidInput) as exc:
        return await run_in_threadpool(_page, request, viewer, collection_uuid, 400, import_error=str(exc),
                                       **import_echo(file, ids))
    if report.pending:  # the first few now, after the response; the recs.fetch_pending job does the rest
        background.add_task(services.signals.fetch_pending, user_id=viewer.id, limit=FETCH_AFTER_IMPORT)
    if report.matched:
        retrain_after(request, background, viewer)  # saves are signals
    return await run_in_threadpool(_page, request, viewer, collection_uuid, report=report)


@router.get("/collections/{collection_uuid}", response_class=HTMLResponse)
def view(request: Request, collection_uuid: str, viewer: ViewerDep, p: PageNumber = 0):
    """A collection, a page of its papers at a time (``?p=``, from 0)."""
    return _page(request, viewer, collection_uuid[:40], page=p)


@router.post("/collections/{collection_uuid}/import", response_class=HTMLResponse)
async def import_papers(request: Request, collection_uuid: str, viewer: ViewerDep, background: BackgroundTasks,
                        file: UploadFile | None = None, ids: str = Form("")):
    """Add the papers of a BibTeX, RIS, CSL-JSON or CSV file, or of pasted ids and links (owner only)."""
    if viewer is None:
        return sign_in_redirect(request, f"/collections/{collection_uuid[:40]}")
    enforce(request, "collection-import", viewer)
    return await _import(request, viewer, background, collection_uuid[:40], file, ids)


@router.get("/collections/{collection_uuid}/export")
def export_collection(request: Request, community: CommunityDep, collection_uuid: str, viewer: ViewerDep, format: str = "bibtex"):
    collection, papers = community.reading_lists.view(viewer, collection_uuid[:40])
    return _export(papers, format, collection.name)


@router.post("/collections/{collection_uuid}/edit")
def edit(
    request: Request, community: CommunityDep, collection_uuid: str, viewer: ViewerDep, name: str = Form(""),
    public: str = Form(""),
):
    try:
        community.reading_lists.update(viewer, collection_uuid[:40], name, is_on(public))
    except InvalidInput as exc:  # the page again, with the name as typed and the reason beside it
        return _page(request, viewer, collection_uuid[:40], 400, rename_error=str(exc), rename_value=name[:100],
                     rename_public=is_on(public))
    return RedirectResponse(f"/collections/{collection_uuid[:40]}", status_code=303)


@router.post("/collections/{collection_uuid}/hide")
def hide(request: Request, community: CommunityDep, collection_uuid: str, viewer: ViewerDep, hidden: str = Form("1"),
         reason: str = Form("")):
    """Curators and admins: hide a public collection from everyone but its owner and moderators
    (hidden=1, with the reason its owner reads), or show it again (hidden=0)."""
    cid = collection_uuid[:40]
    if viewer is None:
        return sign_in_redirect(request, f"/collections/{cid}")
    hide_it = switch(hidden, "hidden")
    try:
        community.reading_lists.set_hidden(viewer, cid, hide_it, reason)
    except InvalidInput as exc:  # no reason given: the page again, the reason field saying so
        return _page(request, viewer, cid, 400, hide_error=str(exc), hide_value=reason[:500])
    return done_redirect(f"/collections/{cid}#moderation", "collection-hidden" if hide_it else "collection-shown")


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

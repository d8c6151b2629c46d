"""What members tell the recommender, and their data: "Not interested" (htmx swaps the button for
Undo; without JS a POST that redirects back), "This is my paper", follows, library imports,
pause and reset on /me/interests, "Download my data" and "Delete my account".

Every route here needs a signed-in member: anyone else is sent to sign in and comes back.
"""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from papertide.domain.accounts import InvalidInput, User
from papertide.domain.papers import InvalidArxivId, parse_arxiv_id
from papertide.domain.votes import parse_wanted
from papertide.recs.library_entries import LibraryError
from papertide.recs.signals import FETCH_AFTER_IMPORT, UnknownPaper
from papertide.web.csrf import CsrfDep
from papertide.web.deps import SignalsDep, TemplatesDep, services_of, templates_of
from papertide.web.params import ROW_ID_MAX, is_on
from papertide.web.responses import back_to_paper, came_from, is_htmx, safe_next, sign_in_redirect
from papertide.web.sessions import ViewerDep, clear_session_cookie, session_token
from papertide.web.training import retrain_after
from papertide.web.uploads import import_echo, reading_list

router = APIRouter(dependencies=[CsrfDep])
INTERESTS = "/me/interests"


def _arxiv_id(raw: str) -> str:
    try:
        return parse_arxiv_id(raw).id
    except InvalidArxivId:
        raise UnknownPaper(raw[:64]) from None


def _back(request: Request, next_path: str, default: str) -> RedirectResponse:
    return RedirectResponse(safe_next(next_path, came_from(request, default)), status_code=303)


def _page(request: Request, viewer: User, status: int = 200, **ctx) -> Response:  # type: ignore[no-untyped-def]
    page = services_of(request).signals.interests(viewer)
    return templates_of(request).TemplateResponse(request, "recs/interests.html", {"page": page, **ctx},
                                                  status_code=status)


# -- marks on a paper ------------------------------------------------------------------------------


def _not_interested(request: Request, signals: SignalsDep, templates: TemplatesDep, viewer: User | None,
                    raw_id: str, on: bool, next_path: str, background: BackgroundTasks) -> Response:
    if viewer is None:
        return sign_in_redirect(request)
    arxiv_id = _arxiv_id(raw_id)
    changed = signals.not_interested(viewer, arxiv_id) if on else signals.undo_not_interested(viewer, arxiv_id)
    if changed:
        retrain_after(request, background, viewer)
    if is_htmx(request):
        return templates.TemplateResponse(request, "recs/_not_interested.html", {
            "arxiv_id": arxiv_id, "ni_hidden": on, "ni_swapped": True, "back_to": safe_next(next_path, "/"),
        })
    return RedirectResponse(back_to_paper(request, arxiv_id, next_path), status_code=303)


@router.post("/papers/{raw_id:path}/not-interested/undo")
def undo_not_interested(request: Request, signals: SignalsDep, templates: TemplatesDep, viewer: ViewerDep,
                        background: BackgroundTasks, raw_id: str, next: str = Form("")):
    """Show the paper in the viewer's recommendations again."""
    return _not_interested(request, signals, templates, viewer, raw_id, False, next, background)


@router.post("/papers/{raw_id:path}/not-interested")
def not_interested(request: Request, signals: SignalsDep, templates: TemplatesDep, viewer: ViewerDep,
                   background: BackgroundTasks, raw_id: str, next: str = Form("")):
    """Keep the paper out of the viewer's recommendations (one click; Undo takes it back)."""
    return _not_interested(request, signals, templates, viewer, raw_id, True, next, background)


@router.post("/papers/{raw_id:path}/mine")
def mark_mine(request: Request, signals: SignalsDep, viewer: ViewerDep, background: BackgroundTasks, raw_id: str,
              state: str = Form("on")):
    """Mark (``state=on``) or unmark (``off``) a paper as one the viewer wrote."""
    if viewer is None:
        return sign_in_redirect(request)
    arxiv_id = _arxiv_id(raw_id)
    try:
        wanted = parse_wanted(state)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    if wanted is False:
        signals.unmark(viewer, arxiv_id, "mine")
    else:
        signals.mark_mine(viewer, arxiv_id)
    retrain_after(request, background, viewer)
    return RedirectResponse(f"/papers/{arxiv_id}", status_code=303)


# -- /me/interests ---------------------------------------------------------------------------------


@router.get(INTERESTS, response_class=HTMLResponse)
def interests(request: Request, viewer: ViewerDep):
    """Everything that shapes the viewer's recommendations, to see and edit."""
    if viewer is None:
        return sign_in_redirect(request, INTERESTS)
    return _page(request, viewer)


@router.post(f"{INTERESTS}/follow")
def follow(request: Request, signals: SignalsDep, viewer: ViewerDep, background: BackgroundTasks, kind: str = Form(""),
           value: str = Form(""), next: str = Form("")):
    if viewer is None:
        return sign_in_redirect(request)
    try:
        signals.follow(viewer, kind, value)
    except InvalidInput as exc:
        return _page(request, viewer, 400, follow_error=str(exc), follow_kind=kind[:20], follow_value=value[:200])
    retrain_after(request, background, viewer)
    return _back(request, next, INTERESTS)


@router.post(f"{INTERESTS}/unfollow")
def unfollow(request: Request, signals: SignalsDep, viewer: ViewerDep, background: BackgroundTasks,
             follow_id: int = Form(0, ge=0, le=ROW_ID_MAX), next: str = Form("")):
    if viewer is None:
        return sign_in_redirect(request)
    if signals.unfollow(viewer, follow_id):
        retrain_after(request, background, viewer)
    return _back(request, next, INTERESTS)


@router.post(f"{INTERESTS}/import", response_class=HTMLResponse)
async def import_library(request: Request, signals: SignalsDep, viewer: ViewerDep, background: BackgroundTasks,
                         file: UploadFile | None = None, ids: str = Form(""), mine: str = Form("")):
    """Import a BibTeX, RIS or CSL-JSON file or pasted ids; the page shows what became of each entry."""
    if viewer is None:
        return sign_in_redirect(request, INTERESTS)
    try:
        filename, data = await reading_list(file, ids)
        # Reading a 5 MB BibTeX file takes most of a second: off the event loop, so other pages
        # keep answering (an async route's plain calls would run on it).
        report = await run_in_threadpool(signals.import_library, viewer, filename, data, mine=is_on(mine))
    except (LibraryError, InvalidInput) as exc:
        return await run_in_threadpool(_page, request, viewer, 400, import_error=str(exc), **import_echo(file, ids),
                                       import_mine=is_on(mine))
    if report.pending:  # the first few now, after the response; the recs.fetch_pending job does the rest
        background.add_task(signals.fetch_pending, user_id=viewer.id, limit=FETCH_AFTER_IMPORT)
    retrain_after(request, background, viewer)  # after the fetch, so what it settled counts too
    return await run_in_threadpool(_page, request, viewer, report=report)


@router.post(f"{INTERESTS}/remove")
def remove(request: Request, signals: SignalsDep, viewer: ViewerDep, background: BackgroundTasks,
           arxiv_id: str = Form(""), kind: str = Form(""), pending_id: int = Form(0, ge=0, le=ROW_ID_MAX)):
    """Take one imported / mine / not-interested paper, or one id waiting for arXiv, off the profile."""
    if viewer is None:
        return sign_in_redirect(request, INTERESTS)
    if pending_id:
        signals.remove_pending(viewer, pending_id)
    else:
        try:
            if signals.unmark(viewer, _arxiv_id(arxiv_id), kind):
                retrain_after(request, background, viewer)
        except UnknownPaper:
            pass  # already gone: the page shows the truth
    return RedirectResponse(INTERESTS, status_code=303)


@router.post(f"{INTERESTS}/pause")
def pause(request: Request, signals: SignalsDep, viewer: ViewerDep, background: BackgroundTasks, paused: str = Form("1")):
    if viewer is None:
        return sign_in_redirect(request, INTERESTS)
    signals.set_paused(viewer, is_on(paused))
    retrain_after(request, background, viewer)  # resuming catches up on what changed meanwhile
    return RedirectResponse(INTERESTS, status_code=303)


@router.post(f"{INTERESTS}/reset")
def reset(request: Request, signals: SignalsDep, viewer: ViewerDep, background: BackgroundTasks):
    if viewer is None:
        return sign_in_redirect(request, INTERESTS)
    signals.reset(viewer)
    retrain_after(request, background, viewer)
    return RedirectResponse(INTERESTS, status_code=303)


# -- my data ---------------------------------------------------------------------------------------


@router.get("/me/data.json")
def my_data(request: Request, signals: SignalsDep, viewer: ViewerDep):
    """Everything the instance holds about the viewer, as a JSON download."""
    if viewer is None:
        return sign_in_redirect(request, INTERESTS)
    return JSONResponse(signals.export(viewer), headers={
        "Content-Disposition": 'attachment; filename="papertide-my-data.json"', "Cache-Control": "no-store",
    })


@router.post("/me/delete")
def delete_account(request: Request, signals: SignalsDep, viewer: ViewerDep, email: str = Form("")):
    """Delete the viewer's account once they typed its email address."""
    if viewer is None:
        return sign_in_redirect(request, INTERESTS)
    try:
        signals.delete_account(viewer, email)
    except InvalidInput as exc:
        return _page(request, viewer, 400, delete_error=str(exc))
    response = RedirectResponse("/?account=deleted", status_code=303)
    if session_token(request):
        clear_session_cookie(response)
    return response

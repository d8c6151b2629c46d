"""/admin/ingest: recorded ingest runs and harvest checkpoints (issue 3).

Guard: accounts have no roles yet (issue 5 adds them), so until then this page needs
``PAPERTIDE_ADMIN_TOKEN`` (header ``X-Admin-Token`` or ``?token=``) and is open without
a token only in dev mode. Signed-in admins (issue 5 roles) always get in; the admin token stays
for scripts and monitoring that have no session.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from papertide.domain.permissions import can_administer
from papertide.ingest.service import IngestService
from papertide.web.deps import SettingsDep, TemplatesDep
from papertide.web.sessions import viewer

router = APIRouter()
RUNS_SHOWN = 100  # most recent runs on the page


def _require_admin(
    request: Request, settings: SettingsDep, header_token: str | None, query_token: str | None
) -> None:
    if can_administer(viewer(request)):
        return
    given = header_token or query_token or ""
    if settings.admin_token:
        if not hmac.compare_digest(given.encode(), settings.admin_token.encode()):
            raise HTTPException(status_code=403, detail="This page needs the admin token (X-Admin-Token).")
    elif not settings.dev_mode:
        # No token configured outside dev mode: the page does not exist for non-admins.
        raise HTTPException(status_code=404, detail="Not found")
    else:
        raise HTTPException(status_code=403, detail="Sign in as an admin to see ingest runs.")


def _service(request: Request) -> IngestService:
    state = request.app.state
    if getattr(state, "ingest", None) is None:
        state.ingest = IngestService(state.db, state.settings)
    return state.ingest


@router.get("/admin/ingest", response_class=HTMLResponse)
def admin_ingest(
    request: Request,
    settings: SettingsDep,
    templates: TemplatesDep,
    x_admin_token: Annotated[str | None, Header()] = None,
    token: Annotated[str | None, Query()] = None,
) -> HTMLResponse:
    _require_admin(request, settings, x_admin_token, token)
    service = _service(request)
    return templates.TemplateResponse(
        request, "admin/ingest.html",
        {"runs": service.runs(RUNS_SHOWN), "checkpoints": service.checkpoints(),
         "sources": settings.ingest_sources, "sets": settings.ingest_oai_sets},
    )

"""/admin/ingest and /admin/jobs: recorded ingest runs, harvest checkpoints, scheduled jobs.

Signed-in admins always get in. ``PAPERTIDE_ADMIN_TOKEN`` (header ``X-Admin-Token`` or
``?token=``) stays beside the roles on purpose: uptime and harvest monitors poll this page
with no browser session and no account, and a shared secret in their config is what they
can hold. Without a token the page answers only admins (and, in dev mode, says so).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request
from fastapi.responses import HTMLResponse

from papertide.domain.permissions import can_administer
from papertide.web.deps import IngestDep, ServicesDep, SettingsDep, TemplatesDep
from papertide.web.security import same_secret
from papertide.web.sessions import viewer

RUNS_SHOWN = 100  # most recent runs on the page


def _require_admin(
    request: Request,
    settings: SettingsDep,
    x_admin_token: Annotated[str | None, Header()] = None,
    token: Annotated[str | None, Query()] = None,
) -> None:
    if can_administer(viewer(request)):
        return
    given = x_admin_token or token or ""
    if settings.admin_token:
        if not same_secret(given, settings.admin_token):
            raise HTTPException(status_code=403, detail="This page needs the admin token (X-Admin-Token).")
    elif not settings.dev_mode:
        # No token configured outside dev mode: the page does not exist for non-admins.
        raise HTTPException(status_code=404, detail="Not found")
    else:
        raise HTTPException(status_code=403, detail="Sign in as an admin to see this page.")


router = APIRouter(dependencies=[Depends(_require_admin)])


@router.get("/admin/ingest", response_class=HTMLResponse)
def admin_ingest(request: Request, settings: SettingsDep, templates: TemplatesDep, service: IngestDep) -> HTMLResponse:
    return templates.TemplateResponse(
        request, "admin/ingest.html",
        {"runs": service.runs(RUNS_SHOWN), "checkpoints": service.checkpoints(),
         "sources": settings.ingest_sources, "sets": settings.ingest_oai_sets},
    )


@router.get("/admin/jobs", response_class=HTMLResponse)
def admin_jobs(request: Request, templates: TemplatesDep, services: ServicesDep) -> HTMLResponse:
    now = datetime.now(UTC)
    return templates.TemplateResponse(request, "admin/jobs.html", {"jobs": services.jobs.status(now), "now": now})

"""/for-you: new papers ranked for the signed-in member, over a window of publication dates.

Signed-in pages are never stored by the shared cache (the session cookie bypasses it) and get
``Cache-Control: private, no-store`` from the security headers middleware.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from papertide.domain.accounts import InvalidInput
from papertide.domain.rec_windows import DEFAULT_WINDOW, MAX_CUSTOM_DAYS, WINDOW_LABELS, named_window, parse_window
from papertide.web.csrf import CsrfDep
from papertide.web.deps import RecPagesDep, TemplatesDep
from papertide.web.responses import sign_in_redirect
from papertide.web.sessions import ViewerDep

router = APIRouter(dependencies=[CsrfDep])
FOR_YOU = "/for-you"


@router.get(FOR_YOU, response_class=HTMLResponse)
def for_you(
    request: Request, pages: RecPagesDep, templates: TemplatesDep, viewer: ViewerDep,
    window: Annotated[str, Query(max_length=20)] = DEFAULT_WINDOW,
    start: Annotated[str, Query(alias="from", max_length=20)] = "",
    end: Annotated[str, Query(alias="to", max_length=20)] = "",
):
    """New papers ranked for the viewer: today, this week (default), this month or custom dates."""
    if viewer is None:
        return sign_in_redirect(request, FOR_YOU)
    today = datetime.now(UTC).date()
    status, error = 200, ""
    try:
        chosen = parse_window(window, start, end, today)
    except InvalidInput as exc:
        status, error, chosen = 400, str(exc), named_window(DEFAULT_WINDOW, today)
    page = pages.for_you(viewer, chosen)
    return templates.TemplateResponse(request, "recs/for_you.html", {
        "page": page, "labels": WINDOW_LABELS, "window_error": error, "max_custom_days": MAX_CUSTOM_DAYS,
        "custom_from": start[:20] or chosen.first.isoformat(), "custom_to": end[:20] or chosen.last.isoformat(),
    }, status_code=status)

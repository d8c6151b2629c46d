"""``/thumbs/<stem>.webp``: card thumbnails rendered by the thumbnails job, with long cache headers.

A thumbnail changes only when someone deletes it and it is rendered again, so browsers and
proxies may keep it for a month; a missing one is a plain 404 (cards only link to
thumbnails that exist, and draw a placeholder otherwise). A browser revalidating its copy
(``If-None-Match`` with the ETag, or ``If-Modified-Since``) is answered ``304`` with no body.
"""

from __future__ import annotations

import os
from email.utils import parsedate_to_datetime

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response

from papertide.api.cache import NOT_MODIFIED_HEADERS, etag_matches
from papertide.web.deps import ServicesDep

router = APIRouter(include_in_schema=False)

THUMB_MAX_AGE_S = 30 * 24 * 3600  # browsers and proxies keep a thumbnail a month


@router.api_route("/thumbs/{stem}.webp", methods=["GET", "HEAD"])
def thumbnail(stem: str, request: Request, services: ServicesDep) -> Response:
    path = services.thumbnails.file_for_stem(stem)
    if path is None:
        raise HTTPException(404, "No thumbnail for this paper.")
    try:
        stat = os.stat(path)
    except FileNotFoundError:  # deleted since file_for_stem looked
        raise HTTPException(404, "No thumbnail for this paper.") from None
    # FileResponse sets ETag and Last-Modified from the stat but never answers a conditional request.
    response = FileResponse(path, media_type="image/webp", stat_result=stat, headers={
        "Cache-Control": f"public, max-age={THUMB_MAX_AGE_S}, stale-while-revalidate=86400"})
    if _not_modified(request, response.headers["etag"], stat.st_mtime):
        kept = {k: v for k, v in response.headers.items() if k.encode() in NOT_MODIFIED_HEADERS}
        return Response(status_code=304, headers=kept)
    return response


def _not_modified(request: Request, etag: str, mtime: float) -> bool:
    # RFC 9110 §13.2.2: If-None-Match decides when sent; If-Modified-Since only without it.
    if (if_none_match := request.headers.get("if-none-match")) is not None:
        return etag_matches(if_none_match, etag)
    if (if_modified_since := request.headers.get("if-modified-since")) is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since).timestamp()
    except (TypeError, ValueError, IndexError):
        return False
    # Last-Modified is the mtime's whole second, so that is what a client's date can be compared with.
    return int(mtime) <= since

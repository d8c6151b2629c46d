"""``/thumbs/<stem>.webp``: card thumbnails rendered by the thumbnails job, with long cache headers.

A thumbnail changes only when someone deletes it and it is rendered again, so browsers and
proxies may keep it for a month; a missing one is a plain 404 (cards only link to
thumbnails that exist, and draw a placeholder otherwise).
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

from papertide.web.deps import ServicesDep

router = APIRouter(include_in_schema=False)

THUMB_MAX_AGE_S = 30 * 24 * 3600  # browsers and proxies keep a thumbnail a month


@router.api_route("/thumbs/{stem}.webp", methods=["GET", "HEAD"])
def thumbnail(stem: str, services: ServicesDep) -> FileResponse:
    path = services.thumbnails.file_for_stem(stem)
    if path is None:
        raise HTTPException(404, "No thumbnail for this paper.")
    return FileResponse(path, media_type="image/webp",
                        headers={"Cache-Control": f"public, max-age={THUMB_MAX_AGE_S}, stale-while-revalidate=86400"})

"""robots.txt, the favicon, and the sitemap of paper pages (a sitemap index over id-range chunks)."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, PlainTextResponse, Response

from papertide.domain.feeds import clean_text
from papertide.web.deps import ApiDep, BaseUrlDep, services_of

router = APIRouter(include_in_schema=False)

XML = "application/xml; charset=utf-8"
STATIC_PAGES = ("/", "/trending", "/about")
FAVICON = Path(__file__).resolve().parents[1] / "static" / "favicon.svg"
FAVICON_MAX_AGE = 7 * 24 * 3600  # seconds; browsers ask for /favicon.ico on every site whatever the page links


def _base(request: Request) -> str:
    return services_of(request).settings.base_url.rstrip("/")


@router.get("/robots.txt")
def robots(request: Request, base_url: BaseUrlDep) -> PlainTextResponse:
    # Crawlers get the pages; the APIs and the (unbounded) search result space are for programs.
    lines = ["User-agent: *", "Disallow: /api/", "Disallow: /search", "Allow: /", f"Sitemap: {base_url}/sitemap.xml", ""]
    return PlainTextResponse("\n".join(lines))


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    # Every browser modern enough to run the site draws an SVG icon, whatever the path's suffix.
    return FileResponse(FAVICON, media_type="image/svg+xml",
                        headers={"Cache-Control": f"public, max-age={FAVICON_MAX_AGE}"})


@router.get("/sitemap.xml")
def sitemap_index(request: Request, base_url: BaseUrlDep, api: ApiDep) -> Response:
    base = base_url
    service = api
    locs = [f"{base}/sitemaps/pages.xml"] + [f"{base}/sitemaps/papers-{n}.xml" for n in range(service.sitemap_count())]
    body = "".join(f"<sitemap><loc>{escape(u)}</loc></sitemap>" for u in locs)
    return Response(
    f'<?xml version="1.0" encoding="utf-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</sitemapindex>\n',
        media_type=XML,
    )


def _urlset(urls: list[tuple[str, str | None]]) -> Response:
    body = "".join(
        f"<url><loc>{escape(clean_text(u))}</loc>{f'<lastmod>{m}</lastmod>' if m else ''}</url>" for u, m in urls
    )
    return Response(
        f'<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>\n',
        media_type=XML,
    )


@router.get("/sitemaps/pages.xml")
def sitemap_pages(request: Request, base_url: BaseUrlDep) -> Response:
    base = base_url
    return _urlset([(base + path, None) for path in STATIC_PAGES])


@router.get("/sitemaps/papers-{n}.xml")
def sitemap_papers(n: str, request: Request, base_url: BaseUrlDep, api: ApiDep) -> Response:
    service = api
    if not n.isdigit() or int(n) >= service.sitemap_count():
        raise HTTPException(404, "no such sitemap")
    base = base_url
    return _urlset([(f"{base}/papers/{aid}", d.isoformat() if d else None) for aid, d in service.sitemap_chunk(int(n))])

"""robots.txt, the favicon, the OpenSearch description, and the sitemap of paper pages (a sitemap
index over id-range chunks)."""

from __future__ import annotations

import re
from pathlib import Path
from xml.sax.saxutils import escape

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse, PlainTextResponse, Response

from papertide.domain.feeds import clean_text
from papertide.web.deps import ApiDep, BaseUrlDep, SettingsDep

router = APIRouter(include_in_schema=False)

XML = "application/xml; charset=utf-8"
OPENSEARCH = "application/opensearchdescription+xml"
SHORT_NAME_MAX = 16  # characters, by the OpenSearch 1.1 description format
STATIC_PAGES = ("/", "/trending", "/categories", "/stats", "/about", "/feeds", "/search/help")
FAVICON = Path(__file__).resolve().parents[1] / "static" / "favicon.svg"
FAVICON_MAX_AGE = 7 * 24 * 3600  # seconds; browsers ask for /favicon.ico on every site whatever the page links


@router.get("/robots.txt")
def robots(base_url: BaseUrlDep) -> PlainTextResponse:
    # Crawlers get the pages; the APIs and the (unbounded) search result space are for programs.
    lines = ["User-agent: *", "Disallow: /api/", "Disallow: /search", "Allow: /", f"Sitemap: {base_url}/sitemap.xml", ""]
    return PlainTextResponse("\n".join(lines))


@router.get("/favicon.ico")
def favicon() -> FileResponse:
    # Every browser modern enough to run the site draws an SVG icon, whatever the path's suffix.
    return FileResponse(FAVICON, media_type="image/svg+xml",
                        headers={"Cache-Control": f"public, max-age={FAVICON_MAX_AGE}"})


@router.get("/opensearch.xml")
def opensearch(base_url: BaseUrlDep, settings: SettingsDep) -> Response:
    """Lets a browser add the site as a search engine, with titles suggested as one types."""
    name = escape(clean_text(settings.site_name)[:SHORT_NAME_MAX])
    base = escape(base_url)
    return Response(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">'
        f"<ShortName>{name}</ShortName><Description>Search the papers on {name}</Description>"
        "<InputEncoding>UTF-8</InputEncoding>"
        f'<Image type="image/svg+xml">{base}/static/favicon.svg</Image>'
        f'<Url type="text/html" method="get" template="{base}/search?q={{searchTerms}}"/>'
        f'<Url type="application/x-suggestions+json" method="get" template="{base}/search/suggest?q={{searchTerms}}"/>'
        f'<Url type="application/atom+xml" method="get" template="{base}/feeds/search.atom?q={{searchTerms}}"/>'
        f'<Url type="{OPENSEARCH}" rel="self" template="{base}/opensearch.xml"/>'
        "</OpenSearchDescription>\n",
        media_type=f"{OPENSEARCH}; charset=utf-8",
    )


@router.get("/sitemap.xml")
def sitemap_index(base_url: BaseUrlDep, api: ApiDep) -> Response:
    locs = [f"{base_url}/sitemaps/pages.xml"] + [f"{base_url}/sitemaps/papers-{n}.xml" for n in range(api.sitemap_count())]
    body = "".join(f"<sitemap><loc>{escape(u)}</loc></sitemap>" for u in locs)
    return Response(
        f'<?xml version="1.0" encoding="utf-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</sitemapindex>\n',
        media_type=XML,
    )


def _urlset(urls: list[tuple[str, str | None]], base_url: str) -> Response:
    # The protocol's schema wants at least one <url> in a <urlset>: a chunk with no papers (an
    # instance with none yet, or a range whose papers were all removed) lists the home page,
    # so crawlers that validate do not reject the file. Listing a URL twice is allowed.
    urls = urls or [(base_url + "/", None)]
    body = "".join(
        f"<url><loc>{escape(clean_text(u))}</loc>{f'<lastmod>{m}</lastmod>' if m else ''}</url>" for u, m in urls
    )
    return Response(
        f'<?xml version="1.0" encoding="utf-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>\n',
        media_type=XML,
    )


@router.get("/sitemaps/pages.xml")
def sitemap_pages(base_url: BaseUrlDep) -> Response:
    return _urlset([(base_url + path, None) for path in STATIC_PAGES], base_url)


@router.get("/sitemaps/papers-{n}.xml")
def sitemap_papers(n: str, base_url: BaseUrlDep, api: ApiDep) -> Response:
    # ASCII digits, no leading zero: str.isdigit() also takes "²", which int() refuses, and each
    # chunk has one address (the one the index lists).
    if not re.fullmatch(r"0|[1-9][0-9]{0,8}", n) or int(n) >= api.sitemap_count():
        raise HTTPException(404, "no such sitemap")
    papers = api.sitemap_chunk(int(n))
    return _urlset([(f"{base_url}/papers/{aid}", d.isoformat() if d else None) for aid, d in papers], base_url)

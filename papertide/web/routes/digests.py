"""Digest pages: the exact-HTML preview, the public archive of daily trending digests, its RSS."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from email.utils import format_datetime
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from papertide.domain.subscriptions import InvalidSubscription, parse_preferences
from papertide.email.tokens import InvalidToken
from papertide.web.deps import ArchiveDep, DigestsDep, SettingsDep, SubscriptionsDep, TemplatesDep
from papertide.web.responses import error_page

router = APIRouter()

# The preview is an email's HTML: inline styles (as mail clients need) and nothing else —
# no scripts, no forms, no framing. It replaces the site-wide policy for this response.
PREVIEW_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; "
               "form-action 'none'; frame-ancestors 'none'")


def _email_html(html: str) -> HTMLResponse:
    return HTMLResponse(html, headers={"content-security-policy": PREVIEW_CSP})


@router.get("/digest/preview", response_class=HTMLResponse)
def preview(request: Request, composer: DigestsDep, subscriptions: SubscriptionsDep, templates: TemplatesDep, token: str = ""):
    """``?token=<manage token>``: that subscriber's next digest. Otherwise the query string's
    preferences (``categories``, ``keywords``, ``authors``, ``trending``, ``max_papers``,
    ``frequency``) for someone with no history. The response is the email's HTML itself."""
    if token:
        try:
            sub = subscriptions.peek(token, ("manage",))
        except InvalidToken as exc:
            return templates.TemplateResponse(request, "error.html", {"title": "This link does not work",
                                                                      "message": str(exc)}, status_code=400)
        return _email_html(composer.preview_html(sub.prefs, sub))
    params = dict(request.query_params)
    params.setdefault("trending", "1" if not any(params.get(k) for k in ("categories", "keywords", "authors")) else "0")
    try:
        prefs = parse_preferences(params)
        subscriptions.check_categories(prefs)  # a typo would otherwise just drop its section
    except InvalidSubscription as exc:
        return templates.TemplateResponse(request, "error.html", {"title": "Bad preview", "message": str(exc)},
                                          status_code=400)
    return _email_html(composer.preview_html(prefs))


@router.get("/digests", response_class=HTMLResponse)
def archive(request: Request, templates: TemplatesDep, digest_archive: ArchiveDep):
    days = digest_archive.days(limit=120)
    return templates.TemplateResponse(request, "digests/archive.html", {"days": days})


@router.get("/digests/feed.xml")
def feed(request: Request, digest_archive: ArchiveDep, settings: SettingsDep) -> Response:
    base = settings.base_url.rstrip("/")
    issues = digest_archive.recent(limit=30)
    items = []
    for day, papers, created in issues:
        body = "".join(  # a paper with no authors gets no dangling " — "
            f'<p><a href="{escape(p["url"])}">{escape(p["title"])}</a>'
            f'{" — " + escape(p["authors"]) if p.get("authors") else ""} (▲ {p["upvotes"]})</p>'
            for p in papers
        )
        published = created if isinstance(created, datetime) else datetime.combine(day, time(), tzinfo=UTC)
        published = published if published.tzinfo else published.replace(tzinfo=UTC)
        items.append(
            f"<item><title>{escape(settings.site_name)} trending digest {day.isoformat()}</title>"
            f"<link>{base}/digests/{day.isoformat()}</link><guid isPermaLink=\"true\">{base}/digests/{day.isoformat()}</guid>"
            f"<pubDate>{format_datetime(published)}</pubDate><description>{escape(body)}</description></item>"
        )
    xml = (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>{escape(settings.site_name)} daily trending digest</title><link>{base}/digests</link>"
        f"<description>The most upvoted papers of each day on {escape(settings.site_name)}.</description>"
        + "".join(items) + "</channel></rss>"
    )
    return Response(xml, media_type="application/rss+xml")


@router.get("/digests/{day}", response_class=HTMLResponse)
def issue(day: str, request: Request, templates: TemplatesDep, digest_archive: ArchiveDep):
    # An error page of its own: the shared 404 page says "We have no paper <day> here".
    try:
        d = date.fromisoformat(day)
    except ValueError:
        return error_page(request, "No such digest", f"Not a date (expected YYYY-MM-DD): {day[:40]!r}. "
                                                     "All digests are listed at /digests.", 404)
    papers = digest_archive.issue(d)
    if papers is None:
        return error_page(request, "No such digest", f"No digest was sent for {d.isoformat()}. "
                                                     "All digests are listed at /digests.", 404)
    return templates.TemplateResponse(request, "digests/issue.html", {"day": d, "papers": papers})

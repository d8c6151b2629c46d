"""The REST API's OpenAPI document (/api/v1/openapi.json) and its docs page (/api/docs).

The docs page is rendered here from the same OpenAPI document, with no JavaScript or
CDN assets, so it works on an instance with no internet access.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from papertide import __version__
from papertide.web.deps import TemplatesDep, services_of

router = APIRouter(include_in_schema=False)

API_PREFIX = "/api/v1"
DESCRIPTION = """papertide's REST API. Read endpoints are public and need no token; send a personal
API token as `Authorization: Bearer pt_…` where an endpoint says so. Lists page with
opaque cursors: pass `next_cursor` back as `cursor` with the same path and parameters (a cursor
given to another list is a 400). `limit` is 1–100; other values are a 422.
Errors are `{"error": {"code": <HTTP status>, "message": "…"}}`. List responses carry an
`ETag`; send it back in `If-None-Match` for a `304 Not Modified`.

Tokens are created on your profile page (`/profile`, "API tokens") with the `read` or `write`
scope. Votes, comments and collection changes need a `write` token; a browser session cookie
alone is not accepted for them (401). They follow the site's rules: comment Markdown is
sanitised the same way, and rate limits answer 429 with `Retry-After`. Public reads are served
from a short-lived cache that any change to their data (a vote, a comment, a listing) drops at once.

The Hugging Face-compatible endpoints `/api/daily_papers`, `/api/papers/{id}` and
`/api/papers/search` take huggingface.co's parameters and answer with its field names, so the
`huggingface_hub` client works with `HfApi(endpoint=` this site's address `)`. Every RSS/Atom feed
is listed on [the feeds page](/feeds)."""


def api_openapi(request: Request) -> dict[str, Any]:
    """The /api/v1 part of the app's routes as an OpenAPI document."""
    return _openapi_document(services_of(request).settings.site_name)


@functools.lru_cache(maxsize=8)
def _openapi_document(site_name: str) -> dict[str, Any]:
    # Built once per site name: the routes are module-level routers, the same for every app.
    from papertide.web.routes import api_v1, api_v1_community

    # The v1 routers' own routes (the app wraps included routers, so we ask the routers).
    routes = [
        r for module in (api_v1, api_v1_community) for r in module.router.routes
        if getattr(r, "path", "").startswith(API_PREFIX + "/")
    ]
    return get_openapi(
        title=f"{site_name} API", version=__version__, description=DESCRIPTION, routes=routes, servers=[{"url": "/"}],
    )


@router.get(API_PREFIX + "/openapi.json")
def openapi_json(request: Request) -> JSONResponse:
    return JSONResponse(api_openapi(request))


def _operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    ops = []
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            params = [
                {
                    "name": p["name"], "in": p["in"], "required": p.get("required", False),
                    "description": p.get("description", "") or p.get("schema", {}).get("description", ""),
                    "type": _type_name(p.get("schema", {})),
                }
                for p in op.get("parameters", [])
            ]
            ops.append({"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                        "params": params, "responses": sorted(op.get("responses", {}))})
    return ops


def _type_name(schema: dict[str, Any]) -> str:
    if "anyOf" in schema:
        return " | ".join(_type_name(s) for s in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(map(str, schema["enum"]))
    bounds = [f"{k}={schema[k]}" for k in ("minimum", "maximum", "minLength", "maxLength") if k in schema]
    kind = schema.get("format") or schema.get("type", "any")
    return f"{kind} ({', '.join(bounds)})" if bounds else str(kind)


_CODE = re.compile(r"`([^`]+)`")


def _inline(text: str) -> Markup:
    """A one-line OpenAPI description as HTML: escaped, its `code` spans set as code."""
    return Markup(_CODE.sub(r"<code>\1</code>", str(escape(text))))


@router.get("/api/docs", response_class=HTMLResponse)
def docs(request: Request, templates: TemplatesDep) -> HTMLResponse:
    spec = api_openapi(request)
    operations = _operations(spec)
    for op in operations:
        op["summary"] = _inline(op["summary"])
        for p in op["params"]:
            p["description"] = _inline(p["description"])
    # OpenAPI descriptions are CommonMark. Ours is our own text, so no sanitiser (which would mark
    # our own links nofollow/ugc); raw HTML stays off all the same.
    description = Markup(MarkdownIt("commonmark", {"html": False}).render(DESCRIPTION))
    return templates.TemplateResponse(
        request, "api/docs.html", {"spec": spec, "operations": operations, "description": description},
    )

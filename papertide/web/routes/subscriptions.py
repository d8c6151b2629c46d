"""Subscribe, confirm, manage, unsubscribe (incl. RFC 8058 one-click) and the bounce webhook.

Thin: every state change is a :class:`~papertide.email.subscribing.SubscriptionService`
call. GET pages never change state (mail scanners follow links); the buttons POST.
Async routes (they read the form) run the blocking service calls in the thread pool.
Forms that carry a signed email token need no other CSRF defence (a forger has no
token, and RFC 8058 one-click POSTs come without cookies); the open /subscribe form uses
the site's CSRF check (``web/csrf.py``) and a per-IP rate limit, since each request may
email an address nobody has confirmed yet.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from papertide.domain.bounces import InvalidBounce, parse_bounce_kind
from papertide.domain.subscriptions import (
    DEFAULT_PAPERS,
    MAX_PAPERS,
    MIN_PAPERS,
    WEEKDAYS,
    InvalidSubscription,
    Preferences,
)
from papertide.email.tokens import InvalidToken
from papertide.storage.subscriptions import SubscriptionRecord
from papertide.web.csrf import CsrfDep
from papertide.web.deps import OutboxDep, SettingsDep, SubscriptionsDep, TemplatesDep
from papertide.web.params import is_on
from papertide.web.ratelimit import enforce
from papertide.web.security import same_secret

router = APIRouter()

PREF_FIELDS = ("frequency", "weekday", "send_hour", "timezone", "trending", "categories", "keywords", "authors",
               "max_papers")


def _form_context(prefs: Preferences | None = None, email: str = "", name: str = "",
                  error: InvalidSubscription | None = None) -> dict[str, Any]:
    p = prefs or Preferences()
    return {
        "prefs": p, "email": email, "name": name, "weekdays": WEEKDAYS,
        "error": str(error) if error else "", "error_field": error.field if error else "",
        "min_papers": MIN_PAPERS, "max_papers": MAX_PAPERS, "default_papers": DEFAULT_PAPERS,
    }


def _form_prefs(form: Any) -> dict[str, object]:
    values: dict[str, object] = {k: form.get(k) for k in PREF_FIELDS if k != "trending"}
    values["trending"] = is_on(form.get("trending"))
    return values


def _loose_prefs(values: dict[str, object]) -> Preferences:
    """Best-effort echo of what was typed, for re-showing a form after an error: a number that is
    not one falls back to its default alone, so the rest of what was typed stays on the form."""
    def _tuple(v: object) -> tuple[str, ...]:
        return tuple(x.strip() for x in str(v or "").split(",") if x.strip())

    def _int(key: str, default: int, low: int, high: int) -> int:
        try:
            return min(max(int(str(values.get(key) or default)), low), high)
        except ValueError:
            return default
    return Preferences(
        frequency="weekly" if values.get("frequency") == "weekly" else "daily",
        weekday=_int("weekday", 0, 0, 6), send_hour=_int("send_hour", 7, 0, 23),
        timezone=str(values.get("timezone") or "UTC")[:64], trending=bool(values.get("trending")),
        categories=_tuple(values.get("categories")), keywords=_tuple(values.get("keywords")),
        authors=_tuple(values.get("authors")), max_papers=_int("max_papers", DEFAULT_PAPERS, MIN_PAPERS, MAX_PAPERS),
    )


def _token_error(request: Request, templates: TemplatesDep, exc: Exception, status: int = 400,
                 title: str = "This link does not work") -> Response:
    return templates.TemplateResponse(request, "error.html", {"title": title, "message": str(exc)}, status_code=status)


@router.get("/subscribe", response_class=HTMLResponse)
def subscribe_page(request: Request, templates: TemplatesDep, email: str = ""):
    return templates.TemplateResponse(request, "subscriptions/subscribe.html", _form_context(email=email[:254]))


@router.post("/subscribe", response_class=HTMLResponse, dependencies=[CsrfDep])
async def subscribe(
    request: Request, subscriptions: SubscriptionsDep, outbox: OutboxDep, templates: TemplatesDep, background: BackgroundTasks,
):
    enforce(request, "subscribe")
    form = await request.form()
    email, name = str(form.get("email", "")), str(form.get("name", ""))
    values = _form_prefs(form)
    try:
        result = await run_in_threadpool(subscriptions.subscribe, email, values, name=name)
    except InvalidSubscription as exc:
        ctx = _form_context(_loose_prefs(values), email[:254], name[:100], exc)
        return templates.TemplateResponse(request, "subscriptions/subscribe.html", ctx, status_code=400)
    if result.outbox_ids:
        # After the commit, never inside it; the worker retries if SMTP is down right now.
        background.add_task(outbox.send_now, list(result.outbox_ids))
    # The same page whatever we knew about the address: subscribing reveals nothing.
    return templates.TemplateResponse(request, "subscriptions/check_inbox.html", {"email": email.strip()})


CONFIRM_LINK_ERROR = "This confirmation link is invalid or expired"


@router.get("/subscribe/confirm", response_class=HTMLResponse)
def confirm_page(request: Request, subscriptions: SubscriptionsDep, templates: TemplatesDep, token: str = ""):
    # Checks everything the button would (signature, expiry, cancelled), confirming nothing:
    # mail scanners fetch this link, and a reader should learn the link is dead before clicking.
    try:
        sub = subscriptions.peek_confirm(token)
    except InvalidToken as exc:
        return _token_error(request, templates, exc, title=CONFIRM_LINK_ERROR)
    if sub.status == "confirmed":  # a second visit: nothing to press
        return templates.TemplateResponse(request, "subscriptions/confirmed.html", {
            "sub": sub, "manage_url": subscriptions.notices.manage_url(sub), "already": True})
    return templates.TemplateResponse(request, "subscriptions/confirm.html", {"token": token, "sub": sub})


@router.post("/subscribe/confirm", response_class=HTMLResponse)
def confirm(request: Request, subscriptions: SubscriptionsDep, templates: TemplatesDep, token: Annotated[str, Form()] = ""):
    service = subscriptions
    try:
        sub = service.confirm(token)
    except InvalidToken as exc:
        return _token_error(request, templates, exc, title=CONFIRM_LINK_ERROR)
    return templates.TemplateResponse(
        request, "subscriptions/confirmed.html", {"sub": sub, "manage_url": service.notices.manage_url(sub)}
    )


def _manage_context(sub: SubscriptionRecord, token: str, prefs: Preferences | None = None,
                    error: InvalidSubscription | None = None, **extra: Any) -> dict[str, Any]:
    return _form_context(prefs or sub.prefs, sub.email, sub.name, error) | {"token": token, "sub": sub} | extra


@router.get("/subscription", response_class=HTMLResponse)
def manage_page(request: Request, subscriptions: SubscriptionsDep, templates: TemplatesDep, token: str = ""):
    service = subscriptions
    try:
        sub = service.peek(token, ("manage",))
    except InvalidToken as exc:
        return _token_error(request, templates, exc)
    return templates.TemplateResponse(request, "subscriptions/manage.html", _manage_context(sub, token))


@router.post("/subscription", response_class=HTMLResponse)
async def manage(request: Request, subscriptions: SubscriptionsDep, templates: TemplatesDep):
    form = await request.form()
    token = str(form.get("token", ""))
    service = subscriptions
    values = _form_prefs(form)
    try:
        sub = await run_in_threadpool(service.update_preferences, token, values)
    except InvalidToken as exc:
        return _token_error(request, templates, exc)
    except InvalidSubscription as exc:
        try:
            sub = service.peek(token, ("manage",))
        except InvalidToken as gone:  # revoked between the two reads
            return _token_error(request, templates, gone)
        # The form as it was sent, not as it was saved: the reader mends the one field, keeping the rest.
        ctx = _manage_context(sub, token, _loose_prefs(values), exc)
        return templates.TemplateResponse(request, "subscriptions/manage.html", ctx, status_code=400)
    ctx = _manage_context(sub, token, saved=True)
    return templates.TemplateResponse(request, "subscriptions/manage.html", ctx)


@router.post("/subscription/revoke", response_class=HTMLResponse)
def revoke(request: Request, subscriptions: SubscriptionsDep, templates: TemplatesDep, token: Annotated[str, Form()] = ""):
    service = subscriptions
    try:
        sub = service.revoke_links(token)
    except InvalidToken as exc:
        return _token_error(request, templates, exc)
    return templates.TemplateResponse(
        request, "subscriptions/revoked.html", {"sub": sub, "manage_url": service.notices.manage_url(sub)}
    )


@router.get("/unsubscribe", response_class=HTMLResponse)
def unsubscribe_page(request: Request, subscriptions: SubscriptionsDep, templates: TemplatesDep, token: str = ""):
    try:
        sub = subscriptions.peek(token, ("unsubscribe", "manage"))
    except InvalidToken as exc:
        return _token_error(request, templates, exc)
    return templates.TemplateResponse(request, "subscriptions/unsubscribe.html", {"token": token, "sub": sub})


@router.post("/unsubscribe", response_class=HTMLResponse)
async def unsubscribe(request: Request, subscriptions: SubscriptionsDep, templates: TemplatesDep, token: str = ""):
    """The page's button, and RFC 8058 one-click: a POST of ``List-Unsubscribe=One-Click``
    to the List-Unsubscribe URL (token in the query) with no cookies and no login."""
    form = await request.form()
    token = token or str(form.get("token", ""))
    try:
        sub = await run_in_threadpool(subscriptions.unsubscribe, token)
    except InvalidToken as exc:
        return _token_error(request, templates, exc)
    return templates.TemplateResponse(request, "subscriptions/unsubscribed.html", {"sub": sub})


@router.post("/email/bounces")
async def bounce_webhook(request: Request, subscriptions: SubscriptionsDep, settings: SettingsDep):
    """Record a bounce or complaint: ``{"email": ..., "kind": "hard|soft|complaint", "detail": ...}``
    with ``Authorization: Bearer $PAPERTIDE_BOUNCE_WEBHOOK_TOKEN``."""
    if not settings.bounce_webhook_token:
        return _webhook_error(404, "The bounce webhook is off (set PAPERTIDE_BOUNCE_WEBHOOK_TOKEN).")
    sent = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
    if not same_secret(sent, settings.bounce_webhook_token):
        return _webhook_error(401, "Missing or wrong bearer token.", {"WWW-Authenticate": "Bearer"})
    try:
        body = await request.json()
        kind = parse_bounce_kind(str(body.get("kind", "")))
        email = str(body["email"])
    except (ValueError, KeyError, AttributeError, RecursionError, InvalidBounce) as exc:
        return _webhook_error(422, f"expected JSON {{email, kind}}: {exc}")
    outcome = await run_in_threadpool(
        subscriptions.record_bounce, email, kind, str(body.get("detail", ""))[:2000], source="webhook"
    )
    return {"known": outcome.known, "action": outcome.action}


def _webhook_error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """Every refusal of the webhook in the REST API's error shape: its callers are programs that read
    JSON, which the site's error handler would answer with an HTML page (no /api/ path, no Accept)."""
    return JSONResponse({"error": {"code": status, "message": message}}, status_code=status, headers=headers)

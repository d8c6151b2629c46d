"""The session cookie and "who is viewing": signing, reading, setting and clearing.

The cookie holds a random session token plus an HMAC of it under the secret key
(HttpOnly, SameSite=Lax, Secure on https). The server keeps only the token's digest in
``sessions``, so deleting rows signs people out, everywhere if need be.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from papertide.api.cache import PERSONAL
from papertide.domain.accounts import User
from papertide.web.deps import services_of
from papertide.web.security import same_secret

COOKIE = "pt_session"


def _sig(secret_key: str, token: str) -> str:
    mac = hmac.new(secret_key.encode(), b"session:" + token.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def sign(secret_key: str, token: str) -> str:
    return f"{token}.{_sig(secret_key, token)}"


def unsign(secret_key: str, value: str) -> str | None:
    """The token when the signature is ours, else None (tampered or from another key)."""
    token, _, sig = (value or "").rpartition(".")
    if not token or len(value) > 200 or not same_secret(sig, _sig(secret_key, token)):
        return None
    return token


def session_token(request: Request) -> str | None:
    return unsign(services_of(request).settings.secret_key, request.cookies.get(COOKIE, ""))


def viewer(request: Request) -> User | None:
    """The signed-in user (cached for the request), or None."""
    if "viewer" not in request.state._state:
        token = session_token(request)
        request.state.viewer = services_of(request).community.accounts.session_user(token) if token else None
        if request.state.viewer is not None:
            setattr(request.state, PERSONAL, True)  # rendered for one person: never a shared cache's
    return request.state.viewer


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    settings = services_of(request).settings
    response.set_cookie(
        COOKIE, sign(settings.secret_key, token), max_age=settings.session_days * 86400, path="/",
        httponly=True, samesite="lax", secure=settings.base_url.startswith("https://"),
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax")


def _viewer_dep(request: Request) -> User | None:
    return viewer(request)


ViewerDep = Annotated[User | None, Depends(_viewer_dep)]

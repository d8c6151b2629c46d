"""Rate limits at the HTTP edge: the client address, and a 429 with Retry-After."""

from __future__ import annotations

from fastapi import HTTPException, Request

from papertide.domain.accounts import User
from papertide.domain.ratelimits import address_key, retry_after_header
from papertide.web.deps import services_of


def client_ip(request: Request) -> str:
    """Who the per-IP limits count: the client's address, an IPv6 one as its /64 (see address_key)."""
    return address_key(request.client.host) if request.client else "unknown"


def enforce(request: Request, action: str, user: User | None = None, user_key: str | None = None) -> None:
    """Raise 429 with Retry-After when the viewer or their address is over the limit."""
    limiter = services_of(request).community.limiter
    key = user_key if user_key is not None else (str(user.id) if user else None)
    wait = limiter.check(action, key, client_ip(request))
    if wait > 0:
        raise HTTPException(
            429, f"Too many requests; please wait {retry_after_header(wait)} seconds and try again.",
            headers={"Retry-After": retry_after_header(wait)},
        )

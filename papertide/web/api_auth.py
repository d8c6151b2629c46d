"""Bearer-token dependencies for the REST API.

``Authorization: Bearer pt_…`` is optional on read endpoints (they are public) and
required, with the right scope, on endpoints that declare :func:`require_scope`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from papertide.domain.api_tokens import Scope, TokenPrincipal, scope_allows
from papertide.web.deps import TokensDep

# auto_error=False: we answer missing/invalid tokens ourselves, in the API's error shape.
bearer_scheme = HTTPBearer(auto_error=False, description="A personal API token: `Authorization: Bearer pt_…`")


def _principal(
    tokens: TokensDep, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]
) -> TokenPrincipal | None:
    if creds is None:
        return None
    principal = tokens.verify(creds.credentials)
    if principal is None:
        raise HTTPException(401, "invalid or revoked API token", headers={"WWW-Authenticate": "Bearer"})
    if principal.suspended:  # every endpoint, reads too: a ban ends every way in
        raise HTTPException(403, "This account is suspended.")
    return principal


OptionalPrincipal = Annotated[TokenPrincipal | None, Depends(_principal)]


def require_scope(needed: Scope):  # type: ignore[no-untyped-def]
    """A dependency that demands a token allowing ``needed`` (401 without one, 403 if too weak)."""

    def dependency(principal: OptionalPrincipal) -> TokenPrincipal:
        if principal is None:
            raise HTTPException(401, "this endpoint needs an API token", headers={"WWW-Authenticate": "Bearer"})
        if not scope_allows(principal.scope, needed):
            raise HTTPException(403, f"this endpoint needs a token with the {needed} scope")
        return principal

    return dependency

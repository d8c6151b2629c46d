"""``HEAD`` wherever ``GET`` answers: uptime checks and link checkers send HEAD first.

FastAPI registers only the methods a route names, so HEAD got 405 on every page. Rather
than adding HEAD to each route (and to every route written later), we run a HEAD request
as the GET it stands for and send the status and headers without the body (RFC 9110
§9.3.2): the Content-Length, ETag and caching headers are exactly those of the GET.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadAsGet:
    """Answer ``HEAD`` as ``GET`` without the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return  # the last body message closes the response
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, send_headers_only)

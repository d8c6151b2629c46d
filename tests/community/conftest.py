"""Community fixtures: a real SMTP server (aiosmtpd) capturing mail, and helpers that sign
people in through the real sign-in-link flow."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from papertide.config import Settings
from papertide.web.csrf import COOKIE as CSRF_COOKIE
from papertide.web.csrf import token_for


class Mailbox:
    """Messages received by the test SMTP server."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self._cv = threading.Condition()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # aiosmtpd hook
        msg = message_from_bytes(envelope.content, policy=policy.default)
        with self._cv:
            self.messages.append(msg)  # type: ignore[arg-type]
            self._cv.notify_all()
        return "250 OK"

    def wait_for(self, to: str, timeout: float = 10) -> EmailMessage:
        def found() -> EmailMessage | None:
            return next((m for m in reversed(self.messages) if to.lower() in str(m["To"]).lower()), None)

        with self._cv:
            self._cv.wait_for(lambda: found() is not None, timeout)
            msg = found()
        assert msg is not None, f"no mail to {to}"
        return msg

    def link(self, to: str) -> str:
        body = self.wait_for(to).get_body(("plain",)).get_content()  # type: ignore[union-attr]
        return re.search(r"https?://\S+/auth/link/\S+", body).group(0)  # type: ignore[union-attr]


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[str, int, Mailbox]]:
    from aiosmtpd.controller import Controller

    box = Mailbox()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield "127.0.0.1", port, box
    controller.stop()


@pytest.fixture
def settings(settings: Settings, smtp_server) -> Settings:  # type: ignore[no-untyped-def]
    """The shared settings, with mail going by SMTP to the test server (as in production)."""
    host, port, _ = smtp_server
    return settings.model_copy(update={"email_backend": "smtp", "smtp_host": host, "smtp_port": port})


@pytest.fixture
def mailbox(smtp_server) -> Mailbox:  # type: ignore[no-untyped-def]
    _, _, box = smtp_server
    box.messages.clear()
    return box


def csrf(client) -> str:  # type: ignore[no-untyped-def]
    """The form token for this client (fetching a page first sets the CSRF cookie)."""
    if CSRF_COOKIE not in client.cookies:
        client.get("/auth/sign-in")
    return token_for(client.app.state.services.settings.secret_key, client.cookies[CSRF_COOKIE])


def post(client, url: str, data: dict | None = None, **kw):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": csrf(client), **(data or {})}, follow_redirects=False, **kw)


def sign_in(client, email: str, role: str | None = None):  # type: ignore[no-untyped-def]
    """Sign in through the real link flow (token from the service, not a shortcut); returns the user."""
    accounts = client.app.state.services.community.accounts
    _, token = accounts.request_login_link(email)
    r = post(client, f"/auth/link/{token}")
    assert r.status_code == 303, r.text
    user = accounts.session_user(__import__("papertide.web.sessions", fromlist=["x"]).unsign(
        client.app.state.services.settings.secret_key, client.cookies["pt_session"]))
    if role:
        from papertide.storage import users as users_store

        with client.app.state.services.db.write() as conn:
            users_store.set_role(conn, user.id, role)
        user = accounts.session_user(__import__("papertide.web.sessions", fromlist=["x"]).unsign(
            client.app.state.services.settings.secret_key, client.cookies["pt_session"]))
    return user

"""The sign-in link email. Built here and handed to whatever EmailSender the app uses."""

from __future__ import annotations

import logging
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import quote, urlsplit

from papertide.email.senders import EmailSender

log = logging.getLogger(__name__)


def login_link_url(base_url: str, token: str, next_path: str = "/") -> str:
    url = f"{base_url.rstrip('/')}/auth/link/{token}"
    return url if next_path in ("", "/") else f"{url}?next={quote(next_path, safe='/')}"


def build_login_message(settings: Any, recipient: str, url: str, minutes: int) -> EmailMessage:
    site = settings.site_name
    host = urlsplit(settings.base_url).hostname or "localhost"
    msg = EmailMessage()
    msg["Subject"] = f"Your sign-in link for {site}"
    msg["From"] = settings.email_from or f"{site} <no-reply@{host}>"
    msg["To"] = recipient
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=host)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(
        f"Someone (hopefully you) asked to sign in to {site} with this address.\n\n"
        f"Open this link within {minutes} minutes and press the button on the page:\n\n{url}\n\n"
        "The link works once. If you did not ask for it, ignore this email; nothing happens.\n"
    )
    return msg


def send_login_link(sender: EmailSender, message: EmailMessage) -> None:
    """Run after the response: a failure is logged (the page already said "check your inbox")."""
    try:
        sender.send(message)
    except Exception:  # never let a mail hiccup become a 500 or reveal whether the address exists
        log.exception("could not send the sign-in link to %s", message["To"])

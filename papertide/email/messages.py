"""Building email messages: template folder + context → a multipart RFC 5322 message.

Each email is a folder ``papertide/email/templates/<name>/`` with ``subject.txt``,
``body.txt`` and ``body.html`` (Warehouse's layout). The email package owns its templates
and their Jinja environment, so nothing here depends on the web layer. HTML bodies carry their CSS inline (``STYLES``
below are spliced into ``style=""`` attributes by the templates) because most mail
clients drop ``<style>`` blocks; a small ``<style>`` keeps only the dark-mode override for
clients that honour it. Reusable for any papertide email (sign-in links too)::

    rendered = render_email(env, "confirm", {...})
    raw = build_raw_message(rendered, sender=..., recipient="a@b.org", message_id=make_message_id(key, domain))
    msg = build_message(...)  # the same, as an email.message.EmailMessage
"""

from __future__ import annotations

import binascii
import functools
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from papertide.domain.wording import quantity
from papertide.email.headers import address_line, list_id_line, text_line, uri_list_line

EMAIL_TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

# Inline CSS for email HTML (spliced by the templates as style="{{ css.x }}").
STYLES = {
    "body": "margin:0;padding:0;background:#f6f8fa;color:#1f2328;"
    "font-family:system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;line-height:1.5;",
    "wrap": "max-width:640px;margin:0 auto;padding:16px;background:#ffffff;border:1px solid #d8dee4;border-radius:8px;",
    "h1": "font-size:20px;margin:0 0 8px;color:#1f2328;",
    "h2": "font-size:16px;margin:20px 0 2px;color:#1f2328;border-bottom:1px solid #d8dee4;padding-bottom:4px;",
    "why": "font-size:13px;color:#59636e;margin:0 0 8px;font-style:italic;",
    "paper": "margin:0 0 14px;",
    "title": "font-size:15px;font-weight:600;color:#0b57d0;text-decoration:none;",
    "authors": "font-size:13px;color:#59636e;margin:2px 0;",
    "snippet": "font-size:14px;color:#1f2328;margin:2px 0;",
    "meta": "font-size:12px;color:#59636e;margin:2px 0;",
    "button": "display:inline-block;padding:10px 16px;background:#0b57d0;color:#ffffff;border-radius:6px;"
    "text-decoration:none;font-weight:600;",
    "footer": "font-size:12px;color:#59636e;margin-top:24px;border-top:1px solid #d8dee4;padding-top:8px;",
    "link": "color:#0b57d0;",
}


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def make_email_env() -> Environment:
    """Jinja for emails: HTML autoescaped, text not (a plain-text body must not show &amp;)."""
    env = Environment(
        loader=FileSystemLoader(str(EMAIL_TEMPLATES_DIR)),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["css"] = STYLES
    env.filters["quantity"] = quantity  # "1 upvote", "2 upvotes"
    return env


def render_email(env: Environment, name: str, context: dict[str, object]) -> RenderedEmail:
    """Render ``<name>/{subject.txt, body.txt, body.html}`` from the email templates."""
    subject = env.get_template(f"{name}/subject.txt").render(context)
    # A subject is one header line: collapse anything a title or setting might have smuggled in.
    subject = " ".join(subject.split())
    text = env.get_template(f"{name}/body.txt").render(context)
    html = env.get_template(f"{name}/body.html").render(context)
    return RenderedEmail(subject, text, html)


def site_domain(base_url: str) -> str:
    """The host of the public URL, used for Message-ID and List-Id."""
    host = urlsplit(base_url).hostname or "localhost"
    return host


def make_message_id(key: str, domain: str) -> str:
    """A Message-ID derived from the idempotency key: the same message keeps it on every try,
    so a receiver that sees a rare duplicate (see README, "Exactly once") can drop it."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@{domain}>"


def list_unsubscribe_headers(https_url: str, mailto: str | None, subject_token: str) -> dict[str, str]:
    """RFC 2369 ``List-Unsubscribe`` (https + mailto) and RFC 8058 one-click POST."""
    links = [f"<{https_url}>"]
    if mailto:
        links.append(f"<mailto:{mailto}?subject={quote('unsubscribe ' + subject_token)}>")
    return {"List-Unsubscribe": ", ".join(links), "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def build_raw_message(
    rendered: RenderedEmail,
    *,
    sender: str,
    recipient: str,
    message_id: str,
    recipient_name: str = "",
    date: datetime | None = None,
    headers: dict[str, str] | None = None,
) -> str:
    """The wire form (CRLF lines) of a multipart/alternative message: text first, HTML preferred.

    The MIME structure is written by hand rather than through ``email.message.EmailMessage``
    because composing 100,000 digests spent 90% of its time in the standard library's header
    folding and generator (bench/digest_bench.py); the result parses back with the ``email``
    package identically (tests/email/test_messages.py). Header lines are still encoded and
    folded by the standard library (``email/headers.py``: RFC 2047 for non-ASCII names and
    subjects, at most 78 characters a line), with fast paths for values that need neither.
    Bodies are UTF-8 quoted-printable, so every line stays under 78 characters whatever the
    content, and the whole message is ASCII (no SMTPUTF8 needed).

    ``recipient`` must already be validated (domain.subscriptions.validate_email); any CR or
    LF in a header value raises ValueError as a second line of defence against injection.
    """
    name, addr = parseaddr(sender)
    extra = headers or {}
    for key, value in (("From", sender), ("To", recipient), ("To", recipient_name), ("Subject", rendered.subject),
                       ("Message-ID", message_id), *extra.items()):
        if any(c in value for c in "\r\n\x00") or any(c in key for c in "\r\n: "):
            raise ValueError(f"refusing a line break in the {key[:40]!r} header")
    out = [
        _cached_address_line("From", name, addr),
        address_line("To", recipient_name, recipient),
        text_line("Subject", rendered.subject),
        f"Date: {format_datetime(date or datetime.now(UTC))}",
        f"Message-ID: {message_id}",
        *(_extra_line(k, v) for k, v in extra.items()),
        "MIME-Version: 1.0",
    ]
    boundary = "=_pt_" + hashlib.sha256(message_id.encode()).hexdigest()[:24]
    out.append(f'Content-Type: multipart/alternative; boundary="{boundary}"')
    out.append("")
    for subtype, body in (("plain", rendered.text), ("html", rendered.html)):
        out += [
            f"--{boundary}",
            f'Content-Type: text/{subtype}; charset="utf-8"',
            "Content-Transfer-Encoding: quoted-printable",
            "",
            _quoted_printable(body),
        ]
    out += [f"--{boundary}--", ""]
    return "\r\n".join(out)


def build_message(rendered: RenderedEmail, **kwargs: Any) -> EmailMessage:
    """Like :func:`build_raw_message`, parsed into an ``EmailMessage`` (for direct sending)."""
    return message_from_text(build_raw_message(rendered, **kwargs))


# Every message of a run has the same sender: fold it once.
_cached_address_line = functools.lru_cache(maxsize=16)(address_line)


def _extra_line(key: str, value: str) -> str:
    if key.lower() == "list-id":
        return list_id_line(value)
    if key.lower() == "list-unsubscribe":
        return uri_list_line(key, value)
    return text_line(key, value)


def _quoted_printable(text: str) -> str:
    data = text.replace("\r\n", "\n").encode("utf-8")
    encoded = binascii.b2a_qp(data, istext=True, header=False).decode("ascii")
    return encoded.replace("\n", "\r\n")


def message_to_text(msg: EmailMessage) -> str:
    """The wire form of a message built with the standard library."""
    return msg.as_string(policy=policy.SMTP)


def message_from_text(raw: str) -> EmailMessage:
    from email import message_from_string

    return message_from_string(raw, _class=EmailMessage, policy=policy.SMTP)  # type: ignore[return-value]

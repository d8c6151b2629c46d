"""Our emails, each "template folder + context function": sign-in link, confirm,
already-subscribed, digest.

A :class:`Notices` turns a request (a sign-in link, a subscription, a digest) into an
:class:`OutboxMessage` with every header set: a stable Message-ID from the idempotency
key, ``Date``, ``Auto-Submitted``; for subscription mail also ``List-Id`` and, for
digests, ``List-Unsubscribe`` (https + mailto) with RFC 8058 one-click. Nothing here
sends: messages go to the outbox, and senders drain it after the transaction commits.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup

from papertide.config import Settings
from papertide.domain.digests import Candidate, Digest
from papertide.domain.mathml import tex_to_text
from papertide.domain.papers import short_authors, snippet
from papertide.domain.subscriptions import WEEKDAYS
from papertide.email.messages import (
    build_raw_message,
    list_unsubscribe_headers,
    make_email_env,
    make_message_id,
    render_email,
    site_domain,
)
from papertide.email.tokens import LinkSigner, Purpose
from papertide.storage.outbox import OutboxMessage
from papertide.storage.subscriptions import SubscriptionRecord

SNIPPET_CHARS = 240  # about three lines of a mail client's column
PAPER_BLOCK_CACHE = 50_000  # rendered paper blocks kept per composing process
# What a digest with no papers says (sent only with PAPERTIDE_DIGEST_SEND_EMPTY, and in previews),
# so it never arrives as a heading and a footer with nothing between.
EMPTY_NOTE = "No new papers matched your choices this time. Manage preferences (below) to follow more topics."


class Notices:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.base_url = settings.base_url.rstrip("/")
        self.domain = site_domain(self.base_url)
        self.env = make_email_env()
        self.signer = LinkSigner(settings.secret_key, settings.subscription_unconfirmed_days)
        _, _, from_domain = settings.email_from.rpartition("@")
        self.unsubscribe_mailto = settings.email_unsubscribe_mailto or f"unsubscribe@{from_domain.strip('> ') or self.domain}"
        self.list_id = f"{settings.site_name} digest <digest.{self.domain}>"
        self._blocks: dict[Candidate, dict[str, Any]] = {}
        self._paper_html = self.env.get_template("digest/_paper.html")
        self._paper_text = self.env.get_template("digest/_paper.txt")

    # Links --------------------------------------------------------------------------------
    def token(self, purpose: Purpose, sub: SubscriptionRecord) -> str:
        return self.signer.sign(purpose, sub.uuid, sub.token_version)

    def link(self, path: str, purpose: Purpose, sub: SubscriptionRecord) -> str:
        return f"{self.base_url}{path}?{urlencode({'token': self.token(purpose, sub)})}"

    def confirm_url(self, sub: SubscriptionRecord) -> str:
        return self.link("/subscribe/confirm", "confirm", sub)

    def manage_url(self, sub: SubscriptionRecord) -> str:
        return self.link("/subscription", "manage", sub)

    def unsubscribe_url(self, sub: SubscriptionRecord) -> str:
        return self.link("/unsubscribe", "unsubscribe", sub)

    def not_interested_url(self, member_uuid: str, arxiv_id: str) -> str:
        """A For-you paper's "Not interested" link: works without signing in (GET asks, POST does it)."""
        token = self.signer.sign_not_interested(member_uuid, arxiv_id)
        return f"{self.base_url}/digest/not-interested?{urlencode({'token': token})}"

    # Messages -----------------------------------------------------------------------------
    def _base_context(self) -> dict[str, Any]:
        return {"site_name": self.settings.site_name, "base_url": self.base_url}

    def _build(self, name: str, kind: str, key: str, recipient: str, ctx: dict[str, Any], now: datetime,
               headers: dict[str, str], recipient_name: str = "", subscription_id: int | None = None) -> OutboxMessage:
        rendered = render_email(self.env, name, {**self._base_context(), **ctx})
        message_id = make_message_id(key, self.domain)
        raw = build_raw_message(
            rendered, sender=self.settings.email_from, recipient=recipient, recipient_name=recipient_name,
            message_id=message_id, date=now, headers=headers,
        )
        return OutboxMessage(key, kind, recipient, message_id, rendered.subject, raw, subscription_id)

    def _outbox(self, name: str, kind: str, key: str, sub: SubscriptionRecord, ctx: dict[str, Any], now: datetime,
                headers: dict[str, str]) -> OutboxMessage:
        list_headers = {"List-Id": self.list_id, "Auto-Submitted": "auto-generated", **headers}
        return self._build(name, kind, key, sub.email, ctx, now, list_headers, sub.name, sub.id)

    def sign_in(self, email: str, url: str, key: str, now: datetime) -> OutboxMessage:
        """The sign-in link for ``email`` (already normalised by the accounts service)."""
        ctx = {"sign_in_url": url, "minutes": self.settings.login_link_minutes}
        return self._build("sign_in", "sign_in", key, email, ctx, now, {"Auto-Submitted": "auto-generated"})

    def sign_up_closed(self, email: str, domains: str, key: str, now: datetime) -> OutboxMessage:
        """Why no link came: ``email`` is outside the sign-up domains and holds no account."""
        ctx = {"domains": domains}
        return self._build("sign_up_closed", "sign_in", key, email, ctx, now, {"Auto-Submitted": "auto-generated"})

    def confirm(self, sub: SubscriptionRecord, key: str, now: datetime) -> OutboxMessage:
        ctx = {"name": sub.name, "confirm_url": self.confirm_url(sub), "ttl_days": self.settings.subscription_unconfirmed_days}
        return self._outbox("confirm", "confirm", key, sub, ctx, now, {})

    def already_subscribed(self, sub: SubscriptionRecord, key: str, now: datetime) -> OutboxMessage:
        ctx = {"name": sub.name, "manage_url": self.manage_url(sub), "unsubscribe_url": self.unsubscribe_url(sub)}
        return self._outbox("already_subscribed", "notice", key, sub, ctx, now, {})

    def digest_context(self, digest: Digest, period: str, manage_url: str, unsubscribe_url: str,
                       member_uuid: str | None = None) -> dict[str, Any]:
        """Everything the digest templates show (also used by /digest/preview); ``member_uuid``: the
        member the For-you section was ranked for, whose papers get a "Not interested" link."""
        sections = [
            {"heading": s.topic.heading, "why": s.topic.why, "papers": [self._paper_block(p) for p in s.papers]}
            for s in digest.sections
        ]
        for section, s in zip(sections, digest.sections, strict=True):
            if s.topic.kind == "for_you" and member_uuid is not None:
                section["papers"] = [{**block, "not_interested_url": self.not_interested_url(member_uuid, p.arxiv_id)}
                                     for block, p in zip(section["papers"], s.papers, strict=True)]
        return {
            **self._base_context(), "sections": sections, "period_title": period_title(period),
            "paper_count": len(digest.papers), "manage_url": manage_url, "unsubscribe_url": unsubscribe_url,
            "empty_note": EMPTY_NOTE,
        }

    def paper_context(self, p: Candidate) -> dict[str, Any]:
        """A paper as digests and the archive show it (plain values; JSON-safe)."""
        return {
            # Mail clients render no MathML: TeX is read as plain text (M$^3$Eval → M³Eval).
            "arxiv_id": p.arxiv_id, "title": " ".join(tex_to_text(p.title).split()),
            # Blank names (some sources send "" for an unknown author) would show as ", ".
            "authors": short_authors([" ".join(a.split()) for a in p.authors if a.strip()], self.settings.authors_shown),
            "snippet": snippet(tex_to_text(p.abstract), SNIPPET_CHARS), "upvotes": p.upvotes,
            "url": f"{self.base_url}/papers/{p.arxiv_id}",
        }

    def _paper_block(self, p: Candidate) -> dict[str, Any]:
        # A paper's block is the same in every digest that carries it, so a composing run
        # renders it once (templates digest/_paper.{html,txt}) and reuses it.
        block = self._blocks.get(p)
        if block is None:
            if len(self._blocks) > PAPER_BLOCK_CACHE:
                self._blocks.clear()
            ctx = {"p": self.paper_context(p), "site_name": self.settings.site_name}
            block = self._blocks[p] = {
                "html": Markup(self._paper_html.render(ctx)), "text": self._paper_text.render(ctx).rstrip("\n"),
            }
        return block

    def digest(self, sub: SubscriptionRecord, digest: Digest, period: str, key: str, now: datetime,
               member_uuid: str | None = None) -> OutboxMessage:
        unsubscribe_url = self.unsubscribe_url(sub)
        ctx = self.digest_context(digest, period, self.manage_url(sub), unsubscribe_url, member_uuid)
        headers = list_unsubscribe_headers(unsubscribe_url, self.unsubscribe_mailto, sub.uuid)
        headers["Precedence"] = "bulk"
        return self._outbox("digest", "digest", key, sub, ctx, now, headers)

    def render_digest_html(self, digest: Digest, period: str, manage_url: str, unsubscribe_url: str) -> str:
        return render_email(self.env, "digest", self.digest_context(digest, period, manage_url, unsubscribe_url)).html


def period_title(label: str) -> str:
    """``d2026-06-04`` → ``Thursday 4 June 2026``; ``w2026-W23`` → ``week 2026-W23``."""
    if label.startswith("d"):
        try:
            d = date.fromisoformat(label[1:])
        except ValueError:
            return label
        return f"{WEEKDAYS[d.weekday()]} {d.day} {d.strftime('%B %Y')}"
    if label.startswith("w"):
        return f"week {label[1:]}"
    return label

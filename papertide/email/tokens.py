"""Signed tokens for links in email: confirm, manage preferences, unsubscribe, and a digest's
"Not interested" on a For-you paper.

itsdangerous signs ``{"s": subscription uuid, "v": token version}`` with the site secret
and a per-purpose salt, so a token for one purpose never works for another. Tokens
expire (``max_age``) and are revocable: bumping the subscription's ``token_version``
kills every link sent before. A "Not interested" token signs ``{"m": member uuid, "a": arXiv
id}`` instead: it does one harmless, undoable thing for one member and one paper. It names the
member by uuid, never by row id: SQLite hands a deleted account's id to the next sign-up, and
a link from the deleted member's old digest must not act on the newcomer's profile (tokens from
before this, ``{"u": id}``, are refused for that reason).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

Purpose = Literal["confirm", "manage", "unsubscribe", "not_interested"]

DAY_SECONDS = 24 * 3600
# How long each kind of link works, in seconds. A confirmation link works as long as its
# unconfirmed subscription lives (PAPERTIDE_SUBSCRIPTION_UNCONFIRMED_DAYS, given to LinkSigner).
MAX_AGE_SECONDS: dict[Purpose, int] = {
    "confirm": 7 * DAY_SECONDS,
    "manage": 400 * DAY_SECONDS,  # links in old digests keep working for about a year
    "unsubscribe": 400 * DAY_SECONDS,
    "not_interested": 400 * DAY_SECONDS,
}


class InvalidToken(ValueError):
    """A link that is forged, for another purpose, or expired; the message says which."""


@dataclass(frozen=True, slots=True)
class TokenClaims:
    subscription_uuid: str
    version: int


class LinkSigner:
    def __init__(self, secret_key: str, confirm_days: int = 7) -> None:
        self._secret = secret_key
        # The confirmation email promises the request lives confirm_days; its link must not die sooner.
        self._max_age: dict[Purpose, int] = {**MAX_AGE_SECONDS, "confirm": confirm_days * DAY_SECONDS}

    def _serializer(self, purpose: Purpose) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self._secret, salt=f"papertide.email.{purpose}")

    def sign(self, purpose: Purpose, subscription_uuid: str, version: int) -> str:
        return self._serializer(purpose).dumps({"s": subscription_uuid, "v": version})

    def _load(self, purpose: Purpose, token: str) -> object:
        try:
            return self._serializer(purpose).loads(token or "", max_age=self._max_age[purpose])
        except SignatureExpired:
            raise InvalidToken("This link has expired.") from None
        except BadSignature:
            raise InvalidToken("This link is not valid (it may be incomplete or altered).") from None

    def verify(self, purpose: Purpose, token: str) -> TokenClaims:
        data = self._load(purpose, token)
        if not isinstance(data, dict) or not isinstance(data.get("s"), str) or not isinstance(data.get("v"), int):
            raise InvalidToken("This link is not valid.")
        return TokenClaims(data["s"], data["v"])

    def sign_not_interested(self, member_uuid: str, arxiv_id: str) -> str:
        return self._serializer("not_interested").dumps({"m": member_uuid, "a": arxiv_id})

    def verify_not_interested(self, token: str) -> tuple[str, str]:
        """(member uuid, arXiv id) of a digest's "Not interested" link."""
        data = self._load("not_interested", token)
        if isinstance(data, dict) and "u" in data:
            raise InvalidToken("This link is from an older digest and no longer works; "
                               "use Not interested on the paper's card instead.")
        if not isinstance(data, dict) or not isinstance(data.get("m"), str) or not isinstance(data.get("a"), str):
            raise InvalidToken("This link is not valid.")
        return data["m"], data["a"]

"""Bounces and complaints as an explicit state machine (listmonk's bounce policy).

Pure. :func:`apply_bounce` takes the current delivery state and one event and returns
the next state and what happened, so storage applies exactly what the policy decided:

=================  ================================================================
event              effect
=================  ================================================================
hard bounce        subscriber ``disabled`` (the address does not exist)
soft bounce        counted; at ``soft_threshold`` in a row the subscriber is disabled
complaint          subscription ``unsubscribed`` (the person said "spam": stop now)
=================  ================================================================

Soft bounces are not reset by a later hand-off to SMTP: a delayed bounce report usually
arrives after the next message was accepted, so resetting there would never let the
count reach the threshold. Confirming the subscription again re-enables the address and
clears the count.

A ``blocklisted`` subscriber stays blocklisted whatever happens.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from papertide.domain.subscriptions import SubscriberStatus, SubscriptionStatus

BounceKind = Literal["hard", "soft", "complaint"]
BOUNCE_KINDS: tuple[BounceKind, ...] = ("hard", "soft", "complaint")
MAX_SOFT_BOUNCES = 3  # soft bounces in a row that disable an address
Action = Literal["none", "counted", "disabled", "unsubscribed"]


class InvalidBounce(ValueError):
    """An unknown bounce kind."""


@dataclass(frozen=True, slots=True)
class DeliveryState:
    subscriber: SubscriberStatus = "enabled"
    subscription: SubscriptionStatus | None = "confirmed"
    soft_bounces: int = 0


def parse_bounce_kind(text: str) -> BounceKind:
    s = (text or "").strip().lower()
    for kind in BOUNCE_KINDS:
        if s == kind:
            return kind
    raise InvalidBounce(f"unknown bounce kind {text[:20]!r}; expected one of: {', '.join(BOUNCE_KINDS)}")


def apply_bounce(
    state: DeliveryState, kind: BounceKind, soft_threshold: int = MAX_SOFT_BOUNCES
) -> tuple[DeliveryState, Action]:
    """The state after one bounce or complaint, and the action taken.

    >>> apply_bounce(DeliveryState(), "hard")
    (DeliveryState(subscriber='disabled', subscription='confirmed', soft_bounces=0), 'disabled')
    >>> apply_bounce(DeliveryState(soft_bounces=2), "soft", 3)[1]
    'disabled'
    """
    if kind == "complaint":
        already = state.subscription in (None, "unsubscribed")
        new = replace(state, subscription=None if state.subscription is None else "unsubscribed")
        return new, "none" if already else "unsubscribed"
    if state.subscriber == "blocklisted":
        return state, "none"
    if kind == "hard":
        return replace(state, subscriber="disabled"), "none" if state.subscriber == "disabled" else "disabled"
    if kind == "soft":
        count = state.soft_bounces + 1
        if count >= soft_threshold and state.subscriber == "enabled":
            return replace(state, subscriber="disabled", soft_bounces=count), "disabled"
        return replace(state, soft_bounces=count), "counted"
    raise InvalidBounce(f"unknown bounce kind {kind!r}")


def can_receive(state: DeliveryState) -> bool:
    """Whether digests may be sent: an enabled address with a confirmed subscription."""
    return state.subscriber == "enabled" and state.subscription == "confirmed"

"""Token-bucket rate limits as pure functions; the web layer keeps the buckets.

Each action has a per-user and/or a per-IP policy: a bucket holds ``burst`` tokens and
refills at ``per_minute`` tokens a minute. A request costs one token; when the bucket is
empty the answer says how many seconds until one is back (HTTP ``Retry-After``).
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Policy:
    burst: int
    per_minute: float


@dataclass(frozen=True, slots=True)
class Bucket:
    tokens: float
    updated: float  # monotonic seconds


# Per-IP limits are looser than per-user ones: many people can share one address (NAT, a lab).
POLICIES: dict[str, dict[str, Policy]] = {
    # Sign-in by emailed link and by password count apart, per address: anyone can ask for links
    # to a stranger's address, and that must not also lock its owner out of their password.
    "sign-in-link": {"user": Policy(5, 2), "ip": Policy(20, 10)},
    "sign-in-password": {"user": Policy(5, 2), "ip": Policy(20, 10)},
    "submit": {"user": Policy(10, 2), "ip": Policy(30, 10)},
    "comment": {"user": Policy(10, 4), "ip": Policy(40, 20)},
    "vote": {"user": Policy(60, 60), "ip": Policy(300, 300)},
    # New collections (web form and API): people make a few at a time, a script makes thousands.
    "collection": {"user": Policy(10, 2), "ip": Policy(30, 10)},
    # Filling a collection from a file reads up to 5 MB and writes up to 5,000 rows: a member
    # fixing a file tries a few times in a row, a script would fill the database.
    "collection-import": {"user": Policy(5, 1), "ip": Policy(20, 5)},
    # Each subscribe request may email an address nobody has confirmed, so one IP gets a
    # handful an hour (burst 5, one back every 12 minutes); the address itself is limited by
    # the service's resend window (PAPERTIDE_SUBSCRIPTION_RESEND_MINUTES), not here.
    "subscribe": {"ip": Policy(5, 5 / 60)},
}


def take(bucket: Bucket | None, policy: Policy, now: float) -> tuple[Bucket, float]:
    """Spend one token. Returns the new bucket and 0 when allowed, else seconds to wait.

    >>> b, wait = take(None, Policy(1, 60), 0.0)
    >>> wait, take(b, Policy(1, 60), 0.5)[1]
    (0, 0.5)
    """
    if bucket is None:
        bucket = Bucket(float(policy.burst), now)
    rate = policy.per_minute / 60.0
    tokens = min(float(policy.burst), bucket.tokens + max(0.0, now - bucket.updated) * rate)
    if tokens >= 1.0:
        return Bucket(tokens - 1.0, now), 0
    return Bucket(tokens, now), (1.0 - tokens) / rate if rate > 0 else math.inf


def is_full(bucket: Bucket, policy: Policy, now: float) -> bool:
    """Whether ``bucket`` has refilled to its burst by ``now``: then it is as good as no bucket.

    >>> is_full(Bucket(0.0, 0.0), Policy(2, 60), 1.0), is_full(Bucket(0.0, 0.0), Policy(2, 60), 2.0)
    (False, True)
    """
    return bucket.tokens + max(0.0, now - bucket.updated) * policy.per_minute / 60.0 >= policy.burst


def address_key(host: str) -> str:
    """The per-IP key for a client address: an IPv4 address as it is, an IPv6 address as its /64.

    An IPv6 host is handed a whole /64 and may use any address in it (privacy addresses rotate
    by themselves), so counting each address alone would give one machine endless fresh limits.
    An IPv4-mapped IPv6 address is its IPv4 address; anything that is no address stays as it is.

    >>> address_key("2001:db8:7:1::a"), address_key("2001:db8:7:1:ffff::1"), address_key("::ffff:203.0.113.8")
    ('2001:db8:7:1::/64', '2001:db8:7:1::/64', '203.0.113.8')
    >>> address_key("198.51.100.9"), address_key("testclient")
    ('198.51.100.9', 'testclient')
    """
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def retry_after_header(wait_seconds: float) -> str:
    """Whole seconds, at least 1 (RFC 9110 delay-seconds)."""
    return str(max(1, math.ceil(wait_seconds)))

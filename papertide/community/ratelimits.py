"""In-process rate limiting with token buckets (policies in ``domain/ratelimits.py``).

Buckets live in this process's memory: with ``papertide serve --workers N`` each worker
keeps its own, so the effective limit is up to N times the policy. That is fine for the
abuse we stop here (scripted floods from one account or address); a shared limit would
need the database or Redis.

Memory is bounded by forgetting buckets, and forgetting must not be a way around the limits.
So a refused request leaves no new bucket behind (otherwise one address sending made-up
emails, each refused, filled the table and the reset wiped every limit, its own included),
and past the bound the buckets that have refilled go first: forgetting those changes nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from papertide.domain.ratelimits import POLICIES, Bucket, Policy, is_full, take

MAX_BUCKETS = 100_000  # buckets kept in memory; past this, refilled ones are forgotten


class RateLimiter:
    def __init__(self, enabled: bool = True, clock: Callable[[], float] = time.monotonic,
                 max_buckets: int = MAX_BUCKETS) -> None:
        self.enabled = enabled
        self.clock = clock
        self.max_buckets = max_buckets
        self._buckets: dict[str, Bucket] = {}
        self._lock = threading.Lock()

    def check(self, action: str, user_key: str | None, ip: str | None) -> float:
        """Spend a token from each applicable bucket; 0 when allowed, else seconds to wait."""
        if not self.enabled:
            return 0
        policies = POLICIES[action]
        now = self.clock()
        with self._lock:
            taken: list[tuple[str, Bucket]] = []
            wait = 0.0
            for scope, key in (("user", user_key), ("ip", ip)):
                policy = policies.get(scope)
                if key is None or policy is None:
                    continue
                name = f"{action}:{scope}:{key}"
                bucket, w = take(self._buckets.get(name), policy, now)
                taken.append((name, bucket))
                wait = max(wait, w)
            for name, bucket in taken:
                if wait == 0 or name in self._buckets:
                    self._buckets[name] = bucket
            if len(self._buckets) > self.max_buckets:
                self._forget(now)
        return wait

    def _forget(self, now: float) -> None:
        """Drop the buckets that have refilled; if that is not enough (a flood from very many
        addresses), drop them all rather than grow without bound."""
        for name in [n for n, b in self._buckets.items() if is_full(b, _policy(n), now)]:
            del self._buckets[name]
        if len(self._buckets) > self.max_buckets:
            self._buckets.clear()


def _policy(name: str) -> Policy:
    action, scope, _ = name.split(":", 2)
    return POLICIES[action][scope]

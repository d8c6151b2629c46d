"""In-process rate limiting with token buckets (policies in ``domain/ratelimits.py``).

Buckets live in this process's memory: with ``papertide serve --workers N`` each worker
keeps its own, so the effective limit is up to N times the policy. That is fine for the
abuse we stop here (scripted floods from one account or address); a shared limit would
need the database or Redis.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from papertide.domain.ratelimits import POLICIES, Bucket, take

MAX_BUCKETS = 100_000  # forget idle buckets past this many keys (memory bound)


class RateLimiter:
    def __init__(self, enabled: bool = True, clock: Callable[[], float] = time.monotonic) -> None:
        self.enabled = enabled
        self.clock = clock
        self._buckets: dict[str, Bucket] = {}
        self._lock = threading.Lock()

    def check(self, action: str, user_key: str | None, ip: str | None) -> float:
        """Spend a token from each applicable bucket; 0 when allowed, else seconds to wait."""
        if not self.enabled:
            return 0
        policies = POLICIES[action]
        now = self.clock()
        wait = 0.0
        with self._lock:
            if len(self._buckets) > MAX_BUCKETS:
                self._buckets.clear()
            for scope, key in (("user", user_key), ("ip", ip)):
                policy = policies.get(scope)
                if key is None or policy is None:
                    continue
                name = f"{action}:{scope}:{key}"
                bucket, w = take(self._buckets.get(name), policy, now)
                self._buckets[name] = bucket
                wait = max(wait, w)
        return wait

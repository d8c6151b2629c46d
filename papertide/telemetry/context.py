"""The id that follows one piece of work — a request or a job run — into every log line it causes.

A ``ContextVar`` holds it: asyncio tasks and Starlette's thread pool copy the context, so
a request's id reaches its sync endpoint, its background tasks and the mail it sends
right after the response. Plain ``threading.Thread`` does not copy it; code that fans
work out to threads wraps the target with :func:`carry_context`.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, copy_context
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")

MAX_ID_CHARS = 128  # an inbound X-Request-ID longer than this is replaced, not trusted
# What we accept from a client or proxy: enough for UUIDs and most tracing ids, nothing that
# could forge a log line (newlines, quotes) or blow up a JSON field.
_ACCEPTED_ID = re.compile(rf"[A-Za-z0-9._:@/+=-]{{1,{MAX_ID_CHARS}}}")

_current: ContextVar[str | None] = ContextVar("papertide_request_id", default=None)


def new_id(prefix: str = "") -> str:
    """A fresh id: 32 hex digits, after ``prefix`` (``"job-"`` for job runs)."""
    return prefix + uuid.uuid4().hex


def accept_id(inbound: str | None) -> str:
    """The caller's id when it is safe to log as is, else a fresh one."""
    if inbound and _ACCEPTED_ID.fullmatch(inbound):
        return inbound
    return new_id()


def current_id() -> str | None:
    """The id of the work this code runs for, or None outside any."""
    return _current.get()


@contextmanager
def work_id(value: str) -> Iterator[str]:
    """Run the block as the work named ``value``; the previous id comes back afterwards."""
    token = _current.set(value)
    try:
        yield value
    finally:
        _current.reset(token)


def carry_context(fn: Callable[P, R]) -> Callable[P, R]:
    """``fn`` bound to a copy of the caller's context, for a thread that should log under its id."""
    ctx = copy_context()

    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        return ctx.run(fn, *args, **kwargs)

    return run

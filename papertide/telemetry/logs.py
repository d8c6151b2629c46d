"""Log output as text or JSON lines, each record stamped with the current work id.

One root handler is installed by :func:`configure_logging` (the web app when it owns its
services, ``papertide serve`` and ``papertide worker``); every logger propagates to it, so
uvicorn's, ours and libraries' lines come out in one format. JSON uses python-json-logger:
fields ``time``, ``level``, ``logger``, ``process`` (pid), ``message``, ``request_id`` and whatever a call
passes as ``extra`` (the access line's ``method``, ``route``, ``status``, ``duration_ms``).
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any, TextIO

from pythonjsonlogger.json import JsonFormatter

from papertide.telemetry.context import current_id

LOG_FORMATS = ("text", "json")
OUTAGE_LOG_SECONDS = 60.0  # a condition that repeats (a database outage) is logged at most this often
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
NO_ID = "-"  # what text lines show outside a request or job run


class WorkIdFilter(logging.Filter):
    """Adds ``request_id`` (the current work id) to every record that passes the handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = current_id() or NO_ID
        return True


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is at the time (test runners swap it), like logging's own."""

    def __init__(self) -> None:
        super().__init__()

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass


class _JsonLines(JsonFormatter):
    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        if log_data.get("request_id") == NO_ID:
            log_data.pop("request_id")
        log_data.pop("color_message", None)  # uvicorn's ANSI-coloured copy of the message
        return log_data


def make_handler(fmt: str = "text", stream: TextIO | None = None) -> logging.Handler:
    """A stream handler writing ``fmt`` ("text" or "json") lines with the work id."""
    if fmt not in LOG_FORMATS:
        raise ValueError(f"unknown log format {fmt!r}; choose one of {', '.join(LOG_FORMATS)}")
    handler: logging.Handler = _Stderr() if stream is None else logging.StreamHandler(stream)
    if fmt == "json":
        handler.setFormatter(_JsonLines(
            "{asctime}{levelname}{name}{process}{message}", style="{",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
        ))
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.addFilter(WorkIdFilter())
    return handler


def configure_logging(level: str = "INFO", fmt: str = "text", stream: TextIO | None = None) -> None:
    """Install our one root handler (replacing one installed earlier) at ``level``."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "papertide", False)]:
        root.removeHandler(old)
    handler = make_handler(fmt, stream)
    handler.papertide = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())


class Throttle:
    """Says yes at most once per ``every`` seconds: one log line for a failure that repeats on every
    request or scrape (the database unreachable), instead of one per occurrence."""

    def __init__(self, every: float = OUTAGE_LOG_SECONDS) -> None:
        self.every = every
        self._last: float | None = None  # time.monotonic() of the last yes

    def due(self) -> bool:
        now = time.monotonic()
        if self._last is not None and now - self._last < self.every:
            return False
        self._last = now
        return True

"""Ops fixtures: a log capture in our own formats, and metric reading through prometheus-client's parser."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families

from papertide.telemetry.logs import make_handler
from tests.email.conftest import smtp_sink, sqlite_mail_settings  # noqa: F401 - a real SMTP server for mail logs


class CapturedLines:
    """What our JSON handler wrote, one parsed object per line."""

    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    def records(self) -> list[dict[str, object]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines() if line.strip()]

    def matching(self, **fields: object) -> list[dict[str, object]]:
        return [r for r in self.records() if all(r.get(k) == v for k, v in fields.items())]


@pytest.fixture
def json_logs() -> Iterator[CapturedLines]:
    """Our JSON handler on the root logger at DEBUG for the test, removed afterwards."""
    stream = io.StringIO()
    handler = make_handler("json", stream)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield CapturedLines(stream)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of an exposition, keyed by (sample name, labels); parsed by prometheus-client."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(text: str, name: str, **labels: str) -> float:
    """One sample's value; 0 when absent (a counter not yet touched)."""
    return samples(text).get((name, frozenset(labels.items())), 0.0)

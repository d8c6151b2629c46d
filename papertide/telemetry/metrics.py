"""The process's Prometheus metrics (prometheus-client), and how a scrape reads them.

Metric objects are module globals, as prometheus-client intends: each records into this
process's memory, or, when ``PROMETHEUS_MULTIPROC_DIR`` is set before the first import
of prometheus_client (``papertide serve --workers N`` sets it), into per-process files
there that :func:`exposition` sums. Gauges that describe the database (outbox depth,
ingest lag) are not here: ``papertide.monitoring`` reads them when scraped, so every
process reports the same shared truth and none of them has to keep it up to date.

Labels are bounded: routes are path templates (``/papers/{arxiv_id}``), never raw URLs.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import REGISTRY, Collector

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Seconds. Page and API requests (most under 50 ms) up to a slow search or a cold start.
HTTP_BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Seconds. A search is 5-200 ms warm; the first one loads the model.
SEARCH_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
# Seconds. Jobs range from a no-op tick to an hours-long harvest or embedding pass.
JOB_BUCKETS = (0.01, 0.1, 1.0, 10.0, 60.0, 300.0, 1800.0, 3600.0, 4 * 3600.0)
CONTENT_TYPE = CONTENT_TYPE_LATEST

HTTP_REQUEST_SECONDS = Histogram(
    "papertide_http_request_duration_seconds", "Time to answer a request, by method and route template.",
    ["method", "route"], buckets=HTTP_BUCKETS,
)
HTTP_REQUESTS = Counter(
    "papertide_http_requests", "Requests answered, by method, route template and status code.",
    ["method", "route", "status"],
)
SEARCH_SECONDS = Histogram(
    "papertide_search_duration_seconds", "Time to answer one search (web, API, CLI), by mode.",
    ["mode"], buckets=SEARCH_BUCKETS,
)
JOB_RUNS = Counter(
    "papertide_job_runs", "Job runs in this process, by job and outcome (succeeded, failed, interrupted).",
    ["job", "outcome"],
)
JOB_SECONDS = Histogram(
    "papertide_job_duration_seconds", "Time a job run took in this process, by job.", ["job"], buckets=JOB_BUCKETS,
)


def multiprocess_dir() -> str | None:
    """The directory processes share their metrics through, when one is configured."""
    return os.environ.get(MULTIPROC_ENV) or None


class _Default:
    """This process's own metrics (and its process/GC collectors) inside a scrape registry."""

    def collect(self) -> Iterator[object]:
        yield from REGISTRY.collect()


def exposition(extra: Iterable[Collector] = ()) -> bytes:
    """The text a scrape gets: every process's metrics (or this one's) plus ``extra`` collectors."""
    registry = CollectorRegistry(auto_describe=False)
    path = multiprocess_dir()
    if path:
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry, path=path)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Default())  # type: ignore[arg-type]
    for collector in extra:
        registry.register(collector)
    return generate_latest(registry)

"""Full schemathesis run against /api/v1 on a live server with the demo corpus (a command).

    .venv/bin/python bench/api_fuzz.py [--examples 300]

The same run as tests/api/test_schemathesis.py, with many more examples per operation
and without stopping at the first failure: it counts requests, status codes, 5xx and
check failures (schema violations and the rest), per operation. Opaque cursors are the
one documented exception to "schema-valid data is accepted" (see the test).
"""

from __future__ import annotations

import argparse
import collections
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402
import schemathesis  # noqa: E402
import uvicorn  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis.specs.openapi.checks import positive_data_acceptance  # noqa: E402

from papertide.app import create_app  # noqa: E402
from papertide.cli import demo_corpus_path  # noqa: E402
from papertide.config import Settings  # noqa: E402
from papertide.ingest.bulk import import_file  # noqa: E402
from papertide.services import Edges, build_services  # noqa: E402
from papertide.storage.db import Database  # noqa: E402
from papertide.storage.migrate import upgrade  # noqa: E402
from tests.api.conftest import free_port  # noqa: E402


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def run_operation(op, n: int, statuses, failures, examples, mode, **fixed) -> None:  # type: ignore[no-untyped-def]
    """Up to ``n`` generated requests for one operation; failures are counted, not raised."""
    label = f"{op.method.upper()} {op.path}"

    @given(case=op.as_strategy(mode, **fixed))
    @settings(max_examples=n, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):  # type: ignore[no-untyped-def]
        response = case.call()
        statuses[(label, response.status_code)] += 1
        excluded = [positive_data_acceptance] if "cursor" in (case.query or {}) else None
        try:
            case.validate_response(response, excluded_checks=excluded)
        except Exception as exc:  # a FailureGroup: record each distinct failure, keep going
            for sub in getattr(exc, "exceptions", [exc]):
                key = (label, type(sub).__name__)
                failures[key] += 1
                examples.setdefault(key, case.as_curl_command())

    check()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=300, help="hypothesis examples per operation")
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="pt-fuzz-"))
    port = free_port()
    cfg = Settings(data_dir=root, base_url=f"http://127.0.0.1:{port}", log_level="WARNING", _env_file=None)  # type: ignore[call-arg]
    db = Database(cfg.resolved_database_url)
    upgrade(db)
    import_file(db, demo_corpus_path())
    app = create_app(services=build_services(cfg, Edges(db=db)))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    t0 = time.monotonic()
    schema = schemathesis.openapi.from_url(f"{cfg.base_url}/api/v1/openapi.json")
    statuses: collections.Counter[tuple[str, int]] = collections.Counter()
    failures: collections.Counter[tuple[str, str]] = collections.Counter()
    examples: dict[tuple[str, str], str] = {}
    real_id = httpx.get(f"{cfg.base_url}/api/v1/papers?limit=1").json()["items"][0]["arxiv_id"]
    for result in schema.get_all_operations():
        op = result.ok()
        for mode in schemathesis.GenerationMode:
            try:
                run_operation(op, args.examples, statuses, failures, examples, mode)
            except Unsatisfiable:  # nothing in this operation can be made invalid
                say(f"  ({mode.value}: nothing to generate for {op.method.upper()} {op.path})")
        if "{arxiv_id}" in op.path:  # random ids are all 404s; also fuzz the rest around a real one
            run_operation(op, args.examples, statuses, failures, examples, schemathesis.GenerationMode.POSITIVE,
                          path_parameters={"arxiv_id": real_id})
    took = time.monotonic() - t0
    server.should_exit = True
    thread.join(timeout=10)
    total = sum(statuses.values())
    five = sum(n for (_, code), n in statuses.items() if code >= 500)
    say(f"schemathesis {schemathesis.SCHEMATHESIS_VERSION}: {total} requests over {len({k for k, _ in statuses})} "
        f"operations ({args.examples} examples per mode) in {took:.0f}s; 5xx: {five}; check failures: {sum(failures.values())}")
    by_op: dict[str, dict[int, int]] = collections.defaultdict(dict)
    for (label, code), n in sorted(statuses.items()):
        by_op[label][code] = n
    for label, codes in by_op.items():
        say(f"  {label:<40} " + ", ".join(f"{c}×{n}" for c, n in codes.items()))
    for (label, kind), n in failures.items():
        say(f"  FAILURE {label} {kind} ×{n}: {examples[(label, kind)]}")


if __name__ == "__main__":
    main()

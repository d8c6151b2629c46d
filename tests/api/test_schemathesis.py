"""Schemathesis fuzzes /api/v1 on a live server with the demo corpus: no 5xx, no schema violations.

A bounded run (EXAMPLES per operation) keeps ``make test`` fast; bench/api_fuzz.py runs
the full one and bench/RESULTS.md records it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.specs.openapi.checks import positive_data_acceptance

from papertide.api.tokens import TokenService
from papertide.cli import demo_corpus_path
from papertide.config import Settings
from papertide.ingest.bulk import import_file
from papertide.services import Edges, build_services
from papertide.storage.db import Database
from tests.api.conftest import free_port, serve

EXAMPLES = 15  # per operation and mode; bench/api_fuzz.py runs 300


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copy(sqlite_template, root / "papertide.db")
    cfg = Settings(  # type: ignore[call-arg]
        data_dir=root, database_url=f"sqlite:///{root / 'papertide.db'}",
        base_url=f"http://127.0.0.1:{free_port()}", _env_file=None,
    )
    db = Database(cfg.resolved_database_url)
    import_file(db, demo_corpus_path())
    with serve(cfg, db) as url:
        yield url, cfg, db
    db.dispose()


@pytest.fixture(scope="module")
def demo_server(demo) -> str:  # type: ignore[no-untyped-def]
    return demo[0]


@pytest.fixture(scope="module")
def write_token(demo) -> str:  # type: ignore[no-untyped-def]
    """A write token of a real account, so the fuzz also reaches the write endpoints' code."""
    _, cfg, db = demo
    user, _ = build_services(cfg, Edges(db=db)).community.accounts.create_admin("fuzz@example.org")
    return TokenService(db).create_for_user(user.id, "write", "fuzz").secret


def _operations(url: str):  # type: ignore[no-untyped-def]
    schema = schemathesis.openapi.from_url(f"{url}/api/v1/openapi.json")
    return [result.ok() for result in schema.get_all_operations()]


def test_api_v1_conforms_to_its_openapi_document(demo_server):  # type: ignore[no-untyped-def]
    # We drive hypothesis ourselves (schemathesis' pytest plugin does not support pytest 9 yet):
    # every operation, positive and negative examples, every default check.
    operations = _operations(demo_server)
    assert len(operations) == 19
    real_id = httpx.get(f"{demo_server}/api/v1/papers?limit=1").json()["items"][0]["arxiv_id"]
    for operation in operations:
        runs = [(mode, {}) for mode in schemathesis.GenerationMode]
        if "{arxiv_id}" in operation.path:  # random ids only ever find 404s; also fuzz around a real paper
            runs.append((schemathesis.GenerationMode.POSITIVE, {"path_parameters": {"arxiv_id": real_id}}))
        for mode, fixed in runs:
            try:
                _fuzz(operation.as_strategy(mode, **fixed))
            except Unsatisfiable:  # no parameter can be made invalid (e.g. GET /api/v1/me)
                assert mode is schemathesis.GenerationMode.NEGATIVE, operation.path


def test_api_v1_with_a_write_token_conforms_too(demo_server, write_token):  # type: ignore[no-untyped-def]
    # With a valid token the votes, comments and collections code runs (not just the 401 path).
    real_id = httpx.get(f"{demo_server}/api/v1/papers?limit=1").json()["items"][0]["arxiv_id"]
    auth = {"Authorization": f"Bearer {write_token}"}
    for operation in _operations(demo_server):
        if not operation.definition.raw.get("security"):
            continue
        _fuzz(operation.as_strategy(schemathesis.GenerationMode.POSITIVE), auth)
        if "{arxiv_id}" in operation.path:
            _fuzz(operation.as_strategy(schemathesis.GenerationMode.POSITIVE, path_parameters={"arxiv_id": real_id}), auth)


def _fuzz(strategy, headers: dict[str, str] | None = None) -> None:  # type: ignore[no-untyped-def]
    @given(case=strategy)
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
              database=None)
    def check(case):  # type: ignore[no-untyped-def]
        # A cursor is opaque and server-issued: a made-up one is schema-valid but must still be a
        # 422, which OpenAPI cannot express; only for those requests we skip "valid data accepted".
        made_up_cursor = "cursor" in (case.query or {})
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance] if made_up_cursor else None)

    check()

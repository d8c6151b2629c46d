"""The app adds its routers' routes as they are (papertide/app.py says why): the same API and
the same routes as FastAPI's include_router would give, in the same order, and two apps never
see each other's services through the routes they share."""

from __future__ import annotations

import shutil

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from papertide.config import Settings
from papertide.storage.db import Database
from papertide.web.routes import ROUTERS
from tests.factories import add_papers, app_for, make_paper


@pytest.fixture
def app(tmp_path, sqlite_db: Database) -> FastAPI:  # type: ignore[no-untyped-def]  # the routes need no second backend
    return app_for(Settings(data_dir=tmp_path, database_url=sqlite_db.url, _env_file=None), sqlite_db)  # type: ignore[call-arg]


def _included() -> FastAPI:
    reference = FastAPI()
    for router in ROUTERS:
        reference.include_router(router)
    return reference


def test_the_openapi_document_is_the_one_include_router_gives(app):  # type: ignore[no-untyped-def]
    ours, reference = app.openapi(), _included().openapi()
    assert ours["paths"] == reference["paths"]
    assert ours.get("components") == reference.get("components")
    assert len(ours["paths"]) > 20


def test_every_route_is_there_in_order_with_its_dependencies(app):  # type: ignore[no-untyped-def]
    ours = [(r.path, sorted(r.methods), r.name, len(r.dependant.dependencies))
            for r in app.routes if isinstance(r, APIRoute)]
    declared = [(r.path, sorted(r.methods), r.name, len(r.dependant.dependencies))
                for router in ROUTERS for r in router.routes if isinstance(r, APIRoute)]
    assert ours[-len(declared):] == declared
    assert ours[-1][0] == "/papers/{raw_id:path}"  # the papers catch-all stays last
    csrf_guarded = [r for r in app.routes if isinstance(r, APIRoute) and r.path == "/auth/sign-in"]
    assert csrf_guarded and all(r.dependencies for r in csrf_guarded)  # the router's CSRF check came along


def test_two_apps_sharing_routes_each_serve_their_own_database(tmp_path, sqlite_template):  # type: ignore[no-untyped-def]
    clients, dbs = [], []
    for k in (1, 2):
        path = tmp_path / f"{k}.db"
        shutil.copy(sqlite_template, path)
        db = Database(f"sqlite:///{path}")
        add_papers(db, make_paper(f"2606.0000{k}", title=f"Only in instance {k}"))
        dbs.append(db)
        settings = Settings(data_dir=tmp_path / f"data{k}", database_url=db.url, _env_file=None)  # type: ignore[call-arg]
        clients.append(TestClient(app_for(settings, db)))
    with clients[0] as one, clients[1] as two:
        assert "Only in instance 1" in one.get("/papers/2606.00001").text
        assert two.get("/papers/2606.00001").status_code == 404
        assert "Only in instance 2" in two.get("/papers/2606.00002").text
        assert one.get("/papers/2606.00002").status_code == 404
    for db in dbs:
        db.dispose()

"""Personal API tokens: hashed at rest, verified, scoped, revocable; CLI and /api/v1/me."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi import APIRouter, Depends
from typer.testing import CliRunner

from papertide.api.tokens import TokenService, UnknownUser
from papertide.cli import app as cli_app
from papertide.domain.api_tokens import hash_token
from papertide.storage.tables.api import api_tokens
from papertide.web.api_auth import require_scope
from tests.api.conftest import add_user


def test_tokens_are_stored_only_as_hashes_and_can_be_revoked(db):
    user_id = add_user(db, "Ada@Example.org")
    service = TokenService(db)
    created = service.create_for_email("ada@example.org", "read", name="laptop")
    assert created.secret.startswith("pt_") and len(created.secret) > 40
    with db.read() as conn:
        rows = conn.execute(sa.select(api_tokens)).mappings().all()
    assert len(rows) == 1
    assert created.secret not in str(dict(rows[0]))
    assert rows[0]["token_hash"] == hash_token(created.secret) and rows[0]["token_prefix"] == created.secret[:10]

    principal = service.verify(created.secret)
    assert principal is not None and (principal.user_id, principal.scope) == (user_id, "read")
    assert service.list_for_user(user_id)[0].last_used_at is not None
    assert service.verify(created.secret + "x") is None

    assert service.revoke(created.token.uuid) is True
    assert service.verify(created.secret) is None
    assert service.revoke(created.token.uuid) is False
    assert [t.active for t in service.list_for_email("ada@example.org")] == [False]


def test_an_account_at_an_international_domain_is_found_by_the_domain_as_typed(db):
    """Accounts are stored under the domain's IDNA name; `papertide tokens create ana@bücher.de` said
    no account had that address."""
    add_user(db, "ana@xn--bcher-kva.de")
    service = TokenService(db)
    created = service.create_for_email("ana@Bücher.de", "read")
    assert [t.uuid for t in service.list_for_email(" ana@bücher.de ")] == [created.token.uuid]


def test_tokens_need_an_existing_account_and_only_owners_revoke(db):
    service = TokenService(db)
    with pytest.raises(UnknownUser):
        service.create_for_email("nobody@example.org", "read")
    owner, other = add_user(db, "a@example.org"), add_user(db, "b@example.org", "Bea")
    created = service.create_for_user(owner, "write")
    assert service.revoke(created.token.uuid, user_id=other) is False
    assert service.verify(created.secret) is not None


@pytest.fixture
def scoped_app(app):
    """The app plus one write-scoped endpoint, as votes and comments will declare it."""
    router = APIRouter()

    @router.post("/api/v1/_write_probe")
    def probe(principal=Depends(require_scope("write"))):  # type: ignore[no-untyped-def]
        return {"user": principal.user_uuid}

    app.include_router(router)
    return app


def test_bearer_tokens_on_the_api(client, db, scoped_app):
    user_id = add_user(db, "ada@example.org")
    service = TokenService(db)
    read, write = service.create_for_user(user_id, "read"), service.create_for_user(user_id, "write")

    assert client.get("/api/v1/me").status_code == 401
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {read.secret}"})
    assert me.status_code == 200 and me.json()["scope"] == "read" and me.json()["display_name"] == "Ada"
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer pt_not-a-token"})
    assert bad.status_code == 401 and bad.json()["error"]["message"] == "invalid or revoked API token"
    assert bad.headers["www-authenticate"] == "Bearer"

    assert client.post("/api/v1/_write_probe", headers={"Authorization": f"Bearer {read.secret}"}).status_code == 403
    assert client.post("/api/v1/_write_probe", headers={"Authorization": f"Bearer {write.secret}"}).status_code == 200
    service.revoke(write.token.uuid)
    assert client.post("/api/v1/_write_probe", headers={"Authorization": f"Bearer {write.secret}"}).status_code == 401
    # Public reads ignore a missing token but refuse a bad one.
    assert client.get("/api/v1/trending").status_code == 200


def test_tokens_cli_creates_lists_and_revokes(sqlite_db, monkeypatch):
    monkeypatch.setenv("PAPERTIDE_DATABASE_URL", sqlite_db.url)
    add_user(sqlite_db, "ada@example.org")
    runner = CliRunner()
    created = runner.invoke(cli_app, ["tokens", "create", "ada@example.org", "--scope", "write", "--name", "ci"])
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[-1]
    assert secret.startswith("pt_")
    assert TokenService(sqlite_db).verify(secret).scope == "write"  # type: ignore[union-attr]

    listed = runner.invoke(cli_app, ["tokens", "list", "ada@example.org"])
    assert listed.exit_code == 0 and secret[:10] in listed.stdout and secret not in listed.stdout
    token_uuid = TokenService(sqlite_db).list_for_email("ada@example.org")[0].uuid
    assert runner.invoke(cli_app, ["tokens", "revoke", token_uuid]).exit_code == 0
    assert TokenService(sqlite_db).verify(secret) is None
    assert runner.invoke(cli_app, ["tokens", "revoke", token_uuid]).exit_code == 1
    bad_scope = runner.invoke(cli_app, ["tokens", "create", "ada@example.org", "--scope", "admin"])
    assert bad_scope.exit_code == 2 and "scope must be one of read, write" in bad_scope.output
    assert runner.invoke(cli_app, ["tokens", "create", "nobody@example.org"]).exit_code == 2

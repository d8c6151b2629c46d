"""The profile page's API tokens: create (secret shown once), list, use, revoke — through
the real app, signed in through the real link flow, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from tests.community.conftest import post, sign_in


def _create(client, name: str, scope: str) -> str:  # type: ignore[no-untyped-def]
    r = post(client, "/profile/tokens", {"name": name, "scope": scope})
    assert r.status_code == 200, r.text
    assert "no-store" in r.headers["cache-control"]
    return re.search(r'<code id="token-secret">(pt_[A-Za-z0-9_-]+)</code>', r.text).group(1)  # type: ignore[union-attr]


def test_create_list_use_and_revoke_a_token(client):
    sign_in(client, "owner@example.org")
    secret = _create(client, "nightly bot", "write")
    profile = client.get("/profile").text
    assert "nightly bot" in profile and secret[:10] + "…" in profile and secret not in profile  # shown once only
    assert "never" in profile
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200 and me.json()["scope"] == "write"
    assert " UTC" in client.get("/profile").text  # last use recorded and shown
    token_uuid = me.json()["token_uuid"]
    r = post(client, f"/profile/tokens/{token_uuid}/revoke")
    assert r.status_code == 303 and r.headers["location"] == "/profile#api-tokens"
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert "nightly bot" not in client.get("/profile").text


def test_bad_input_and_strangers_are_refused(client, app):
    from fastapi.testclient import TestClient

    sign_in(client, "owner@example.org")
    secret = _create(client, "qz-owner-script", "read")
    token_uuid = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).json()["token_uuid"]
    assert post(client, "/profile/tokens", {"name": "x", "scope": "admin"}).status_code == 400
    assert post(client, "/profile/tokens", {"name": "  ", "scope": "read"}).status_code == 400
    # Without the CSRF field the form is refused.
    assert client.post("/profile/tokens", data={"name": "x", "scope": "read"}).status_code == 403
    with TestClient(app) as other:
        assert post(other, "/profile/tokens", {"name": "x"}).status_code == 303  # anonymous: sign in first
        sign_in(other, "stranger@example.org")
        assert post(other, f"/profile/tokens/{token_uuid}/revoke").status_code == 404
        assert "qz-owner-script" not in other.get("/profile").text
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert "qz-owner-script" in client.get("/profile").text

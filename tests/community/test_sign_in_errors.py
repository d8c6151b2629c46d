"""A refused sign-in tells a screen reader why: the title says Error, the focus lands on the field the
error is about, and that field is marked invalid and described by the error's words."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.community.conftest import post


def fields(html: str) -> dict[str, str]:
    """Each input with an id, as its tag: what a screen reader is told about it."""
    return {m.group(1): m.group(0) for m in re.finditer(r'<input id="([^"]+)"[^>]*>', html)}


def title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html)
    assert found
    return found.group(1)


def test_a_refused_link_request_names_the_email_field(client):
    r = post(client, "/auth/sign-in/link", {"email": "not-an-address"})
    assert r.status_code == 400 and title(r.text) == "Error: Sign in · papertide"
    email = fields(r.text)["email"]
    assert 'aria-invalid="true"' in email and 'aria-describedby="link-error"' in email and "autofocus" in email
    assert re.search(r'<p class="form-error" id="link-error" role="alert">[^<]*valid email', r.text)


def test_a_refused_password_puts_the_focus_on_the_password(client):
    r = post(TestClient(client.app), "/auth/sign-in/password", {"email": "ghost@example.org", "password": "wrong password!"})
    assert r.status_code == 400 and title(r.text) == "Error: Sign in · papertide"
    found = fields(r.text)
    assert 'aria-invalid="true"' in found["password"] and "autofocus" in found["password"]
    assert 'aria-describedby="password-error"' in found["password"] and 'aria-describedby="password-error"' in found["pw-email"]
    assert 'id="password-error" role="alert"' in r.text


def test_the_unrefused_form_marks_nothing(client):
    html = client.get("/auth/sign-in").text
    assert title(html) == "Sign in · papertide"
    assert "aria-invalid" not in html and "autofocus" not in html and "aria-describedby" not in html

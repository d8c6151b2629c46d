"""A lab's instance: PAPERTIDE_SIGNUP_DOMAINS keeps new accounts to the lab's addresses.

Without it anyone who could reach the site got an account by asking for a link (the first link
creates it), and a lab lead had nothing to set. Sign-in pages, with mail delivered to a real SMTP
server (aiosmtpd), on SQLite and PostgreSQL; the CLI on a real SQLite file.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from typer.testing import CliRunner

from papertide.cli import app as cli
from papertide.community import Denied
from papertide.community.accounts import Accounts
from papertide.config import Settings
from papertide.storage import users as users_store
from tests.community.conftest import post
from tests.factories import app_for

LAB = "lab.example.org"


@pytest.fixture
def lab_client(settings: Settings, db):  # type: ignore[no-untyped-def]
    with TestClient(app_for(settings.model_copy(update={"signup_domains": LAB}), db)) as c:
        yield c


def _account(db, email: str):  # type: ignore[no-untyped-def]
    with db.read() as conn:
        return users_store.get_user_by_email(conn, email)


def test_a_lab_address_signs_up_and_an_outsider_is_told_by_mail_to_ask_an_admin(lab_client, mailbox, db):
    for email in ("ada@lab.example.org", "bo@cs.lab.example.org"):  # the domain and any name under it
        r = post(lab_client, "/auth/sign-in/link", {"email": email})
        assert r.status_code == 200 and "Check your email" in r.text
        link = mailbox.link(email)
        signed = post(TestClient(lab_client.app), "/" + link.split("/", 3)[3])
        assert signed.status_code == 303 and _account(db, email) is not None

    # The same page for an outsider (nothing tells a stranger whether the address has an account) ...
    inside = post(lab_client, "/auth/sign-in/link", {"email": "ada@lab.example.org"})
    outside = post(lab_client, "/auth/sign-in/link", {"email": "eve@evil-lab.example.org"})
    assert outside.status_code == 200
    assert outside.text.replace("eve@evil-lab.example.org", "X") == inside.text.replace("ada@lab.example.org", "X")
    # ... and their inbox says why no link came and what to do, with no link that could make an account.
    body = mailbox.wait_for("eve@evil-lab.example.org").get_body(("plain",)).get_content()
    assert "/auth/link/" not in body and "lab.example.org" in body and "admin" in body
    assert _account(db, "eve@evil-lab.example.org") is None
    # The sign-in form says so up front.
    assert "addresses at lab.example.org" in " ".join(lab_client.get("/auth/sign-in").text.split())


def test_an_outsider_an_admin_added_gets_a_link(lab_client, mailbox, db):
    with db.write() as conn:
        users_store.find_or_create_user(conn, "guest@uni.example")
    post(lab_client, "/auth/sign-in/link", {"email": "guest@uni.example"})
    link = mailbox.link("guest@uni.example")
    assert post(lab_client, "/" + link.split("/", 3)[3]).status_code == 303


def test_a_link_asked_for_before_sign_up_was_closed_makes_no_account(db):
    _, token = Accounts(db).request_login_link("eve@elsewhere.example")
    with pytest.raises(Denied, match="lab.example.org"):
        Accounts(db, signup_domains=(LAB,)).complete_login_link(token)
    assert _account(db, "eve@elsewhere.example") is None


def test_the_setting_is_read_as_domains_and_a_typo_is_refused_at_start_up():
    assert Settings(signup_domains=" Lab.Example.ORG, @uni.example ", _env_file=None).signup_domain_list == (  # type: ignore[call-arg]
        "lab.example.org", "uni.example")
    with pytest.raises(ValidationError, match="signup_domains"):
        Settings(signup_domains="lab example org", _env_file=None)  # type: ignore[call-arg]


def test_users_add_makes_an_account_for_an_outside_collaborator(tmp_path, monkeypatch):
    runner = CliRunner()
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PAPERTIDE_DATABASE_URL", raising=False)
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    # set-role on an address with no account says how one is made, instead of only "No account".
    missing = runner.invoke(cli, ["users", "set-role", "guest@uni.example", "curator"])
    assert missing.exit_code == 1 and "papertide users add" in " ".join(missing.output.split())
    added = runner.invoke(cli, ["users", "add", "Guest@uni.example", "--role", "curator"])
    out = " ".join(added.output.split())
    assert added.exit_code == 0 and "Created curator Guest@uni.example" in out and "/auth/sign-in" in out, out
    again = runner.invoke(cli, ["users", "add", "guest@uni.example"])
    assert again.exit_code == 0 and "already has an account (curator); nothing changed" in " ".join(again.output.split())
    assert runner.invoke(cli, ["users", "add", "guest@uni.example", "--role", "emperor"]).exit_code == 2

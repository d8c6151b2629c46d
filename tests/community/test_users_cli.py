"""`papertide users …` through Typer's runner against a real SQLite file."""

from typer.testing import CliRunner

from papertide.cli import app
from papertide.storage import users as users_store
from papertide.storage.db import Database

runner = CliRunner()


def test_create_admin_then_roles_and_listing(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PAPERTIDE_DATABASE_URL", raising=False)
    assert runner.invoke(app, ["users", "create-admin", "boss@example.org"]).exit_code == 2  # schema first
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    first = runner.invoke(app, ["users", "create-admin", "Boss@Example.org"])
    assert first.exit_code == 0 and "Created admin Boss@example.org" in first.output
    again = runner.invoke(app, ["users", "create-admin", "boss@example.org"])
    assert again.exit_code == 0 and "Boss@example.org is already an admin; nothing changed" in again.output
    assert runner.invoke(app, ["users", "create-admin", "not-an-email"]).exit_code == 2
    assert runner.invoke(app, ["users", "set-role", "boss@example.org", "curator"]).exit_code == 0
    assert runner.invoke(app, ["users", "set-role", "boss@example.org", "emperor"]).exit_code == 2
    assert runner.invoke(app, ["users", "set-role", "nobody@example.org", "curator"]).exit_code == 1
    listing = runner.invoke(app, ["users", "list"])
    assert "Boss@example.org" in listing.output and "curator" in listing.output
    # Back to admin: it says what it changed (it used to say "Promoted" whatever it did, and lifted a ban silently).
    promoted = runner.invoke(app, ["users", "create-admin", "boss@example.org"])
    assert "Made Boss@example.org an admin (was curator)" in " ".join(promoted.output.split())
    db = Database(f"sqlite:///{tmp_path / 'papertide.db'}")
    with db.write() as conn:
        users_store.set_status(conn, users_store.get_user_by_email(conn, "boss@example.org").id, "banned")
    db.dispose()
    unbanned = runner.invoke(app, ["users", "create-admin", "boss@example.org"])
    assert "Made Boss@example.org an admin and lifted their ban" in " ".join(unbanned.output.split())


def test_create_admin_names_the_sign_in_address_and_where_the_link_will_go(tmp_path, monkeypatch):
    # The default email backend mails nothing: a new admin waited for a link that was in the server's log.
    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PAPERTIDE_DATABASE_URL", raising=False)
    monkeypatch.setenv("PAPERTIDE_BASE_URL", "https://papers.lab.example")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    for backend, said in (("console", "written to the log"), ("null", "no sign-in link can reach"), ("smtp", None)):
        monkeypatch.setenv("PAPERTIDE_EMAIL_BACKEND", backend)
        result = runner.invoke(app, ["users", "create-admin", "boss@example.org"])
        out = " ".join(result.output.split())
        assert result.exit_code == 0 and "Sign in at https://papers.lab.example/auth/sign-in" in out, out
        assert (said in out) if said else ("PAPERTIDE_EMAIL_BACKEND" not in out), out


def test_users_help_names_every_command():
    result = runner.invoke(app, ["users", "--help"])
    assert all(c in result.output for c in ("create-admin", "list", "set-role", "ban", "unban"))


def test_ban_and_unban_from_the_command_line(tmp_path, monkeypatch):
    """An admin who cannot sign in (or a script) bans as /admin does: signed out, logged as the CLI's."""
    from datetime import UTC, datetime, timedelta

    from papertide.storage import audit
    from papertide.storage import sessions as sessions_store

    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PAPERTIDE_DATABASE_URL", raising=False)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    db = Database(f"sqlite:///{tmp_path / 'papertide.db'}")
    now = datetime.now(UTC)
    with db.write() as conn:
        spammer, _ = users_store.find_or_create_user(conn, "spam@example.org")
        sessions_store.create_session(conn, "spam-session", spammer.id, now + timedelta(days=3))

    banned = runner.invoke(app, ["users", "ban", "Spam@example.org"])
    assert banned.exit_code == 0 and "spam@example.org is banned." in banned.output
    with db.read() as conn:
        assert users_store.get_user_by_email(conn, "spam@example.org").is_banned
        assert sessions_store.session_user(conn, "spam-session", now) is None
        [entry] = audit.recent(conn, 10)
    assert (entry.action, entry.who, entry.target_name) == ("user.ban", "system", spammer.display_name)
    again = runner.invoke(app, ["users", "ban", "spam@example.org"])
    assert again.exit_code == 0 and "already banned; nothing changed" in again.output

    lifted = runner.invoke(app, ["users", "unban", "spam@example.org"])
    assert lifted.exit_code == 0 and "spam@example.org is no longer banned." in lifted.output
    with db.read() as conn:
        assert not users_store.get_user_by_email(conn, "spam@example.org").is_banned
        assert [e.action for e in audit.recent(conn, 10)] == ["user.unban", "user.ban"]
    lifted_again = runner.invoke(app, ["users", "unban", "spam@example.org"])
    assert lifted_again.exit_code == 0 and "spam@example.org is not banned; nothing changed." in lifted_again.output
    db.dispose()
    assert runner.invoke(app, ["users", "ban", "nobody@example.org"]).exit_code == 1
    assert runner.invoke(app, ["users", "ban", "not-an-address"]).exit_code == 2


def test_users_list_says_when_it_shows_only_the_newest(tmp_path, monkeypatch):
    """It printed the first 1,000 accounts and stopped without a word."""
    from papertide.cli.users import LIST_LIMIT

    monkeypatch.setenv("PAPERTIDE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("PAPERTIDE_DATABASE_URL", raising=False)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    db = Database(f"sqlite:///{tmp_path / 'papertide.db'}")
    with db.write() as conn:
        for i in range(LIST_LIMIT + 1):
            users_store.find_or_create_user(conn, f"reader{i:04d}@example.org")
    db.dispose()
    listing = runner.invoke(app, ["users", "list"])
    assert f"reader{LIST_LIMIT:04d}" in listing.output and "reader0000" not in listing.output
    assert f"Only the newest {LIST_LIMIT:,} shown; give a QUERY" in " ".join(listing.output.split())
    narrowed = runner.invoke(app, ["users", "list", "reader0000"])
    assert "reader0000" in narrowed.output and "Only the newest" not in narrowed.output

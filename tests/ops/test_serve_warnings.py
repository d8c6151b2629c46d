"""`papertide serve` on an address others can reach, with the built-in development secret key:
one clear warning naming the settings to change, and the site still starts."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from papertide.cli import app as cli_app
from papertide.cli.serving import dev_secret_warning
from papertide.config import DEV_SECRET
from papertide.storage.db import Database
from papertide.storage.migrate import upgrade

REAL_SECRET = "k" * 48


@pytest.mark.parametrize(("host", "secret", "warns"), [
    ("0.0.0.0", DEV_SECRET, True),
    ("::", DEV_SECRET, True),
    ("192.168.1.20", DEV_SECRET, True),
    ("papers.lab.example", DEV_SECRET, True),
    ("127.0.0.1", DEV_SECRET, False),  # the default: only this machine can reach it
    ("127.0.1.1", DEV_SECRET, False),
    ("localhost", DEV_SECRET, False),
    ("::1", DEV_SECRET, False),
    ("0.0.0.0", REAL_SECRET, False),
])
def test_the_dev_secret_on_a_reachable_address_is_warned_about(host, secret, warns):
    message = dev_secret_warning(secret, host, 8000)
    assert (message is not None) == warns, message
    if message:
        assert "PAPERTIDE_SECRET_KEY" in message and "PAPERTIDE_DEV_MODE=false" in message


def test_serve_on_every_interface_with_the_dev_secret_logs_one_warning_and_goes_on_starting(tmp_path):
    # A schema behind the code stops `serve` right after its start-up checks, before uvicorn binds.
    db = Database(f"sqlite:///{tmp_path / 'papertide.db'}")
    upgrade(db, "0001_foundation")
    env = {"PAPERTIDE_DATABASE_URL": db.url, "PAPERTIDE_DATA_DIR": str(tmp_path), "PAPERTIDE_SEARCH_EMBEDDER": "null",
           "PAPERTIDE_WITH_WORKER": None, "PAPERTIDE_HOST": None, "PAPERTIDE_PORT": None,
           "PAPERTIDE_SECRET_KEY": None, "PAPERTIDE_DEV_MODE": None, "PAPERTIDE_BASE_URL": "https://papers.example"}
    result = CliRunner().invoke(cli_app, ["serve", "--host", "0.0.0.0", "--port", "18901"], env=env)
    assert "The database schema is behind this papertide" in result.output  # got past the warning: not refused
    said = [line for line in result.output.splitlines() if "development secret key" in line]
    assert len(said) == 1, result.output
    assert "WARNING" in said[0] and "0.0.0.0:18901" in said[0] and "PAPERTIDE_SECRET_KEY" in said[0]
    quiet = CliRunner().invoke(cli_app, ["serve", "--port", "18901"], env=env)  # 127.0.0.1, the default host
    assert "development secret key" not in quiet.output, quiet.output
    db.dispose()

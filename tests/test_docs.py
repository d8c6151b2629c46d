"""Every setting and CLI command is documented in the README."""

from pathlib import Path

from typer.main import get_command

from papertide.cli import app
from papertide.config import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented():
    missing = [n for n in Settings.model_fields if f"`PAPERTIDE_{n.upper()}`" not in README]
    assert missing == []
    assert all(f.description for f in Settings.model_fields.values())


def _commands(group, prefix=""):  # type: ignore[no-untyped-def]
    for name, cmd in getattr(group, "commands", {}).items():
        full = f"{prefix}{name}"
        if getattr(cmd, "commands", None):
            yield from _commands(cmd, full + " ")
        else:
            yield full


def test_every_cli_command_is_documented():
    missing = [c for c in _commands(get_command(app)) if f"`papertide {c}" not in README]
    assert missing == []

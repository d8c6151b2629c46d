"""The README documents what the code has: every setting (with its real default), CLI command and
option, scheduled job and top-level package; and names no setting the code does not read."""

import re
from pathlib import Path

from typer.main import get_command

from papertide.cli import app
from papertide.config import Settings
from papertide.services import Edges, build_services

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SCALING = (ROOT / "docs" / "scaling.md").read_text(encoding="utf-8")


def test_every_setting_is_documented():
    missing = [n for n in Settings.model_fields if f"`PAPERTIDE_{n.upper()}`" not in README]
    assert missing == []
    assert all(f.description for f in Settings.model_fields.values())


def _documented_defaults() -> dict[str, str]:
    rows = re.findall(r"^\| `PAPERTIDE_([A-Z0-9_]+)` \| ([^|]*) \|", README, flags=re.MULTILINE)
    return {name.lower(): default for name, default in rows}


def test_every_settings_table_row_shows_the_codes_default():
    shown = _documented_defaults()
    expected = {
        name: "*(empty)*" if field.default in (None, "") else f"`{field.default}`"
        for name, field in Settings.model_fields.items()
    }
    assert shown == expected


def test_the_docs_name_no_setting_the_code_does_not_have():
    names = set(re.findall(r"PAPERTIDE_([A-Z0-9_]+)", README + SCALING)) - {"JOBS_"}  # JOBS_*_ENABLED: a pattern
    assert sorted(names - {n.upper() for n in Settings.model_fields}) == []


def _commands(group, prefix=""):  # type: ignore[no-untyped-def]
    for name, cmd in getattr(group, "commands", {}).items():
        full = f"{prefix}{name}"
        if getattr(cmd, "commands", None):
            yield from _commands(cmd, full + " ")
        else:
            yield full, cmd


def test_every_cli_command_is_documented():
    missing = [c for c, _ in _commands(get_command(app)) if f"`papertide {c}" not in README]
    assert missing == []


def test_every_option_in_the_command_table_exists():
    commands = dict(_commands(get_command(app)))
    unknown = []
    for usage in re.findall(r"^\| `papertide ([^`]+)`", README, flags=re.MULTILINE):
        words = usage.split()
        name = next(" ".join(words[:n]) for n in (2, 1) if " ".join(words[:n]) in commands)
        options = {o for p in commands[name].params for o in (*p.opts, *getattr(p, "secondary_opts", ()))}
        unknown += [f"{name} {o}" for o in re.findall(r"--[a-z][a-z-]*", usage) if o not in options]
    assert unknown == []


def test_every_job_is_in_the_jobs_table(tmp_path, sqlite_db):
    settings = Settings(data_dir=tmp_path, search_embedder="null", _env_file=None)  # type: ignore[call-arg]
    services = build_services(settings, Edges(db=sqlite_db))
    try:
        names = list(services.jobs.jobs)
    finally:
        services.close()
    assert names and [n for n in names if f"\n| `{n}` |" not in README] == []


def test_every_top_level_module_is_in_the_layout():
    layout = README.split("## Layout", 1)[1].split("```", 2)[1]
    package = ROOT / "papertide"
    entries = [f"{p.name}/" for p in package.iterdir() if (p / "__init__.py").exists()]
    entries += [p.name for p in package.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    assert sorted(e for e in entries if not re.search(rf"(^|\s){re.escape(e)}(\s|$)", layout)) == []

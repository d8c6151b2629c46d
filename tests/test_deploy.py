"""The files in deploy/ run commands and set settings that exist, and keep their promises.

Nothing here starts docker, systemd or nginx: each file is parsed the way its tool reads it
(configparser for units, YAML for compose, instructions for the Containerfile) and what it
runs is parsed by our own CLI, so a renamed command, option or setting fails here first.
"""

from __future__ import annotations

import configparser
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import uvicorn
import yaml  # PyYAML, pinned in the dev extra
from typer.exceptions import TyperException
from typer.main import get_command
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from papertide.app import STATIC_DIR
from papertide.cli import app as cli_app
from papertide.config import Settings
from papertide.storage.db import Database
from tests.factories import app_for
from tests.live import serve_app

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
SETTING_NAME = re.compile(r"\bPAPERTIDE_[A-Z0-9_]+\b")


def parse_cli(argv: list[str]) -> Any:
    """Parse ``papertide ARGV`` as the CLI would, without running it (a click context).

    Raises typer's usage errors (TyperException) for an unknown command, option or bad value.
    """
    cmd = get_command(cli_app)
    path = ["papertide"]
    args = list(argv)
    while getattr(cmd, "commands", None) and args and args[0] in cmd.commands:  # type: ignore[attr-defined]
        path.append(args[0])
        cmd = cmd.commands[args.pop(0)]  # type: ignore[attr-defined]
    assert not getattr(cmd, "commands", None), f"{' '.join(argv)!r} names a command group, not a command"
    return cmd.make_context(" ".join(path), args)


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read_string((DEPLOY / name).read_text(encoding="utf-8"))
    return parser


def papertide_argv(exec_start: str) -> list[str]:
    program, *argv = shlex.split(exec_start)
    assert Path(program).name == "papertide", exec_start
    return argv


def compose() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def containerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined."""
    text = (DEPLOY / "Containerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return [(ln.split(None, 1)[0].upper(), ln.split(None, 1)[1]) for ln in lines]


def test_parse_cli_refuses_what_the_cli_would_refuse():
    with pytest.raises(TyperException):
        parse_cli(["serve", "--no-such-option"])
    with pytest.raises(TyperException):
        parse_cli(["worker", "--grace", "soon"])
    assert parse_cli(["serve", "--workers", "3", "--no-worker"]).params["workers"] == 3


def test_web_unit_serves_without_the_job_runner():
    service = unit("papertide-web.service")["Service"]
    ctx = parse_cli(papertide_argv(service["ExecStart"]))
    assert ctx.command.name == "serve"
    assert ctx.params["with_worker"] is False
    assert ctx.params["workers"] >= 2


def test_worker_unit_runs_the_worker_and_outwaits_its_grace():
    service = unit("papertide-worker.service")["Service"]
    ctx = parse_cli(papertide_argv(service["ExecStart"]))
    assert ctx.command.name == "worker"
    assert float(service["TimeoutStopSec"]) > ctx.params["grace"]  # SIGKILL only after the worker gave up


@pytest.mark.parametrize("name", ["papertide-web.service", "papertide-worker.service"])
def test_units_run_as_a_dedicated_user_restart_and_are_hardened(name: str):
    parsed = unit(name)
    service = parsed["Service"]
    assert {k: service.get(k) for k in ("User", "EnvironmentFile", "NoNewPrivileges", "ProtectSystem",
                                        "ProtectHome", "PrivateTmp", "KillSignal")} == {
        "User": "papertide", "EnvironmentFile": "/etc/papertide/papertide.env", "NoNewPrivileges": "yes",
        "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes", "KillSignal": "SIGTERM",
    }
    assert service["Restart"] in ("always", "on-failure")
    assert service["ReadWritePaths"] == "/var/lib/papertide"
    assert parsed["Install"]["WantedBy"] == "multi-user.target"


def test_no_timers_since_the_worker_schedules_every_job():
    assert sorted(p.name for p in DEPLOY.glob("*.timer")) == []


def test_every_setting_named_in_deploy_files_exists():
    named = {m for p in DEPLOY.iterdir() if p.is_file() for m in SETTING_NAME.findall(p.read_text(encoding="utf-8"))}
    fields = {f"PAPERTIDE_{n.upper()}" for n in Settings.model_fields}
    assert len(named) >= 10
    assert sorted(named - fields) == []


def _env_example() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "papertide.env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            key, value = line.split("=", 1)
            values[key.removeprefix("PAPERTIDE_").lower()] = value.strip('"')
    return values


def test_env_example_is_refused_until_a_secret_is_set_then_valid():
    values = _env_example()
    with pytest.raises(ValueError, match="SECRET_KEY"):
        Settings(_env_file=None, **values)  # type: ignore[call-arg]
    settings = Settings(_env_file=None, **{**values, "secret_key": "s" * 48})  # type: ignore[call-arg]
    assert (settings.dev_mode, settings.is_sqlite, settings.email_backend) == (False, False, "smtp")


def test_compose_runs_postgres_with_pgvector_a_migration_then_web_and_worker():
    services = compose()["services"]
    assert sorted(services) == ["db", "migrate", "web", "worker"]
    assert services["db"]["image"].startswith("pgvector/pgvector:")
    commands = {name: parse_cli(services[name]["command"]).command.name for name in ("migrate", "web", "worker")}
    assert commands == {"migrate": "upgrade", "web": "serve", "worker": "worker"}
    assert parse_cli(services["web"]["command"]).params["with_worker"] is False
    assert services["migrate"]["restart"] == "no"
    assert services["migrate"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    for name in ("web", "worker"):
        assert services[name]["depends_on"] == {"migrate": {"condition": "service_completed_successfully"}}


def test_compose_builds_the_containerfile_and_sets_only_real_settings():
    services = compose()["services"]
    fields = {f"PAPERTIDE_{n.upper()}" for n in Settings.model_fields}
    for name in ("migrate", "web", "worker"):
        build = services[name]["build"]
        assert (DEPLOY / build["context"] / build["dockerfile"]).resolve() == DEPLOY / "Containerfile"
        env = services[name]["environment"]
        assert set(env) - {"FORWARDED_ALLOW_IPS"} <= fields
        assert env["PAPERTIDE_DEV_MODE"] == "false"
        assert env["PAPERTIDE_DATABASE_URL"].startswith("postgresql+psycopg://")


def test_compose_web_sees_the_proxys_client_addresses_and_listens_on_loopback_only(monkeypatch: pytest.MonkeyPatch):
    # Behind Docker's port publishing every request arrives from the network's gateway; unless
    # uvicorn trusts it, X-Forwarded-For is dropped and all visitors share one rate-limit bucket.
    web = compose()["services"]["web"]
    trusted = web["environment"]["FORWARDED_ALLOW_IPS"]
    monkeypatch.setenv("FORWARDED_ALLOW_IPS", trusted)
    assert uvicorn.Config("papertide.app:create_app", factory=True).forwarded_allow_ips == trusted
    seen: list[str] = []

    async def app(scope, receive, send):  # type: ignore[no-untyped-def]
        seen.append(scope["client"][0])

    proxied = ProxyHeadersMiddleware(app, trusted_hosts=trusted)  # what uvicorn wraps the app in
    # The host's nginx appends the real client to whatever the client sent ($proxy_add_x_forwarded_for).
    for gateway in ("172.18.0.1", "192.168.16.1", "10.89.0.1"):
        scope = {"type": "http", "client": (gateway, 40000), "scheme": "http",
                 "headers": [(b"x-forwarded-for", b"6.6.6.6, 203.0.113.7")]}
        step = proxied(scope, None, None)  # type: ignore[arg-type]
        # Driven by hand: nothing in it awaits I/O, and a browser test's Playwright may already run
        # an event loop on this thread (asyncio.run refuses to start another).
        with pytest.raises(StopIteration):
            step.send(None)
    assert seen == ["203.0.113.7"] * 3  # the real client, never the address a client wrote itself
    # Trusting private ranges is only safe while nothing outside the host can connect.
    assert [p.split(":")[0] for p in web["ports"]] == ["127.0.0.1"]
    assert set(web["environment"]) > set(compose()["services"]["worker"]["environment"])


def test_containerfile_is_slim_non_root_installs_the_package_and_runs_the_cli():
    steps = containerfile()
    kinds = [k for k, _ in steps]
    assert steps[0] == ("FROM", "python:3.11-slim")
    users = [arg for k, arg in steps if k == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert any(k == "RUN" and "pip install ." in arg for k, arg in steps)
    sources = [src for k, arg in steps if k == "COPY" for src in arg.split()[:-1]]
    assert sources and [s for s in sources if not (REPO / s).exists()] == []
    entrypoint = json.loads(next(arg for k, arg in steps if k == "ENTRYPOINT"))
    cmd = json.loads(next(arg for k, arg in steps if k == "CMD"))
    assert entrypoint == ["papertide"]
    assert parse_cli(cmd).command.name == "serve"
    assert kinds.index("USER") > max(i for i, k in enumerate(kinds) if k == "RUN")


def test_the_image_can_back_up_and_restore_its_postgresql():
    # `db backup`/`db restore` on PostgreSQL run pg_dump/pg_restore from PATH; the slim base has neither.
    runs = [arg for k, arg in containerfile() if k == "RUN"]
    assert any("apt-get install" in arg and "postgresql-client" in arg.split() for arg in runs)
    assert any("rm -rf /var/lib/apt/lists" in arg for arg in runs)


def test_containerfile_healthcheck_command_passes_against_a_live_server(sqlite_db: Database, tmp_path: Path):
    health = next(arg for k, arg in containerfile() if k == "HEALTHCHECK")
    argv = json.loads(health.split("CMD", 1)[1])
    app = app_for(Settings(data_dir=tmp_path, database_url=str(sqlite_db.engine.url), _env_file=None), sqlite_db)  # type: ignore[call-arg]
    with serve_app(app) as base:
        port = base.rsplit(":", 1)[1]
        script = argv[-1].replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        assert script != argv[-1]
        ok = subprocess.run([sys.executable, *argv[1:-1], script], capture_output=True, timeout=30)
    refused = subprocess.run([sys.executable, *argv[1:-1], script], capture_output=True, timeout=30)
    assert (ok.returncode, refused.returncode != 0) == (0, True)


def test_nginx_proxies_to_the_web_unit_with_forwarded_headers_and_serves_static_from_the_package():
    conf = (DEPLOY / "nginx-papertide.conf").read_text(encoding="utf-8")
    ctx = parse_cli(papertide_argv(unit("papertide-web.service")["Service"]["ExecStart"]))
    assert f"server {ctx.params['host']}:{ctx.params['port']}" in conf
    for header in ("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"):
        assert f"proxy_set_header {header}" in conf
    assert re.search(r"ssl_certificate\s+/\S+;", conf) and re.search(r"ssl_certificate_key\s+/\S+;", conf)
    alias = re.search(r"location /static/ \{[^}]*alias (\S+);[^}]*max-age=(\d+)", conf)
    assert alias is not None and int(alias.group(2)) >= 86400
    assert alias.group(1).endswith("/papertide/web/static/") and (STATIC_DIR / "htmx.min.js").is_file()
    # The app's own caching headers must reach clients and CDNs untouched.
    assert not re.search(r"proxy_(hide_header|ignore_headers)[^;]*(Cache-Control|ETag|Last-Modified)", conf)

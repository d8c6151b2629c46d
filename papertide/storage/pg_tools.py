"""PostgreSQL backups through the server's own client tools, ``pg_dump`` and ``pg_restore``.

We wrap the tools rather than reading tables ourselves: a custom-format dump holds the
schema, pgvector's types and indexes, triggers and sequences exactly, restores in
parallel, and is what every PostgreSQL operator already knows how to inspect. The tools
come from ``PAPERTIDE_PG_BIN_DIR`` or ``PATH``; a ``pg_dump`` older than the server
refuses to dump it, so we check the major versions first and say which tools to install.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from papertide.storage.db import Database

TOOL_TIMEOUT_S = 24 * 3600  # a dump of a large instance may take hours; a hung tool still ends


class PgToolError(RuntimeError):
    """A PostgreSQL client tool is missing, too old, or failed (the message says which and why)."""


@dataclass(frozen=True, slots=True)
class PgTool:
    path: Path
    major: int


def find_tool(name: str, bin_dir: Path | None) -> PgTool:
    """``name`` from ``bin_dir`` when given, else from ``PATH``, with its major version."""
    if bin_dir is not None:
        path = bin_dir / name
        if not path.is_file():
            raise PgToolError(f"{name} is not in PAPERTIDE_PG_BIN_DIR ({bin_dir}).")
    else:
        found = shutil.which(name)
        if found is None:
            raise PgToolError(
                f"{name} was not found on PATH. Install the PostgreSQL client tools (e.g. the "
                "postgresql-client package, same major version as the server or newer) or set "
                "PAPERTIDE_PG_BIN_DIR to the directory that holds them."
            )
        path = Path(found)
    out = subprocess.run([str(path), "--version"], capture_output=True, text=True, timeout=60, check=False)
    m = re.search(r"\(PostgreSQL\)\s+(\d+)", out.stdout) or re.search(r"(\d+)\.\d+", out.stdout)
    if out.returncode != 0 or m is None:
        raise PgToolError(f"{path} --version failed: {out.stderr.strip() or out.stdout.strip()}")
    return PgTool(path, int(m.group(1)))


def server_major(db: Database) -> int:
    with db.read() as conn:
        return int(conn.exec_driver_sql("SHOW server_version_num").scalar_one()) // 10_000


def checked_tool(name: str, bin_dir: Path | None, db: Database) -> PgTool:
    """The tool, refused with a clear message when its major version is older than the server's."""
    tool = find_tool(name, bin_dir)
    server = server_major(db)
    if tool.major < server:
        raise PgToolError(
            f"{tool.path} is PostgreSQL {tool.major}, older than the server (PostgreSQL {server}); "
            f"it cannot read this server. Install the PostgreSQL {server} client tools and put them on "
            "PATH or set PAPERTIDE_PG_BIN_DIR to their directory."
        )
    return tool


def libpq_target(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URI for ``url`` and the environment carrying its password.

    The password goes in ``PGPASSWORD`` rather than the command line, where ``ps`` shows it.
    """
    parsed = sa.engine.make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def dump(db: Database, dest: Path, bin_dir: Path | None) -> None:
    """Write a custom-format dump of ``db`` to ``dest`` (via a temporary file, then listed to check it)."""
    pg_dump = checked_tool("pg_dump", bin_dir, db)
    pg_restore = checked_tool("pg_restore", bin_dir, db)
    conninfo, env = libpq_target(db.url)
    partial = dest.with_name(dest.name + ".partial")
    _run([str(pg_dump.path), "--format=custom", "--no-owner", "--file", str(partial), "--dbname", conninfo], env)
    # A dump pg_restore can list is whole: its table of contents is written last.
    _run([str(pg_restore.path), "--list", str(partial)], env)
    os.replace(partial, dest)


def restore(db: Database, src: Path, bin_dir: Path | None) -> None:
    """Restore a custom-format dump into ``db`` in one transaction, replacing the objects it holds."""
    pg_restore = checked_tool("pg_restore", bin_dir, db)
    conninfo, env = libpq_target(db.url)
    with db.read() as conn:
        installed = set(conn.exec_driver_sql("SELECT extname FROM pg_extension").scalars())
    # The extensions the target already has are left out of the restore: --clean would drop and
    # re-create them, which only their owner may do, and pgvector's owner is the superuser who
    # created it, not the site's role that restores (its types are the same either way).
    toc = _run([str(pg_restore.path), "--list", str(src)], env)
    with tempfile.NamedTemporaryFile("w", suffix=".list", encoding="utf-8") as use_list:
        use_list.write(without_extensions(toc, installed))
        use_list.flush()
        # --clean --if-exists replaces a migrated (possibly empty) schema; one transaction means a
        # failure leaves the database as it was. Owners and grants are the target's, not the source's.
        _run(
            [str(pg_restore.path), "--clean", "--if-exists", "--single-transaction", "--exit-on-error",
             "--no-owner", "--no-privileges", "--use-list", use_list.name, "--dbname", conninfo, str(src)],
            env,
        )


# A table-of-contents line of `pg_restore --list` for an extension or its comment:
# "2; 3079 16879 EXTENSION - vector" and "3423; 0 0 COMMENT - EXTENSION vector".
_EXTENSION_ENTRY = re.compile(r"^\d+; \d+ \d+ (?:COMMENT - )?EXTENSION (?:- )?(\S+)")


def without_extensions(toc: str, names: set[str]) -> str:
    """``toc`` with the entries of the extensions ``names`` commented out (a ``--use-list`` file).

    >>> without_extensions("2; 3079 16879 EXTENSION - vector \\n357; 1255 17580 FUNCTION public f() pt", {"vector"})
    ';2; 3079 16879 EXTENSION - vector \\n357; 1255 17580 FUNCTION public f() pt'
    """
    lines = []
    for line in toc.splitlines():
        m = _EXTENSION_ENTRY.match(line)
        lines.append(";" + line if m and m.group(1) in names else line)
    return "\n".join(lines)


def _run(args: list[str], env: dict[str, str]) -> str:
    out = subprocess.run(args, capture_output=True, text=True, env=env, timeout=TOOL_TIMEOUT_S, check=False)
    if out.returncode != 0:
        raise PgToolError(f"{Path(args[0]).name} failed (exit {out.returncode}): {out.stderr.strip()}")
    return out.stdout

"""A throwaway PostgreSQL server for a test: Debian's `postgresql` package (installed by
`.ci/run`), a new cluster in a temporary folder, listening on loopback only, trust
authentication, stopped and removed afterwards. Run as the current user, or, when that is root
(CI, which initdb refuses), as Debian's `postgres` system user via `runuser`."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg2

USER = "rendement"


def postgres_bin() -> Path:
    """The newest installed server's bin folder (/usr/lib/postgresql/<version>/bin)."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4])
    )
    assert found, "PostgreSQL ontbreekt: apt-get install postgresql (zie .ci/run)"
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_owner(owner: str | None, argv: list[str]) -> list[str]:
    return ["runuser", "-u", owner, "--", *argv] if owner else argv


@contextlib.contextmanager
def postgres_server(database: str = "dagster") -> Iterator[str]:
    """Start a cluster and yield the URL of a new, empty `database` on it."""
    bindir = postgres_bin()
    owner = None
    if os.geteuid() == 0:
        owner = "postgres"
        try:
            pwd.getpwnam(owner)
        except KeyError:
            owner = "nobody"
    root = Path(tempfile.mkdtemp(prefix="rendement-pg-"))  # /tmp: reachable for `owner`
    data = root / "data"
    data.mkdir()
    if owner:
        entry = pwd.getpwnam(owner)
        for path in (root, data):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    port = _free_port()
    run = lambda *argv: subprocess.run(  # noqa: E731
        _as_owner(owner, [str(a) for a in argv]),
        check=True,
        capture_output=True,
        text=True,
        cwd=root,
    )
    try:
        run(bindir / "initdb", "-D", data, "-U", USER, "-A", "trust", "-E", "UTF8", "--no-sync")
        options = f"-h 127.0.0.1 -p {port} -k {root} -F"  # fsync off: a throwaway server
        run(bindir / "pg_ctl", "-D", data, "-o", options, "-l", root / "log", "-w", "start")
        url = f"postgresql://{USER}@127.0.0.1:{port}"
        with contextlib.closing(psycopg2.connect(f"{url}/postgres")) as con:
            con.autocommit = True
            con.cursor().execute(f'CREATE DATABASE "{database}"')
        yield f"postgresql+psycopg2://{USER}@127.0.0.1:{port}/{database}"
    finally:
        with contextlib.suppress(subprocess.CalledProcessError, FileNotFoundError):
            run(bindir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)

"""`rendement serve` as a real subprocess: binds to the loopback address, serves the page and
accepts an upload, and stops cleanly."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.service import PROJECT_CSV, make_world, visible, wait_until_serving


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_rendement_serve_subprocess(tmp_path):
    world = make_world(tmp_path / "home")
    port = _free_port()
    exe = Path(sys.executable).with_name("rendement")
    env = {**os.environ, "RENDEMENT_HOME": str(tmp_path / "elders")}  # --home wins
    proc = subprocess.Popen(
        # no Dagster to ask (whatever may listen on this machine's port 3000)
        [str(exe), "serve", "--port", str(port), "--home", str(world.home.root), "--max-mb", "2",
         "--dagster", "uit"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(base, proc)
        page = httpx.get(base + "/")
        assert page.status_code == 200 and "hoogstens 2 MB" in page.text
        r = httpx.post(
            base + "/api/uploads",
            headers={"Authorization": f"Bearer {world.tokens['ORG1']}"},
            files={"bestand": ("project_2025.csv", PROJECT_CSV)},
            timeout=120,
        )
        assert r.status_code == 201, r.text
        assert visible(world.home, "ORG1") == [r.json()["bestand"]]
        assert "Uploadservice voor" in _stderr_so_far(proc)
        # bound to 127.0.0.1 itself, not to every address: 127.0.0.2 (also this machine) and
        # the machine's own network address get no answer
        for other in {"127.0.0.2", _own_address()} - {None}:
            with socket.socket() as s, contextlib.suppress(OSError):
                s.settimeout(2)
                assert s.connect_ex((other, port)) != 0, other
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert not (tmp_path / "elders").exists()


def _own_address() -> str | None:
    """This machine's address on its default route, if it has one (no packet is sent)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))
            address = s.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


def _stderr_so_far(proc: subprocess.Popen) -> str:
    os.set_blocking(proc.stderr.fileno(), False)
    data = proc.stderr.read() or b""
    return data.decode("utf-8", "replace")

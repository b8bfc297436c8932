"""Issue 20 point 2: XLSX work is bounded by what it costs. A 48 KB workbook of twenty 1 MiB
numeric sheets is refused in well under a second (`sources.workbook_limits`), by the service and
by intake; a workbook within those limits that still costs too much is stopped by the
pre-flight's child process (`rendement.service.sandbox`: memory and time); and SIGTERM during a
pre-flight stops `rendement serve` within seconds, leaving no temp files. Real uvicorn servers
(in-process and `rendement serve` as a subprocess)."""

from __future__ import annotations

import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from rendement.intake.accept import receive_org
from rendement.service.sandbox import Limits
from sources.workbook_limits import MAX_COLUMNS
from tests.support.service import (
    costly_xlsx,
    inbox_files,
    make_world,
    serve,
    wait_until_serving,
    wide_sheet_bomb,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _post(url: str, token: str, name: str, data: bytes, timeout: float = 120) -> httpx.Response:
    return httpx.post(
        f"{url}/api/uploads",
        headers={"Authorization": f"Bearer {token}"},
        files={"bestand": (name, data, XLSX)},
        timeout=timeout,
    )


def test_small_workbook_of_wide_sheets_is_refused_in_a_moment(tmp_path):
    bomb = wide_sheet_bomb(20)
    assert len(bomb) < 100 * 1024
    world = make_world(tmp_path / "home")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with serve(world) as live:
        started = time.monotonic()
        r = _post(live.url, world.tokens["ORG1"], "traject_2025.xlsx", bomb)
        took = time.monotonic() - started
    assert r.status_code == 422, r.text
    assert r.json()["fout"] == "werkmap_te_groot"
    assert f"meer dan {MAX_COLUMNS:,} kolommen".replace(",", ".") in r.json()["melding"]
    assert took < 5, took
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 200, grown_mb  # peak memory of this process (server included)
    assert inbox_files(world.home, "ORG1").get("ORG1", []) == []  # nothing kept, no leftovers

    # the same file put in the inbox another way: intake refuses it just as fast
    (world.home.org_inbox("ORG1") / "traject_2025.xlsx").write_bytes(bomb)
    started = time.monotonic()
    [outcome] = receive_org(world.home, "ORG1")
    assert time.monotonic() - started < 5
    assert (outcome.status, outcome.reden_code) == ("geweigerd", "werkmap_te_groot")


def test_preflight_over_its_memory_or_time_is_refused_and_nothing_is_kept(tmp_path):
    """Within the workbook limits, but more than the pre-flight may use: a clear refusal."""
    costly = costly_xlsx(200, 10_000)  # 2 million cells, ~11 MB
    world = make_world(tmp_path / "home")
    limits = {"max_upload_bytes": 20 * 1024 * 1024}
    with serve(world, **limits, preflight_limits=Limits(memory_mb=600)) as live:
        r = _post(live.url, world.tokens["ORG1"], "traject_2025.xlsx", costly)
    assert r.status_code == 422, r.text
    assert r.json()["fout"] == "voorcontrole_te_zwaar"
    assert "meer dan 600 MB geheugen" in r.json()["melding"]
    with serve(world, **limits, preflight_limits=Limits(seconds=3)) as live:
        started = time.monotonic()
        r = _post(live.url, world.tokens["ORG1"], "traject_2025.xlsx", costly)
        took = time.monotonic() - started
    assert r.status_code == 422, r.text
    assert r.json()["fout"] == "voorcontrole_te_lang"
    assert "langer dan 3 seconden" in r.json()["melding"]
    assert took < 20, took
    assert inbox_files(world.home, "ORG1").get("ORG1", []) == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children_of(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def test_sigterm_during_a_preflight_stops_the_server_promptly_without_leftovers(tmp_path):
    world = make_world(tmp_path / "home")
    home = world.home
    inbox = home.org_inbox("ORG1")
    inbox.mkdir(parents=True)
    # what a killed earlier service left behind (its process is gone): removed at start-up
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    (inbox / f".upload-{dead}-abc.part").write_bytes(b"half")
    (inbox / f".controle-{dead}-xyz").mkdir()
    costly = costly_xlsx(200, 10_000)
    port = _free_port()
    exe = Path(sys.executable).with_name("rendement")
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--home", str(home.root), "--max-mb", "20"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ),
    )  # fmt: skip
    answer: dict = {}
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(base, proc)
        assert inbox_files(home, "ORG1")["ORG1"] == []  # the dead service's leftovers

        def upload():
            try:
                answer["r"] = _post(base, world.tokens["ORG1"], "traject_2025.xlsx", costly)
            except httpx.HTTPError as exc:
                answer["error"] = exc

        thread = threading.Thread(target=upload)
        thread.start()
        deadline = time.monotonic() + 60  # until the pre-flight runs (its check folder exists)
        while not any(n.startswith(".controle-") for n in inbox_files(home, "ORG1")["ORG1"]):
            assert time.monotonic() < deadline, "the pre-flight did not start"
            time.sleep(0.05)
        time.sleep(1.0)  # well into reading the workbook
        children = _children_of(proc.pid)
        assert children, "the pre-flight runs in a child process"
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
        stopped = time.monotonic() - started
        thread.join(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert stopped < 5, stopped
    if "r" in answer:  # answered before the connection closed: refused, not stored
        assert answer["r"].status_code == 503, answer["r"].text
        assert answer["r"].json()["fout"] == "dienst_stopt"
    assert inbox_files(home, "ORG1")["ORG1"] == []  # no upload, no .part, no .controle-*
    time.sleep(0.5)
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()
                and "Z" not in (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1][:3])]  # fmt: skip

"""From the end of an upload to the updated report, with the services as the README starts them.

    python bench/upload_latency.py [--orgs 8] [--home DIR] [--repeat 1] [--json OUT]

On a demo home (`rendement demo --orgs N`, made here unless `--home` is one already), this
starts `dagster dev -w workspace.yaml` (webserver, daemon, code server) and `rendement serve`
on free loopback ports, exactly as the README does, with `RENDEMENT_DAGSTER_URL` pointing the
service at that webserver. Then the first organisation re-delivers its latest year through
HTTP (`POST /api/uploads` with its token, one request per file, as a scheduled upload does)
with 2–2.3 % of the trajectories left out, and the script polls its report page
(`site/org/<ORG>/index.html`) until its content changes. The figure is the time from the end
of the last upload request to the changed page; next to it, from the Dagster instance, how
many runs the delivery started and where the time went (queued, launching, running).

The services are stopped at the end (their process groups, started here). Stdlib, httpx (a
dev dependency) and the project itself only.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import httpx
import polars as pl

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url, timeout=2).status_code < 500:
                return
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def page_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def changed_delivery(home: Path, orgs: int, seed: int, out: Path, share: float, extra: int = 0):
    """The first demo organisation's latest year with `share` of its trajectories, plus
    `extra` more (and their measurements), left out, written as its export files into `out`.
    (A different `extra` on every measurement of the same home: the same bytes again would be
    recognised as received, and a share alone leaves out the same rows for nearby shares.)"""
    from rendement.demo import generate_sector, write_exports

    org = next(iter(generate_sector(orgs, seed)))
    year = max(org.tables)
    tables = dict(org.tables[year])
    traject = tables["traject"]
    left_out = max(1, round(traject.height * share)) + extra
    keep = traject.head(max(1, traject.height - left_out))
    tables["traject"] = keep
    tables["meting"] = tables["meting"].filter(
        pl.col("traject_id").is_in(keep["traject_id"].implode())
    )
    paths = write_exports(replace(org, tables={year: tables}), out)
    return org.organisatie_id, paths


def start(cmd: list[str], env: dict, log: Path) -> subprocess.Popen:
    """A service in its own process group (so that it and its children stop together)."""
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip


def stop(proc: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def runs_since(dagster_home: Path, since: float, org: str) -> list[dict]:
    """The runs created after `since` for `org`: when queued, started, finished."""
    import dagster as dg

    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        records = instance.get_run_records(
            filters=dg.RunsFilter(tags={"dagster/partition": org}, created_after=_utc(since))
        )
        return [
            {
                "run_id": r.dagster_run.run_id,
                "status": r.dagster_run.status.value,
                "created": r.create_timestamp.timestamp(),
                "started": r.start_time,
                "ended": r.end_time,
                "by": "sensor" if r.dagster_run.tags.get("dagster/sensor_name") else "service",
            }
            for r in sorted(records, key=lambda r: r.create_timestamp)
        ]


def _utc(ts: float):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ts, UTC)


def measure_once(home: Path, org: str, files: list[Path], service: str, token: str) -> dict:
    page = home / "site" / "org" / org / "index.html"
    before = page_digest(page)
    headers = {"Authorization": f"Bearer {token}"}
    statuses = []
    with httpx.Client(base_url=service, headers=headers, timeout=60) as client:
        for path in files:
            with path.open("rb") as fh:
                answer = client.post("/api/uploads", files={"bestand": (path.name, fh)})
            statuses.append(answer.status_code)
    uploaded = time.time()
    deadline = uploaded + 300
    while page_digest(page) == before:
        if time.time() > deadline:
            raise TimeoutError("the report did not change within 300 s")
        time.sleep(0.1)
    changed = time.time()
    return {"uploads": statuses, "uploaded": uploaded, "report_changed": changed}


def measure(home: Path, org: str, files: list[Path], service_url: str, token: str) -> dict:
    """One delivery through HTTP until the page changed and its runs ended."""
    started = time.time()
    result = measure_once(home, org, files, service_url, token)
    # the run goes on after the page (the checks of the reports); wait for its end
    deadline = time.time() + 120
    while True:
        runs = runs_since(home / "dagster", started - 1, org)
        if runs and all(r["ended"] for r in runs) or time.time() > deadline:
            break
        time.sleep(0.5)
    t0 = result["uploaded"]
    return {
        "files": [p.name for p in files],
        "upload_status": result["uploads"],
        "seconds_to_report": round(result["report_changed"] - t0, 2),
        "runs": [
            {
                **r,
                "queued_after_upload_s": round(r["created"] - t0, 2),
                "launch_s": round(r["started"] - r["created"], 2) if r["started"] else None,
                "run_s": round(r["ended"] - r["started"], 2) if r["ended"] else None,
            }
            for r in runs
        ],
        "load_average": os.getloadavg()[0],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=8, help="demo organisations (default 8)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--home", type=Path, help="a demo home to reuse (made when missing)")
    parser.add_argument("--repeat", type=int, default=1, help="deliveries to measure (default 1)")
    parser.add_argument("--json", type=Path, help="write the result here as well")
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="rendement-latency-"))
    home = args.home or work / "home"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RENDEMENT_HOME": str(home)}
    env["DAGSTER_HOME"] = str(home / "dagster")
    if not (home / "site").exists():
        subprocess.run(
            ["rendement", "demo", "--home", str(home), "--orgs", str(args.orgs),
             "--seed", str(args.seed)],
            cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    org = changed_delivery(home, args.orgs, args.seed, work / "export-0", 0.02)[0]
    token = subprocess.run(
        ["rendement", "token", "new", org, "--home", str(home)],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip

    dagster_port, service_port = free_port(), free_port()
    env["RENDEMENT_DAGSTER_URL"] = f"http://127.0.0.1:{dagster_port}"
    dagster_url, service_url = env["RENDEMENT_DAGSTER_URL"], f"http://127.0.0.1:{service_port}"
    services = [
        start(
            ["dagster", "dev", "-w", "workspace.yaml", "-p", str(dagster_port)],
            env, work / "dagster.log",
        ),
        start(
            ["rendement", "serve", "--home", str(home), "--port", str(service_port)],
            env, work / "serve.log",
        ),
    ]  # fmt: skip
    try:
        wait_http(f"{service_url}/gezond", 60)
        wait_http(f"{dagster_url}/server_info", 120)
        time.sleep(15)  # the daemon's first ticks and the code server's start-up: idle again
        measurements = []
        for i in range(args.repeat):
            # 2 % and another number of trajectories more each time: the same bytes again
            # would be recognised as received (different within a call; a random offset for
            # a home reused with --home; far below the re-upload rule's 25 %)
            extra = 1 + i + random.Random().randrange(0, 5) * args.repeat
            out = work / f"export-{i}"
            files = changed_delivery(home, args.orgs, args.seed, out, 0.02, extra)[1]
            measurements.append(measure(home, org, files, service_url, token))
            time.sleep(5)  # idle again between measurements
    finally:
        for proc in services:
            stop(proc)
    summary = {
        "command": "bench/upload_latency.py " + " ".join(argv or sys.argv[1:]),
        "organisation": org,
        "seconds_to_report": [m["seconds_to_report"] for m in measurements],
        "measurements": measurements,
        "logs": str(work),
    }
    text = json.dumps(summary, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

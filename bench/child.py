"""What runs in a fresh subprocess per measurement, so that each peak memory is its own.

`python -m bench.child pipeline --home H --out J [--org ORG001]`: one `run_pipeline` (the real
Dagster job, in-process, on the home's instance), stage times from the run's event log, peak
memory of the process tree sampled per stage.

`python -m bench.child baseline --inbox I --db D --out J`: `bench.baseline.run_baseline`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from bench.measure import TreeSampler, maxrss_mb

# step key -> stage (the order of the table); the checks of an asset's output tables run in
# its step (`assets/checks.py`), so they count with its stage
STAGES = {
    "uploads": "intake",
    "accepted_tables": "validation",
    "project_mkba": "mkba",
    "warehouse": "warehouse",
    "sector_benchmark": "benchmark",
    "sector_stakeholders": "benchmark",  # the published aggregates: the benchmark stage too
    "sector_intervals": "benchmark",
    "warehouse_read_copy": "warehouse",  # the warehouse's copy for readers, once per run
    "reports": "reports",
}


def step_times(instance, run_id: str) -> dict[str, dict[str, float]]:
    """Start and end (unix time) of each step of a run, from the instance's event log."""
    from dagster import DagsterEventType

    kinds = {
        DagsterEventType.STEP_START,
        DagsterEventType.STEP_SUCCESS,
        DagsterEventType.STEP_FAILURE,
        DagsterEventType.RUN_START,
        DagsterEventType.RUN_SUCCESS,
        DagsterEventType.RUN_FAILURE,
    }
    out: dict[str, dict[str, float]] = {}
    for entry in instance.all_logs(run_id, of_type=kinds):
        event = entry.dagster_event
        kind = event.event_type_value
        key = event.step_key or "__run__"
        slot = out.setdefault(key, {})
        if kind in ("STEP_START", "RUN_START"):
            slot["start"] = entry.timestamp
        else:
            slot["end"] = entry.timestamp
            slot["ok"] = kind in ("STEP_SUCCESS", "RUN_SUCCESS")
    return out


def event_counts(instance, run_id: str) -> dict[str, int]:
    """Events the run wrote to the instance's event log, per type (and `total`): Dagster's own
    cost grows with these, so they should grow with stages, not with files or organisations."""
    counts: dict[str, int] = {}
    for entry in instance.all_logs(run_id):
        kind = entry.dagster_event.event_type_value if entry.dagster_event else "LOG_MESSAGE"
        counts[kind] = counts.get(kind, 0) + 1
    return {"total": sum(counts.values()), **dict(sorted(counts.items()))}


def pipeline(home: Path, out: Path, organisations: list[str] | None) -> int:
    started = time.time()
    load_before = os.getloadavg()
    with TreeSampler() as sampler:
        import pipelines.definitions  # noqa: F401  (imports are process start, not the run)
        from pipelines.run import run_pipeline
        from rendement.core.home import Home

        imported = time.time()
        result = run_pipeline(Home(home), organisations=organisations, progress=lambda _s: None)
        finished = time.time()
    steps = step_times(_instance(), result.run_id)
    events = event_counts(_instance(), result.run_id)
    pages = pages_rendered(result)
    stages = {}
    for stage in dict.fromkeys(STAGES.values()):
        # a stage of several steps (each with the checks of its tables): the sum of their times (the
        # steps run one after the other, not always next to each other)
        parts = [p for k, p in steps.items() if STAGES.get(k) == stage]
        if parts and all("start" in p and "end" in p for p in parts):
            stages[stage] = {
                "seconds": sum(p["end"] - p["start"] for p in parts),
                "cpu_seconds": sum(sampler.cpu_seconds(p["start"], p["end"]) for p in parts),
                "peak_mb": max(sampler.peak_mb(p["start"], p["end"]) for p in parts),
                "ok": all(p.get("ok", False) for p in parts),
            }
    run = steps.get("__run__", {})
    report = {
        "success": result.success,
        "run_id": result.run_id,
        "organisations": organisations,
        "import_seconds": imported - started,
        "run_seconds": finished - imported,
        "dagster_run_seconds": run.get("end", finished) - run.get("start", imported),
        "stages": stages,
        "events": events,
        "steps_seconds": sum(s["seconds"] for s in stages.values()),
        "cpu_seconds": sampler.cpu_seconds(imported, finished),
        "peak_mb": sampler.peak_mb(),
        "maxrss": maxrss_mb(),
        # 1-minute load average of the machine before and after: the share of other work
        "loadavg": [load_before[0], os.getloadavg()[0]],
        "pages_rendered": pages,
    }
    report["overhead_seconds"] = report["run_seconds"] - report["steps_seconds"]
    out.write_text(json.dumps(report, indent=2), "utf-8")
    return 0 if result.success else 1


def pages_rendered(result) -> int | None:
    """The organisation pages the run rendered (the `reports` asset's metadata): a re-upload's
    time depends on how many pages its moved sector figures touch."""
    for event in result.get_asset_materialization_events():
        if event.asset_key.path[-1] == "reports":
            value = event.materialization.metadata.get("organisatiepaginas_gemaakt")
            return None if value is None else int(value.value)
    return None


def _instance():
    import dagster as dg

    return dg.DagsterInstance.get()


def baseline(inbox: Path, db: Path, out: Path) -> int:
    load_before = os.getloadavg()
    with TreeSampler() as sampler:
        from bench.baseline import run_baseline

        report = run_baseline(inbox, db)
    report["peak_mb"] = sampler.peak_mb()
    report["maxrss"] = maxrss_mb()
    report["loadavg"] = [load_before[0], os.getloadavg()[0]]
    out.write_text(json.dumps(report, indent=2), "utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.child")
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("pipeline")
    p.add_argument("--home", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--org", action="append", default=None)
    b = sub.add_parser("baseline")
    b.add_argument("--inbox", type=Path, required=True)
    b.add_argument("--db", type=Path, required=True)
    b.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.what == "pipeline":
        return pipeline(args.home, args.out, args.org)
    return baseline(args.inbox, args.db, args.out)


if __name__ == "__main__":
    sys.exit(main())

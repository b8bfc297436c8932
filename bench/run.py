"""Sector-scale benchmark: the real Dagster pipeline against a plain polars/pandera/DuckDB baseline.

For each size (total distinct trajectories over the demo's years, spread over `--orgs`
organisations) it
1. generates the sector's exports with the demo generator into a fresh data home's inbox,
   registers the organisations and writes the demo's parameter override (as `rendement demo`);
2. runs the baseline (`bench.baseline`) on the same files, in its own subprocess;
3. runs the pipeline (`pipelines.run.run_pipeline`: one Dagster run for the whole sector) in its
   own subprocess: stage times from the run's event log, peak memory of the process tree;
4. lets one organisation re-upload a changed file and runs the pipeline for that organisation
   only (`run_pipeline(home, organisations=[org])`): the time until its results, the
   benchmarks and the reports are fresh; `--reuploads` times (each a different change: 2 %,
   3 %, … of its trajectories left out), the median reported with the range.

Results go to `--out` (default `bench/results/`, git-ignored) as JSON and a markdown table;
`--docs docs/performance.md` also puts the table in the docs. Usage:

    .venv/bin/python bench/run.py --sizes 300k/150 1M 3M 10M --orgs 540 --docs docs/performance.md
    .venv/bin/python bench/run.py --sizes 300k --orgs 150 --keep  # a few minutes, to profile
    .venv/bin/python bench/run.py --sizes 900 --orgs 3            # a tiny smoke run
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` and the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import (  # noqa: E402
    SUMMARY_BEGIN,
    SUMMARY_END,
    markdown,
    summary,
    update_beyond,
    update_docs,
)

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "bench" / "results"
DEFAULT_WORK = Path(os.environ.get("TMPDIR", "/tmp")) / "rendement-bench"
SEED = 7
# The share of its trajectories the re-uploading organisation leaves out the first time (the
# next re-uploads leave out 3 %, 4 %, …: each a change of its own).
REUPLOAD_SHARE = 0.02


def parse_size(text: str) -> int:
    """'10M' -> 10_000_000, '300k' -> 300_000, '900' -> 900."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmM]?)\s*", text)
    if not m:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 900, 300k, 1M)")
    factor = {"": 1, "k": 1_000, "m": 1_000_000}[m[2].lower()]
    return int(float(m[1]) * factor)


def parse_spec(text: str) -> tuple[int, int | None]:
    """A size with its own organisations: '300k/150' -> (300_000, 150); '1M' -> (1_000_000,
    None), which takes `--orgs`."""
    size, slash, orgs = text.partition("/")
    if slash and not orgs.strip().isdigit():
        raise argparse.ArgumentTypeError(f"not organisations: {orgs!r} (e.g. 300k/150)")
    return parse_size(size), int(orgs) if slash else None


def label(n: int) -> str:
    if n >= 1_000_000 and n % 100_000 == 0:
        return f"{n / 1_000_000:g}M"
    if n >= 1_000 and n % 100 == 0:
        return f"{n / 1_000:g}k"
    return str(n)


# --- steps ---------------------------------------------------------------------------------


def generate(home, orgs: int, per_org: int, seed: int) -> dict:
    """The demo sector's exports in the home's inbox; organisations registered."""
    from rendement.cli.demo import write_demo_override
    from rendement.core.privacy import load_or_create_key
    from rendement.core.registry import Registry
    from rendement.demo import generate_sector, write_exports

    load_or_create_key(home.secrets)
    started = time.perf_counter()
    summary = {"organisations": 0, "trajectories": 0, "rows": {}, "files": 0, "bytes": 0}
    formats: dict[str, int] = {}
    with Registry.edit(home.registry) as registry:
        for org in generate_sector(orgs, seed, trajectories_per_org=per_org):
            paths = write_exports(org, home.inbox)
            if not registry.has(org.organisatie_id):
                registry.add(org.organisatie_id, org.naam)
            summary["organisations"] += 1
            summary["trajectories"] += org.trajecten
            for tables in org.tables.values():
                for name, frame in tables.items():
                    summary["rows"][name] = summary["rows"].get(name, 0) + frame.height
            summary["files"] += len(paths)
            summary["bytes"] += sum(p.stat().st_size for p in paths)
            formats[org.file_format] = formats.get(org.file_format, 0) + 1
    write_demo_override(home)  # the demo's own override, so the bench runs the same path
    summary["formats"] = formats
    summary["seconds"] = time.perf_counter() - started
    return summary


def reupload(home, orgs: int, per_org: int, seed: int, share: float = REUPLOAD_SHARE) -> dict:
    """The first organisation delivers its latest year again, with `share` of the trajectories
    (and their measurements) left out: a changed file, superseding the earlier one."""
    import polars as pl

    from rendement.demo import generate_sector, write_exports

    org = next(iter(generate_sector(orgs, seed, trajectories_per_org=per_org)))
    year = max(org.tables)
    tables = dict(org.tables[year])
    traject = tables["traject"]
    keep = traject.head(max(1, int(traject.height * (1 - share))))
    kept_ids = keep["traject_id"].implode()
    tables["traject"] = keep
    tables["meting"] = tables["meting"].filter(pl.col("traject_id").is_in(kept_ids))
    paths = write_exports(replace(org, tables={year: tables}), home.inbox)
    return {
        "organisation": org.organisatie_id,
        "year": year,
        "format": org.file_format,
        "files": [p.name for p in paths],
        "trajectories_removed": traject.height - keep.height,
    }


def child(args: list[str], log: Path) -> dict:
    """Run `python -m bench.child ...` and return its JSON report (with the wall time)."""
    out = log.with_suffix(".json")
    out.unlink(missing_ok=True)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    started = time.perf_counter()
    with log.open("w") as fh:
        proc = subprocess.run(
            [sys.executable, "-m", "bench.child", *args, "--out", str(out)],
            cwd=ROOT,
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    wall = time.perf_counter() - started
    if not out.exists():
        tail = log.read_text("utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"bench child {args[0]} failed (exit {proc.returncode}):\n{tail}")
    report = json.loads(out.read_text("utf-8"))
    report["process_seconds"] = wall
    report["exit_code"] = proc.returncode
    return report


def ratios(pipeline: dict, baseline: dict) -> dict:
    """Each stage and the whole as a ratio to the baseline.

    `of_total`: stage seconds / baseline total (these add up to the whole ratio).
    `of_matching`: stage seconds / the baseline stage doing the same kind of work.
    """
    base_total = baseline["total_seconds"]
    b = baseline["seconds"]
    matching = {
        "intake": b["read"],
        "validation": b["validate"],
        "warehouse": b["persist"],
        "mkba+benchmark": b["aggregate"],
    }
    stages = {k: v["seconds"] for k, v in pipeline["stages"].items()}
    stages["dagster overhead"] = pipeline["overhead_seconds"]
    base_cpu = baseline.get("total_cpu_seconds")
    out = {
        "whole": pipeline["run_seconds"] / base_total if base_total else None,
        "whole_cpu": (
            pipeline["cpu_seconds"] / base_cpu if base_cpu and "cpu_seconds" in pipeline else None
        ),
        "of_total": {k: (v / base_total if base_total else None) for k, v in stages.items()},
        "of_matching": {},
    }
    for name, base in matching.items():
        if name == "mkba+benchmark":
            mine = stages.get("mkba", 0) + stages.get("benchmark", 0)
        else:
            mine = stages.get(name, 0)
        out["of_matching"][name] = mine / base if base else None
    return out


def run_size(n: int, args, orgs: int | None = None) -> dict:
    from rendement.core.home import Home

    own = orgs is not None  # a size with its own organisations ('300k/150') is labelled so
    orgs = orgs or args.orgs
    per_org = max(1, round(n / orgs))
    work = args.workdir / (f"n{label(n)}-{orgs}" if own else f"n{label(n)}")
    tag = f"{label(n)}/{orgs}" if own else label(n)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    home = Home(work / "home").ensure()
    say(f"[{tag}] generating {orgs} organisations × {per_org} trajectories …")
    gen = generate(home, orgs, per_org, args.seed)
    say(
        f"[{tag}] {gen['trajectories']:,} trajectories, {gen['files']} files, "
        f"{gen['bytes'] / 1e6:,.0f} MB in {gen['seconds']:.1f} s"
    )
    inbox_copy = work / "inbox-baseline"
    shutil.copytree(home.inbox, inbox_copy)  # intake empties the inbox; the baseline reads a copy
    say(f"[{tag}] baseline …")
    base = child(
        ["baseline", "--inbox", str(inbox_copy), "--db", str(work / "baseline.duckdb")],
        work / "baseline.log",
    )
    say(f"[{tag}] baseline {base['total_seconds']:.1f} s, peak {base['peak_mb']:,.0f} MB")
    say(f"[{tag}] pipeline (full sector, one Dagster run) …")
    full = child(["pipeline", "--home", str(home.root)], work / "pipeline.log")
    say(
        f"[{tag}] pipeline {full['run_seconds']:.1f} s "
        f"(×{full['run_seconds'] / base['total_seconds']:.1f}), peak {full['peak_mb']:,.0f} MB"
    )
    result = {
        "size": n,
        "label": tag,
        "orgs": orgs,
        "per_org": per_org,
        "generated": gen,
        "baseline": base,
        "pipeline": full,
        "ratios": ratios(full, base),
    }
    if not args.skip_incremental:
        runs = []
        for i in range(args.reuploads):
            change = reupload(home, orgs, per_org, args.seed, share=REUPLOAD_SHARE * (i + 2) / 2)
            say(f"[{tag}] re-upload by {change['organisation']}: {', '.join(change['files'])} …")
            incr = child(
                ["pipeline", "--home", str(home.root), "--org", change["organisation"]],
                work / "incremental.log",
            )
            incr["change"] = change
            runs.append(incr)
            say(
                f"[{tag}] re-upload refreshed in {incr['run_seconds']:.1f} s "
                f"({incr.get('pages_rendered')} organisation pages)"
            )
        result["incremental"] = median_run(runs)
        result["incremental_runs"] = [
            {"run_seconds": r["run_seconds"], "pages_rendered": r.get("pages_rendered")}
            for r in runs
        ]
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return result


def median_run(runs: list[dict]) -> dict:
    """The run of median time (the lower middle one of an even number)."""
    ordered = sorted(runs, key=lambda r: r["run_seconds"])
    return ordered[(len(ordered) - 1) // 2]


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench/run.py", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        nargs="+",
        type=parse_spec,
        default=[(1_000_000, None), (3_000_000, None), (10_000_000, None)],
        help="total trajectories per run, e.g. 1M 3M 10M (default) or 900; a size may bring\n"
        "its own organisations: 300k/150 (the others take --orgs)",
    )
    parser.add_argument("--orgs", type=int, default=540, help="organisations (default 540)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--workdir", type=Path, default=DEFAULT_WORK, help="scratch space")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON + markdown here")
    parser.add_argument("--docs", type=Path, help="put the table in this markdown file too")
    parser.add_argument(
        "--summary", type=Path, help="put a one-paragraph summary in this file (the README)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated data homes")
    parser.add_argument("--skip-incremental", action="store_true")
    parser.add_argument(
        "--reuploads",
        type=int,
        default=3,
        help="re-uploads per size, each a different change (default 3; the median is reported)",
    )
    args = parser.parse_args(argv)
    if args.orgs < 1:
        parser.error("--orgs must be at least 1")
    if args.reuploads < 1:
        parser.error("--reuploads must be at least 1")
    command = "bench/run.py " + " ".join(
        shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])
    )
    started = dt.datetime.now().astimezone()
    results = {
        "command": command,
        "started": started.isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "memory_gb": _memory_gb(),
            "python": platform.python_version(),
            "versions": _versions(),
        },
        "sizes": [],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%d-%H%M%S")
    for n, orgs in sorted(args.sizes, key=lambda spec: spec[0]):
        results["sizes"].append(run_size(n, args, orgs))
        results["seconds"] = (dt.datetime.now().astimezone() - started).total_seconds()
        table = markdown(results)  # written after every size: a long run shows progress
        for name in (f"bench-{stamp}", "latest"):
            (args.out / f"{name}.json").write_text(json.dumps(results, indent=2), "utf-8")
            (args.out / f"{name}.md").write_text(table, "utf-8")
    if args.docs:
        update_docs(args.docs, table)
        update_beyond(args.docs, results)
    if args.summary:
        update_docs(args.summary, summary(results), (SUMMARY_BEGIN, SUMMARY_END))
    print(table)
    return 0


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("dagster", "polars", "pandera", "duckdb", "great-tables"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            continue
    return out


if __name__ == "__main__":
    sys.exit(main())

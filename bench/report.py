"""The benchmark's results as markdown tables, and putting them in docs/performance.md.

`python -m bench.report bench/results/latest.json [--docs docs/performance.md]
[--summary README.md]` renders a results file again (e.g. after a change to this module)
without running anything. `--summary` puts a one-paragraph summary of the same run between the
summary markers of a file (the README's "At sector scale"), so the figures quoted there are
generated from the run, never typed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

STAGE_ORDER = ["intake", "validation", "mkba", "warehouse", "benchmark", "reports"]
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
SUMMARY_BEGIN, SUMMARY_END = "<!-- bench:summary:begin -->", "<!-- bench:summary:end -->"
BEYOND_BEGIN, BEYOND_END = "<!-- bench:beyond:begin -->", "<!-- bench:beyond:end -->"


def fmt_seconds(x: float | None) -> str:
    if x is None:
        return "–"
    return f"{x:,.1f}" if x >= 10 else f"{x:.2f}"


def _r(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}×" if x < 10 else f"{x:.0f}×"


def _mb(x: float | None) -> str:
    return "–" if not x else f"{x:,.0f}"


def markdown(results: dict) -> str:
    sizes = results["sizes"]
    m = results["machine"]
    lines = [
        f"Command: `{results['command']}`  ",
        f"Run: {results['started']}, {m.get('cpus')} cores, {m.get('memory_gb')} GB, "
        + ", ".join(f"{k} {v}" for k, v in m.get("versions", {}).items()),
        "",
        "| size | organisations × trajectories | traject rows | meting rows | files | CSV/XLSX MB |",
        "|---|---|---|---|---|---|",
    ]
    for s in sizes:
        g = s["generated"]
        lines.append(
            f"| {s['label']} | {s['orgs']} × {s['per_org']:,} = {g['trajectories']:,} | "
            f"{g['rows'].get('traject', 0):,} | {g['rows'].get('meting', 0):,} | {g['files']:,} | "
            f"{g['bytes'] / 1e6:,.0f} |"
        )
    head = "| stage | " + " | ".join(
        f"{s['label']} s | {s['label']} ÷ baseline | {s['label']} CPU s | {s['label']} peak MB"
        for s in sizes
    )
    lines += [
        "",
        "Full-sector rebuild (one Dagster run) against the baseline. `s`: wall seconds; "
        "`÷ baseline`: wall seconds over the baseline's total (the stages add up to the whole); "
        "`CPU s`: CPU seconds of the process and its workers; `peak MB`: peak resident memory "
        "of the process tree during the stage:",
        "",
        head + " |",
    ]
    lines.append("|---" + "|---:" * (4 * len(sizes)) + "|")
    for stage in [*STAGE_ORDER, "dagster overhead"]:
        cells = []
        for s in sizes:
            p = s["pipeline"]
            st = p["stages"].get(stage)
            secs = p["overhead_seconds"] if stage == "dagster overhead" else st and st["seconds"]
            ratio = s["ratios"]["of_total"].get(stage)
            peak = st["peak_mb"] if st else None
            cpu = st.get("cpu_seconds") if st else None
            cells += [fmt_seconds(secs), _r(ratio), fmt_seconds(cpu), _mb(peak)]
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    cells = []
    for s in sizes:
        p = s["pipeline"]
        cells += [f"**{fmt_seconds(p['run_seconds'])}**", f"**{_r(s['ratios']['whole'])}**"]
        cells += [fmt_seconds(p.get("cpu_seconds")), f"**{_mb(p['peak_mb'])}**"]
    lines.append("| **pipeline (run)** | " + " | ".join(cells) + " |")
    cells = []
    for s in sizes:
        b = s["baseline"]
        cells += [
            fmt_seconds(b["total_seconds"]),
            "1×",
            fmt_seconds(b.get("total_cpu_seconds")),
            _mb(b["peak_mb"]),
        ]
    lines.append("| baseline | " + " | ".join(cells) + " |")

    lines += [
        "",
        "Stage against the baseline step doing the same kind of work (baseline seconds in "
        "brackets):",
        "",
        "| pipeline stage ↔ baseline step | " + " | ".join(s["label"] for s in sizes) + " |",
        "|---" + "|---:" * len(sizes) + "|",
    ]
    pairs = [
        ("intake ↔ read", "intake", "read"),
        ("validation ↔ validate", "validation", "validate"),
        ("warehouse ↔ persist", "warehouse", "persist"),
        ("mkba + benchmark ↔ aggregate", "mkba+benchmark", "aggregate"),
    ]
    for title, mine, base in pairs:
        cells = [
            f"{_r(s['ratios']['of_matching'].get(mine))} ({fmt_seconds(s['baseline']['seconds'][base])} s)"
            for s in sizes
        ]
        lines.append(f"| {title} | " + " | ".join(cells) + " |")
    cells = [_r(s["ratios"].get("whole_cpu")) for s in sizes]
    lines.append("| whole run, CPU seconds ↔ baseline CPU seconds | " + " | ".join(cells) + " |")

    lines += [
        "",
        "Growth: seconds per million trajectories (flat = linear in rows; falling = fixed costs):",
        "",
        "| stage | " + " | ".join(s["label"] for s in sizes) + " |",
        "|---" + "|---:" * len(sizes) + "|",
    ]
    for stage in [*STAGE_ORDER, "pipeline (run)", "baseline"]:
        cells = []
        for s in sizes:
            million = s["generated"]["trajectories"] / 1e6 or 1
            if stage == "pipeline (run)":
                secs = s["pipeline"]["run_seconds"]
            elif stage == "baseline":
                secs = s["baseline"]["total_seconds"]
            else:
                st = s["pipeline"]["stages"].get(stage)
                secs = st and st["seconds"]
            cells.append(fmt_seconds(secs / million) if secs is not None else "–")
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")

    loads = [s for s in sizes if "loadavg" in s["pipeline"]]
    if loads:
        lines += [
            "",
            "Other work on the machine while measuring (1-minute load average before → after; "
            "2 cores, so above 2 the measurement shared the cores):",
            "",
            "| size | baseline | pipeline | re-upload |",
            "|---|---|---|---|",
        ]
        for s in loads:
            cells = []
            for part in (s["baseline"], s["pipeline"], s.get("incremental", {})):
                la = part.get("loadavg")
                cells.append(f"{la[0]:.1f} → {la[1]:.1f}" if la else "–")
            lines.append(f"| {s['label']} | " + " | ".join(cells) + " |")

    counted = [s for s in sizes if "events" in s["pipeline"]]
    if counted:
        lines += [
            "",
            "Dagster events the run wrote to the instance (full sector; re-upload), per type:",
            "",
            "| size | events | asset materialisations | planned | check evaluations | "
            "other | re-upload events |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for s in counted:
            e = s["pipeline"]["events"]
            mat, planned = (
                e.get("ASSET_MATERIALIZATION", 0),
                e.get("ASSET_MATERIALIZATION_PLANNED", 0),
            )
            checks = e.get("ASSET_CHECK_EVALUATION", 0) + e.get("ASSET_CHECK_EVALUATION_PLANNED", 0)
            again = s.get("incremental", {}).get("events", {}).get("total")
            lines.append(
                f"| {s['label']} | {e['total']:,} | {mat:,} | {planned:,} | {checks:,} | "
                f"{e['total'] - mat - planned - checks:,} | "
                + (f"{again:,}" if again is not None else "–")
                + " |"
            )

    incr = [s for s in sizes if "incremental" in s]
    if incr:
        lines += [
            "",
            "One organisation re-uploads a changed file; `run_pipeline(home, "
            "organisations=[org])` until its results, the benchmarks and the reports are fresh "
            "(of several re-uploads, each a different change, the run of median time; `all "
            "runs`: each run's seconds and the organisation pages it rendered):",
            "",
            "| size | run s | "
            + " | ".join(STAGE_ORDER)
            + " | Dagster overhead | peak MB | process s | all runs (pages) |",
            "|---" + "|---:" * (len(STAGE_ORDER) + 4) + "|---|",
        ]
        for s in incr:
            i = s["incremental"]
            stages = [fmt_seconds(i["stages"].get(k, {}).get("seconds")) for k in STAGE_ORDER]
            lines.append(
                f"| {s['label']} | **{fmt_seconds(i['run_seconds'])}** | "
                + " | ".join(stages)
                + f" | {fmt_seconds(i['overhead_seconds'])} | {_mb(i['peak_mb'])} | "
                f"{fmt_seconds(i['process_seconds'])} | {_all_runs(s)} |"
            )
    return "\n".join(lines) + "\n"


def _all_runs(size: dict) -> str:
    """Each re-upload's seconds with the organisation pages it rendered, in the order run."""
    runs = size.get("incremental_runs") or [size["incremental"]]
    return ", ".join(
        fmt_seconds(r["run_seconds"])
        + (f" ({r['pages_rendered']})" if r.get("pages_rendered") is not None else "")
        for r in runs
    )


def _gb(mb: float | None) -> str:
    return "–" if not mb else f"{mb / 1000:.1f} GB"  # MB as the tables write them, in GB


def summary(results: dict) -> str:
    """One paragraph with the run's headline figures per size: the whole run against the
    baseline (wall and CPU), the peak memory and one organisation's re-upload."""
    day = results["started"][:10]
    parts = []
    for s in results["sizes"]:
        pipe, base, r = s["pipeline"], s["baseline"], s["ratios"]
        text = (
            f"{s['label']}: {fmt_seconds(pipe['run_seconds'])} s against {fmt_seconds(base['total_seconds'])} s "
            f"({_r(r['whole'])} wall, {_r(r.get('whole_cpu'))} CPU), peak {_gb(pipe['peak_mb'])}"
        )
        incr = s.get("incremental")
        if incr:
            reports = incr["stages"].get("reports", {}).get("seconds")
            runs = len(s.get("incremental_runs") or [incr])
            text += (
                f", re-upload run {fmt_seconds(incr['run_seconds'])} s (median of {runs}; "
                f"reports {fmt_seconds(reports)} s)"
            )
        parts.append(text)
    return (
        f"Measured with `{results['command']}` on {results['machine'].get('cpus')} cores "
        f"({day}; whole run against the plain baseline in the same run): "
        + "; ".join(parts)
        + ".\n"
    )


def beyond(results: dict) -> str | None:
    """When one machine is outgrown, in figures of this run: the growth from the two largest
    sizes with the same number of organisations, the largest size's rebuild, peak and
    re-upload, a straight line to ten times that size, and the CPU per organisation at the
    smallest of them. None when the run has fewer than two such sizes (then the paragraph in
    the docs stays as it is)."""
    sizes = [s for s in results["sizes"] if s["pipeline"].get("success", True)]
    by_orgs: dict[int, list[dict]] = {}
    for s in sizes:
        by_orgs.setdefault(s["orgs"], []).append(s)
    orgs, same = max(by_orgs.items(), key=lambda kv: (len(kv[1]), kv[0]))
    if len(same) < 2:
        return None
    same = sorted(same, key=lambda s: s["generated"]["trajectories"])
    small, before, last = same[0], same[-2], same[-1]

    def million(s: dict) -> float:
        return s["generated"]["trajectories"] / 1e6

    def per_million(s: dict) -> float:
        return s["pipeline"]["run_seconds"] / million(s)

    step = million(last) - million(before)
    slope = (last["pipeline"]["run_seconds"] - before["pipeline"]["run_seconds"]) / step
    base_slope = (last["baseline"]["total_seconds"] - before["baseline"]["total_seconds"]) / step
    mkba = [s["pipeline"]["stages"].get("mkba", {}).get("peak_mb") for s in (before, last)]
    tenfold = last["pipeline"]["run_seconds"] + slope * 9 * million(last)
    reuploads = [s["incremental"]["run_seconds"] for s in same if s.get("incremental")]
    cores = results["machine"].get("cpus") or 1
    cpu_per_org = small["pipeline"]["cpu_seconds"] / orgs
    text = (
        f"Figures of the run of {results['started'][:16].replace('T', ' ')} (`{results['command']}`, "
        f"written by it): the pipeline's seconds per million trajectories fall from "
        f"{fmt_seconds(per_million(small))} ({small['label']}) to "
        f"{fmt_seconds(per_million(last))} ({last['label']}), most of its cost being fixed per "
        f"file and per organisation; from {before['label']} to {last['label']} it adds "
        f"≈ {fmt_seconds(slope)} s per extra million, the baseline ≈ {fmt_seconds(base_slope)} s. "
        f"At {last['label']} / {orgs} organisations a full rebuild takes "
        f"{fmt_seconds(last['pipeline']['run_seconds'] / 60)} minutes on the {cores} cores with a "
        f"peak of {_gb(last['pipeline']['peak_mb'])}"
    )
    if reuploads:
        text += (
            f", a re-upload {fmt_seconds(min(reuploads))}–{fmt_seconds(max(reuploads))} s of "
            "run time whatever the sector's size"
        )
    text += (
        f". By a straight line through {before['label']} and {last['label']}, ten times "
        f"{last['label']} takes ≈ {fmt_seconds(tenfold / 60)} minutes"
    )
    if all(mkba):
        mkba_slope = (mkba[1] - mkba[0]) / step
        text += (
            f", with the MKBA step's peak (it grows with the organisations' size in its "
            f"batches) at ≈ {_gb(mkba[1] + mkba_slope * 9 * million(last))}"
        )
    text += (
        f"; and every organisation costs ≈ {fmt_seconds(cpu_per_org)} CPU seconds at "
        f"{small['label']}, everything included: ≈ {fmt_seconds(cpu_per_org * 5000 / cores / 60)} "
        f"minutes per 5,000 organisations on {cores} cores."
    )
    return text + "\n"


def update_docs(path: Path, table: str, markers: tuple[str, str] = (BEGIN, END)) -> None:
    """Replace the part between the markers (appended when there are none)."""
    begin, end = markers
    text = path.read_text("utf-8") if path.exists() else ""
    block = f"{begin}\n{table}{end}"
    if begin in text and end in text:
        before, rest = text.split(begin, 1)
        _old, after = rest.split(end, 1)
        text = before + block + after
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + block + "\n"
    path.write_text(text, "utf-8")


def update_beyond(path: Path, results: dict) -> None:
    """The generated paragraph of "Beyond one machine" (`beyond`), where the docs mark one."""
    text = beyond(results)
    if text is None or BEYOND_BEGIN not in path.read_text("utf-8"):
        return
    update_docs(path, text, (BEYOND_BEGIN, BEYOND_END))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report", description=__doc__)
    parser.add_argument("results", type=Path, help="a JSON file written by bench/run.py")
    parser.add_argument("--docs", type=Path, help="put the table in this markdown file too")
    parser.add_argument("--summary", type=Path, help="put a one-paragraph summary in this file")
    args = parser.parse_args(argv)
    results = json.loads(args.results.read_text("utf-8"))
    table = markdown(results)
    if args.docs:
        update_docs(args.docs, table)
        update_beyond(args.docs, results)
    if args.summary:
        update_docs(args.summary, summary(results), (SUMMARY_BEGIN, SUMMARY_END))
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())

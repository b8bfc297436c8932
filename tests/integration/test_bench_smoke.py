"""The sector benchmark (`bench/run.py`) end to end on a tiny sector: generation, baseline,
the full Dagster run, one organisation's re-upload, ratios, JSON and the markdown table. No
timing assertions: the figures themselves are the benchmark's business, not the suite's."""

from __future__ import annotations

import json
import subprocess

import duckdb

from bench.report import BEGIN, END, SUMMARY_BEGIN, SUMMARY_END, fmt_seconds
from bench.reupload_ab import main as reupload_ab
from bench.run import main, parse_size, parse_spec
from bench.warehouse_memory import main as warehouse_memory
from tests.support.warehouse import assert_as_fresh_load

STAGES = {"intake", "validation", "mkba", "warehouse", "benchmark", "reports"}


def test_sizes_are_read_like_people_write_them():
    assert parse_size("900") == 900
    assert parse_size("300k") == 300_000
    assert parse_size("1M") == 1_000_000
    assert parse_size("2.5M") == 2_500_000
    assert parse_spec("300k/150") == (300_000, 150)
    assert parse_spec("1M") == (1_000_000, None)


def test_benchmark_runs_end_to_end_on_a_tiny_sector(tmp_path, capsys):
    docs = tmp_path / "performance.md"
    docs.write_text(f"# Performance\n\n{BEGIN}\nold table\n{END}\n\nkept\n", "utf-8")
    readme = tmp_path / "README.md"
    readme.write_text(f"## At sector scale\n\n{SUMMARY_BEGIN}\nold\n{SUMMARY_END}\n\nmore\n")
    out = tmp_path / "results"
    code = main(
        [
            *("--sizes", "900/3", "--orgs", "5"),  # the size's own organisations win
            *("--workdir", str(tmp_path / "work"), "--out", str(out), "--docs", str(docs)),
            *("--summary", str(readme)),
            *("--reuploads", "2"),
            "--keep",
        ]
    )
    assert code == 0
    results = json.loads((out / "latest.json").read_text("utf-8"))
    (size,) = results["sizes"]
    assert size["generated"]["organisations"] == 3 and size["label"] == "900/3"
    # 900 trajectories start in the exported years, plus those carried over from before
    assert size["generated"]["trajectories"] >= 900

    full = size["pipeline"]
    assert full["success"] and full["organisations"] is None
    assert set(full["stages"]) == STAGES
    assert all(s["ok"] and s["seconds"] > 0 for s in full["stages"].values())
    assert full["peak_mb"] > 0

    base = size["baseline"]
    assert set(base["seconds"]) == {"read", "validate", "aggregate", "persist"}
    assert base["rows"]["traject"] > 0 and base["total_seconds"] > 0

    ratios = size["ratios"]
    assert ratios["whole"] > 0
    assert set(ratios["of_total"]) == STAGES | {"dagster overhead"}
    assert all(v is not None for v in ratios["of_matching"].values())

    incremental = size["incremental"]
    assert incremental["success"]
    assert incremental["organisations"] == [incremental["change"]["organisation"]]
    assert set(incremental["stages"]) == STAGES
    # two re-uploads, each a change of its own: each renders the organisation's own page at
    # least; the one reported is the lower middle (of two: the shorter)
    runs = size["incremental_runs"]
    assert len(runs) == 2 and all(r["pages_rendered"] >= 1 for r in runs)
    assert incremental["run_seconds"] == min(r["run_seconds"] for r in runs)

    # Dagster's events grow with stages, not organisations: the sector run plans as many
    # materialisations as the one-organisation run (one per asset), and materialises one per
    # organisation only for the per-organisation assets
    planned = "ASSET_MATERIALIZATION_PLANNED"
    assert full["events"][planned] == incremental["events"][planned]
    materialised = full["events"]["ASSET_MATERIALIZATION"]
    assert materialised > incremental["events"]["ASSET_MATERIALIZATION"]
    assert (
        full["events"]["total"] - incremental["events"]["total"]
        == materialised - (incremental["events"]["ASSET_MATERIALIZATION"])
    )

    text = docs.read_text("utf-8")
    assert "old table" not in text and text.endswith("kept\n")
    assert "÷ baseline" in text and "re-uploads" in text
    assert (
        ", ".join(f"{fmt_seconds(r['run_seconds'])} ({r['pages_rendered']})" for r in runs) in text
    )
    assert (out / "latest.md").read_text("utf-8") in text

    # the README's figures are the run's, written between its markers
    summary = readme.read_text("utf-8")
    assert "old" not in summary and summary.endswith("more\n")
    assert f"900/3: {fmt_seconds(full['run_seconds'])} s against" in summary
    assert "re-upload run" in summary

    # after the re-upload the warehouse was updated for one organisation only: it must hold
    # exactly what a fresh load of the whole lake gives
    home = tmp_path / "work" / "n900-3" / "home"
    assert_as_fresh_load(home / "warehouse.duckdb", home / "lake", home / "audit.jsonl", tmp_path)

    # the warehouse's memory per table, measured on the kept home (bench/warehouse_memory.py)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        trajects = con.execute("SELECT count(*) FROM canoniek.traject").fetchone()[0]
    capsys.readouterr()
    assert warehouse_memory([str(home)]) == 0
    printed = capsys.readouterr().out
    assert f"| canoniek.traject | {trajects:,} |" in printed
    assert not list(home.glob("tmp*")), "the scratch warehouse is removed"

    # two versions of the code side by side from the same state of the kept home
    # (bench/reupload_ab.py): here the checked-out revision against itself
    capsys.readouterr()
    assert (
        reupload_ab(
            [str(home), "--orgs", "3", "--per-org", "300", "--old", "HEAD", "--rounds", "1"]
        )
        == 0
    )
    printed = capsys.readouterr().out
    rows = [line for line in printed.splitlines() if line.startswith(("| old |", "| new |"))]
    assert len(rows) == 2
    pages = [int(row.split("|")[-2]) for row in rows]
    assert pages[0] == pages[1] >= 1  # the same change renders the same pages in both
    assert "old: median run" in printed and "new: median run" in printed
    assert (
        "rendement-ab-"
        not in subprocess.run(
            ["git", "worktree", "list"], capture_output=True, text=True, check=True
        ).stdout
    )  # the worktree of the old revision is gone

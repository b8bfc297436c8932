"""Peak memory of loading a data home's lake into a fresh warehouse, table by table.

    .venv/bin/python bench/warehouse_memory.py HOME [--memory 1GB]

HOME: a data home with a lake, e.g. one kept by `bench/run.py --sizes 10M --keep` (under
`--workdir`, `n10M/home`). Loads every lake-backed table with the warehouse's own
`load_table` into a new DuckDB file beside the home (removed after) under the same memory
limit as the `warehouse` step, sampling the process's resident memory (`bench.measure`), and
prints per table its rows, seconds and peak MB. How the 10M step's 5.3 GB peak was traced
(issue 19): one transaction per table held its new rows in memory.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.measure import TreeSampler  # noqa: E402
from rendement.core import warehouse as wh  # noqa: E402
from rendement.core.home import Home  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/warehouse_memory.py", description=__doc__)
    parser.add_argument("home", type=Path, help="a data home with a lake")
    parser.add_argument("--memory", default=wh.DEFAULT_MEMORY, help="DuckDB's memory limit")
    args = parser.parse_args(argv)
    home = Home(args.home.resolve())
    targets = [f"canoniek.{t}" for t in wh.MODELS] + ["quarantaine.rijen"]
    print("| table | rows | s | peak MB |\n|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory(dir=home.root) as scratch, TreeSampler() as sampler:
        with wh.connect(Path(scratch) / "warehouse.duckdb") as con:
            con.execute(f"SET memory_limit = '{args.memory}'")
            wh.ensure_schemas(con)
            wh.ensure_ledger(con)
            for target in targets:
                started = time.time()
                rows = wh.load_table(con, home.lake, target)
                ended = time.time()
                peak = sampler.peak_mb(started, ended)
                print(f"| {target} | {rows or 0:,} | {ended - started:.1f} | {peak:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

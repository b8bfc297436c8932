"""Like for like: one organisation's re-upload timed with two versions of the code, from the same
state of a kept data home, in turn.

The growth table's re-upload (`bench/run.py`) moves with the machine between runs (the load,
the disk still flushing an earlier size) by more than many changes save. This measures two
versions side by side instead: `--old` (a git revision, checked out in a worktree of its own)
and this checkout. Per version the home is copied and settled with that version's code (two
runs for the re-uploading organisation, so the warehouse and the read copy kept for the next
run know the copy's lake files and the pages carry that code's fingerprints) and kept as a
snapshot; every round restores the
snapshot at the same path (the lake, the archive and the validation reports hard-linked: the
warehouse's ledger knows lake files by path and inode; everything else copied), lets the
organisation re-upload the same change and times the run (`bench/child.py pipeline --org`),
old and new in turn. Usage:

    .venv/bin/python bench/reupload_ab.py WORKDIR/n300k-150/home --orgs 150 --per-org 2000 --old a4ff193

HOME: a data home kept by `bench/run.py --keep` (default seed), with the organisations and trajectories per
organisation it was generated with (the re-upload is generated the same way). Prints a
markdown table: per round and version the run's seconds, its stages and the organisation pages
it rendered.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.report import STAGE_ORDER, fmt_seconds  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
# Written once and never changed in place (files are replaced, not rewritten): hard-linked into
# every restored copy. The warehouse knows lake files by path and inode.
LINKED = ("lake", "archive", "validatie")
# Runs that settle a copied home before it is kept as the snapshot every round starts from.
SETTLE_RUNS = 2


def _copy(source: Path, target: Path) -> None:
    """`source` (a data home) to `target`: LINKED trees hard-linked, the rest copied."""
    target.mkdir(parents=True)
    for entry in source.iterdir():
        dest = target / entry.name
        if entry.is_symlink():
            os.symlink(os.readlink(entry), dest)
        elif entry.is_dir():
            link = entry.name in LINKED
            shutil.copytree(
                entry, dest, symlinks=True, copy_function=os.link if link else shutil.copy2
            )
        else:
            shutil.copy2(entry, dest)


def _python(code: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(code)}
    return subprocess.run(
        [sys.executable, *args], cwd=code, env=env, capture_output=True, text=True, check=True
    )


def _reupload(code: Path, home: Path, orgs: int, per_org: int, share: float) -> str:
    """The re-upload `bench.run.reupload` makes, with `code`'s generator; the organisation."""
    script = (
        "import json; from pathlib import Path; from bench.run import reupload, SEED; "
        "from rendement.core.home import Home; "
        f"print(json.dumps(reupload(Home(Path({str(home)!r})), {orgs}, {per_org}, SEED, "
        f"share={share})))"
    )
    return json.loads(_python(code, "-c", script).stdout.splitlines()[-1])["organisation"]


def _first_organisation(code: Path, orgs: int, per_org: int) -> str:
    """The organisation `bench.run.reupload` lets re-upload: the generator's first."""
    script = (
        "from bench.run import SEED; from rendement.demo import generate_sector; "
        f"print(next(iter(generate_sector({orgs}, SEED, trajectories_per_org={per_org})))"
        ".organisatie_id)"
    )
    return _python(code, "-c", script).stdout.splitlines()[-1]


def _run(code: Path, home: Path, org: str, out: Path) -> dict:
    _python(
        code, "-m", "bench.child", "pipeline", "--home", str(home), "--org", org, "--out", str(out)
    )
    return json.loads(out.read_text("utf-8"))


def compare(
    home: Path, orgs: int, per_org: int, old: str, *, share: float, rounds: int, work: Path
) -> dict[str, list[dict]]:
    """{version: [the child's report of each round]} for `old` and this checkout."""
    versions = {"old": work / "old", "new": ROOT}
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(versions["old"]), old],
        check=True,
        capture_output=True,
    )
    run = work / "run"
    try:
        for name, code in versions.items():
            # runs with nothing new for the organisation that re-uploads, with this version: the
            # first loads the copy's lake files (new paths to the warehouse), the second makes
            # the read copy that the measured run keeps up to date of this copy too
            _copy(home, run)
            for settle in range(SETTLE_RUNS):
                org = _first_organisation(code, orgs, per_org)
                _run(code, run, org, work / f"settle-{name}-{settle}.json")
            _copy(run, work / f"snapshot-{name}")
            shutil.rmtree(run)
        results: dict[str, list[dict]] = {name: [] for name in versions}
        for _ in range(rounds):
            for name, code in versions.items():
                _copy(work / f"snapshot-{name}", run)
                os.sync()  # the copy's writes are not this run's
                time.sleep(1)
                org = _reupload(code, run, orgs, per_org, share)
                results[name].append(_run(code, run, org, work / f"run-{name}.json"))
                shutil.rmtree(run)
        return results
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(versions["old"])],
            capture_output=True,
        )


def table(results: dict[str, list[dict]]) -> str:
    """Per version and round: the run, its stages and Dagster's overhead (s), pages rendered."""
    lines = [
        "| version | round | run s | " + " | ".join(STAGE_ORDER) + " | Dagster overhead | pages |",
        "|---|---:|---:|" + "---:|" * (len(STAGE_ORDER) + 2),
    ]
    for name, runs in results.items():
        for i, r in enumerate(runs, 1):
            stages = [fmt_seconds(r["stages"].get(s, {}).get("seconds")) for s in STAGE_ORDER]
            pages = r.get("pages_rendered")
            lines.append(
                f"| {name} | {i} | {fmt_seconds(r['run_seconds'])} | "
                + " | ".join(stages)
                + f" | {fmt_seconds(r['overhead_seconds'])} | {'–' if pages is None else pages} |"
            )
    lines.append("")
    for name, runs in results.items():
        median = statistics.median(r["run_seconds"] for r in runs)
        lines.append(f"{name}: median run {fmt_seconds(median)} s over {len(runs)} rounds")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench/reupload_ab.py",
        description=__doc__,
        formatter_class=argparse.RawTextHelpFormatter,
    )
    parser.add_argument("home", type=Path, help="a data home kept by bench/run.py --keep")
    parser.add_argument("--orgs", type=int, required=True, help="organisations it was made with")
    parser.add_argument("--per-org", type=int, required=True, help="trajectories per organisation")
    parser.add_argument("--old", required=True, help="the git revision to compare with")
    parser.add_argument("--share", type=float, default=0.10, help="trajectories left out (0.10)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds, old and new in turn (3)")
    args = parser.parse_args(argv)
    if not (args.home / "warehouse.duckdb").is_file():
        parser.error(f"{args.home} is not a data home with a warehouse (bench/run.py --keep)")
    with tempfile.TemporaryDirectory(prefix="rendement-ab-") as tmp:
        results = compare(
            args.home.resolve(),
            args.orgs,
            args.per_org,
            args.old,
            share=args.share,
            rounds=args.rounds,
            work=Path(tmp),
        )
    print(table(results), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

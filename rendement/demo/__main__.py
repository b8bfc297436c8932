"""`python -m rendement.demo --inbox DIR`: write a demo sector's exports, report time and memory.

Only the exports, no pipeline (that is `rendement demo`). Meant for benchmarks, e.g.
`python -m rendement.demo --inbox /tmp/inbox --orgs 540 --trajecten-per-org 18500`.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

from rendement.demo.exports import write_sector
from rendement.demo.generator import DEFAULT_YEARS


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rendement.demo", description=__doc__)
    parser.add_argument("--inbox", required=True, type=Path, help="map met een submap per org")
    parser.add_argument("--orgs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jaren", type=int, nargs="+", default=list(DEFAULT_YEARS))
    parser.add_argument("--trajecten-per-org", type=int, default=None)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    summary = write_sector(
        args.inbox, args.orgs, args.seed, tuple(args.jaren), args.trajecten_per_org
    )
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    print(
        f"{summary.organisaties} organisaties, {summary.trajecten:,} trajecten, "
        f"{summary.bestanden} bestanden ({summary.bytes / 1e6:,.0f} MB) in {seconds:.1f} s; "
        f"piekgeheugen {peak_mb:,.0f} MB",
        file=sys.stderr,
    )
    print("rijen: " + ", ".join(f"{t} {n:,}" for t, n in summary.rijen.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

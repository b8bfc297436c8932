"""`python -m rendement.demo --inbox DIR`: write a demo sector's exports, report time and memory.

Only the exports, no pipeline (that is `rendement demo`). Meant for benchmarks, e.g.
`python -m rendement.demo --inbox /tmp/inbox --orgs 540 --trajecten-per-org 18500`.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

from rendement.core.arguments import DutchArgumentParser
from rendement.core.formatting import nl_number
from rendement.demo.exports import write_sector
from rendement.demo.generator import DEFAULT_YEARS


def main(argv: list[str] | None = None) -> int:
    parser = DutchArgumentParser(
        prog="python -m rendement.demo",
        description="Schrijft de exportbestanden van een demosector (zonder pijplijn; dat is "
        "'rendement demo') en meldt tijd en geheugen. Voor metingen, bijvoorbeeld --inbox "
        "/tmp/inbox --orgs 540 --trajecten-per-org 18500.",
    )
    parser.add_argument("--inbox", required=True, type=Path, help="map met een submap per org")
    parser.add_argument("--orgs", type=int, default=40, help="aantal organisaties (standaard 40)")
    parser.add_argument("--seed", type=int, default=7, help="startwaarde van het toeval")
    parser.add_argument(
        "--jaren", type=int, nargs="+", default=list(DEFAULT_YEARS), help="verslagjaren"
    )
    parser.add_argument(
        "--trajecten-per-org",
        type=int,
        default=None,
        help="precies zoveel trajecten per organisatie (standaard: naar grootte)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    summary = write_sector(
        args.inbox, args.orgs, args.seed, tuple(args.jaren), args.trajecten_per_org
    )
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    print(
        f"{summary.organisaties} organisaties, {nl_number(summary.trajecten)} trajecten, "
        f"{summary.bestanden} bestanden ({nl_number(summary.bytes / 1e6)} MB) in "
        f"{nl_number(seconds, 1)} s; piekgeheugen {nl_number(peak_mb)} MB",
        file=sys.stderr,
    )
    print(
        "rijen: " + ", ".join(f"{t} {nl_number(n)}" for t, n in summary.rijen.items()),
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

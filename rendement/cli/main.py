"""The `rendement` command line. Each subcommand lives in `rendement/cli/<name>.py` with an
`add_parser(subparsers)` and a `run(args) -> int`; this file only assembles them."""

from __future__ import annotations

import argparse
import importlib
import sys

from rendement.core.arguments import DutchArgumentParser

COMMANDS = [
    "demo",
    "check",
    "serve",
    "org",
    "token",
    "gebruiker",
    "release",
    "audit",
    "impactkaart",
    "archief",
    "verwijder_client",
    "sjabloon",
    "instantie",
    "backup",
    "herstel",
    "status",
]


def build_parser() -> argparse.ArgumentParser:
    parser = DutchArgumentParser(
        prog="rendement",
        description="Sociaal rendement: de MKBA-pijplijn van de sector sociaal werk.",
    )
    sub = parser.add_subparsers(dest="command", metavar="OPDRACHT")
    for name in COMMANDS:
        importlib.import_module(f"rendement.cli.{name}").add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())

"""The `rendement` command line. Each subcommand lives in `rendement/cli/<name>.py` with an
`add_parser(subparsers)` and a `run(args) -> int`; this file only assembles them."""

from __future__ import annotations

import argparse
import importlib
import sys

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
    "instantie",
    "backup",
    "herstel",
    "status",
]


class _DutchParser(argparse.ArgumentParser):
    """argparse with Dutch headings; usage errors exit with code 2."""

    def format_help(self) -> str:
        text = super().format_help()
        return (
            text.replace("usage:", "gebruik:")
            .replace("options:", "opties:")
            .replace("positional arguments:", "argumenten:")
            .replace("show this help message and exit", "toon deze hulp en stop")
        )

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: fout: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _DutchParser(
        prog="rendement",
        description="Sociaal rendement: de MKBA-pijplijn van de sector sociaal werk.",
    )
    sub = parser.add_subparsers(dest="command", metavar="OPDRACHT", parser_class=_DutchParser)
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

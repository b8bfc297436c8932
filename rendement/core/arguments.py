"""argparse in Dutch, for every command a person types (`rendement`, `python -m rendement.demo`).

argparse writes its headings and its usage errors in English. `DutchArgumentParser` puts its
headings in Dutch and translates each usage error it raises (the messages of Python 3.11's
argparse, matched as whole patterns; an unknown message is shown as it is rather than
half-translated). Usage errors still exit with code 2.
"""

from __future__ import annotations

import argparse
import re
import sys

# (pattern of argparse's message, Dutch), tried in order; `argument X: ...` is translated
# around its inner message.
_ERRORS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(r"^the following arguments are required: (.*)$"),
        r"verplicht maar niet gegeven: \1",
    ),
    (re.compile(r"^unrecognized arguments: (.*)$"), r"onbekende argumenten: \1"),
    (re.compile(r"^expected one argument$"), "verwacht één waarde"),
    (re.compile(r"^expected at most one argument$"), "verwacht hoogstens één waarde"),
    (re.compile(r"^expected at least one argument$"), "verwacht minstens één waarde"),
    (re.compile(r"^expected (\d+) arguments?$"), r"verwacht \1 waarden"),
    (
        re.compile(r"^invalid choice: (.*) \(choose from (.*)\)$"),
        r"ongeldige keuze: \1 (kies uit \2)",
    ),
    (re.compile(r"^invalid int value: (.*)$"), r"geen geheel getal: \1"),
    (re.compile(r"^invalid float value: (.*)$"), r"geen getal: \1"),
    (re.compile(r"^invalid (\w+) value: (.*)$"), r"ongeldige waarde: \2"),
    (re.compile(r"^not allowed with argument (.*)$"), r"niet samen met \1"),
    (
        re.compile(r"^one of the arguments (.*) is required$"),
        r"een van deze argumenten is nodig: \1",
    ),
    (
        re.compile(r"^ambiguous option: (.*) could match (.*)$"),
        r"optie \1 is niet eenduidig; bedoelt u een van: \2",
    ),
    (re.compile(r"^ignored explicit argument (.*)$"), r"waarde genegeerd: \1"),
]
_ARGUMENT = re.compile(r"^argument (.+?): (.*)$")
_HEADINGS = (
    ("usage:", "gebruik:"),
    ("options:", "opties:"),
    ("positional arguments:", "argumenten:"),
    ("show this help message and exit", "toon deze hulp en stop"),
)


def dutch_error(message: str) -> str:
    """argparse's error message in Dutch (unchanged if it is not one argparse writes)."""
    nested = _ARGUMENT.match(message)
    if nested:
        return f"argument {nested.group(1)}: {dutch_error(nested.group(2))}"
    for pattern, dutch in _ERRORS:
        if pattern.match(message):
            return pattern.sub(dutch, message)
    return message


def _dutch_headings(text: str) -> str:
    for english, dutch in _HEADINGS:
        text = text.replace(english, dutch)
    return text


class DutchArgumentParser(argparse.ArgumentParser):
    """argparse with Dutch headings and Dutch usage errors (exit code 2); sub-commands made
    with `add_subparsers` are Dutch as well."""

    def add_subparsers(self, **kwargs):
        kwargs.setdefault("parser_class", type(self))
        return super().add_subparsers(**kwargs)

    def format_help(self) -> str:
        return _dutch_headings(super().format_help())

    def format_usage(self) -> str:
        return _dutch_headings(super().format_usage())

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: fout: {dutch_error(message)}\n")


__all__ = ["DutchArgumentParser", "dutch_error"]

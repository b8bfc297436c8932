"""Every command a person types answers in Dutch: help headings and usage errors (exit 2)."""

from __future__ import annotations

import pytest

from rendement.cli.main import COMMANDS, build_parser
from rendement.core.arguments import dutch_error
from rendement.demo.__main__ import main as demo_exports

ENGLISH = ("usage:", "error:", "required", "unrecognized", "invalid", "expected", "choose from")


def _usage_error(capsys, parse, argv) -> str:
    with pytest.raises(SystemExit) as stop:
        parse(argv)
    assert stop.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["check"],
        ["check", "f.csv", "--onbekend"],
        ["demo", "--orgs", "veel"],
        ["release", "--jaar"],
        ["org", "add"],
        ["bestaat-niet"],
    ],
)
def test_usage_errors_are_dutch(capsys, argv):
    err = _usage_error(capsys, build_parser().parse_args, argv)
    assert "gebruik:" in err and "fout:" in err
    assert not any(word in err for word in ENGLISH), err


def test_the_demo_export_command_is_dutch_too(capsys):
    err = _usage_error(capsys, demo_exports, [])
    assert "fout: verplicht maar niet gegeven: --inbox" in err


@pytest.mark.parametrize("command", COMMANDS)
def test_help_is_dutch(capsys, command):
    with pytest.raises(SystemExit):
        # a module's command is its name with hyphens (rendement.cli.verwijder_client)
        build_parser().parse_args([command.replace("_", "-"), "--help"])
    out = capsys.readouterr().out
    assert out.startswith("gebruik:") and "toon deze hulp en stop" in out
    assert not any(word in out for word in ("usage:", "options:", "show this help")), out


def test_messages_argparse_does_not_write_stay_as_they_are():
    assert dutch_error("argument --jaar: expected one argument") == (
        "argument --jaar: verwacht één waarde"
    )
    assert dutch_error("iets anders") == "iets anders"

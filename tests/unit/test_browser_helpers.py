"""The report tests' own helpers (tests/support/browser.py): Dutch numbers as the pages show
them are read back."""

from __future__ import annotations

import pytest

from tests.support.browser import parse_nl


def test_parse_nl_reads_dutch_formats():
    assert parse_nl("€\u00a01.234") == 1234
    assert parse_nl("\u2212\u00a0€\u00a05.000") == -5000
    assert parse_nl("64,2\u00a0%") == 0.642
    assert parse_nl("0,84") == 0.84
    assert parse_nl("12.345") == 12345
    assert parse_nl("x") is None
    assert parse_nl("–") is None


def test_report_formats_round_trip():
    from rendement.reports.tables import nl_euro, nl_number, nl_percent

    for v in (0, 1, -1, 999, 1000, -1234567, 12345678.4):
        assert parse_nl(nl_euro(v)) == round(v)
        assert parse_nl(nl_number(v)) == round(v)
    assert parse_nl(nl_percent(0.5137)) == pytest.approx(0.514)
    assert nl_number(-0.0001, 2) == "0,00"  # never a negative zero
    assert nl_euro(-1234) == "\u2212\u00a0€\u00a01.234"

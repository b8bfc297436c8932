"""The reader tests' own helpers (tests/support/sources.py): the shipped fixtures survive a
round trip through the dialect writers, and numbers are formatted per style."""

from __future__ import annotations

from tests.support.sources import (
    CONTRACT_TABLES,
    REGAS,
    REGICARE,
    Fixture,
    contract_fixture,
    format_number,
    load_fixture,
    render_csv,
)

# --- the helpers themselves -----------------------------------------------------------------


def test_fixtures_round_trip_through_the_renderer():
    """Rendering a fixture in its own dialect and parsing it again gives the same data."""
    for fixture in (REGICARE, REGAS, *(contract_fixture(t) for t in CONTRACT_TABLES)):
        logical = load_fixture(fixture)
        assert logical.rows, fixture.path
        text = render_csv(logical, encoding="utf-8", line_ending="\n").decode("utf-8")
        plain = Fixture(
            fixture.path, "utf-8", ";", 0, fixture.dates, fixture.numbers, fixture.integers
        )
        again = load_fixture(plain, text)
        assert again.header == logical.header
        assert again.rows == logical.rows


def test_number_formatting():
    assert format_number(1152.5, "nl_thousands") == "1.152,5"
    assert format_number(1152.5, "nl") == "1152,5"
    assert format_number(1152.5, "en") == "1152.5"
    assert format_number(91875.25, "en_thousands") == "91,875.25"
    assert format_number(0.8, "nl_thousands") == "0,8"
    assert format_number(12000.0, "nl_thousands") == "12.000"

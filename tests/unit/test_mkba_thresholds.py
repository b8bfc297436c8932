"""Score thresholds, exactly on each bound, for every instrument (issue 15, point 1).

Every case is one trajectory with a T0 and a T1 in 2025, run through the public API
(`compute_mkba`) with a parameter set of one pathway whose only criterion is the bound under
test. docs/mkba.md: "A bound is met *on* the bound", scores are compared as the decimals they
are (3.6 → 4.6 is exactly 1 better), and a mean over onderdelen is compared without rounding.
Several cases are chosen so that binary floating point gets them wrong.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from rendement.mkba import compute_mkba
from rendement.mkba.params import parse_parameters
from tests.support.mkba_tables import (
    ORG,
    frames,
    inzet_row,
    project_row,
    simple_raw,
    trajectory,
)

PATHWAY = "schulden_test"

# (instrument, criterion bounds (the criterion's onderdeel if any under "onderdeel"),
#  scores {onderdeel or None: (t0, t1)}, expected count)
ZRM = "zrm"
CASES = [
    # ZRM (1-5, per onderdeel, higher is better)
    (ZRM, {"onderdeel": "financien", "t0_max": 2}, {"financien": (2, 3)}, 1),
    (ZRM, {"onderdeel": "financien", "t0_max": 2}, {"financien": (3, 3)}, 0),
    (ZRM, {"onderdeel": "financien", "t0_min": 2}, {"financien": (2, 3)}, 1),
    (ZRM, {"onderdeel": "financien", "t0_min": 2}, {"financien": (1, 3)}, 0),
    (ZRM, {"onderdeel": "financien", "t1_min": 3}, {"financien": (2, 3)}, 1),
    (ZRM, {"onderdeel": "financien", "t1_min": 3}, {"financien": (2, 2)}, 0),
    (ZRM, {"onderdeel": "financien", "t1_max": 3}, {"financien": (2, 3)}, 1),
    (ZRM, {"onderdeel": "financien", "t1_max": 3}, {"financien": (2, 4)}, 0),
    (ZRM, {"onderdeel": "financien", "min_verbetering": 1}, {"financien": (2, 3)}, 1),
    (ZRM, {"onderdeel": "financien", "min_verbetering": 1}, {"financien": (2, 2)}, 0),
    # an onderdeel is matched after normalising ("Financiën" = financien)
    (ZRM, {"onderdeel": "financien", "t1_min": 3}, {"Financiën": (2, 3)}, 1),
    # De Jong Gierveld, 11 items (0-11, lower is better)
    ("djg11", {"t0_min": 9}, {None: (9, 8)}, 1),
    ("djg11", {"t0_min": 9}, {None: (8, 7)}, 0),
    ("djg11", {"t1_max": 8}, {None: (9, 8)}, 1),
    ("djg11", {"t1_max": 8}, {None: (9, 9)}, 0),
    ("djg11", {"min_verbetering": 1}, {None: (9, 8)}, 1),
    ("djg11", {"min_verbetering": 1}, {None: (9, 9)}, 0),
    ("djg11", {"min_verbetering": 1}, {None: (8, 9)}, 0),  # worse is not better
    # De Jong Gierveld, 6 items (0-6, lower is better)
    ("djg6", {"t0_min": 5}, {None: (5, 4)}, 1),
    ("djg6", {"t0_min": 5}, {None: (4, 3)}, 0),
    ("djg6", {"t1_max": 4}, {None: (5, 4)}, 1),
    ("djg6", {"t1_max": 4}, {None: (5, 5)}, 0),
    ("djg6", {"min_verbetering": 2}, {None: (6, 4)}, 1),
    ("djg6", {"min_verbetering": 2}, {None: (6, 5)}, 0),
    # participatieladder (1-6, higher is better)
    ("participatieladder", {"t0_max": 4}, {None: (4, 5)}, 1),
    ("participatieladder", {"t0_max": 4}, {None: (5, 5)}, 0),
    ("participatieladder", {"t0_min": 2}, {None: (2, 3)}, 1),
    ("participatieladder", {"t0_min": 2}, {None: (1, 3)}, 0),
    ("participatieladder", {"t1_min": 5}, {None: (4, 5)}, 1),
    ("participatieladder", {"t1_min": 5}, {None: (4, 4)}, 0),
    ("participatieladder", {"t1_max": 2}, {None: (1, 2)}, 1),
    ("participatieladder", {"t1_max": 2}, {None: (1, 3)}, 0),
    ("participatieladder", {"min_verbetering": 2}, {None: (2, 4)}, 1),
    ("participatieladder", {"min_verbetering": 2}, {None: (2, 3)}, 0),
    # Positieve Gezondheid (0-10, one decimal): differences and bounds that binary floating
    # point gets wrong (4.6 - 3.6 = 0.9999999999999996, 4.1 - 3.1 = 0.9999999999999996)
    ("positieve_gezondheid", {"min_verbetering": 1.0}, {"mentaal": (3.6, 4.6)}, 1),
    ("positieve_gezondheid", {"min_verbetering": 1.0}, {"mentaal": (3.1, 4.1)}, 1),
    ("positieve_gezondheid", {"min_verbetering": 1.0}, {"mentaal": (3.6, 4.5)}, 0),
    ("positieve_gezondheid", {"t0_max": 3.3}, {"mentaal": (3.3, 5.0)}, 1),
    ("positieve_gezondheid", {"t0_max": 3.3}, {"mentaal": (3.4, 5.0)}, 0),
    ("positieve_gezondheid", {"t0_min": 2.1}, {"mentaal": (2.1, 5.0)}, 1),
    ("positieve_gezondheid", {"t0_min": 2.1}, {"mentaal": (2.0, 5.0)}, 0),
    ("positieve_gezondheid", {"t1_min": 7.7}, {"mentaal": (5.0, 7.7)}, 1),
    ("positieve_gezondheid", {"t1_min": 7.7}, {"mentaal": (5.0, 7.6)}, 0),
    ("positieve_gezondheid", {"t1_max": 6.9}, {"mentaal": (5.0, 6.9)}, 1),
    ("positieve_gezondheid", {"t1_max": 6.9}, {"mentaal": (5.0, 7.0)}, 0),
    # the mean over the onderdelen measured at both moments: (3.0 + 3.1 + 3.5) / 3 is
    # exactly 3.2 (3.1999999999999997 in floating point)
    (
        "positieve_gezondheid",
        {"t1_min": 3.2},
        {"a": (2.0, 3.0), "b": (2.0, 3.1), "c": (2.0, 3.5)},
        1,
    ),
    (
        "positieve_gezondheid",
        {"t1_min": 3.2},
        {"a": (2.0, 3.0), "b": (2.0, 3.1), "c": (2.0, 3.4)},
        0,
    ),
    (
        "positieve_gezondheid",
        {"min_verbetering": 1.2},
        {"a": (2.0, 3.0), "b": (2.0, 3.1), "c": (2.0, 3.5)},
        1,
    ),
    (
        "positieve_gezondheid",
        {"min_verbetering": 1.2},
        {"a": (2.0, 3.0), "b": (2.0, 3.1), "c": (2.0, 3.4)},
        0,
    ),
    (
        "positieve_gezondheid",
        {"t0_max": 3.2},
        {"a": (3.0, 5.0), "b": (3.1, 5.0), "c": (3.5, 5.0)},
        1,
    ),
    (
        "positieve_gezondheid",
        {"t0_max": 3.2},
        {"a": (3.0, 5.0), "b": (3.1, 5.0), "c": (3.6, 5.0)},
        0,
    ),
    # an onderdeel measured only at T0 is not in the mean: (3.0 + 3.1 + 3.5) / 3 again
    (
        "positieve_gezondheid",
        {"t1_min": 3.2},
        {"a": (2.0, 3.0), "b": (2.0, 3.1), "c": (2.0, 3.5), "d": (2.0, None)},
        1,
    ),
]


def _meting(i: int, instrument: str, scores: dict) -> list[dict]:
    rows = []
    for onderdeel, (t0, t1) in scores.items():
        for moment, score, month in (("T0", t0, 2), ("T1", t1, 10)):
            if score is None:
                continue
            rows.append(
                dict(
                    organisatie_id=ORG,
                    traject_id=f"P1-T{i}",
                    instrument=instrument,
                    onderdeel=onderdeel,
                    moment=moment,
                    datum=dt.date(2025, month, 1),
                    score=float(score),
                )
            )
    return rows


def _tables(instrument: str, scores: dict, i: int = 0) -> dict[str, pl.DataFrame]:
    return frames(
        project=[project_row()],
        traject=[trajectory(i)],
        meting=_meting(i, instrument, scores),
        inzet=[inzet_row(uren=1400.0, uren_vrijwilligers=0.0)],
        kosten=[],
    )


def _params(instrument: str, bounds: dict):
    criterion = {"instrument": instrument, **bounds}
    return parse_parameters(
        simple_raw(hoeveelheid={"bron": "meting", "telling": "deelnemers", "criteria": [criterion]})
    )


def _label(case) -> str:
    instrument, bounds, scores, expected = case
    bound = ", ".join(f"{k}={v}" for k, v in bounds.items() if k != "onderdeel")
    pairs = ";".join(f"{t0}->{t1}" for t0, t1 in scores.values())
    return f"{instrument}[{bound}]{pairs}={'yes' if expected else 'no'}"


@pytest.mark.parametrize("case", CASES, ids=[_label(c) for c in CASES])
def test_a_score_on_the_bound_meets_it(case):
    instrument, bounds, scores, expected = case
    res = compute_mkba(_tables(instrument, scores), _params(instrument, bounds), draws=1)
    quantity = (
        res.outcome.filter(pl.col("uitkomst") == PATHWAY)
        .unique(["organisatie_id", "project_id", "jaar", "uitkomst"])["hoeveelheid"]
        .to_list()
    )
    assert quantity == [float(expected)]


@pytest.mark.parametrize(
    ("scores", "improved"),
    [
        # exact mean improvement 0: (0.1 + 0.2) - (0.3 + 0.0) is 0, and
        # (0.1 - 0.3 + 0.2 - 0.0) / 2 is 1.4e-17 in floating point
        ({"a": (0.3, 0.1), "b": (0.0, 0.2)}, 0),
        ({"a": (3.6, 4.6)}, 1),
        ({"a": (4.6, 3.6)}, 0),
    ],
)
def test_deelnemers_verbeterd_uses_the_exact_mean(scores, improved):
    """docs/mkba.md: `deelnemers_verbeterd` uses the same exact sums (mean improvement > 0)."""
    res = compute_mkba(
        _tables("positieve_gezondheid", scores),
        _params("positieve_gezondheid", {"min_verbetering": 1.0}),
        draws=1,
    )
    row = res.project.row(0, named=True)
    assert row["deelnemers_gemeten"] == 1
    assert row["deelnemers_verbeterd"] == improved

"""Labour-market effects: people into paid work and avoided professional care in hours and
FTE of care staff, read from the MKBA's outcome rows with the conversion in the parameter
set; shown, never added to the benefits."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from rendement.mkba import compute_mkba
from rendement.mkba.labour import labour_effects
from rendement.mkba.params import load_parameters, parse_parameters, standard_parameter_path
from tests.support.mkba_tables import ORG, frames, inzet_row, kosten_row, project_row, trajectory

PARAMS = load_parameters()


def _raw() -> dict:
    return yaml.safe_load(standard_parameter_path().read_text(encoding="utf-8"))


def _score(i, instrument, moment, score, pid="P1"):
    return dict(
        organisatie_id=ORG,
        traject_id=f"{pid}-T{i}",
        instrument=instrument,
        onderdeel=None,
        moment=moment,
        datum=dt.date(2025, 2 if moment == "T0" else 10, 1),
        score=float(score),
    )


def _tables():
    """Loneliness (P1: 4 of 6 no longer severely lonely) and activation (P2: 3 into work)."""
    trajects, metingen = [], []
    for i in range(6):
        trajects.append(trajectory(i))
        metingen += [_score(i, "djg11", "T0", 10), _score(i, "djg11", "T1", 5 if i < 4 else 10)]
    for i in range(5):
        trajects.append(trajectory(i, pid="P2"))
        metingen += [
            _score(i, "participatieladder", "T0", 3, pid="P2"),
            _score(i, "participatieladder", "T1", 5 if i < 3 else 3, pid="P2"),
        ]
    return frames(
        project=[
            project_row(domein="ouderen_eenzaamheid", interventie="huisbezoek"),
            project_row(pid="P2", domein="activering", interventie="werkervaringsplek"),
        ],
        traject=trajects,
        meting=metingen,
        inzet=[inzet_row(), inzet_row(pid="P2")],
        kosten=[kosten_row(2025, 50_000.0), kosten_row(2025, 50_000.0, pid="P2")],
    )


def test_the_conversion_values_carry_their_source_and_grade():
    care = PARAMS.arbeidsmarkt
    # every conversion value carries its source and grade, like every other parameter
    for p in (care.uurprijs, care.uren_per_fte):
        assert p.bron and p.graad in ("A", "B", "C")


def test_labour_effects_restate_outcomes_and_add_nothing_to_the_benefits():
    result = compute_mkba(_tables(), PARAMS, draws=200)
    effects = labour_effects(result.outcome, PARAMS).sort("project_id")
    assert effects["project_id"].to_list() == ["P1", "P2"]
    lonely, work = effects.row(0, named=True), effects.row(1, named=True)
    assert work["naar_betaald_werk"] == 3 and work["basis_betaald_werk"] == "gemeten"
    assert work["zorguren"] is None
    care_rows = result.outcome.filter(
        (result.outcome["project_id"] == "P1")
        & (result.outcome["uitkomst"] == "eenzaamheid_zorgkosten")
    )
    euros = care_rows["impact_jaar1"][0]
    assert lonely["vermeden_zorg"] == pytest.approx(euros) and euros > 0
    # hours: euros over the hourly price (the low end at the high price); FTE: hours over
    # the contract hours of a full-time care worker
    care = PARAMS.arbeidsmarkt
    price = PARAMS.in_price_year(care.uurprijs)
    low, base, high = euros / price.hoog, euros / price.basis, euros / price.laag
    assert low < base < high
    assert (lonely["zorguren_laag"], lonely["zorguren"], lonely["zorguren_hoog"]) == (
        pytest.approx(low),
        pytest.approx(base),
        pytest.approx(high),
    )
    assert lonely["zorg_fte"] == pytest.approx(base / care.uren_per_fte.basis)
    assert lonely["naar_betaald_werk"] is None
    # the same MKBA without the section: every benefit the same to the bit
    raw = _raw()
    del raw["arbeidsmarkt"]
    without = compute_mkba(_tables(), parse_parameters(raw), draws=200)
    assert without.project.equals(result.project)
    assert labour_effects(without.outcome, parse_parameters(raw)).is_empty()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda a: a["betaald_werk"].update(uitkomsten=["werk_x"]), "onbekende uitkomst"),
        (lambda a: a["vermeden_zorg"]["uurprijs"].pop("bron"), "bron ontbreekt"),
        (lambda a: a["vermeden_zorg"]["uren_per_fte"].update(laag=0), "groter dan 0"),
        (lambda a: a["vermeden_zorg"].pop("uurprijs"), "uurprijs: ontbreekt"),
    ],
)
def test_a_broken_conversion_is_refused_with_its_path(change, message):
    raw = _raw()
    change(raw["arbeidsmarkt"])
    with pytest.raises(ValueError, match=message):
        parse_parameters(raw)

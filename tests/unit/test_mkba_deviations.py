"""Organisations' own parameter values (issue 18, point 7): every bad deviation named in the
issue is refused with a Dutch message naming the file, row and column, and only itself is
left out; the bounds come from the parameter file; proposals are stored like the register."""

from __future__ import annotations

import stat

import polars as pl
import pytest

from rendement.core.lake import Lake
from rendement.core.proposals import ACCEPTED, SUPERSEDED, ProposalError, ProposalStore
from rendement.mkba import load_parameters
from rendement.mkba import overrides as ov
from rendement.mkba.batch import compute_per_organisation
from rendement.mkba.bounds import bounds_for
from rendement.mkba.params import parse_parameters
from tests.support.mkba_tables import hand_tables, simple_raw

HEADER = "organisatie_id;project_id;parameter;waarde;toelichting\n"
DUUR = "uitkomsten.schulden_gestabiliseerd.duur"
GOOD = f"ORG2;;{DUUR};3;eigen nazorg\n"


@pytest.fixture(scope="module")
def params():
    return load_parameters()


def _check(tmp_path, params, *lines: str, projects=None):
    path = tmp_path / "afwijkingen.csv"
    path.write_text(HEADER + "".join(lines), "utf-8")
    rows, unreadable = ov.read_file(path)
    assert not unreadable
    projects = projects if projects is not None else {"ORG1": {"P1"}, "ORG2": {"P1"}}
    return ov.check(rows, params, {"ORG1", "ORG2"}, projects)


@pytest.mark.parametrize(
    ("line", "column", "words"),
    [
        (f"ORG1;;{DUUR};=1+1;x\n", "waarde", "'=1+1' is geen getal"),
        (f"ORG1;;{DUUR};inf;x\n", "waarde", "'inf' is geen eindig getal"),
        (f"ORG1;;{DUUR};NaN;x\n", "waarde", "'NaN' is geen eindig getal"),
        ("ORG1;;kosten.fte;1e300;x\n", "waarde", "buiten de grenzen 20000 tot en met 150000"),
        (f"ORG1;;{DUUR};1000000;x\n", "waarde", "buiten de grenzen 1 tot en met 10"),
        (f"ORG1;;{DUUR};2,5;x\n", "waarde", "geen geheel getal"),
        (f"ORG1;;{DUUR};;x\n", "waarde", "de waarde ontbreekt"),
        (
            "ORG1;;uitkomsten.schulden_gestabiliseerd.deadweight;1;x\n",
            "waarde",
            "1 zou niets van de uitkomst overlaten",
        ),
        (f"ORG9;;{DUUR};3;x\n", "organisatie_id", "ORG9 staat niet in het register"),
        (f"ORG1;P9;{DUUR};3;x\n", "project_id", "project P9 is geen aangeleverd project"),
        ("ORG1;;uitkomsten.bestaat_niet.duur;3;x\n", "parameter", "onbekende uitkomst"),
        ("ORG1;;discontovoet;0,01;x\n", "parameter", "niet aan te passen"),
        (
            "ORG1;;uitkomsten.minder_incassokosten.eenheidswaarde;100;x\n",
            "parameter",
            "heeft geen standaardwaarde",
        ),
        (f"ORG1;;{DUUR};3; \n", "toelichting", "toelichting nodig"),
    ],
)
def test_each_bad_deviation_is_refused_with_file_row_and_column(
    tmp_path, params, line, column, words
):
    checked = _check(tmp_path, params, GOOD, line)
    assert [d.organisatie_id for d in checked.accepted] == ["ORG2"]  # the good one applies
    (refusal,) = checked.refused
    assert refusal.kolom == column
    assert words in refusal.melding
    assert refusal.message.startswith(f"afwijkingen.csv, rij 3, kolom {column}: ")


def test_a_low_value_above_the_high_one_is_refused(tmp_path, params):
    base = "uitkomsten.betaald_werk.drop_off"
    checked = _check(tmp_path, params, f"ORG1;;{base}.laag;0,6;x\n", f"ORG1;;{base}.hoog;0,4;x\n")
    assert not checked.accepted
    assert {r.rij for r in (r.deviation for r in checked.refused)} == {2, 3}
    assert all("verwacht laag ≤ basis ≤ hoog" in r.melding for r in checked.refused)
    # one level above the standard's high one, without the high one: refused, not stretched
    (alone,) = _check(tmp_path, params, f"ORG1;;{base}.basis;0,9;x\n").refused
    assert "basis (0,9) ligt boven hoog (0,5)" in alone.melding
    # ordered levels are fine
    ok = _check(tmp_path, params, f"ORG1;;{base}.laag;0,1;x\n", f"ORG1;;{base}.hoog;0,6;x\n")
    assert len(ok.accepted) == 2 and not ok.refused


def test_conflicting_duplicates_are_all_refused_naming_each_other(tmp_path, params):
    checked = _check(
        tmp_path,
        params,
        f"ORG1;P1;{DUUR};2;x\n",
        f"ORG1;P1;{DUUR};3;x\n",
        f"ORG1;;{DUUR};3;voor de andere projecten\n",  # organisation-wide: allowed next to them
    )
    assert [d.rij for d in checked.accepted] == [4]
    messages = sorted(r.message for r in checked.refused)
    assert messages[0].startswith("afwijkingen.csv, rij 2, kolom parameter: meer dan één waarde")
    assert messages[0].endswith("ook in afwijkingen.csv, rij 3. Geef één waarde per parameter")
    assert "ook in afwijkingen.csv, rij 2" in messages[1]


def test_an_unreadable_file_is_refused_as_a_whole_in_dutch(tmp_path):
    path = tmp_path / "afwijkingen.csv"
    path.write_text("organisatie_id;parameter;waarde\nORG1;kosten.fte;70000\n", "utf-8")
    rows, (refusal,) = ov.read_file(path)
    assert rows == []
    assert refusal.message == (
        "afwijkingen.csv: kolommen ontbreken: project_id, toelichting; het bestand is niet gebruikt"
    )
    assert ov.read_file(tmp_path / "geen.csv") == ([], [])


def test_a_bad_deviation_of_one_organisation_does_not_stop_another(tmp_path, params):
    """The issue's case: '=1+1' for one organisation used to fail the MKBA step for all."""
    tables = hand_tables()
    org = tables["project"]["organisatie_id"][0]
    other = {
        name: frame.with_columns(pl.lit("ORG2").alias("organisatie_id"))
        for name, frame in tables.items()
    }
    path = tmp_path / "afwijkingen.csv"
    path.write_text(HEADER + f"{org};;{DUUR};=1+1;x\n" + GOOD, "utf-8")
    checked = ov.check(ov.read_file(path)[0], params, {org, "ORG2"}, {org: {"P1"}, "ORG2": {"P1"}})
    results = compute_per_organisation(
        {org: tables, "ORG2": other}, params, ov.engine_frame(checked.accepted), draws=50
    )
    assert results[org].eigen is None and results[org].standaard.project.height
    assert results["ORG2"].eigen is not None
    assert results["ORG2"].eigen.overrides_applied["waarde"].to_list() == [3.0]
    records = ov.records(ov.for_organisation(checked, org), params)
    assert records["status"].to_list() == [ov.REFUSED]
    assert records["melding"].to_list() == ["'=1+1' is geen getal"]


def test_refused_non_finite_values_are_never_stored(tmp_path, params):
    checked = _check(tmp_path, params, f"ORG1;;{DUUR};inf;x\n")
    records = ov.records(checked, params)
    assert records["waarde"].to_list() == [None] and records["tekst"].to_list() == ["inf"]
    assert records["waarde_standaard"].to_list() == [2.0]


def test_bounds_come_from_the_parameter_file_and_hold_its_standard_values(params):
    assert bounds_for(params, "kosten.vrijwilliger_onkosten.hoog").max == 2100
    assert bounds_for(params, "uitkomsten.eenzaamheid_welzijn.factor").max == 10
    assert bounds_for(params, DUUR).max == 10 and bounds_for(params, DUUR).whole
    raw = simple_raw()
    raw["kosten"]["fte"]["grenzen"] = {"min": 0, "max": 1000}
    with pytest.raises(ValueError, match=r"kosten.fte.laag: standaardwaarde buiten de grenzen"):
        parse_parameters(raw)
    raw["kosten"]["fte"]["grenzen"] = {"min": 5, "max": 1}
    with pytest.raises(ValueError, match=r"kosten.fte.grenzen: verwacht"):
        parse_parameters(raw)


def test_portal_values_are_read_the_dutch_way():
    assert ov.parse_value("0,35") == 0.35
    assert ov.parse_value("1.234,5") == 1234.5
    assert ov.parse_value("=1+1") is None


def test_proposals_are_kept_owner_only_and_decided_once(tmp_path):
    path = tmp_path / "parameters" / "voorstellen.json"
    fields = {
        "organisatie_id": "ORG1",
        "project_id": None,
        "parameter": DUUR,
        "waarde": 3.0,
        "tekst": "3",
        "toelichting": "eigen nazorg",
        "bron": "nazorgregistratie",
        "door": "g-org",
    }
    with ProposalStore.edit(path) as store:
        first = store.propose(**fields)
        second = store.propose(**fields)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with ProposalStore.edit(path) as store:
        store.decide(first, accept=True, door="g-analist")
        with pytest.raises(ProposalError, match="al besloten"):
            store.decide(first, accept=False, door="g-analist", reden="x")
        with pytest.raises(ProposalError, match="reden"):
            store.decide(second, accept=False, door="g-analist")
        store.decide(second, accept=True, door="g-analist")
    store = ProposalStore.load(path)
    assert store.get(first)["status"] == SUPERSEDED and store.get(second)["status"] == ACCEPTED
    (accepted,) = ov.from_proposals(store.all())
    assert (accepted.voorstel, accepted.aanvaard_door) == (second, "g-analist")
    assert "g-analist" in path.read_text("utf-8") and "@" not in path.read_text("utf-8")


def test_refusals_read_back_from_the_lake_say_what_the_check_said(tmp_path, params):
    """The run's log and the organisation's page read the refusals written beside its results:
    the same place, column and message as the check gave."""
    checked = _check(tmp_path, params, f"ORG1;;{DUUR};=1+1;x\n", f"ORG9;;{DUUR};3;x\n")
    lake = Lake(tmp_path / "lake")
    for org in ("ORG1", "ORG9"):
        own = ov.for_organisation(checked, org)
        lake.write(ov.records(own, params), lake.mkba_path(ov.LAKE_NAME, org))
        assert [r.message for r in ov.refused_at_last_run(lake, org)] == [
            r.message for r in own.refused
        ]
    assert ov.refused_at_last_run(lake, "ORG2") == []

"""The parameter set: loading, validation, indexing, overrides, and the verantwoording."""

from __future__ import annotations

import copy

import polars as pl
import pytest
import yaml

from rendement.mkba import (
    ParameterSet,
    load_parameters,
    verantwoording_markdown,
    verantwoording_table,
)
from rendement.mkba.params import parse_parameters, standard_parameter_path
from schemas.vocabulary import DOMAINS


@pytest.fixture(scope="module")
def raw():
    return yaml.safe_load(standard_parameter_path().read_text(encoding="utf-8"))


def test_standard_set_loads(raw):
    ps = load_parameters()
    assert isinstance(ps, ParameterSet)
    assert ps.version == raw["versie"] == "2026.1"
    assert ps.price_year == 2025
    assert ps.discount_rate == 0.0225
    assert standard_parameter_path().name == f"standaard-{ps.version}.yaml"
    # every domain has at least one priced and one counted or priced pathway
    for domain in DOMAINS:
        pathways = [pw for pw in ps.uitkomsten if pw.domein == domain]
        assert pathways, domain
        assert any(pw.gewaardeerd and not pw.transfer for pw in pathways), domain


def test_load_from_path_equals_default(tmp_path, raw):
    file = tmp_path / "eigen.yaml"
    file.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    ps = load_parameters(file)
    assert ps.uitkomsten == load_parameters().uitkomsten
    assert ps.pad == file


def test_sourced_values_and_grades(raw):
    ps = load_parameters()
    for pw in ps.uitkomsten:
        assert pw.eenheidswaarde.bron, pw.code
        if pw.gewaardeerd:
            assert pw.eenheidswaarde.graad in "ABC" and pw.eenheidswaarde.prijsjaar
            assert pw.correcties_graad in "ABC"
    wellby = ps.pathway("eenzaamheid_welzijn").eenheidswaarde
    assert (wellby.valuta, wellby.prijsjaar, wellby.basis) == ("GBP", 2019, 13000)


def test_price_indexing_and_currency():
    ps = load_parameters()
    assert ps.index_factor(2025) == 1.0
    assert ps.index_factor(2024) == pytest.approx(134.52 / 130.22)
    assert ps.index_factor(2030) == 1.0  # after the last index year: last index
    with pytest.raises(ValueError):
        ps.index_factor(1999)
    wellby = ps.in_price_year(ps.pathway("eenzaamheid_welzijn").eenheidswaarde)
    assert wellby.basis == pytest.approx(13000 * 1.1393 * 134.52 / 106.12)
    assert wellby.valuta == "EUR" and wellby.prijsjaar == 2025


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda r: r["uitkomsten"][0]["deadweight"].update(laag=0.5), "laag <= basis <= hoog"),
        (lambda r: r["uitkomsten"][0].update(domein="sport"), "onbekend domein"),
        (lambda r: r["uitkomsten"][0]["eenheidswaarde"].pop("bron"), "bron ontbreekt"),
        (lambda r: r["uitkomsten"][0].update(baathebbers={"gemeente": 0.5}), "tellen op tot 1"),
        (lambda r: r["uitkomsten"][0].update(baathebbers={"buurman": 1.0}), "onbekende baathebber"),
        (
            lambda r: r["uitkomsten"][0]["hoeveelheid"]["criteria"][0].update(instrument="iq"),
            "onbekend instrument",
        ),
        (lambda r: r["uitkomsten"][0]["attributie"].update(hoog=1.0), "1 laat niets over"),
        (lambda r: r["uitkomsten"][0]["eenheidswaarde"].update(prijsjaar=1990), "geen prijsindex"),
        (lambda r: r.pop("versie"), "versie ontbreekt"),
    ],
)
def test_validation_names_the_problem(raw, change, message):
    broken = copy.deepcopy(raw)
    change(broken)
    with pytest.raises(ValueError, match=message):
        parse_parameters(broken)


def test_overrides_resolve_and_keep_ranges_ordered():
    ps = load_parameters()
    new = ps.with_overrides([("uitkomsten.schulden_gestabiliseerd.deadweight.basis", 0.45)])
    dw = new.pathway("schulden_gestabiliseerd").deadweight
    assert (dw.laag, dw.basis, dw.hoog) == (0.2, 0.45, 0.45)
    point = ps.with_overrides([("uitkomsten.eenzaamheid_welzijn.eenheidswaarde", 20_000.0)])
    value = point.pathway("eenzaamheid_welzijn").eenheidswaarde
    assert (value.laag, value.basis, value.hoog, value.valuta, value.prijsjaar) == (
        20_000.0,
        20_000.0,
        20_000.0,
        "EUR",
        2025,
    )
    assert ps.pathway("eenzaamheid_welzijn").eenheidswaarde.basis == 13000  # original untouched
    with pytest.raises(ValueError, match="tussen 0 en 1"):
        ps.with_overrides([("uitkomsten.schulden_gestabiliseerd.attributie", 1.5)])
    with pytest.raises(ValueError, match="parameterpad"):
        ps.resolve("prijsindex.2024")


def test_verantwoording_table_lists_every_parameter():
    ps = load_parameters()
    table = verantwoording_table(ps)
    assert table.columns[:7] == [
        "groep",
        "parameter",
        "omschrijving",
        "domein",
        "laag",
        "basis",
        "hoog",
    ]
    paths = set(table["parameter"])
    assert "discontovoet" in paths and "kosten.fte" in paths and "prijsindex.2025" in paths
    for pw in ps.uitkomsten:
        assert f"uitkomsten.{pw.code}.eenheidswaarde" in paths
        if pw.gewaardeerd:
            for kind in ("duur", "drop_off", "deadweight", "displacement", "attributie"):
                assert f"uitkomsten.{pw.code}.{kind}" in paths
    # every row has a source; money rows carry a price year
    assert table.filter(pl.col("bron").is_null() | (pl.col("bron") == "")).is_empty()
    fte = table.filter(pl.col("parameter") == "kosten.fte").row(0, named=True)
    assert (fte["laag"], fte["basis"], fte["hoog"], fte["prijsjaar"]) == (60000, 70000, 80000, 2024)
    assert fte["basis_in_prijsjaar"] == pytest.approx(70000 * 134.52 / 130.22)
    # an override path from the table resolves
    for path in table.filter(pl.col("groep").is_in(["kosten", "uitkomst"]))["parameter"]:
        ps.resolve(path)


def test_verantwoording_markdown_is_dutch_and_follows_the_parameters():
    ps = load_parameters()
    md = verantwoording_markdown(ps)
    assert md.startswith("# Verantwoording van de MKBA (parameterset 2026.1)")
    for heading in ("## Werkwijze", "## Kosten", "## Uitkomsten per domein", "## Onzekerheid"):
        assert heading in md
    assert "2,25 %" in md and "niet verdisconteerd" in md
    for pw in ps.uitkomsten:  # by its name, not its code
        assert f"#### {pw.naam}\n" in md
        assert pw.code not in md
    assert "financien" not in md and "reden_einde" not in md and "Financiën" in md
    for label in DOMAINS.values():
        assert f"### {label}" in md
    changed = ps.with_overrides([("kosten.fte.basis", 75_000.0)])
    assert "75.000" in verantwoording_markdown(changed)

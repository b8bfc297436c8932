"""Delivery status per reporting year, from the audit log, and the analysts' page."""

from __future__ import annotations

import polars as pl

from rendement.core import audit
from rendement.core.home import Home
from rendement.core.registry import Registry
from rendement.intake.delivery import (
    SCHEMA,
    delivery_status,
    delivery_status_all_years,
    latest_year,
)
from rendement.reports.deliveries import write_delivery_page


def _log(path, actor, action, outcome, org, checksum, periode=None, **extra):
    org = f"ORG{org}" if org else None
    audit.append(path, actor=actor, action=action, outcome=outcome, organisatie_id=org,
                 checksum=checksum, bestand=f"{checksum}.csv", periode=periode, **extra)  # fmt: skip


def _sector(path):
    # A: uploaded through the service, taken in and fully accepted
    _log(path, "uploadservice", "upload", "ontvangen", "A", "a1", 2025, status=201)
    _log(path, "intake", "ontvangst", "ontvangen", "A", "a1", 2025)
    _log(path, "intake", "validatie", "geaccepteerd", "A", "a1", 2025)
    # B: one refused (BSN, no period read by intake: the service's year counts), then nothing
    _log(path, "uploadservice", "upload", "ontvangen", "B", "b1", 2025, status=201)
    _log(path, "intake", "ontvangst", "geweigerd", "B", "b1", None, reden_code="bsn_gevonden")
    # C: accepted with rejected rows, and a duplicate that must not hide it
    _log(path, "intake", "ontvangst", "ontvangen", "C", "c1", 2025)
    _log(path, "intake", "validatie", "deels_geaccepteerd", "C", "c1", 2025)
    _log(path, "intake", "ontvangst", "duplicaat", "C", "c1", 2025)
    # D: uploaded, not yet processed
    _log(path, "uploadservice", "upload", "ontvangen", "D", "d1", 2025, status=201)
    # E: delivered for 2024 only
    _log(path, "intake", "validatie", "geaccepteerd", "E", "e1", 2024)
    # F: refused first, accepted later -> delivered
    _log(path, "intake", "validatie", "geweigerd", "F", "f1", 2025, reden_code="bestand_afgekeurd")
    _log(path, "intake", "validatie", "geaccepteerd", "F", "f2", 2025)
    # G: not registered, but delivered
    _log(path, "intake", "validatie", "geaccepteerd", "G", "g1", 2025)
    # noise: refused requests without organisation or checksum
    _log(path, "uploadservice", "upload", "token_ontbreekt_of_onjuist", None, None, status=401)
    _log(path, "uploadservice", "upload", "al_ontvangen", "A", "a1", 2025, status=200)


def test_status_per_organisation(tmp_path):
    log = tmp_path / "audit.jsonl"
    _sector(log)
    registry = {f"ORG{o}": f"Organisatie {o}" for o in "ABCDEF"} | {"ORGH": "Nooit"}
    df = delivery_status(registry, audit.read(log), 2025)
    assert dict(df.schema) == SCHEMA
    status = dict(zip(df["organisatie_id"].str.slice(3), df["status"], strict=True))
    assert status == {
        "A": "geleverd", "B": "afgekeurd", "C": "deels_afgekeurd", "D": "in_behandeling",
        "E": "niet_geleverd", "F": "geleverd", "G": "geleverd", "H": "niet_geleverd",
    }  # fmt: skip
    row = {r["organisatie_id"][3:]: r for r in df.iter_rows(named=True)}
    assert row["B"]["laatste_reden"] == "bsn_gevonden" and row["B"]["geweigerd"] == 1
    assert (row["F"]["bestanden"], row["F"]["geaccepteerd"], row["F"]["geweigerd"]) == (2, 1, 1)
    assert row["C"]["bestanden"] == 1
    assert row["G"]["geregistreerd"] is False and row["G"]["naam"] is None
    assert row["H"]["bestanden"] == 0 and row["H"]["laatste_levering"] is None
    assert df["jaar"].unique().to_list() == [2025]
    # the ones to chase come first
    assert df["status"][0] == "niet_geleverd" and df["status"][-1] == "geleverd"
    df24 = delivery_status(list(registry), audit.read(log), 2024)
    assert df24.filter(pl.col("status") == "geleverd")["organisatie_id"].to_list() == ["ORGE"]
    assert latest_year(audit.read(log)) == 2025


def test_empty_log_and_empty_register(tmp_path):
    empty = audit.read(tmp_path / "geen.jsonl")
    df = delivery_status({"ORGA": "Een"}, empty, 2025)
    assert df.height == 1 and df["status"][0] == "niet_geleverd"
    assert delivery_status([], empty, 2025).height == 0


def _home(tmp_path) -> Home:
    """A home with two registered organisations and the sector's log."""
    home = Home(tmp_path)
    with Registry.edit(home.registry) as reg:
        reg.add("ORGA", "Welzijn & Co <Noord>")
        reg.add("ORGB", "Zorg Zuid")
    _sector(home.audit_log)
    return home


def test_delivery_page(tmp_path):
    home = _home(tmp_path)
    path = write_delivery_page(home, 2025)
    assert path == home.site / "leveringen.html"
    html = path.read_text("utf-8")
    assert 'id="leveringsstatus"' in html
    assert "Leveringen 2025" in html
    assert "Welzijn &amp; Co &lt;Noord&gt;" in html and "<Noord>" not in html
    assert "Alleen afgekeurde bestanden" in html and "bsn_gevonden" in html


def test_every_year_at_once_is_each_year_and_writes_the_same_page(tmp_path):
    # the warehouse asset computes every year once and writes the page from the latest
    home = _home(tmp_path)
    log, orgs = audit.read(home.audit_log), Registry.load(home.registry).organisations()
    every = delivery_status_all_years(orgs, log)
    assert every["jaar"].unique().sort().to_list() == [2024, 2025]
    for year in (2024, 2025):
        assert every.filter(pl.col("jaar") == year).equals(delivery_status(orgs, log, year))
    from_log = write_delivery_page(home, 2025).read_bytes()
    assert write_delivery_page(home, 2025, every).read_bytes() == from_log

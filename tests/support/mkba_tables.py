"""Small MKBA input tables built by hand: one organisation, projects, trajectories, ZRM
measurements, and a minimal parameter set (used by the engine, threshold, period and report
tests)."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib

import polars as pl
import yaml

from rendement.mkba.params import standard_parameter_path
from schemas.tables import polars_schema

ORG = "ORG001"


def pseudo(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def frames(**rows: list[dict]) -> dict[str, pl.DataFrame]:
    return {
        name: pl.DataFrame(data, schema=polars_schema(name), orient="row")
        for name, data in rows.items()
    }


def project_row(pid="P1", domein="schulden_armoede", interventie="schuldhulpverlening", org=ORG):
    return dict(
        organisatie_id=org,
        project_id=pid,
        naam=pid,
        domein=domein,
        interventie=interventie,
        erkenning=None,
        startdatum=dt.date(2024, 1, 1),
        einddatum=None,
        gemeente_code="GM0363",
    )


def trajectory(
    i,
    pid="P1",
    org=ORG,
    start=dt.date(2025, 2, 1),
    end=dt.date(2025, 10, 1),
    reden="afgerond",
    age="45-64",
):
    return dict(
        organisatie_id=org,
        traject_id=f"{pid}-T{i}",
        project_id=pid,
        client_pseudoniem=pseudo(f"{org}{pid}{i}"),
        startdatum=start,
        einddatum=end,
        reden_einde=reden if end else None,
        leeftijdsklasse=age,
        gemeente_code=None,
    )


def zrm(i, t0, t1, onderdeel="financien", pid="P1", org=ORG, year=2025):
    return [
        dict(
            organisatie_id=org,
            traject_id=f"{pid}-T{i}",
            instrument="zrm",
            onderdeel=onderdeel,
            moment="T0",
            datum=dt.date(year, 2, 1),
            score=float(t0),
        ),
        dict(
            organisatie_id=org,
            traject_id=f"{pid}-T{i}",
            instrument="zrm",
            onderdeel=onderdeel,
            moment="T1",
            datum=dt.date(year, 10, 1),
            score=float(t1),
        ),
    ]


def simple_raw(rate=0.0225, **pathway_changes) -> dict:
    """The standard YAML with one priced pathway of round numbers (and the standard costs)."""
    raw = yaml.safe_load(standard_parameter_path().read_text(encoding="utf-8"))
    raw["discontovoet"]["waarde"] = rate
    pathway = {
        "code": "schulden_test",
        "naam": "Schulden gestabiliseerd (test)",
        "domein": "schulden_armoede",
        "afleiding": "ZRM financiën van ≤ 2 naar ≥ 3.",
        "hoeveelheid": {
            "bron": "meting",
            "telling": "deelnemers",
            "criteria": [{"instrument": "zrm", "onderdeel": "financien", "t0_max": 2, "t1_min": 3}],
        },
        "eenheidswaarde": {
            "laag": 800,
            "basis": 1000,
            "hoog": 1200,
            "eenheid": "euro",
            "valuta": "EUR",
            "prijsjaar": 2025,
            "bron": "test",
            "graad": "C",
        },
        "transfer": False,
        "baathebbers": {"gemeente": 0.6, "schuldeisers": 0.4},
        "duur": {"laag": 2, "basis": 3, "hoog": 4},
        "drop_off": {"laag": 0.4, "basis": 0.5, "hoog": 0.6},
        "deadweight": {"laag": 0.1, "basis": 0.2, "hoog": 0.3},
        "displacement": {"laag": 0.0, "basis": 0.1, "hoog": 0.2},
        "attributie": {"laag": 0.2, "basis": 0.25, "hoog": 0.3},
        "correcties": {"bron": "test", "graad": "C"},
    }
    pathway.update(pathway_changes)
    bijstand = copy.deepcopy(
        next(u for u in raw["uitkomsten"] if u["code"] == "kortere_bijstand_schulden")
    )
    raw["uitkomsten"] = [pathway, bijstand]
    # the labour-market section names pathways of the standard set: keep those still there
    for part in ("betaald_werk", "vermeden_zorg"):
        section = raw["arbeidsmarkt"][part]
        section["uitkomsten"] = [c for c in section["uitkomsten"] if c in (pathway["code"],)]
    return raw


def inzet_row(
    jaar: int = 2025,
    fte: float = 1.0,
    *,
    uren: float | None = None,
    uren_vrijwilligers: float | None = None,
    pid: str = "P1",
    org: str = ORG,
) -> dict:
    """One `inzet` row: paid FTE (and hours), no volunteers."""
    return dict(
        organisatie_id=org,
        project_id=pid,
        jaar=jaar,
        fte_betaald=fte,
        uren_betaald=uren,
        vrijwilligers=0,
        uren_vrijwilligers=uren_vrijwilligers,
    )


def kosten_row(jaar: int, bedrag: float, pid: str = "P1", org: str = ORG) -> dict:
    """One own cost line of kostensoort personeel."""
    return dict(
        organisatie_id=org, project_id=pid, jaar=jaar, kostensoort="personeel", bedrag=bedrag
    )


def hand_tables(improved=4, not_improved=1, personeel=50_000.0, jaar_kosten=2025):
    trajects, metingen = [], []
    for i in range(improved):
        trajects.append(trajectory(i))
        metingen += zrm(i, 2, 3)
    for i in range(improved, improved + not_improved):
        trajects.append(trajectory(i, reden="voortijdig"))
        metingen += zrm(i, 2, 2)
    return frames(
        project=[project_row()],
        traject=trajects,
        meting=metingen,
        inzet=[inzet_row(uren=1400.0, uren_vrijwilligers=0.0)],
        kosten=[kosten_row(jaar_kosten, personeel)],
    )


# --- two years of one project (incomplete project-years, the whole period)


def two_years(kosten_2025: float | None = 40_000.0) -> dict[str, pl.DataFrame]:
    """One project with clients improving in 2024 and in 2025; own staff costs per year."""
    trajects, metingen = [], []
    for i in range(3):
        trajects.append(trajectory(i, start=dt.date(2024, 2, 1), end=dt.date(2024, 11, 1)))
        metingen += zrm(i, 2, 3, year=2024)
    for i in range(3, 8):
        trajects.append(trajectory(i, start=dt.date(2025, 2, 1), end=dt.date(2025, 11, 1)))
        metingen += zrm(i, 2, 3, year=2025)
    kosten = [kosten_row(2024, 30_000.0)]
    if kosten_2025 is not None:
        kosten.append(kosten_row(2025, kosten_2025))
    return frames(
        project=[project_row()],
        traject=trajects,
        meting=metingen,
        inzet=[inzet_row(2024, 0.5), inzet_row(2025, 0.0 if kosten_2025 is None else 0.6)],
        kosten=kosten,
    )


def measured_sector(n_orgs: int = 6) -> dict[str, pl.DataFrame]:
    """n organisations of schuldhulpverlening that measure, 10 clients each; organisation k
    (from 0) improves k + 2 of them: the sector whose pooled rates the reference method uses."""
    rows: dict[str, list] = {t: [] for t in ("project", "traject", "meting", "inzet", "kosten")}
    for k in range(n_orgs):
        org = f"ORG{k + 1:03d}"
        rows["project"].append(project_row(org=org))
        for i in range(10):
            rows["traject"].append(trajectory(i, org=org))
            rows["meting"] += zrm(i, 2, 3 if i < k + 2 else 2, org=org)
        rows["inzet"].append(inzet_row(org=org, uren=1400.0, uren_vrijwilligers=0.0))
        rows["kosten"].append(kosten_row(2025, 40_000.0, org=org))
    return frames(**rows)

"""The auditor's test: every project-year of the demo sector recomputed from docs/mkba.md and
the parameter file alone (`tests/support/audit.py`), and compared with the warehouse.

Money must agree to the cent (|difference| < 0.005), counts exactly, ratios to 1e-9
relative. The recomputation shares no code with `rendement.mkba`.
"""

from __future__ import annotations

from collections import defaultdict
from fractions import Fraction

import duckdb
import polars as pl
import pytest

from tests.support.audit import (
    LEVELS,
    SWITCHING,
    Params,
    ProjectYear,
    _rows,
    exact,
    read_canonical,
    recompute,
)

CENT = Fraction(5, 1000)
COUNTS = ("deelnemers", "deelnemers_gemeten", "deelnemers_verbeterd", "trajecten_afgerond")


def money_differs(engine: float | None, mine: Fraction) -> bool:
    return engine is None or abs(Fraction(engine) - mine) >= CENT


def ratio_differs(engine: float | None, mine: Fraction | None) -> bool:
    if engine is None or mine is None:
        return (engine is None) != (mine is None)
    return abs(Fraction(engine) - mine) > max(abs(mine), Fraction(1, 1000)) * Fraction(1, 10**9)


def report(problems: dict[str, list]) -> str:
    lines = []
    for what, found in sorted(problems.items()):
        lines.append(f"{what}: {len(found)} disagreements, e.g.")
        lines += [
            f"    {key}: engine {engine!r}, recomputed {mine!r}" for key, engine, mine in found[:5]
        ]
    return "\n".join(lines)


@pytest.fixture(scope="module")
def audit(demo_sector):
    """(warehouse connection, parameters, recomputed project-years)."""
    con = duckdb.connect(str(demo_sector.warehouse), read_only=True)
    versions = con.execute("SELECT DISTINCT parameter_versie FROM mkba.project").fetchall()
    assert len(versions) == 1
    params = Params.load(versions[0][0])
    mine = recompute(read_canonical(demo_sector.warehouse), params)
    yield con, params, mine
    con.close()


def _keyed(con, sql: str, *key: str) -> dict[tuple, dict]:
    return {tuple(r[k] for k in key): r for r in _rows(con, sql)}


def test_every_project_year_recomputes_to_the_cent(audit):
    con, params, mine = audit
    engine = _keyed(con, "SELECT * FROM mkba.project", "organisatie_id", "project_id", "jaar")
    assert len(engine) > 500, "the demo sector has several hundred project-years"
    assert engine.keys() == mine.keys()
    problems: dict[str, list] = defaultdict(list)
    for key, row in engine.items():
        py: ProjectYear = mine[key]
        for column in COUNTS:
            if row[column] != getattr(py, column):
                problems[column].append((key, row[column], getattr(py, column)))
        money = {
            "kosten": py.kosten["basis"],
            "baten": py.baten["basis"],
            "transfers": py.transfers["basis"],
            "ncw": py.ncw(),
        }
        for column, value in money.items():
            if money_differs(row[column], value):
                problems[column].append((key, row[column], float(value)))
        if ratio_differs(row["bkr"], py.bkr()):
            problems["bkr"].append((key, row["bkr"], py.bkr() and float(py.bkr())))
        assert row["parameter_versie"] == params.version
        assert row["prijsjaar"] == params.price_year
        assert exact(row["discontovoet"]) == params.rate
    assert not problems, "mkba.project differs from the recomputation:\n" + report(problems)


def test_scenarios_recompute_to_the_cent(audit):
    """docs/mkba.md step 7: laag takes for every parameter the end that lowers the ratio,
    hoog the other end; bkr_laag and bkr_hoog in mkba.project are their ratios."""
    con, _params, mine = audit
    engine = _keyed(
        con, "SELECT * FROM mkba.scenario", "organisatie_id", "project_id", "jaar", "scenario"
    )
    assert {k[3] for k in engine} == set(LEVELS)
    assert len(engine) == 3 * len(mine)
    problems: dict[str, list] = defaultdict(list)
    for (org, proj, jaar, scenario), row in engine.items():
        py = mine[(org, proj, jaar)]
        for column, value in (
            ("kosten", py.kosten[scenario]),
            ("baten", py.baten[scenario]),
            ("transfers", py.transfers[scenario]),
            ("ncw", py.ncw(scenario)),
        ):
            if money_differs(row[column], value):
                problems[f"{scenario}.{column}"].append(((org, proj, jaar), row[column], value))
        if ratio_differs(row["bkr"], py.bkr(scenario)):
            problems[f"{scenario}.bkr"].append(((org, proj, jaar), row["bkr"], py.bkr(scenario)))
    project = _keyed(con, "SELECT * FROM mkba.project", "organisatie_id", "project_id", "jaar")
    for key, row in project.items():
        for scenario in ("laag", "hoog"):
            if ratio_differs(row[f"bkr_{scenario}"], mine[key].bkr(scenario)):
                problems[f"project.bkr_{scenario}"].append(
                    (key, row[f"bkr_{scenario}"], mine[key].bkr(scenario))
                )
    assert not problems, "mkba.scenario differs from the recomputation:\n" + report(problems)


def test_every_outcome_and_stakeholder_recomputes_to_the_cent(audit):
    """mkba.uitkomst: one row per project-year × applicable pathway × stakeholder, with the
    pathway's quantity and this stakeholder's share of its PV (null when only counted)."""
    con, _params, mine = audit
    engine = _keyed(
        con,
        "SELECT * FROM mkba.uitkomst",
        "organisatie_id",
        "project_id",
        "jaar",
        "uitkomst",
        "baathebber",
    )
    quantity = {key + (code,): q for key, py in mine.items() for code, q in py.hoeveelheid.items()}
    assert {k[:4] for k in engine} == quantity.keys()
    priced = {key + cw: pv for key, py in mine.items() for cw, pv in py.pv.items()}
    problems: dict[str, list] = defaultdict(list)
    basis = {key + (code,): b for key, py in mine.items() for code, b in py.basis.items()}
    for key, row in engine.items():
        if row["basis"] != basis[key[:4]]:
            problems[f"basis {key[3]}"].append((key, row["basis"], basis[key[:4]]))
        # a reference rate is a quotient: the engine's float product against the exact one
        differs = (
            Fraction(row["hoeveelheid"]) != quantity[key[:4]]
            if basis[key[:4]] in ("gemeten", "opgegeven")
            else ratio_differs(row["hoeveelheid"], quantity[key[:4]])
        )
        if differs:
            problems[f"hoeveelheid {key[3]}"].append((key, row["hoeveelheid"], quantity[key[:4]]))
        if key in priced:
            if money_differs(row["pv"], priced[key]):
                problems[f"pv {key[3]}"].append((key, row["pv"], float(priced[key])))
        elif row["pv"] is not None or row["waardering"] != "geteld":
            problems[f"counted {key[3]}"].append((key, row["pv"], None))
    assert priced.keys() <= engine.keys()
    assert not problems, "mkba.uitkomst differs from the recomputation:\n" + report(problems)
    # the audit is not empty: priced welfare, a transfer and a counted outcome all occur
    assert any(v > 0 for k, v in priced.items() if k[3] == "schulden_gestabiliseerd")
    assert any(v < 0 for k, v in priced.items() if k[4] == "client")
    assert any(r["waardering"] == "geteld" and r["hoeveelheid"] > 0 for r in engine.values())


def test_status_reason_and_amounts_per_participant(audit):
    """docs step 1 and 5: a project-year whose costs come to 0 is 'onvolledig' with reden
    'geen kosten over <jaar> aangeleverd' and has no ratio or interval; amounts per
    participant are null also without participants (with their own reden)."""
    con, _params, mine = audit
    rows = _rows(con, "SELECT * FROM mkba.project")
    without = 0
    for r in rows:
        py = mine[(r["organisatie_id"], r["project_id"], r["jaar"])]
        key = (r["organisatie_id"], r["project_id"], r["jaar"])
        if py.kosten["basis"] == 0:
            without += 1
            assert r["status"] == "onvolledig", key
            assert r["reden"] == f"geen kosten over {r['jaar']} aangeleverd", key
            nulls = ("bkr", "bkr_p05", "bkr_p95", "bkr_laag", "bkr_hoog", "kosten_per_deelnemer")
            assert all(r[c] is None for c in nulls), key
            continue
        assert r["status"] == "volledig", key
        if py.deelnemers == 0:
            assert r["kosten_per_deelnemer"] is None and r["ncw_per_deelnemer"] is None, key
            assert r["reden"] == (
                f"geen deelnemers in {r['jaar']} geregistreerd: geen bedragen per deelnemer"
            ), key
            continue
        assert r["reden"] is None, key
        assert not money_differs(r["kosten_per_deelnemer"], py.kosten["basis"] / py.deelnemers)
        assert not money_differs(r["ncw_per_deelnemer"], py.ncw() / py.deelnemers)
    assert without, "the demo sector has a project-year without costs (ORG013/P006/2024)"


def test_switching_values_recompute(audit):
    """docs step 8, switching values: the common deadweight (attributie) at which bkr = 1 is
    1 − kosten / baten_without_deadweight (attributie); the factor on all unit values at which
    bkr = 1 is kosten / baten. None without costs or without priced benefits."""
    con, _params, mine = audit
    engine = _keyed(
        con, "SELECT * FROM mkba.schakelwaarden", "organisatie_id", "project_id", "jaar"
    )
    assert engine.keys() == mine.keys()
    problems: dict[str, list] = defaultdict(list)
    for key, row in engine.items():
        py = mine[key]
        kosten, baten = py.kosten["basis"], py.baten["basis"]
        expected = {
            "eenheidswaarden_factor_bij_bkr_1": kosten / baten if kosten and baten else None,
            **{
                f"{kind}_bij_bkr_1": 1 - kosten / py.baten_without[kind]
                if kosten and py.baten_without[kind]
                else None
                for kind in SWITCHING
            },
        }
        for column, value in expected.items():
            if ratio_differs(row[column], value):
                problems[column].append((key, row[column], value and float(value)))
        if kosten == 0 or baten == 0:
            assert row["reden"], key
    assert not problems, "mkba.schakelwaarden differs:\n" + report(problems)


# --------------------------------------------------------------------- the whole period


def test_the_whole_period_recomputes_to_the_cent(audit):
    """docs step 7, mkba.project_looptijd: one row per organisatie × project over its
    delivered years; the costs of year y and the PV of the benefits booked in year y are
    discounted by (1 + r)^(y − eerste_jaar); participants are distinct clients over the
    whole period; a period with an incomplete year is incomplete and has no ratio."""
    con, params, mine = audit
    per_project: dict[tuple[str, str], dict[int, ProjectYear]] = defaultdict(dict)
    for (org, proj, jaar), py in mine.items():
        per_project[(org, proj)][jaar] = py
    engine = _keyed(con, "SELECT * FROM mkba.project_looptijd", "organisatie_id", "project_id")
    assert engine.keys() == per_project.keys()
    problems: dict[str, list] = defaultdict(list)
    incomplete = 0
    for key, row in engine.items():
        years = per_project[key]
        first = min(years)
        assert (row["eerste_jaar"], row["laatste_jaar"], row["jaren"]) == (
            first,
            max(years),
            len(years),
        ), key
        clients = set().union(*(py.clients for py in years.values()))
        # docs "MKBA by reference": a project with only a reach counts its largest year's
        expected = len(clients) or max(py.bereikt for py in years.values())
        if row["deelnemers"] != expected:
            problems["deelnemers"].append((key, row["deelnemers"], expected))
        totals = {
            (column, scenario): sum(
                (
                    getattr(py, column)[scenario] / (1 + params.rate) ** (jaar - first)
                    for jaar, py in years.items()
                ),
                Fraction(0),
            )
            for column in ("kosten", "baten", "transfers")
            for scenario in LEVELS
        }
        kosten, baten = totals[("kosten", "basis")], totals[("baten", "basis")]
        for column, value in (
            ("kosten", kosten),
            ("baten", baten),
            ("transfers", totals[("transfers", "basis")]),
            ("ncw", baten - kosten),
        ):
            if money_differs(row[column], value):
                problems[column].append((key, row[column], float(value)))
        missing = sorted(jaar for jaar, py in years.items() if py.kosten["basis"] == 0)
        if missing:
            incomplete += 1
            assert row["status"] == "onvolledig", key
            assert all(str(jaar) in (row["reden"] or "") for jaar in missing), key
            assert row["bkr"] is None and row["bkr_laag"] is None and row["bkr_hoog"] is None
            continue
        assert row["status"] == "volledig" and row["reden"] is None, key
        for column, scenario in (("bkr", "basis"), ("bkr_laag", "laag"), ("bkr_hoog", "hoog")):
            ratio = totals[("baten", scenario)] / totals[("kosten", scenario)]
            if ratio_differs(row[column], ratio):
                problems[column].append((key, row[column], float(ratio)))
    assert incomplete, "the demo sector has a project with an incomplete year (ORG013/P006)"
    assert not problems, "mkba.project_looptijd differs:\n" + report(problems)


# --------------------------------------------------------------------- the demo's override


def test_the_demo_override_changes_its_organisations_result(demo_sector):
    """The demo's override (`parameters/afwijkingen.csv`) changes at least one of ORG001's
    project-years in its own result; the standard result (and so every benchmark) keeps the
    standard parameters; the organisation's page shows what the override changes."""
    from rendement.cli.demo import DEMO_OVERRIDE_ORG

    org = DEMO_OVERRIDE_ORG
    lake = demo_sector.lake / "mkba"
    standard = pl.read_parquet(lake / "project" / f"{org}.parquet")
    own = pl.read_parquet(lake / "project_eigen" / f"{org}.parquet")
    keys = ["organisatie_id", "project_id", "jaar"]
    both = standard.join(own, on=keys, suffix="_eigen")
    assert both.height == standard.height == own.height > 0
    changed = both.filter((pl.col("ncw") - pl.col("ncw_eigen")).abs() > 0.005)
    assert changed.height >= 1, "the demo override changes no result"
    with duckdb.connect(str(demo_sector.warehouse), read_only=True) as con:
        applied = con.execute(
            "SELECT DISTINCT parameter, toelichting FROM mkba.overrides WHERE organisatie_id = ?",
            [org],
        ).fetchall()
        eigen = con.execute(
            "SELECT count(*) FROM mkba.project_eigen p JOIN mkba.project s "
            "USING (organisatie_id, project_id, jaar) WHERE abs(p.ncw - s.ncw) > 0.005"
        ).fetchall()[0][0]
    assert applied and all(toelichting for _p, toelichting in applied)
    assert eigen == changed.height
    page = (demo_sector.org_site(org) / "index.html").read_text("utf-8")
    assert 'id="org-eigen-resultaat"' in page
    assert "Wat uw afwijkingen veranderen" in page

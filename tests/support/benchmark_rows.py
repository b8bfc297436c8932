"""Project rows for the benchmark tests: one sector of organisations per domain and intervention,
and the expected cell of a row."""

from __future__ import annotations

import polars as pl

from rendement.benchmark.cells import (
    MEASURES,
    QUANTILES,
)
from schemas.vocabulary import INTERVENTIONS

YEAR = 2024
AMSTERDAM, UTRECHT, ARNHEM, MIDDELBURG = "GM0363", "GM0344", "GM0202", "GM0687"


def project(
    org: str,
    pid: str,
    *,
    jaar: int = YEAR,
    domein: str = "schulden_armoede",
    interventie: str = "schuldhulpverlening",
    gemeente: str | None = AMSTERDAM,
    deelnemers: float = 40,
    gemeten: float = 30,
    verbeterd: float = 15,
    fte: float = 1.0,
    vrijwilligers: float = 5,
    kosten: float = 100_000.0,
    bkr: float | None = 1.5,
) -> dict:
    """One row of the MKBA project result (all columns of docs/INTERFACES.md)."""
    baten = (bkr or 0.0) * kosten
    return {
        "organisatie_id": org,
        "project_id": pid,
        "jaar": jaar,
        "domein": domein,
        "interventie": interventie,
        "gemeente_code": gemeente,
        "deelnemers": deelnemers,
        "deelnemers_gemeten": gemeten,
        "deelnemers_verbeterd": verbeterd,
        "trajecten_afgerond": deelnemers / 2,
        "fte": fte,
        "vrijwilligers": vrijwilligers,
        "uren_vrijwilligers": vrijwilligers * 80,
        "kosten": kosten,
        "baten": baten,
        "transfers": 0.0,
        "ncw": baten - kosten,
        "bkr": bkr,
        "kosten_per_deelnemer": kosten / deelnemers if deelnemers else None,
        "ncw_per_deelnemer": (baten - kosten) / deelnemers if deelnemers else None,
        "ncw_p05": (baten - kosten) * 0.6,
        "ncw_p95": (baten - kosten) * 1.4,
        "bkr_p05": None if bkr is None else bkr * 0.7,
        "bkr_p95": None if bkr is None else bkr * 1.5,
        "bkr_laag": None if bkr is None else bkr * 0.8,
        "bkr_hoog": None if bkr is None else bkr * 1.2,
        "parameter_versie": "2026.1",
        "prijsjaar": 2024,
        "discontovoet": 0.0225,
        "status": "volledig",
        "reden": None,
    }


PROJECT_SCHEMA = {
    "organisatie_id": pl.String,
    "project_id": pl.String,
    "jaar": pl.Int64,
    "domein": pl.String,
    "interventie": pl.String,
    "gemeente_code": pl.String,
    **{
        c: pl.Float64
        for c in (
            "deelnemers deelnemers_gemeten deelnemers_verbeterd trajecten_afgerond fte "
            "vrijwilligers uren_vrijwilligers kosten baten transfers ncw bkr "
            "kosten_per_deelnemer ncw_per_deelnemer ncw_p05 ncw_p95 bkr_p05 bkr_p95 "
            "bkr_laag bkr_hoog"
        ).split()
    },
    "parameter_versie": pl.String,
    "prijsjaar": pl.Int64,
    "discontovoet": pl.Float64,
    "status": pl.String,
    "reden": pl.String,
}


def frame(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=PROJECT_SCHEMA)


def base_sector(jaar: int = YEAR, orgs: int = 6, **overrides) -> list[dict]:
    """Every intervention of every domain run by the same `orgs` organisations, one project
    each, all in Amsterdam: every interventie and domain cell has `orgs` organisations."""
    rows = []
    for d, per in INTERVENTIONS.items():
        for i in per:
            for o in range(orgs):
                rows.append(
                    project(
                        f"ORG{o:02d}", f"{i}-{o}", jaar=jaar, domein=d, interventie=i, **overrides
                    )
                )
    return rows


def cell(
    cells: pl.DataFrame,
    tabel: str,
    domein: str,
    maat: str,
    statistiek: str | None = None,
    *,
    interventie: str | None = None,
    regio: str | None = None,
    jaar: int = YEAR,
    basis: str | None = None,
) -> dict:
    """The one cell of these keys; `basis` by default `alle`, or `gemeten` for a percentile
    (no percentile is published over all project-years)."""
    if basis is None:
        percentile = statistiek in QUANTILES or maat in DISTRIBUTIONS
        basis = "gemeten" if percentile else "alle"
    sel = cells.filter(
        (pl.col("basis") == basis)
        & (pl.col("tabel") == tabel)
        & (pl.col("jaar") == jaar)
        & (pl.col("domein") == domein)
        & (pl.col("maat") == maat)
        & pl.col("interventie").eq_missing(interventie)
        & pl.col("regio").eq_missing(regio)
    )
    if statistiek is not None:
        sel = sel.filter(pl.col("statistiek") == statistiek)
    assert sel.height == 1, sel
    return sel.row(0, named=True)


def replace_rows(rows: list[dict], match: dict, **changes) -> list[dict]:
    out = []
    for r in rows:
        if all(r[k] == v for k, v in match.items()):
            r = {**r, **changes}
        out.append(r)
    return out


ADDITIVE = [m.maat for m in MEASURES if m.additive]
DISTRIBUTIONS = {m.maat for m in MEASURES if m.kind == "verdeling"}
# The cells a page shows by default (`rendement.reports.tables.CellIndex`): counts and sums
# over all project-years, percentiles over the measured ones.
SHOWN_SQL = (
    "(basis = 'alle' OR (basis = 'gemeten' AND statistiek IN "
    + "("
    + ", ".join(f"'{q}'" for q in QUANTILES)
    + ")))"
)


def four_in_vroegsignalering() -> list[dict]:
    """The base sector, but only four organisations run vroegsignalering."""
    dropped = {"ORG04", "ORG05"}
    return [
        r
        for r in base_sector()
        if not (r["interventie"] == "vroegsignalering" and r["organisatie_id"] in dropped)
    ]


# --- shape of the table ------------------------------------------------------------------------

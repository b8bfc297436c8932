"""Example export files per table of the sector contract (`docs/voorbeelden/<tabel>_2025.csv`),
cut from the demo generator so they always match the pandera models.

`python -m rendement.docsgen.examples` rewrites them; a test reads each one back through the real
reader and validation and fails when they drift from the contract.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import polars as pl

from rendement.demo import generate_sector
from rendement.demo.exports import csv_text
from sources.build import output_schema

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "voorbeelden"
YEAR = 2025
ROWS = 5


def example_tables() -> dict[str, pl.DataFrame]:
    """A few consistent rows per table: one organisation, its first projects, their people."""
    org = next(iter(generate_sector(orgs=1, seed=7)))
    tables = org.tables[YEAR]
    projects = tables["project"].head(3)
    keep = set(projects["project_id"])
    trajects = tables["traject"].filter(pl.col("project_id").is_in(keep)).head(ROWS)
    ids = set(trajects["traject_id"])
    return {
        "organisatie": tables["organisatie"],
        "project": projects,
        "traject": trajects,
        "meting": tables["meting"].filter(pl.col("traject_id").is_in(ids)).head(ROWS * 2),
        "inzet": tables["inzet"].filter(pl.col("project_id").is_in(keep)),
        "kosten": tables["kosten"].filter(pl.col("project_id").is_in(keep)).head(ROWS * 2),
        **tables_without_trajectories(projects),
    }


def tables_without_trajectories(projects: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """`activiteit` and `projectopgave` for the same projects (the demo registers trajectories,
    so these are written here): a weekly group and a talk per project, and a project sheet with
    one outcome row, for the year of the examples."""
    ids = projects["project_id"].to_list()
    first, last = dt.date(YEAR, 1, 6), dt.date(YEAR, 12, 15)
    activities = []
    for i, pid in enumerate(ids):
        activities.append(
            dict(
                activiteit_id=f"A{i + 1:03d}-1",
                project_id=pid,
                naam="Wekelijkse groep",
                vorm="groep",
                startdatum=first,
                einddatum=last,
                bijeenkomsten=46,
                aanwezigheden=46 * (8 + i),
                unieke_deelnemers=12 + i,
                uren_vrijwilligers=46 * 3.5,
            )
        )
        activities.append(
            dict(
                activiteit_id=f"A{i + 1:03d}-2",
                project_id=pid,
                naam="Voorlichtingsavond",
                vorm="voorlichting",
                startdatum=dt.date(YEAR, 3, 12),
                einddatum=None,
                bijeenkomsten=1,
                aanwezigheden=25 + i,
                unieke_deelnemers=None,
                uren_vrijwilligers=None,
            )
        )
    domains = dict(zip(ids, projects["domein"].to_list(), strict=True))
    sheet = []
    for i, pid in enumerate(ids):
        reached = 40 + 10 * i
        sheet.append(
            dict(
                project_id=pid,
                jaar=YEAR,
                soort="realisatie",
                uitkomst=None,
                bereikt=reached,
                contacten=reached * 6,
                afgerond=reached // 2,
                aantal=None,
                vastgesteld=None,
                begroting=None,
                kwalitatieve_effecten=EXAMPLE_WORDS if i == 0 else None,
            )
        )
        if i == 0:  # a plan for the next year, with its budget
            sheet.append(
                dict(
                    project_id=pid,
                    jaar=YEAR + 1,
                    soort="raming",
                    uitkomst=None,
                    bereikt=reached + 10,
                    contacten=(reached + 10) * 6,
                    afgerond=None,
                    aantal=None,
                    vastgesteld=None,
                    begroting=85_000.0,
                    kwalitatieve_effecten=None,
                )
            )
        outcome = EXAMPLE_OUTCOME.get(domains[pid])
        if outcome is not None:
            sheet.append(
                dict(
                    project_id=pid,
                    jaar=YEAR,
                    soort="realisatie",
                    uitkomst=outcome,
                    bereikt=None,
                    contacten=None,
                    afgerond=None,
                    aantal=reached // 4,
                    vastgesteld="meting",
                )
            )
    return {
        "activiteit": pl.DataFrame(activities, schema=output_schema("activiteit")),
        "projectopgave": pl.DataFrame(sheet, schema=output_schema("projectopgave")),
    }


# What an organisation writes in words about a project (kwalitatieve_effecten).
EXAMPLE_WORDS = (
    "Deelnemers vertellen dat ze weer durven te bellen met instanties; twee vrijwilligers "
    "zijn zelf maatje geworden."
)
# One outcome pathway per domain for the example project sheet.
EXAMPLE_OUTCOME = {
    "ouderen_eenzaamheid": "eenzaamheid_welzijn",
    "schulden_armoede": "schulden_gestabiliseerd",
    "activering": "participatie_treden",
    "jongerenwerk": "schoolcontinuering",
}


def render() -> dict[str, str]:
    return {f"{table}_{YEAR}.csv": csv_text(df) for table, df in example_tables().items()}


def main() -> int:
    EXAMPLES.mkdir(parents=True, exist_ok=True)
    for name, text in render().items():
        (EXAMPLES / name).write_bytes(text.encode("utf-8"))
    print(f"geschreven: {EXAMPLES}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Example export files per table of the sector contract (`docs/voorbeelden/<tabel>_2025.csv`),
cut from the demo generator so they always match the pandera models.

`python -m rendement.docsgen.examples` rewrites them; a test reads each one back through the real
reader and validation and fails when they drift from the contract.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

from rendement.demo import generate_sector
from rendement.demo.exports import csv_text

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

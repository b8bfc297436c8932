"""BSNs typed in the wrong place: taken out of the sheet before anything is read from it.

The column screen (`rendement.core.privacy.find_bsn`) refuses a file whose column holds BSNs.
A single BSN in a column of other values (as a traject code, a municipality code, a date) is
a stray BSN (`schemas.bsn.stray`): its cell is emptied here, before conversion, so the value
reaches no table, problem, report or log; the row gets the problem `bsn_in_cel` (severity
fout: validation rejects the row) naming the column and the masked value (`*****1234`).
"""

from __future__ import annotations

import polars as pl

from schemas.bsn import STRAY_RULE, masked, stray_cells
from sources.errors import PROBLEM_SCHEMA
from sources.mapping import Layout
from sources.rawfile import RawSheet

RULE = STRAY_RULE
MESSAGE = (
    "In de kolom '{kolom}' staat een nummer dat aan de 11-proef voldoet, zoals een "
    "burgerservicenummer ({waarde}). Een sociaalwerkorganisatie mag het BSN niet verwerken "
    "(artikel 46 UAVG): deze rij nemen we niet in en het nummer bewaren we nergens. Zet de "
    "juiste waarde in deze cel en lever het bestand opnieuw aan."
)


def _tables_of_column(
    index: int, layout: Layout, present: dict[str, int], table_of: dict[str, str]
) -> list[str]:
    """The tables a column feeds (where its problems are reported); a column no field reads
    belongs to the sheet's first table."""
    tables = sorted({table_of[f] for f, i in present.items() if i == index and f in table_of})
    return tables or ([layout.tables[0].table] if layout.tables else [])


def remove_stray_bsns(
    sheet: RawSheet, layout: Layout, present: dict[str, int], table_of: dict[str, str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The sheet's cells with every stray BSN emptied, and one problem per emptied cell."""
    data = sheet.data
    header = sheet.header or []
    blanked: list[pl.Expr] = []
    problems: list[dict] = []
    for column, found in stray_cells(data.drop("_rij")).items():
        index = int(column[1:])
        kolom = header[index] if index < len(header) and header[index] else f"kolom {index + 1}"
        hits = data.filter(found).select("_rij", column)
        for rij, value in hits.iter_rows():
            shown = masked(value)
            for table in _tables_of_column(index, layout, present, table_of):
                problems.append(
                    {
                        "tabel": table,
                        "_rij": rij,
                        "kolom": kolom,
                        "waarde": shown,
                        "regel": RULE,
                        "melding": MESSAGE.format(kolom=kolom, waarde=shown),
                    }
                )
        blanked.append(pl.when(pl.lit(found)).then(None).otherwise(pl.col(column)).alias(column))
    if not blanked:
        return data, pl.DataFrame(schema=PROBLEM_SCHEMA)
    return data.with_columns(blanked), pl.DataFrame(problems, schema=PROBLEM_SCHEMA)


def drop_shadowed(problems: pl.DataFrame, strays: pl.DataFrame) -> pl.DataFrame:
    """Other problems of an emptied cell (it is now empty or unreadable) say nothing more."""
    if not strays.height or not problems.height:
        return problems
    return problems.join(
        strays.select("tabel", "_rij", "kolom").unique(),
        on=["tabel", "_rij", "kolom"],
        how="anti",
        nulls_equal=True,
    )


__all__ = ["MESSAGE", "RULE", "drop_shadowed", "remove_stray_bsns"]

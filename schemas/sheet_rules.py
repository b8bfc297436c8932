"""Warnings between the rows of a project sheet (`projectopgave`): an outcome count needs the
totals row of the same project, year and kind, whose `bereikt` the MKBA uses as the reach.

Within one row the models in `schemas.tables` already check that `aantal` is not above that
row's own `bereikt`; these rules look across rows (this upload and what was accepted before).
The rows are accepted either way: the MKBA then ignores the outcome (no reach) or caps it at
the reach (`rendement.mkba.reference`).
"""

from __future__ import annotations

import polars as pl

from schemas.hits import OK, hits
from schemas.rounds import UPLOAD

# per upload of a round (`schemas.rounds`): an upload's rows meet only its own totals
GROUP = [UPLOAD, "project_id", "jaar", "soort"]


def _totals(frame: pl.DataFrame, known: pl.DataFrame | None) -> pl.DataFrame:
    """project_id, jaar, soort, bereikt of the totals rows (this upload first, then before)."""
    parts = []
    for df, only_ok in ((frame, True), (known, False)):
        if df is None or df.height == 0 or not {*GROUP, "uitkomst", "bereikt"} <= set(df.columns):
            continue
        keep = pl.col("uitkomst").is_null() & pl.col("bereikt").is_not_null()
        if only_ok and OK in df.columns:
            keep = keep & pl.col(OK)
        parts.append(df.filter(keep).select(*GROUP, pl.col("bereikt").alias("__bereikt")))
    if not parts:
        return pl.DataFrame(
            schema={UPLOAD: pl.Int64, "project_id": pl.String, "jaar": pl.Int64,
                    "soort": pl.String, "__bereikt": pl.Int64}
        )  # fmt: skip
    return pl.concat(parts, how="vertical_relaxed").unique(GROUP, keep="first", maintain_order=True)


def outcome_counts(frame: pl.DataFrame, known: pl.DataFrame | None) -> pl.DataFrame:
    """`uitkomst_zonder_bereik` and `uitkomst_boven_bereik` for the accepted outcome rows of a
    round's uploads (stacked), each against its own totals."""
    rows = frame.filter(pl.col("uitkomst").is_not_null() & pl.col("aantal").is_not_null())
    if OK in rows.columns:
        rows = rows.filter(pl.col(OK))
    if rows.height == 0:
        return pl.DataFrame()
    joined = rows.join(_totals(frame, known), on=GROUP, how="left", maintain_order="left")
    found = [
        hits(joined.filter(pl.col("__bereikt").is_null()), "projectopgave", "uitkomst",
             "uitkomst_zonder_bereik"),
        hits(joined.filter(pl.col("aantal") > pl.col("__bereikt")), "projectopgave", "aantal",
             "uitkomst_boven_bereik", totaal=pl.col("__bereikt").cast(pl.String)),
    ]  # fmt: skip
    found = [f for f in found if f.height]
    return pl.concat(found, how="diagonal_relaxed") if found else pl.DataFrame()

"""Labour-market effects: the outcomes of the MKBA restated in the units of the labour market.

The rekentool *Sociaal Werk werkt!* reports, beside the rendementsfactor, how many people moved
into paid work and how much professional care was avoided. Both are already outcomes of the
MKBA (`mkba.uitkomst`), valued in euros where a sourced value exists; here they are shown in
other units and never valued or added to the benefits again:

- people into paid work: the quantity of the pathways the parameter set lists under
  `arbeidsmarkt.betaald_werk` (measured, counted by the organisation, or by reference, with
  that basis);
- avoided professional care: the first-year value after corrections (`impact_jaar1`) of the
  pathways under `arbeidsmarkt.vermeden_zorg`, divided by the price of an hour of care
  (`uurprijs`, in price-year euros) gives hours of care; divided by the hours a full-time
  care worker works in a year (`uren_per_fte`) gives FTE of care staff freed. The low end uses
  the high hourly price and the high end the low one.

One row per project-year that has either effect (`mkba.arbeidsmarkt`).
"""

from __future__ import annotations

import polars as pl

from rendement.mkba.params import ParameterSet
from rendement.mkba.reference import bases_strongest_first
from schemas.outputs import columns, polars_schema

KEYS = ["organisatie_id", "project_id", "jaar"]
TABLE = "mkba.arbeidsmarkt"


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=polars_schema(TABLE))


def labour_effects(outcome: pl.DataFrame, params: ParameterSet) -> pl.DataFrame:
    """`mkba.arbeidsmarkt` from the outcome rows of an MKBA result (`MkbaResult.outcome`)."""
    care = params.arbeidsmarkt
    if care is None or outcome.is_empty():
        return empty()
    # one row per project-year × outcome: quantity and first-year value are repeated on
    # every stakeholder row
    per_outcome = outcome.group_by([*KEYS, "uitkomst"]).agg(
        pl.col("hoeveelheid").first(), pl.col("impact_jaar1").first(), pl.col("basis").first()
    )
    work = (
        per_outcome.filter(pl.col("uitkomst").is_in(list(care.betaald_werk)))
        .group_by(KEYS)
        .agg(
            pl.col("hoeveelheid").sort().sum().alias("naar_betaald_werk"),
            bases_strongest_first(pl.col("basis")).alias("basis_betaald_werk"),
        )
    )
    price = params.in_price_year(care.uurprijs)
    per_fte = care.uren_per_fte.basis
    avoided = (
        per_outcome.filter(pl.col("uitkomst").is_in(list(care.vermeden_zorg)))
        .filter(pl.col("impact_jaar1").is_not_null())
        .group_by(KEYS)
        .agg(
            pl.col("impact_jaar1").sort().sum().alias("vermeden_zorg"),
            bases_strongest_first(pl.col("basis")).alias("basis_vermeden_zorg"),
        )
        .with_columns(
            (pl.col("vermeden_zorg") / price.basis).alias("zorguren"),
            (pl.col("vermeden_zorg") / price.hoog).alias("zorguren_laag"),
            (pl.col("vermeden_zorg") / price.laag).alias("zorguren_hoog"),
        )
        .with_columns(
            (pl.col(c) / per_fte).alias(c.replace("zorguren", "zorg_fte"))
            for c in ("zorguren", "zorguren_laag", "zorguren_hoog")
        )
    )
    frame = work.join(avoided, on=KEYS, how="full", coalesce=True)
    if frame.is_empty():
        return empty()
    return frame.sort(KEYS).select(columns(TABLE)).cast(polars_schema(TABLE))

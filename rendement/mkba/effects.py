"""From the canonical tables to project-years, participant counts and outcome quantities.

Every outcome quantity follows the rule its pathway declares in the parameter set
(`hoeveelheid`): measured T0/T1 transitions (`meting`), trajectories ended with a given reason
(`traject`) or participants reached (`deelnemers`). No domain is special-cased here.

Year of an outcome: a measured outcome belongs to the year of its T1 measurement, a
trajectory outcome to the year it ended, a participant to every year its trajectory was active.
Only years in which the project has `inzet` or `kosten` rows are project-years.
"""

from __future__ import annotations

import polars as pl

from rendement.mkba.params import Criterion, ParameterSet, Pathway, normalise_code
from schemas.tables import polars_schema
from schemas.vocabulary import INSTRUMENTS

KEYS = ["organisatie_id", "project_id", "jaar"]
_HIGHER_IS_BETTER = {code: better for code, (_l, _lo, _hi, better) in INSTRUMENTS.items()}


def table(tables: dict[str, pl.DataFrame], name: str) -> pl.DataFrame:
    """The canonical table `name`, or an empty frame of its schema when it was not given."""
    schema = polars_schema(name)
    df = tables.get(name)
    if df is None:
        return pl.DataFrame(schema=schema)
    return df.select(
        [
            pl.col(c).cast(schema[c]) if c in df.columns else pl.lit(None, schema[c]).alias(c)
            for c in schema
        ]
    )


def project_years(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """One row per organisatie × project × jaar that has inzet or kosten, with project facts."""
    keys = pl.concat([table(tables, "inzet").select(KEYS), table(tables, "kosten").select(KEYS)])
    project = table(tables, "project").unique(["organisatie_id", "project_id"], keep="first")
    return (
        keys.unique()
        .join(
            project.select(
                "organisatie_id", "project_id", "domein", "interventie", "gemeente_code"
            ),
            on=["organisatie_id", "project_id"],
            how="left",
        )
        .sort(KEYS)
    )


def _active_trajectories(tables: dict[str, pl.DataFrame], py: pl.DataFrame) -> pl.DataFrame:
    """Trajectories joined to each project-year in which they were active."""
    traject = table(tables, "traject")
    return (
        py.select(KEYS)
        .join(traject, on=["organisatie_id", "project_id"], how="inner")
        .filter(
            (pl.col("startdatum") <= pl.date(pl.col("jaar"), 12, 31))
            & (
                pl.col("einddatum").is_null()
                | (pl.col("einddatum") >= pl.date(pl.col("jaar"), 1, 1))
            )
        )
    )


def measurement_pairs(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """T0/T1 pairs per trajectory × instrument × onderdeel, with project, client and year.

    T0 is the earliest T0 score, T1 the latest T1 score. `verbetering` is positive when the
    client got better (for De Jong Gierveld: the score went down). `jaar` = year of T1.
    """
    meting = table(tables, "meting")
    codes = {v: normalise_code(v) or "" for v in meting["onderdeel"].drop_nulls().unique()}
    meting = meting.with_columns(
        pl.col("onderdeel")
        .replace_strict(codes, default="", return_dtype=pl.String)
        .fill_null("")
        .alias("onderdeel")
    )
    group = ["organisatie_id", "traject_id", "instrument", "onderdeel"]
    t0 = (
        meting.filter(pl.col("moment") == "T0")
        .sort("datum")
        .group_by(group)
        .agg(pl.col("score").first().alias("t0"))
    )
    t1 = (
        meting.filter(pl.col("moment") == "T1")
        .sort("datum")
        .group_by(group)
        .agg(pl.col("score").last().alias("t1"), pl.col("datum").last().alias("datum_t1"))
    )
    traject = table(tables, "traject").select(
        "organisatie_id", "traject_id", "project_id", "client_pseudoniem"
    )
    higher = pl.col("instrument").replace_strict(_HIGHER_IS_BETTER, return_dtype=pl.Boolean)
    return (
        t0.join(t1, on=group, how="inner")
        .join(traject.unique(["organisatie_id", "traject_id"]), on=["organisatie_id", "traject_id"])
        .with_columns(
            pl.col("datum_t1").dt.year().cast(pl.Int64).alias("jaar"),
            pl.when(higher)
            .then(pl.col("t1") - pl.col("t0"))
            .otherwise(pl.col("t0") - pl.col("t1"))
            .alias("verbetering"),
        )
    )


def participant_counts(tables: dict[str, pl.DataFrame], py: pl.DataFrame) -> pl.DataFrame:
    """deelnemers, deelnemers_gemeten, deelnemers_verbeterd, trajecten_afgerond per project-year.

    - deelnemers: distinct clients with a trajectory active in the year;
    - deelnemers_gemeten: distinct clients with a T0 and a T1 (T1 in the year) on any instrument;
    - deelnemers_verbeterd: of those, clients whose mean score over the onderdelen of at least
      one instrument improved;
    - trajecten_afgerond: trajectories ended in the year with reden_einde = afgerond.
    """
    active = (
        _active_trajectories(tables, py)
        .group_by(KEYS)
        .agg(pl.col("client_pseudoniem").n_unique().alias("deelnemers"))
    )
    per_instrument = (
        measurement_pairs(tables)
        .group_by(["organisatie_id", "project_id", "traject_id", "client_pseudoniem", "instrument"])
        .agg(pl.col("verbetering").mean(), pl.col("jaar").max())
    )
    measured = per_instrument.group_by(KEYS).agg(
        pl.col("client_pseudoniem").n_unique().alias("deelnemers_gemeten"),
        pl.col("client_pseudoniem")
        .filter(pl.col("verbetering") > 0)
        .n_unique()
        .alias("deelnemers_verbeterd"),
    )
    finished = (
        table(tables, "traject")
        .filter(pl.col("einddatum").is_not_null() & (pl.col("reden_einde") == "afgerond"))
        .with_columns(pl.col("einddatum").dt.year().cast(pl.Int64).alias("jaar"))
        .group_by(KEYS)
        .agg(pl.len().alias("trajecten_afgerond"))
    )
    out = py.select(KEYS)
    for frame in (active, measured, finished):
        out = out.join(frame, on=KEYS, how="left", maintain_order="left")
    counts = ["deelnemers", "deelnemers_gemeten", "deelnemers_verbeterd", "trajecten_afgerond"]
    return out.with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in counts)


# ------------------------------------------------------------------------------ quantities


def _criterion_rows(pairs: pl.DataFrame, crit: Criterion) -> pl.DataFrame:
    """Trajectories (with their improvement) that satisfy one criterion."""
    rows = pairs.filter(pl.col("instrument") == crit.instrument)
    if crit.onderdeel is not None:
        rows = rows.filter(pl.col("onderdeel") == crit.onderdeel)
    else:
        rows = rows.group_by(
            ["organisatie_id", "project_id", "traject_id", "client_pseudoniem", "instrument"]
        ).agg(
            pl.col("t0").mean(),
            pl.col("t1").mean(),
            pl.col("verbetering").mean(),
            pl.col("jaar").max(),
        )
    cond = pl.lit(True)
    for column, bound, op in (
        ("t0", crit.t0_min, "ge"),
        ("t0", crit.t0_max, "le"),
        ("t1", crit.t1_min, "ge"),
        ("t1", crit.t1_max, "le"),
        ("verbetering", crit.min_verbetering, "ge"),
    ):
        if bound is not None:
            cond = cond & (pl.col(column) >= bound if op == "ge" else pl.col(column) <= bound)
    return rows.filter(cond).select(
        "organisatie_id", "project_id", "jaar", "traject_id", "client_pseudoniem", "verbetering"
    )


def _meting_quantity(pairs: pl.DataFrame, pathway: Pathway) -> pl.DataFrame:
    rule = pathway.hoeveelheid
    hits = pl.concat([_criterion_rows(pairs, c) for c in rule.criteria])
    if rule.telling == "deelnemers":
        return hits.group_by(KEYS).agg(
            pl.col("client_pseudoniem").n_unique().cast(pl.Float64).alias("hoeveelheid")
        )
    # sum of improvement, each trajectory once (its best matching criterion), never below 0
    return (
        hits.group_by([*KEYS, "traject_id"])
        .agg(pl.col("verbetering").max())
        .group_by(KEYS)
        .agg(pl.col("verbetering").sort().sum().clip(lower_bound=0.0).alias("hoeveelheid"))
    )


def _traject_quantity(traject: pl.DataFrame, pathway: Pathway) -> pl.DataFrame:
    rule = pathway.hoeveelheid
    rows = traject.filter(
        pl.col("einddatum").is_not_null() & pl.col("reden_einde").is_in(list(rule.reden_einde))
    )
    if rule.leeftijdsklassen is not None:
        rows = rows.filter(pl.col("leeftijdsklasse").is_in(list(rule.leeftijdsklassen)))
    return (
        rows.with_columns(pl.col("einddatum").dt.year().cast(pl.Int64).alias("jaar"))
        .group_by(KEYS)
        .agg(pl.len().cast(pl.Float64).alias("hoeveelheid"))
    )


def _participant_quantity(active: pl.DataFrame, pathway: Pathway) -> pl.DataFrame:
    rule = pathway.hoeveelheid
    rows = active
    if rule.leeftijdsklassen is not None:
        rows = rows.filter(pl.col("leeftijdsklasse").is_in(list(rule.leeftijdsklassen)))
    return rows.group_by(KEYS).agg(
        pl.col("client_pseudoniem").n_unique().cast(pl.Float64).alias("hoeveelheid")
    )


QUANTITY_SCHEMA = {
    "organisatie_id": pl.String,
    "project_id": pl.String,
    "jaar": pl.Int64,
    "uitkomst": pl.String,
    "hoeveelheid": pl.Float64,
}


def quantities(
    tables: dict[str, pl.DataFrame], params: ParameterSet, py: pl.DataFrame
) -> pl.DataFrame:
    """The raw quantity of every applicable pathway in every project-year (0 when none).

    Columns: organisatie_id, project_id, jaar, uitkomst, hoeveelheid. The pathway's `factor`
    is not applied here (it is a parameter with its own range, applied by the engine).
    """
    pairs = measurement_pairs(tables)
    traject = table(tables, "traject")
    active = _active_trajectories(tables, py)
    grid = []
    frames = []
    for pw in params.uitkomsten:
        applies = py.filter(
            (pl.col("domein") == pw.domein)
            & (pl.lit(pw.interventies is None) | pl.col("interventie").is_in(pw.interventies or []))
        ).select(KEYS)
        if applies.is_empty():
            continue
        grid.append(applies.with_columns(pl.lit(pw.code).alias("uitkomst")))
        source = pw.hoeveelheid.bron
        if source == "meting":
            q = _meting_quantity(pairs, pw)
        elif source == "traject":
            q = _traject_quantity(traject, pw)
        else:
            q = _participant_quantity(active, pw)
        frames.append(q.with_columns(pl.lit(pw.code).alias("uitkomst")))
    if not grid:
        return pl.DataFrame(schema=QUANTITY_SCHEMA)
    found = pl.concat(frames, how="vertical_relaxed") if frames else None
    out = pl.concat(grid)
    if found is not None and not found.is_empty():
        out = out.join(found, on=[*KEYS, "uitkomst"], how="left", maintain_order="left")
    else:
        out = out.with_columns(pl.lit(None, pl.Float64).alias("hoeveelheid"))
    order = {pw.code: i for i, pw in enumerate(params.uitkomsten)}
    return (
        out.with_columns(pl.col("hoeveelheid").fill_null(0.0).cast(pl.Float64))
        .with_columns(pl.col("uitkomst").replace_strict(order, return_dtype=pl.Int64).alias("_o"))
        .sort([*KEYS, "_o"])
        .drop("_o")
        .select(list(QUANTITY_SCHEMA))
    )


def effort(tables: dict[str, pl.DataFrame], py: pl.DataFrame) -> pl.DataFrame:
    """fte, uren_betaald, vrijwilligers, uren_vrijwilligers per project-year (0 when absent)."""
    agg = (
        table(tables, "inzet")
        .group_by(KEYS)
        .agg(
            pl.col("fte_betaald").sort().sum().alias("fte"),
            pl.col("uren_betaald").sort().sum(),
            pl.col("vrijwilligers").sum().cast(pl.Int64),
            pl.col("uren_vrijwilligers").sort().sum(),
        )
    )
    cols = {"fte": 0.0, "uren_betaald": 0.0, "vrijwilligers": 0, "uren_vrijwilligers": 0.0}
    return (
        py.select(KEYS)
        .join(agg, on=KEYS, how="left", maintain_order="left")
        .with_columns(pl.col(c).fill_null(v) for c, v in cols.items())
    )

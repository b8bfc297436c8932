"""The MKBA engine: costs, benefits, discounting, NPV/BCR per project-year and stakeholder.

Conventions (also in docs/mkba.md):
- A project-year is year 0. Its costs are counted in full, undiscounted.
- The outcomes booked in that year have their first-year impact in year t = 1, then
  impact_t = impact_(t−1) × (1 − drop_off) up to `duur` years; PV = Σ impact_t / (1 + r)^t.
- All euro amounts are in euros of the parameter set's price year (CPI-indexed).
- Transfers (e.g. bijstand that stops) are shown apart and never enter `baten`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from rendement.mkba import effects, reference
from rendement.mkba.effects import KEYS
from rendement.mkba.montecarlo import (
    SCENARIOS,
    CostRanges,
    PathwayRanges,
    blockwise,
    interval,
    multiplier_without,
    ratio,
    scenarios,
    simulate,
    switching_correction,
)
from rendement.mkba.params import COST_KINDS, PATHWAY_KINDS, ParameterSet
from rendement.mkba.status import COMPLETE, INCOMPLETE
from schemas.costs import own_costs
from schemas.outputs import columns, polars_schema

# The canonical tables the engine reads (the organisation table it does not need);
# activiteit and projectopgave give the reach of project-years without trajectories.
INPUT_TABLES = ("project", "traject", "meting", "inzet", "kosten", "activiteit", "projectopgave")
OVERRIDE_COLUMNS = ["organisatie_id", "project_id", "parameter", "waarde", "toelichting"]
# The engine's result tables: their columns, order and dtypes are declared once, by the
# output models in schemas/outputs.py (docs/warehouse.md lists them).
OVERRIDES_APPLIED_SCHEMA = polars_schema("mkba.overrides")
PROJECT_COLUMNS = columns("mkba.project")
# The project over its whole delivered period (`looptijd`, warehouse `mkba.project_looptijd`).
LOOPTIJD_COLUMNS = columns("mkba.project_looptijd")
SCHAKEL_COLUMNS = columns("mkba.schakelwaarden")
# The ratios and per-participant amounts that are null for an incomplete project-year.
_RATIO_COLUMNS = ["bkr", "bkr_p05", "bkr_p95", "bkr_laag", "bkr_hoog"]


@dataclass
class MkbaResult:
    """The MKBA of every project-year. All frames are polars; money in price-year euros.

    - project: one row per organisatie_id × project_id × jaar (docs/INTERFACES.md);
    - outcome: per project-year × outcome × stakeholder: quantity, unit value, corrections, PV;
    - scenario: per project-year × scenario (laag/basis/hoog): kosten, baten, ncw, bkr;
    - overrides_applied: the organisation overrides used, with their justification;
    - kosten: cost lines per project-year × kostensoort, own (`eigen opgave`) or `standaard`;
    - schakelwaarden: switching values per project-year (see `montecarlo.switching_correction`);
    - looptijd: per project over all its project-years, discounted to its first year.
    """

    project: pl.DataFrame
    outcome: pl.DataFrame
    scenario: pl.DataFrame
    overrides_applied: pl.DataFrame
    kosten: pl.DataFrame
    schakelwaarden: pl.DataFrame
    looptijd: pl.DataFrame
    parameter_versie: str


# ------------------------------------------------------------------------------ overrides


def _empty_applied() -> pl.DataFrame:
    return pl.DataFrame(schema=OVERRIDES_APPLIED_SCHEMA)


def _variants(
    params: ParameterSet,
    overrides: pl.DataFrame | None,
    apply_overrides: bool,
    projects: pl.DataFrame,
) -> tuple[list[ParameterSet], np.ndarray, pl.DataFrame]:
    """Parameter variants, the variant index of every project, and the overrides applied.

    An override with an empty project_id holds for all projects of the organisation; a
    project-specific one wins over it for the same parameter.
    """
    n = projects.height
    if overrides is None or overrides.is_empty() or not apply_overrides:
        return [params], np.zeros(n, dtype=np.int64), _empty_applied()
    missing = [c for c in OVERRIDE_COLUMNS if c not in overrides.columns]
    if missing:
        raise ValueError(f"overrides mist kolommen {missing}")
    ov = overrides.select(
        pl.col("organisatie_id").cast(pl.String),
        pl.col("project_id").cast(pl.String),
        pl.col("parameter").cast(pl.String).str.strip_chars(),
        pl.col("waarde").cast(pl.Float64),
        pl.col("toelichting").cast(pl.String),
    )
    bad = ov.filter(
        pl.col("toelichting").is_null() | (pl.col("toelichting").str.strip_chars() == "")
    )
    if not bad.is_empty():
        raise ValueError(
            "elke afwijking van de standaard heeft een toelichting nodig: "
            + ", ".join(
                f"{r['organisatie_id']}/{r['parameter']}" for r in bad.iter_rows(named=True)
            )
        )
    if ov["waarde"].is_null().any():
        raise ValueError("overrides: waarde ontbreekt")
    for path in ov["parameter"].unique().to_list():
        params.resolve(path)  # raises on an unknown path
    keys: list[tuple] = []
    applied: list[dict] = []
    by_org = {org: df for (org,), df in ov.group_by("organisatie_id")}
    for org, project in projects.select("organisatie_id", "project_id").iter_rows():
        rows = by_org.get(org)
        if rows is None:
            keys.append(())
            continue
        chosen: dict[str, dict] = {}
        for r in rows.filter(pl.col("project_id").is_null()).iter_rows(named=True):
            chosen[r["parameter"]] = r
        for r in rows.filter(pl.col("project_id") == project).iter_rows(named=True):
            chosen[r["parameter"]] = r
        keys.append(tuple(sorted((p, r["waarde"]) for p, r in chosen.items())))
        for path, r in sorted(chosen.items()):
            current, level = params.resolve(path)
            applied.append(
                {
                    "organisatie_id": org,
                    "project_id": project,
                    "parameter": path,
                    "waarde_standaard": current.level(level or "basis"),
                    "waarde": r["waarde"],
                    "toelichting": r["toelichting"],
                    "parameter_versie": params.version,
                }
            )
    distinct = sorted(set(keys) - {()})
    variant_of = {(): 0} | {k: i + 1 for i, k in enumerate(distinct)}
    variants = [params] + [params.with_overrides(list(k)) for k in distinct]
    index = np.array([variant_of[k] for k in keys], dtype=np.int64)
    frame = pl.DataFrame(applied, schema=OVERRIDES_APPLIED_SCHEMA) if applied else _empty_applied()
    return variants, index, frame


# ------------------------------------------------------------------------------ arrays


def pathway_ranges(variants: list[ParameterSet]) -> PathwayRanges:
    """Low/base/high per kind for every (variant, pathway) column, money in price-year euros.

    Counted outcomes get unit value 0 so that they add nothing to euro totals.
    """
    n_path = len(variants[0].uitkomsten)
    values = {kind: np.zeros((3, len(variants) * n_path)) for kind in PATHWAY_KINDS}
    for v, ps in enumerate(variants):
        for i, pw in enumerate(ps.uitkomsten):
            j = v * n_path + i
            for kind in PATHWAY_KINDS:
                param = pw.param(kind)
                if kind == "eenheidswaarde":
                    if param.is_null:
                        continue
                    param = ps.in_price_year(param)
                values[kind][:, j] = [param.laag, param.basis, param.hoog]
    # the standard set decides which columns share a draw, for every variant alike
    slot = {
        kind: np.tile(np.array(variants[0].draw_slots(kind), dtype=np.int64), len(variants))
        for kind in PATHWAY_KINDS
    }
    return PathwayRanges(values=values, slot=slot, n_slots=n_path)


def cost_ranges(variants: list[ParameterSet]) -> CostRanges:
    values = {kind: np.zeros((3, len(variants))) for kind in COST_KINDS}
    for v, ps in enumerate(variants):
        for kind in COST_KINDS:
            p = ps.in_price_year(ps.kosten[kind])
            values[kind][:, v] = [p.laag, p.basis, p.hoog]
    return CostRanges(values=values)


def _priced(variants: list[ParameterSet]) -> np.ndarray:
    """Per (variant, pathway) column: does the outcome have a euro value in that variant?"""
    return np.array([pw.gewaardeerd for ps in variants for pw in ps.uitkomsten])


# ------------------------------------------------------------------------------ costs


def _cost_lines(tables: dict[str, pl.DataFrame], params: ParameterSet, py: pl.DataFrame):
    """Own cost lines per project-year × kostensoort, indexed to the price year."""
    kosten = effects.table(tables, "kosten").join(py.select(KEYS), on=KEYS, how="semi")
    years = kosten["jaar"].unique().drop_nulls().to_list()
    factors = {int(y): params.index_factor(int(y)) for y in years}
    return (
        kosten.with_columns(
            (
                pl.col("bedrag")
                * pl.col("jaar").replace_strict(factors, default=None, return_dtype=pl.Float64)
            ).alias("bedrag")
        )
        .group_by([*KEYS, "kostensoort"])
        .agg(pl.col("bedrag").sort().sum())
    )


def _cost_inputs(lines: pl.DataFrame, effort: pl.DataFrame, n_var: int, variant: np.ndarray):
    """fixed (P), FTE (V, P) and VOL (V, P) for `montecarlo.costs`, in project-year order."""
    per_py = own_costs(lines, KEYS)
    frame = effort.join(per_py, on=KEYS, how="left", maintain_order="left").with_columns(
        pl.col("eigen").fill_null(0.0),
        pl.col("eigen_personeel").fill_null(False),
        pl.col("eigen_vrijwilligers").fill_null(False),
    )
    p = frame.height
    fixed = frame["eigen"].to_numpy().astype(float)
    fte_std = np.where(frame["eigen_personeel"].to_numpy(), 0.0, frame["fte"].to_numpy())
    vol_std = np.where(
        frame["eigen_vrijwilligers"].to_numpy(), 0.0, frame["vrijwilligers"].to_numpy()
    ).astype(float)
    fte = np.zeros((n_var, p))
    vol = np.zeros((n_var, p))
    cols = np.arange(p)
    fte[variant, cols] = fte_std
    vol[variant, cols] = vol_std
    return fixed, fte, vol, frame


def _cost_table(
    lines: pl.DataFrame, frame: pl.DataFrame, cr: CostRanges, variant: np.ndarray
) -> pl.DataFrame:
    """Cost lines per project-year × kostensoort with their origin, base values."""
    base = {k: cr.values[k][1][variant] for k in COST_KINDS}
    std = frame.select(KEYS).with_columns(
        personeel=pl.Series(
            np.where(frame["eigen_personeel"].to_numpy(), 0.0, frame["fte"].to_numpy())
            * base["fte"]
        ),
        vrijwilligers=pl.Series(
            np.where(frame["eigen_vrijwilligers"].to_numpy(), 0.0, frame["vrijwilligers"])
            * (base["vrijwilliger_coordinatie"] + base["vrijwilliger_onkosten"])
        ),
        _p=~frame["eigen_personeel"],
        _v=~frame["eigen_vrijwilligers"],
    )
    standaard = (
        pl.concat(
            [
                std.filter(pl.col("_p")).select(
                    *KEYS,
                    pl.lit("personeel").alias("kostensoort"),
                    pl.col("personeel").alias("bedrag"),
                ),
                std.filter(pl.col("_v")).select(
                    *KEYS,
                    pl.lit("vrijwilligers").alias("kostensoort"),
                    pl.col("vrijwilligers").alias("bedrag"),
                ),
            ]
        )
        .filter(pl.col("bedrag") > 0)
        .with_columns(pl.lit("standaard").alias("herkomst"))
    )
    own = lines.select(*KEYS, "kostensoort", "bedrag").with_columns(
        pl.lit("eigen opgave").alias("herkomst")
    )
    return pl.concat([own, standaard]).sort([*KEYS, "kostensoort"]).select(columns("mkba.kosten"))


# ------------------------------------------------------------------------------ outcomes


def _outcome_frame(
    qty: pl.DataFrame,
    variants: list[ParameterSet],
    project_variant: pl.DataFrame,
    pr: PathwayRanges,
    m_base: np.ndarray,
) -> pl.DataFrame:
    """Per project-year × outcome × stakeholder: the base case with every step visible."""
    std = variants[0]
    n_path = len(std.uitkomsten)
    order = {pw.code: i for i, pw in enumerate(std.uitkomsten)}
    rows = qty.join(
        project_variant, on=["organisatie_id", "project_id"], how="left", maintain_order="left"
    ).with_columns(
        (
            pl.col("_variant") * n_path
            + pl.col("uitkomst").replace_strict(order, return_dtype=pl.Int64)
        ).alias("_j")
    )
    j = rows["_j"].to_numpy()
    base = {kind: pr.values[kind][1][j] for kind in PATHWAY_KINDS}
    priced = _priced(variants)[j]
    factor_q = rows["hoeveelheid"].to_numpy() * base["factor"]
    impact1 = (
        factor_q
        * base["eenheidswaarde"]
        * (1 - base["deadweight"])
        * (1 - base["displacement"])
        * (1 - base["attributie"])
    )
    pv = rows["hoeveelheid"].to_numpy() * m_base[j]
    meta = pl.DataFrame(
        {
            "uitkomst": [pw.code for pw in std.uitkomsten],
            "uitkomst_naam": [pw.naam for pw in std.uitkomsten],
            "eenheid": [pw.eenheidswaarde.eenheid for pw in std.uitkomsten],
            "is_transfer": [pw.transfer for pw in std.uitkomsten],
            "baathebbers": [
                [{"baathebber": k, "aandeel": v} for k, v in pw.baathebbers.items()]
                for pw in std.uitkomsten
            ],
        }
    )
    money = pl.Series(values=np.where(priced, 1.0, np.nan))
    frame = rows.select(KEYS + ["uitkomst", "hoeveelheid", "basis"]).with_columns(
        pl.Series("factor", base["factor"]),
        pl.Series("hoeveelheid_gecorrigeerd_basis", factor_q),
        pl.Series("eenheidswaarde", base["eenheidswaarde"] * money).fill_nan(None),
        pl.Series("deadweight", base["deadweight"]),
        pl.Series("displacement", base["displacement"]),
        pl.Series("attributie", base["attributie"]),
        pl.Series("drop_off", base["drop_off"]),
        pl.Series("duur", np.rint(base["duur"]).astype(np.int64)),
        pl.Series("impact_jaar1", impact1 * money).fill_nan(None),
        pl.Series("pv_totaal", pv * money).fill_nan(None),
        pl.Series("gewaardeerd", priced),
    )
    frame = frame.rename({"hoeveelheid_gecorrigeerd_basis": "hoeveelheid_x_factor"})
    return (
        frame.join(meta, on="uitkomst", how="left", maintain_order="left")
        .explode("baathebbers")
        .unnest("baathebbers")
        .with_columns(
            (pl.col("pv_totaal") * pl.col("aandeel")).alias("pv"),
            pl.when(pl.col("gewaardeerd"))
            .then(pl.lit("gewaardeerd"))
            .otherwise(pl.lit("geteld"))
            .alias("waardering"),
        )
        .select(columns("mkba.uitkomst"))
    )


# ------------------------------------------------------------------------------ compute


def _matrix(qty: pl.DataFrame, py_index: pl.DataFrame, j_col: np.ndarray, n_cols: int, mask):
    """Dense (J, P) matrix of quantities for the columns where mask holds."""
    p_idx = qty.join(py_index, on=KEYS, how="left", maintain_order="left")["_p"].to_numpy()
    q = np.zeros((n_cols, py_index.height))
    vals = qty["hoeveelheid"].to_numpy()
    keep = mask[j_col]
    np.add.at(q, (j_col[keep], p_idx[keep]), vals[keep])
    return q


def monte_carlo_inputs(tables: dict[str, pl.DataFrame], params: ParameterSet) -> tuple:
    """(PathwayRanges, CostRanges, Q, fixed, FTE, VOL, rate) as compute_mkba hands them to
    `montecarlo.simulate` (standard parameters, no overrides); for timing and inspection."""
    py = effects.project_years(tables)
    projects = py.select("organisatie_id", "project_id").unique(maintain_order=True)
    variants, project_variant_idx, _ = _variants(params, None, False, projects)
    project_variant = projects.with_columns(pl.Series("_variant", project_variant_idx))
    variant = py.join(
        project_variant, on=["organisatie_id", "project_id"], how="left", maintain_order="left"
    )["_variant"].to_numpy()
    n_path = len(params.uitkomsten)
    qty = effects.quantities(tables, params, py)
    order = {pw.code: i for i, pw in enumerate(params.uitkomsten)}
    j_col = qty["uitkomst"].replace_strict(order, return_dtype=pl.Int64).to_numpy()
    py_index = py.select(KEYS).with_row_index("_p").with_columns(pl.col("_p").cast(pl.Int64))
    welfare = _priced(variants) & ~np.array([pw.transfer for pw in params.uitkomsten])
    q_w = _matrix(qty, py_index, j_col, n_path, welfare)
    lines = _cost_lines(tables, params, py)
    fixed, fte, vol, _ = _cost_inputs(lines, effects.effort(tables, py), 1, variant)
    return (
        pathway_ranges(variants),
        cost_ranges(variants),
        q_w,
        fixed,
        fte,
        vol,
        params.discount_rate,
    )


@dataclass(frozen=True)
class MkbaInputs:
    """What `compute_mkba` derives from the tables, independent of overrides.

    Overrides change parameter values, never the quantity rules, the price index or the data,
    so one preparation serves the standard result and an organisation's own result (before,
    the second compute derived everything again). Frames: project-years (`py`, sorted by
    key), quantities per pathway, participant counts, effort and own cost lines.
    """

    params: ParameterSet
    py: pl.DataFrame
    quantities: pl.DataFrame
    counts: pl.DataFrame
    effort: pl.DataFrame
    lines: pl.DataFrame
    project_counts: pl.DataFrame
    spread: pl.DataFrame  # reference-based quantities and their range (`reference`)
    reached: pl.DataFrame | None = None  # project-years computed by reference, with their reach

    def organisations(self, orgs: list[str]) -> MkbaInputs:
        """The inputs of these organisations only: the same rows, in the same order, as a
        preparation of their tables alone (every frame is keyed by organisatie_id)."""
        keep = pl.col("organisatie_id").is_in(orgs)
        return MkbaInputs(
            params=self.params,
            py=self.py.filter(keep),
            quantities=self.quantities.filter(keep),
            counts=self.counts.filter(keep),
            effort=self.effort.filter(keep),
            lines=self.lines.filter(keep),
            project_counts=self.project_counts.filter(keep),
            spread=self.spread.filter(keep),
            reached=self.reached.filter(keep) if self.reached is not None else None,
        )


def prepare_mkba(
    tables: dict[str, pl.DataFrame], params: ParameterSet, rates: pl.DataFrame | None = None
) -> MkbaInputs:
    """The data side of the MKBA of `tables` (see `MkbaInputs`), for `compute_mkba`.

    `rates`: the sector's reference rates (`reference.sector_rates`) for project-years
    without measurements; without them only the organisation's own counts and the parameter
    set's literature rates are used."""
    py = effects.project_years(tables)
    known = effects.facts(tables, py)
    referenced = reference.apply_reference(
        effects.quantities(tables, params, py, known),
        effects.participant_counts(tables, py, known),
        py,
        tables,
        params,
        rates,
    )
    return MkbaInputs(
        params=params,
        py=py,
        quantities=referenced.quantities,
        counts=referenced.counts,
        effort=effects.effort(tables, py),
        lines=_cost_lines(tables, params, py),
        project_counts=referenced.project_counts(effects.project_participants(known)),
        spread=referenced.spread,
        reached=referenced.reach,
    )


def _org_blocks(py: pl.DataFrame) -> list[slice]:
    """Contiguous project-year ranges per organisation (`py` is sorted by key)."""
    orgs = py["organisatie_id"].to_numpy()
    if len(orgs) == 0:
        return []
    starts = [0, *(np.flatnonzero(orgs[1:] != orgs[:-1]) + 1).tolist(), len(orgs)]
    return [slice(a, b) for a, b in zip(starts[:-1], starts[1:], strict=True)]


def compute_mkba(
    tables: dict[str, pl.DataFrame] | MkbaInputs,
    params: ParameterSet,
    *,
    overrides: pl.DataFrame | None = None,
    apply_overrides: bool = True,
    draws: int = 2000,
    seed: int = 20261128,
    rates: pl.DataFrame | None = None,
) -> MkbaResult:
    """The MKBA of every organisatie × project × jaar in `tables`.

    `tables` holds canonical frames keyed project, traject, meting, inzet, kosten (missing ones
    count as empty), or is what `prepare_mkba(tables, params)` made of them (to compute the
    standard and an organisation's own result from one preparation). `overrides`
    (organisatie_id, project_id or null for all projects, parameter path, waarde,
    toelichting) change parameters for that organisation's projects only; sector benchmarks
    pass `apply_overrides=False`. `draws` Monte Carlo draws with `seed`. `rates`: the
    sector's reference rates for project-years without measurements (`prepare_mkba`).

    Every organisation's figures are computed as if it were alone in the call (to the bit),
    so several organisations can share one call.
    """
    if draws < 1:
        raise ValueError("draws >= 1")
    if isinstance(tables, MkbaInputs):
        if tables.params is not params:
            raise ValueError("MkbaInputs zijn met een andere parameterset voorbereid")
        inputs = tables
    else:
        inputs = prepare_mkba(tables, params, rates)
    py, qty, lines, eff = inputs.py, inputs.quantities, inputs.lines, inputs.effort
    blocks = _org_blocks(py)
    rate = params.discount_rate
    projects = py.select("organisatie_id", "project_id").unique(maintain_order=True)
    variants, project_variant_idx, applied = _variants(params, overrides, apply_overrides, projects)
    project_variant = projects.with_columns(pl.Series("_variant", project_variant_idx))
    variant = py.join(
        project_variant, on=["organisatie_id", "project_id"], how="left", maintain_order="left"
    )["_variant"].to_numpy()
    n_path = len(params.uitkomsten)

    pr = pathway_ranges(variants)
    cr = cost_ranges(variants)
    order = {pw.code: i for i, pw in enumerate(params.uitkomsten)}
    q_variant = qty.join(
        project_variant, on=["organisatie_id", "project_id"], how="left", maintain_order="left"
    )
    j_col = (
        q_variant["_variant"].to_numpy() * n_path
        + q_variant["uitkomst"].replace_strict(order, return_dtype=pl.Int64).to_numpy()
    )
    # per column: priced in this variant (an override may price a counted outcome)
    priced = _priced(variants)
    is_transfer = np.tile([pw.transfer for pw in params.uitkomsten], len(variants))
    n_cols = len(variants) * n_path
    py_index = py.select(KEYS).with_row_index("_p").with_columns(pl.col("_p").cast(pl.Int64))
    q_w = _matrix(qty, py_index, j_col, n_cols, priced & ~is_transfer)
    q_t = _matrix(qty, py_index, j_col, n_cols, priced & is_transfer)

    fixed, fte, vol, cost_frame = _cost_inputs(lines, eff, len(variants), variant)

    m_s, b_s, c_s = scenarios(pr, cr, q_w, fixed, fte, vol, rate, blocks)
    t_s = blockwise(m_s, q_t, blocks)
    bcr_s = ratio(b_s, c_s)
    variant_of = dict(
        zip(
            zip(projects["organisatie_id"], projects["project_id"], strict=True),
            project_variant_idx.tolist(),
            strict=True,
        )
    )
    cells = reference.rate_cells(inputs.spread, py, order, variant_of)
    b_mc, c_mc = simulate(
        pr, cr, q_w, fixed, fte, vol, rate, draws, seed, blocks, rate_cells=cells
    )  # (P, D)
    period = _Period.of(py, rate)
    looptijd_mc = period.intervals(b_mc, c_mc)
    bcr_mc = ratio(b_mc, c_mc)
    b_mc -= c_mc  # now the NPV draws; in place to keep memory flat for large sectors
    del c_mc
    npv_iv = interval(b_mc, inplace=True)
    bcr_iv = interval(bcr_mc, inplace=True)
    del b_mc, bcr_mc

    # switching values from the base case
    base_vals = {k: pr.values[k][1] for k in PATHWAY_KINDS}
    m_no = {
        corr: blockwise(multiplier_without(base_vals, rate, corr), q_w, blocks)
        for corr in ("deadweight", "attributie")
    }
    counts = inputs.counts
    base_b, base_c, base_t = b_s[1], c_s[1], t_s[1]

    project = (
        py.join(counts, on=KEYS, how="left", maintain_order="left")
        .join(
            eff.select(*KEYS, "fte", "vrijwilligers", "uren_vrijwilligers"),
            on=KEYS,
            how="left",
            maintain_order="left",
        )
        .with_columns(
            kosten=pl.Series(base_c),
            baten=pl.Series(base_b),
            transfers=pl.Series(base_t),
            ncw=pl.Series(base_b - base_c),
            bkr=nan_to_null(bcr_s[1]),
            ncw_p05=nan_to_null(npv_iv[0]),
            ncw_p95=nan_to_null(npv_iv[1]),
            bkr_p05=nan_to_null(bcr_iv[0]),
            bkr_p95=nan_to_null(bcr_iv[1]),
            bkr_laag=nan_to_null(bcr_s[0]),
            bkr_hoog=nan_to_null(bcr_s[2]),
        )
        .with_columns(
            pl.when(pl.col("deelnemers") > 0)
            .then(pl.col("kosten") / pl.col("deelnemers"))
            .alias("kosten_per_deelnemer"),
            pl.when(pl.col("deelnemers") > 0)
            .then(pl.col("ncw") / pl.col("deelnemers"))
            .alias("ncw_per_deelnemer"),
            pl.lit(params.version).alias("parameter_versie"),
            pl.lit(params.price_year, pl.Int64).alias("prijsjaar"),
            pl.lit(rate).alias("discontovoet"),
        )
        .with_columns(_status_and_reason())
        .with_columns(reference.project_basis(py, qty, inputs.reached))
        .with_columns(
            pl.when(pl.col("status") == COMPLETE).then(pl.col(c)).alias(c)
            for c in [*_RATIO_COLUMNS, "kosten_per_deelnemer", "ncw_per_deelnemer"]
        )
        .select(PROJECT_COLUMNS)
    )
    scenario = pl.concat(
        [
            py.select(KEYS).with_columns(
                pl.lit(name).alias("scenario"),
                kosten=pl.Series(c_s[i]),
                baten=pl.Series(b_s[i]),
                transfers=pl.Series(t_s[i]),
                ncw=pl.Series(b_s[i] - c_s[i]),
                bkr=nan_to_null(bcr_s[i]),
            )
            for i, name in enumerate(SCENARIOS)
        ]
    ).sort([*KEYS, pl.col("scenario").replace_strict({s: i for i, s in enumerate(SCENARIOS)})])
    # a scenario has no ratio only without costs: the project-year's reason says so
    scenario = (
        scenario.join(
            project.select(*KEYS, "status", "reden"), on=KEYS, how="left", maintain_order="left"
        )
        .with_columns(pl.when(pl.col("bkr").is_null()).then(pl.col("reden")).alias("reden"))
        .select(columns("mkba.scenario"))
    )
    schakel = _switching_frame(
        project,
        deadweight=switching_correction(m_no["deadweight"], base_c),
        attributie=switching_correction(m_no["attributie"], base_c),
        factor=ratio(base_c, base_b),  # the factor on all unit values at which bkr = 1
    )
    m_base = m_s[1]
    outcome = _outcome_frame(qty, variants, project_variant, pr, m_base)
    kosten_table = _cost_table(lines, cost_frame, cr, variant)
    looptijd = period.frame(project, inputs.project_counts, (b_s, c_s, t_s), looptijd_mc, params)
    return MkbaResult(
        project=project,
        outcome=outcome,
        scenario=scenario,
        overrides_applied=applied,
        kosten=kosten_table,
        schakelwaarden=schakel,
        looptijd=looptijd,
        parameter_versie=params.version,
    )


# ------------------------------------------------------------------------------ status


def nan_to_null(values: np.ndarray, name: str = "") -> pl.Series:
    """A float column from numpy, NaN (no value: a ratio without costs) as null."""
    return pl.Series(name, np.asarray(values, dtype=float)).fill_nan(None)


def no_costs_reason(years: pl.Expr) -> pl.Expr:
    """The reason of an incomplete project-year (or period): "geen kosten over <jaar>
    aangeleverd" (`years`: a text expression naming the year or years)."""
    return pl.concat_str(pl.lit("geen kosten over "), years, pl.lit(" aangeleverd"))


def _status_and_reason() -> list[pl.Expr]:
    """`status` and `reden` of a project-year (columns kosten, deelnemers, jaar).

    Without costs the year is incomplete: its benefits would stand against nothing, so it has
    no ratio and is kept out of every benchmark. Every null the row shows gets its reason.
    """
    jaar = pl.col("jaar").cast(pl.String)
    no_costs = ~(pl.col("kosten") > 0)
    return [
        pl.when(no_costs).then(pl.lit(INCOMPLETE)).otherwise(pl.lit(COMPLETE)).alias("status"),
        pl.when(no_costs)
        .then(no_costs_reason(jaar))
        .when(pl.col("deelnemers") == 0)
        .then(
            pl.concat_str(
                pl.lit("geen deelnemers in "),
                jaar,
                pl.lit(" geregistreerd: geen bedragen per deelnemer"),
            )
        )
        .alias("reden"),
    ]


def _switching_frame(
    project: pl.DataFrame, *, deadweight: np.ndarray, attributie: np.ndarray, factor: np.ndarray
) -> pl.DataFrame:
    """Switching values per project-year, null with a reason where none exists: without costs
    (incomplete) or without priced benefits (no value of a correction brings the ratio to 1)."""
    values = {
        "deadweight_bij_bkr_1": deadweight,
        "attributie_bij_bkr_1": attributie,
        "eenheidswaarden_factor_bij_bkr_1": factor,
    }
    complete = pl.col("status") == COMPLETE
    jaar = pl.col("jaar").cast(pl.String)
    return (
        project.select(*KEYS, "status", "reden")
        .with_columns(nan_to_null(v, k) for k, v in values.items())
        .with_columns(pl.when(complete).then(pl.col(k)).alias(k) for k in values)
        .with_columns(
            pl.when(~complete)
            .then(pl.col("reden"))
            .when(pl.col("eenheidswaarden_factor_bij_bkr_1").is_null())
            .then(
                pl.concat_str(
                    pl.lit("geen gewaardeerde baten in "),
                    jaar,
                    pl.lit(": geen waarde brengt de rendementsfactor op 1"),
                )
            )
            .alias("reden")
        )
        .select(SCHAKEL_COLUMNS)
    )


# ------------------------------------------------------------------------------ whole period


@dataclass(frozen=True)
class _Period:
    """The project-years of each project (contiguous in `py`, which is sorted by key) and the
    factor that discounts a year to the project's first year: the whole-period MKBA adds
    costs of every year and the benefits booked in every year, each × (1 + r)^−(jaar − eerste).
    """

    starts: np.ndarray  # first row of each project
    weight: np.ndarray  # per project-year: (1 + r)^−(jaar − eerste_jaar)

    @classmethod
    def of(cls, py: pl.DataFrame, rate: float) -> _Period:
        project = pl.col("organisatie_id"), pl.col("project_id")
        frame = py.select(
            pl.struct(*project).is_first_distinct().alias("_first"),
            (pl.col("jaar") - pl.col("jaar").min().over(*project)).alias("_t"),
        )
        weight = (1.0 + rate) ** -frame["_t"].to_numpy().astype(float)
        return cls(np.flatnonzero(frame["_first"].to_numpy()), weight)

    def sum_rows(self, values: np.ndarray) -> np.ndarray:
        """(P, ...) per project-year → (projects, ...), discounted to each first year."""
        if len(self.starts) == 0:
            return np.zeros((0, *values.shape[1:]))
        w = self.weight.reshape(-1, *([1] * (values.ndim - 1)))
        return np.add.reduceat(values * w, self.starts, axis=0)

    def intervals(self, benefits: np.ndarray, cost: np.ndarray) -> dict[str, np.ndarray]:
        """The 90 % Monte Carlo intervals of the whole period from the project-years' draws."""
        b, c = self.sum_rows(benefits), self.sum_rows(cost)
        bcr = interval(ratio(b, c), inplace=True)
        npv = interval(b - c, inplace=True)
        return {"ncw_p05": npv[0], "ncw_p95": npv[1], "bkr_p05": bcr[0], "bkr_p95": bcr[1]}

    def frame(
        self,
        project: pl.DataFrame,
        counts: pl.DataFrame,
        scenario_sums: tuple[np.ndarray, np.ndarray, np.ndarray],
        mc: dict[str, np.ndarray],
        params: ParameterSet,
    ) -> pl.DataFrame:
        """`LOOPTIJD_COLUMNS` per project (scenario arrays (3, P): benefits, costs, transfers)."""
        b, c, t = (self.sum_rows(a.T).T for a in scenario_sums)  # (3, projects)
        first = project[self.starts.tolist()] if len(self.starts) else project.clear()
        missing = (
            project.filter(pl.col("status") != COMPLETE)
            .group_by("organisatie_id", "project_id", maintain_order=True)
            .agg(pl.col("jaar").sort().cast(pl.String).alias("_jaren"))
        )
        years = project.group_by("organisatie_id", "project_id", maintain_order=True).agg(
            pl.col("jaar").min().alias("eerste_jaar"),
            pl.col("jaar").max().alias("laatste_jaar"),
            pl.len().cast(pl.Int64).alias("jaren"),
        )
        bcr = ratio(b, c)
        with_nulls = {
            "kosten": c[1],
            "baten": b[1],
            "transfers": t[1],
            "ncw": b[1] - c[1],
            "bkr": bcr[1],
            **mc,
            "bkr_laag": bcr[0],
            "bkr_hoog": bcr[2],
        }
        pkeys = ["organisatie_id", "project_id"]
        out = (
            first.select(*pkeys, "domein", "interventie", "gemeente_code")
            .join(years, on=pkeys, how="left", maintain_order="left")
            .join(counts, on=pkeys, how="left", maintain_order="left")
            .join(missing, on=pkeys, how="left", maintain_order="left")
            .join(reference.period_basis(project), on=pkeys, how="left", maintain_order="left")
            .with_columns(nan_to_null(v, k) for k, v in with_nulls.items())
            .with_columns(
                pl.col("deelnemers").fill_null(0),
                pl.lit(params.version).alias("parameter_versie"),
                pl.lit(params.price_year, pl.Int64).alias("prijsjaar"),
                pl.lit(params.discount_rate).alias("discontovoet"),
            )
        )
        incomplete = pl.col("_jaren").is_not_null() | ~(pl.col("kosten") > 0)
        years_text = pl.col("_jaren").list.join(", ")
        return (
            out.with_columns(
                pl.when(incomplete)
                .then(pl.lit(INCOMPLETE))
                .otherwise(pl.lit(COMPLETE))
                .alias("status"),
                pl.when(pl.col("_jaren").is_not_null())
                .then(no_costs_reason(years_text))
                .when(incomplete)
                .then(pl.lit("geen kosten aangeleverd"))
                .alias("reden"),
            )
            .with_columns(pl.when(~incomplete).then(pl.col(c)).alias(c) for c in _RATIO_COLUMNS)
            .select(LOOPTIJD_COLUMNS)
        )

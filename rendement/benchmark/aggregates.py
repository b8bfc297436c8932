"""Published aggregates beside the benchmark cells, with the same disclosure rules.

Computed by the benchmark stage (`rendement.benchmark.published`: the assets
`sector_stakeholders` and `sector_intervals` write them to `benchmark.baathebbers` and
`benchmark.intervallen`; a release stores them); the reports only read them.

Only complete project-years (`mkba.project.status` = "volledig", see
`rendement.mkba.status.complete_project_years`) count, as in the benchmark cells.

Two tables, both about groups of organisations only (no id, name or project in them), both
per year and independent between years (every value and every decision for year Y uses only
the projects of year Y), both frozen with a release like the benchmark cells:

* `stakeholder_cells` ("wie profiteert"): the present value of the welfare benefits per
  domain x stakeholder (baathebber), with margins (all stakeholders, the whole sector), and the
  gross amount of transfers per domain. Magnitudes: the minimum number of organisations and the
  (n, k) dominance rule per cell (`disclosure.primary_suppression`), then complementary
  suppression over the two-way table with its margins (`disclosure.secondary_suppression`),
  checked with `disclosure.recoverable_cells` (no hidden value may follow from the margins).

* `interval_cells`: the uncertainty behind the two figures learning teams compare, per domain
  and per intervention type:
  - ``aandeel_verbeterd``: a 90 % interval for the pooled share of measured participants who
    improved, clustered by organisation (ratio estimator, cluster-robust standard error,
    Student t with organisations - 1 degrees of freedom). Same rules as the published share
    (minimum organisations with measurements, dominance and small count on the measured
    participants).
  - ``bkr``: a 90 % interval for the median benefit/cost ratio over projects, by a cluster
    bootstrap over organisations (2,000 resamples, seeded per cell). Same rules as the
    published median (minimum organisations, dominance on the number of projects, min_tail),
    and each bound must have at least `min_tail` project values beyond it (otherwise a bound
    near the end of a small cell would come close to a single project's value).
  Intervals are not additive: no complementary suppression is needed.
"""

from __future__ import annotations

import zlib

import numpy as np
import polars as pl

from rendement.benchmark.basis import ALL_BASES, MEASURED_BASIS, with_benchmark_basis
from rendement.benchmark.disclosure import (
    EMPTY,
    FEW_VALUES,
    PUBLISHED,
    REASONS,
    SECONDARY,
    SUPPRESSED,
    TOO_FEW_ORGS,
    DisclosureRules,
    additive_groups,
    primary_suppression,
    recoverable_cells,
    secondary_suppression,
    suppress_empty_with_projects,
)
from rendement.mkba.status import complete_project_years
from schemas.outputs import TOTAL, group_memberships, polars_schema
from schemas.vocabulary import DOMAINS, INTERVENTIONS

_NA = ""

# Columns, order and dtypes of `benchmark.baathebbers` and `benchmark.intervallen`: declared
# once, by the output models in schemas/outputs.py.
STAKEHOLDER_COLUMNS: dict[str, pl.DataType] = polars_schema("benchmark.baathebbers")
INTERVAL_COLUMNS: dict[str, pl.DataType] = polars_schema("benchmark.intervallen")

BOOTSTRAP_DRAWS = 2000
BOOTSTRAP_SEED = 20261128
LEVEL = 0.90

# Student t quantile t(0.95; df) for a two-sided 90 % interval.
_T95 = {
    1: 6.314, 2: 2.920, 3: 2.353, 4: 2.132, 5: 2.015, 6: 1.943, 7: 1.895, 8: 1.860, 9: 1.833,
    10: 1.812, 11: 1.796, 12: 1.782, 13: 1.771, 14: 1.761, 15: 1.753, 16: 1.746, 17: 1.740,
    18: 1.734, 19: 1.729, 20: 1.725, 21: 1.721, 22: 1.717, 23: 1.714, 24: 1.711, 25: 1.708,
    26: 1.706, 27: 1.703, 28: 1.701, 29: 1.699, 30: 1.697, 40: 1.684, 60: 1.671, 120: 1.658,
}  # fmt: skip


def t95(df: int) -> float:
    """The 0.95 quantile of Student's t (a two-sided 90 % interval); 1.645 for large df."""
    if df < 1:
        raise ValueError("degrees of freedom must be >= 1")
    if df in _T95:
        return _T95[df]
    keys = sorted(_T95)
    if df > keys[-1]:
        return 1.645
    below = max(k for k in keys if k < df)
    above = min(k for k in keys if k > df)
    w = (df - below) / (above - below)
    return _T95[below] * (1 - w) + _T95[above] * w


def _legend_columns(frame: pl.DataFrame, rules: DisclosureRules) -> pl.DataFrame:
    codes = list(REASONS)
    return frame.with_columns(
        pl.col("reden")
        .replace_strict(codes, [REASONS[c].symbol for c in codes], default=None)
        .alias("symbool"),
        pl.col("reden")
        .replace_strict(codes, [REASONS[c].text(rules) for c in codes], default=None)
        .alias("toelichting"),
    )


# ------------------------------------------------------------------------ stakeholders


def suppress_until_safe(
    cells: pl.DataFrame, groups: pl.DataFrame, *, max_rounds: int = 500
) -> pl.DataFrame:
    """Complementary suppression for a two-way table with margins.

    `disclosure.secondary_suppression` makes sure no group has exactly one hidden cell. In a
    table with margins in both directions (and structurally empty cells, which are known
    zeros) that is not always enough: a hidden value can still follow from several groups at
    once. So, while `disclosure.recoverable_cells` finds such a cell, one more cell is hidden
    (reason ``secundair``): among the published, non-zero cells that share a group with a
    recoverable cell, the smallest one (ties: lowest cell id), and the per-group pass runs
    again. Every round hides at least one more cell, so this ends.
    """
    done = secondary_suppression(cells, groups, value="waarde")
    members: dict[str, set[str]] = {}
    for group, cell in groups.select("groep", "cel").iter_rows():
        members.setdefault(group, set()).add(cell)
    for _ in range(max_rounds):
        leaks = recoverable_cells(done, groups)
        if not leaks:
            return done
        status = dict(zip(done["cel"].to_list(), done["status"].to_list(), strict=True))
        value = dict(zip(done["cel"].to_list(), done["waarde"].to_list(), strict=True))
        near = {c for cs in members.values() if cs & set(leaks) for c in cs}
        candidates = sorted(
            (c for c in near if status[c] == PUBLISHED and abs(value[c] or 0.0) > 0),
            key=lambda c: (abs(value[c] or 0.0), c),
        )
        if not candidates:
            candidates = sorted(c for c in near if status[c] == PUBLISHED)
        if not candidates:
            raise RuntimeError(f"cells still recoverable from margins: {leaks[:5]}")
        chosen = candidates[0]
        done = done.with_columns(
            pl.when(pl.col("cel") == chosen)
            .then(pl.lit(SUPPRESSED))
            .otherwise(pl.col("status"))
            .alias("status"),
            pl.when(pl.col("cel") == chosen)
            .then(pl.lit(SECONDARY))
            .otherwise(pl.col("reden"))
            .alias("reden"),
        )
        done = secondary_suppression(done, groups, value="waarde")
    raise RuntimeError("complementary suppression did not converge")


def stakeholder_cells(
    projects: pl.DataFrame,
    outcomes: pl.DataFrame,
    years: list[int],
    stakeholders: list[str],
    rules: DisclosureRules = DisclosureRules(),  # noqa: B008 (frozen)
) -> pl.DataFrame:
    """Welfare benefits per domain x stakeholder and transfers per domain, per year.

    `projects`: the sector's project rows (`mkba.project`: organisatie_id, project_id, jaar,
    domein, transfers, status) already restricted to what may count (no blocked organisations,
    the release's cut-off); incomplete project-years are left out here. `outcomes`: `mkba.uitkomst` (pv per stakeholder; rows of projects not
    in `projects` are ignored). `stakeholders`: the codes of the parameter set, in order.
    """
    keys = ["jaar", "domein", "baathebber", "maat"]
    if not years:
        return pl.DataFrame(schema=STAKEHOLDER_COLUMNS)
    proj = (
        complete_project_years(projects)
        .select(
            pl.col("organisatie_id").cast(pl.String),
            pl.col("project_id").cast(pl.String),
            pl.col("jaar").cast(pl.Int64),
            pl.col("domein").cast(pl.String),
            pl.col("transfers").cast(pl.Float64).fill_null(0.0),
        )
        .filter(pl.col("jaar").is_in(years))
    )
    welfare = (
        outcomes.filter(~pl.col("is_transfer") & pl.col("gewaardeerd") & pl.col("pv").is_not_null())
        .select(
            pl.col("organisatie_id").cast(pl.String),
            pl.col("project_id").cast(pl.String),
            pl.col("jaar").cast(pl.Int64),
            pl.col("baathebber").cast(pl.String),
            pl.col("pv").cast(pl.Float64),
        )
        .join(proj.drop("transfers"), on=["organisatie_id", "project_id", "jaar"], how="inner")
        .filter(pl.col("baathebber").is_in(stakeholders))
    )
    if (welfare["pv"] < -1e-9).any():
        raise ValueError("welfare benefits (mkba.uitkomst.pv, not a transfer) must be >= 0")
    base = welfare.select(
        "organisatie_id", "jaar", "domein", "baathebber", pl.col("pv").alias("bijdrage")
    )
    total = pl.lit(TOTAL)
    baten = pl.concat(
        [
            base,
            base.with_columns(total.alias("baathebber")),
            base.with_columns(total.alias("domein")),
            base.with_columns(total.alias("domein"), total.alias("baathebber")),
        ]
    ).with_columns(pl.lit("baten").alias("maat"))
    shifted = proj.select(
        "organisatie_id",
        "jaar",
        "domein",
        total.alias("baathebber"),
        pl.col("transfers").alias("bijdrage"),
    )
    overdrachten = pl.concat([shifted, shifted.with_columns(total.alias("domein"))]).with_columns(
        pl.lit("overdrachten").alias("maat")
    )
    contributions = pl.concat([baten, overdrachten], how="vertical")

    domains = [*DOMAINS, TOTAL]
    people = [*stakeholders, TOTAL]
    defs = pl.DataFrame(
        [(y, d, s, "baten") for y in years for d in domains for s in people]
        + [(y, d, TOTAL, "overdrachten") for y in years for d in domains],
        schema={"jaar": pl.Int64, "domein": pl.String, "baathebber": pl.String, "maat": pl.String},
        orient="row",
    )
    decided = primary_suppression(contributions, keys, rules, dominance=True, cells=defs)

    cell_id = pl.concat_str(
        [pl.col("jaar").cast(pl.String), "maat", "domein", "baathebber"], separator="|"
    )
    decided = decided.with_columns(cell_id.alias("cel"))

    def cid(y: int, maat: str, d: str, s: str) -> str:
        return f"{y}|{maat}|{d}|{s}"

    spec = []
    for y in years:
        for d in domains:
            spec.append(
                (
                    f"{y}|baten|rij|{d}",
                    cid(y, "baten", d, TOTAL),
                    [cid(y, "baten", d, s) for s in stakeholders],
                )
            )
        for s in people:
            spec.append(
                (
                    f"{y}|baten|kolom|{s}",
                    cid(y, "baten", TOTAL, s),
                    [cid(y, "baten", d, s) for d in DOMAINS],
                )
            )
        spec.append(
            (
                f"{y}|overdrachten",
                cid(y, "overdrachten", TOTAL, TOTAL),
                [cid(y, "overdrachten", d, TOTAL) for d in DOMAINS],
            )
        )
    groups = additive_groups(spec)
    done = suppress_until_safe(decided, groups)

    published = (
        done.with_columns(
            pl.when(pl.col("status") == PUBLISHED)
            .then(pl.col("waarde").round(0))
            .when(pl.col("status") == EMPTY)
            .then(pl.lit(0.0))
            .otherwise(pl.lit(None, dtype=pl.Float64))
            .alias("waarde"),
            pl.lit("euro").alias("eenheid"),
            pl.col("organisaties").cast(pl.Int64),
        )
        .pipe(_legend_columns, rules)
        .with_columns(
            # the number of organisations is published only where the cell itself is (it is
            # not a separate cell with its own rule here)
            pl.when(pl.col("status") == SUPPRESSED)
            .then(pl.lit(None, dtype=pl.Int64))
            .otherwise(pl.col("organisaties"))
            .alias("organisaties")
        )
    )
    order = {d: i for i, d in enumerate(domains)}
    order_s = {s: i for i, s in enumerate(people)}
    return (
        published.with_columns(pl.lit(ALL_BASES).alias("basis"))
        .select([pl.col(c).cast(t) for c, t in STAKEHOLDER_COLUMNS.items()])
        .with_columns(
            pl.col("domein").replace_strict(order, default=99).alias("_d"),
            pl.col("baathebber").replace_strict(order_s, default=99).alias("_s"),
        )
        .sort("jaar", "maat", "_d", "_s")
        .drop("_d", "_s")
    )


# ------------------------------------------------------------------------ intervals


def _interval_defs(years: list[int]) -> pl.DataFrame:
    rows = [("domein", TOTAL, _NA)] + [("domein", d, _NA) for d in DOMAINS]
    rows += [("interventie", d, i) for d, per in INTERVENTIONS.items() for i in per]
    base = pl.DataFrame(rows, schema=["tabel", "domein", "interventie"], orient="row")
    return pl.DataFrame({"jaar": years}, schema={"jaar": pl.Int64}).join(base, how="cross")


def _members(projects: pl.DataFrame) -> pl.DataFrame:
    """Each project row once per group (sector total, domain, intervention)."""
    return group_memberships(projects, ("interventie",), empty=_NA)


def _share_interval(per_org: list[tuple[float, float]]) -> tuple[float, float] | None:
    """Cluster-robust 90 % interval for sum(y) / sum(n) over organisations (y improved, n
    measured per organisation)."""
    g = len(per_org)
    y = np.array([a for a, _ in per_org], dtype=float)
    n = np.array([b for _, b in per_org], dtype=float)
    if g < 2 or n.sum() <= 0:
        return None
    p = y.sum() / n.sum()
    se = np.sqrt(g / (g - 1) * np.sum((y - p * n) ** 2)) / n.sum()
    half = t95(g - 1) * se
    return max(0.0, p - half), min(1.0, p + half)


def _cell_seed(key: tuple) -> list[int]:
    return [BOOTSTRAP_SEED, zlib.crc32("|".join(map(str, key)).encode("utf-8"))]


# Ranks around the middle of a cell's sorted values that `_bootstrap_medians` looks at first;
# a draw whose median lies outside them is done again over all values.
_BRACKET = (0.3, 0.7)


def _bootstrap_medians(values: np.ndarray, owner: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The median of every bootstrap sample, without building the samples.

    `values`: every project value of the cell, sorted; `owner[j]`: the organisation of
    `values[j]`; `counts[d, o]`: how often draw d picked organisation o. Draw d's sample holds
    value j `counts[d, owner[j]]` times, so its k-th smallest value is the first value where
    the running total of those weights exceeds k: the same number the sorted sample has at k,
    and the median the same arithmetic (the middle value, or the mean of the two middle
    values). Only the ranks around the middle (`_BRACKET`) are summed: the values below count
    through one matrix product, and a draw whose median lies outside is summed in full. A
    sort of every sample (2,000 x the cell's projects) took most of the reports' time."""
    g = counts.shape[1]
    sizes = np.bincount(owner, minlength=g)
    total = counts @ sizes
    k_low, k_high = (total - 1) // 2, total // 2
    low = np.empty(len(total))
    high = np.empty(len(total))

    def pick(rows: np.ndarray, a: int, b: int) -> np.ndarray:
        """Fill `low`/`high` for `rows` from the ranks in values[a:b]; the rows it cannot."""
        before = counts[rows] @ np.bincount(owner[:a], minlength=g)
        running = before[:, None] + np.cumsum(counts[np.ix_(rows, owner[a:b])], axis=1)
        inside = (before <= k_low[rows]) & (k_high[rows] < running[:, -1])
        done = rows[inside]
        running = running[inside]
        low[done] = values[a + (running <= k_low[done, None]).sum(axis=1)]
        high[done] = values[a + (running <= k_high[done, None]).sum(axis=1)]
        return rows[~inside]

    n = len(values)
    a, b = int(n * _BRACKET[0]), max(int(n * _BRACKET[1]), int(n * _BRACKET[0]) + 1)
    rest = pick(np.arange(len(total)), a, b)
    if rest.size:
        pick(rest, 0, n)
    return np.where(total % 2 == 1, low, (low + high) / 2)


def _median_interval(per_org: list[np.ndarray], key: tuple) -> tuple[float, float] | None:
    """Percentile cluster bootstrap (over organisations) of the median over projects."""
    g = len(per_org)
    if g < 2:
        return None
    # Order organisations by their own values, not by their ids: the result must not depend
    # on which id an organisation happens to have (the draws pick positions in this order).
    per_org = sorted((sorted(v.tolist()) for v in per_org), key=tuple)
    values = np.array([x for v in per_org for x in v], dtype=float)
    owner = np.repeat(np.arange(g), [len(v) for v in per_org])
    order = np.argsort(values, kind="stable")
    rng = np.random.default_rng(_cell_seed(key))
    picks = rng.integers(0, g, size=(BOOTSTRAP_DRAWS, g))
    draws = np.arange(BOOTSTRAP_DRAWS)[:, None] * g
    counts = np.bincount((picks + draws).ravel(), minlength=BOOTSTRAP_DRAWS * g)
    counts = counts.reshape(BOOTSTRAP_DRAWS, g)
    medians = _bootstrap_medians(values[order], owner[order], counts)
    tail = (1 - LEVEL) / 2
    low, high = np.quantile(medians, [tail, 1 - tail])
    return float(low), float(high)


def interval_cells(
    projects: pl.DataFrame,
    years: list[int],
    rules: DisclosureRules = DisclosureRules(),  # noqa: B008 (frozen)
    memo=None,
) -> pl.DataFrame:
    """90 % intervals for the share improved and the median benefit/cost ratio, per domain
    (and the sector) and per intervention type, per year. See the module docstring.

    Over measured project-years only (`basis` gemeten): an interval of a median mixing
    measured and reference-based project-years would hide which kind it describes. `memo`: a
    `rendement.benchmark.bootstrap_memo.BootstrapMemo` with the median intervals of an
    earlier run (None: bootstrap every cell)."""
    if not years:
        return pl.DataFrame(schema=INTERVAL_COLUMNS)
    prepared = (
        with_benchmark_basis(complete_project_years(projects))
        .filter(pl.col("basis") == MEASURED_BASIS)
        .select(
            pl.col("organisatie_id").cast(pl.String),
            pl.col("jaar").cast(pl.Int64),
            pl.col("domein").cast(pl.String),
            pl.col("interventie").cast(pl.String),
            pl.col("deelnemers_gemeten").cast(pl.Float64).fill_null(0.0),
            pl.col("deelnemers_verbeterd").cast(pl.Float64).fill_null(0.0),
            pl.when(pl.col("bkr").cast(pl.Float64).is_finite())
            .then(pl.col("bkr").cast(pl.Float64))
            .alias("bkr"),
        )
        .filter(pl.col("jaar").is_in(years))
    )
    members = _members(prepared)
    keys = ["tabel", "jaar", "domein", "interventie"]
    defs = _interval_defs(years)
    with_projects = members.select(keys).unique()

    out = []
    # -- share improved ------------------------------------------------------------------
    measured = members.filter(pl.col("deelnemers_gemeten") > 0)
    decided = primary_suppression(
        measured.with_columns(pl.col("deelnemers_gemeten").alias("bijdrage")),
        keys,
        rules,
        dominance=True,
        small_count=True,
        cells=defs,
    )
    sums = (
        measured.group_by(*keys, "organisatie_id")
        .agg(pl.col("deelnemers_verbeterd").sum(), pl.col("deelnemers_gemeten").sum())
        .sort(*keys, "deelnemers_gemeten", "deelnemers_verbeterd")
    )
    per_cell: dict[tuple, list[tuple[float, float]]] = {}
    for row in sums.iter_rows(named=True):
        per_cell.setdefault(tuple(row[k] for k in keys), []).append(
            (row["deelnemers_verbeterd"], row["deelnemers_gemeten"])
        )
    for row in decided.iter_rows(named=True):
        key = tuple(row[k] for k in keys)
        status, reden, bounds = row["status"], row["reden"], None
        if status == PUBLISHED:
            bounds = _share_interval(per_cell.get(key, []))
            if bounds is None:
                status, reden = SUPPRESSED, TOO_FEW_ORGS
        out.append((*key, "aandeel_verbeterd", *(_round(bounds, 3)), "cluster_t", status, reden))

    # -- median benefit/cost ratio --------------------------------------------------------
    valued = members.filter(pl.col("bkr").is_not_null())
    decided = primary_suppression(
        valued.with_columns(pl.lit(1.0).alias("bijdrage")),
        keys,
        rules,
        dominance=True,
        quantile=0.5,
        cells=defs,
    )
    per_cell_values: dict[tuple, dict[str, list[float]]] = {}
    for row in valued.select(*keys, "organisatie_id", "bkr").iter_rows(named=True):
        per_cell_values.setdefault(tuple(row[k] for k in keys), {}).setdefault(
            row["organisatie_id"], []
        ).append(row["bkr"])
    for row in decided.iter_rows(named=True):
        key = tuple(row[k] for k in keys)
        status, reden, bounds = row["status"], row["reden"], None
        if status == PUBLISHED:
            orgs = per_cell_values.get(key, {})
            per_org = [np.array(v) for v in orgs.values()]
            bounds = (
                _median_interval(per_org, key)
                if memo is None
                else memo.interval(key, per_org, _median_interval)
            )
            values = np.array([v for vs in orgs.values() for v in vs])
            if bounds is None:
                status, reden = SUPPRESSED, TOO_FEW_ORGS
            elif (values < bounds[0]).sum() < rules.min_tail or (
                values > bounds[1]
            ).sum() < rules.min_tail:
                status, reden, bounds = SUPPRESSED, FEW_VALUES, None
        out.append((*key, "bkr", *(_round(bounds, 2)), "cluster_bootstrap", status, reden))

    frame = pl.DataFrame(
        out,
        schema={
            "tabel": pl.String,
            "jaar": pl.Int64,
            "domein": pl.String,
            "interventie": pl.String,
            "maat": pl.String,
            "onder": pl.Float64,
            "boven": pl.Float64,
            "methode": pl.String,
            "status": pl.String,
            "reden": pl.String,
        },
        orient="row",
    )
    # A cell with projects but no values for the measure is "too few organisations", not empty
    # (as in the benchmark cells).
    frame = (
        suppress_empty_with_projects(frame, with_projects, keys)
        .pipe(_legend_columns, rules)
        .with_columns(
            pl.when(pl.col("interventie") == _NA)
            .then(None)
            .otherwise(pl.col("interventie"))
            .alias("interventie"),
            pl.lit(MEASURED_BASIS).alias("basis"),
        )
    )
    return frame.select([pl.col(c).cast(t) for c, t in INTERVAL_COLUMNS.items()]).sort(
        "jaar", "maat", "tabel", "domein", "interventie", nulls_last=False
    )


def _round(bounds: tuple[float, float] | None, decimals: int) -> tuple[float | None, float | None]:
    if bounds is None:
        return None, None
    lo, hi = (round(float(b), decimals) + 0.0 for b in bounds)
    return lo, hi

"""Disclosure control for published benchmark cells (statistical confidentiality).

A published benchmark cell describes a group of organisations. This module decides, per cell,
whether its value may be published, on a generic frame so that every rule can be tested on its
own, without the MKBA or the benchmark around it.

Two steps:

* `primary_suppression` looks at one cell at a time, from the contributions of the
  organisations in it: too few organisations (``x``), one or two organisations dominating the
  total (``d``), too small a count of people (``k``).
* `secondary_suppression` looks at the cells together: where cells add up to a margin
  (a total and its parts), a single hidden cell could be recomputed as the total minus the
  published parts. Such a group gets a second, complementary hidden cell (``s``), repeated
  until no group has exactly one hidden cell.

`recoverable_cells` is the independent check: it solves the linear system of all groups and
reports every hidden cell whose exact value still follows from what is published.

All parameters live in one place, `DisclosureRules`, which a release records with its tables
(`rules.as_dict()`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

# Status of a cell.
PUBLISHED = "gepubliceerd"
SUPPRESSED = "onderdrukt"
EMPTY = "leeg"
STATUSES: tuple[str, ...] = (PUBLISHED, SUPPRESSED, EMPTY)

# Reason codes (column `reden`); None for a published cell.
TOO_FEW_ORGS = "te_weinig_organisaties"
DOMINANCE = "dominantie"
SMALL_COUNT = "klein_aantal"
FEW_VALUES = "te_weinig_waarden"
SECONDARY = "secundair"
NO_PROJECTS = "geen_projecten"

# Roles of a cell in a group of cells that add up (see `secondary_suppression`).
MARGIN = "totaal"
PART = "deel"


@dataclass(frozen=True)
class DisclosureRules:
    """The disclosure rules and their parameters, recorded with every release.

    min_orgs:     a cell is published only if at least this many organisations contribute.
    dominance_n,  the (n, k) dominance rule for magnitudes (cost, FTE, volunteers, reach): the
    dominance_k:  `dominance_n` largest contributions together must not exceed the fraction
                  `dominance_k` of the cell total.
    min_count:    a count of people (participants, measured participants) below this is
                  suppressed.
    round_to:     published counts of people are rounded to a multiple of this (half up).
    min_tail:     a percentile q over n project values is published only if
                  n x min(q, 1 - q) >= min_tail: at least this many values (in expectation)
                  on either side. So with the default 5 the median needs 10 values, P25/P75
                  20 and P10/P90 50. Without it five percentiles over five projects would
                  simply list the five projects' values.
    """

    min_orgs: int = 5
    dominance_n: int = 2
    dominance_k: float = 0.85
    min_count: int = 10
    round_to: int = 5
    min_tail: int = 5

    def __post_init__(self) -> None:
        for name in ("min_orgs", "dominance_n", "min_count", "round_to", "min_tail"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"DisclosureRules.{name} must be a positive integer, not {value!r}"
                )
        if not 0 < float(self.dominance_k) <= 1:
            raise ValueError(
                f"DisclosureRules.dominance_k must be in (0, 1], not {self.dominance_k}"
            )
        if self.dominance_n >= self.min_orgs:
            # With n >= min_orgs the n largest would always be the whole cell.
            raise ValueError("DisclosureRules.dominance_n must be smaller than min_orgs")

    def as_dict(self) -> dict[str, Any]:
        """Flat, JSON-safe record of the rules, to store with a release."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DisclosureRules:
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - fields
        if unknown:
            raise ValueError(f"unknown disclosure rule parameters: {sorted(unknown)}")
        return cls(**data)


@dataclass(frozen=True)
class Reason:
    """Why a cell is not published as a plain number: code, legend symbol, Dutch label."""

    code: str
    status: str
    symbol: str
    label: str  # may refer to the rule parameters, e.g. {min_orgs}

    def text(self, rules: DisclosureRules) -> str:
        return self.label.format(
            min_orgs=rules.min_orgs,
            dominance_n=rules.dominance_n,
            dominance_pct=_pct(rules.dominance_k),
            min_count=rules.min_count,
            min_tail=rules.min_tail,
        )


def _pct(fraction: float) -> str:
    pct = round(fraction * 100, 1)
    return str(int(pct)) if pct == int(pct) else str(pct).replace(".", ",")


REASONS: dict[str, Reason] = {
    r.code: r
    for r in (
        Reason(TOO_FEW_ORGS, SUPPRESSED, "x", "Minder dan {min_orgs} organisaties in deze cel"),
        Reason(
            DOMINANCE,
            SUPPRESSED,
            "d",
            "De {dominance_n} grootste organisaties leveren samen meer dan {dominance_pct} % "
            "van het totaal",
        ),
        Reason(SMALL_COUNT, SUPPRESSED, "k", "Minder dan {min_count} deelnemers"),
        Reason(
            FEW_VALUES,
            SUPPRESSED,
            "p",
            "Te weinig projecten voor dit percentiel (minder dan {min_tail} aan elke kant)",
        ),
        Reason(
            SECONDARY,
            SUPPRESSED,
            "s",
            "Aanvullend onderdrukt: anders is een geheime cel uit de totalen terug te rekenen",
        ),
        Reason(NO_PROJECTS, EMPTY, ".", "Geen projecten in deze cel (aantallen zijn 0)"),
    )
}


def legend(rules: DisclosureRules = DisclosureRules()) -> pl.DataFrame:
    """The legend for the published tables: reden, symbool, status, toelichting."""
    return pl.DataFrame(
        {
            "reden": [r.code for r in REASONS.values()],
            "symbool": [r.symbol for r in REASONS.values()],
            "status": [r.status for r in REASONS.values()],
            "toelichting": [r.text(rules) for r in REASONS.values()],
        }
    )


def rounded_count(expr: pl.Expr | str, rules: DisclosureRules = DisclosureRules()) -> pl.Expr:
    """Round a count of people to a multiple of `rules.round_to`, halves up (12 -> 10, 13 -> 15)."""
    e = pl.col(expr) if isinstance(expr, str) else expr
    base = rules.round_to
    return ((e.cast(pl.Float64) / base + 0.5).floor() * base).cast(pl.Int64)


# ---------------------------------------------------------------------------------------------
# Primary suppression
# ---------------------------------------------------------------------------------------------


def primary_suppression(
    contributions: pl.DataFrame,
    keys: Sequence[str],
    rules: DisclosureRules = DisclosureRules(),
    *,
    org: str = "organisatie_id",
    value: str = "bijdrage",
    dominance: bool = False,
    small_count: bool = False,
    quantile: float | None = None,
    cells: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Decide per cell whether it may be published, from per-organisation contributions.

    `contributions` has one row per contributing unit (an organisation, or a project of one):
    the cell `keys`, the organisation in `org` and its contribution in `value` (null counts
    as 0). Rows of one organisation in one cell are added up first.

    `cells`, if given, lists every cell that must appear (the `keys` columns, one row per
    cell); a listed cell without contributions comes out with status "leeg". Cells are defined
    by their key values only, never by which organisations happen to be in them.

    Returns one row per cell: the keys, ``waarde`` (the cell total), ``organisaties``
    (contributing organisations), ``aandeel_grootste`` (share of the `dominance_n` largest
    contributions in the total), ``status`` and ``reden``:

    * fewer than `min_orgs` organisations: suppressed, ``te_weinig_organisaties`` (x);
    * `dominance`: the `dominance_n` largest contributions exceed `dominance_k` of the total:
      suppressed, ``dominantie`` (d);
    * `small_count`: the total is below `min_count`: suppressed, ``klein_aantal`` (k);
    * `quantile` q: the cell value is the q-quantile over the contributing units, one row and
      `value` 1 per unit, so the total is the number of values n; if n x min(q, 1 - q) is
      below `min_tail`: suppressed, ``te_weinig_waarden`` (p);
    * otherwise published. The first rule that applies is the reason.
    """
    keys = list(keys)
    missing = [c for c in [*keys, org, value] if c not in contributions.columns]
    if missing:
        raise ValueError(f"contributions lacks columns {missing}")
    per_org = (
        contributions.select(*keys, org, pl.col(value).cast(pl.Float64).fill_null(0.0))
        .group_by(*keys, org)
        .agg(pl.col(value).sort().sum())
    )
    n = rules.dominance_n
    # Sums in a fixed order: floating-point addition is not associative, and group order is
    # not stable, so an unsorted sum can round a published value differently between runs.
    per_cell = per_org.group_by(*keys).agg(
        pl.col(value).sort().sum().alias("waarde"),
        pl.col(org).n_unique().cast(pl.Int64).alias("organisaties"),
        pl.col(value).sort(descending=True).head(n).sum().alias("_top"),
    )
    if cells is not None:
        per_cell = (
            cells.select(keys)
            .unique(maintain_order=True)
            .join(per_cell, on=keys, how="left", nulls_equal=True, maintain_order="left")
            .with_columns(
                pl.col("waarde").fill_null(0.0),
                pl.col("organisaties").fill_null(0),
                pl.col("_top").fill_null(0.0),
            )
        )
    share = pl.when(pl.col("waarde") > 0).then(pl.col("_top") / pl.col("waarde")).otherwise(None)
    per_cell = per_cell.with_columns(share.alias("aandeel_grootste"))

    too_few = pl.col("organisaties") < rules.min_orgs
    dominated = pl.lit(dominance) & (pl.col("aandeel_grootste") > rules.dominance_k).fill_null(
        False
    )
    small = pl.lit(small_count) & (pl.col("waarde") < rules.min_count)
    tail = min(quantile, 1 - quantile) if quantile is not None else None
    few = (pl.col("waarde") * tail < rules.min_tail - 1e-9) if tail is not None else pl.lit(False)
    reason = (
        pl.when(pl.col("organisaties") == 0)
        .then(pl.lit(NO_PROJECTS))
        .when(too_few)
        .then(pl.lit(TOO_FEW_ORGS))
        .when(dominated)
        .then(pl.lit(DOMINANCE))
        .when(small)
        .then(pl.lit(SMALL_COUNT))
        .when(few)
        .then(pl.lit(FEW_VALUES))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    status = (
        pl.when(pl.col("reden").is_null())
        .then(pl.lit(PUBLISHED))
        .when(pl.col("reden") == NO_PROJECTS)
        .then(pl.lit(EMPTY))
        .otherwise(pl.lit(SUPPRESSED))
    )
    return (
        per_cell.with_columns(reason.alias("reden"))
        .with_columns(status.alias("status"))
        .select(*keys, "waarde", "organisaties", "aandeel_grootste", "status", "reden")
    )


# ---------------------------------------------------------------------------------------------
# Secondary suppression
# ---------------------------------------------------------------------------------------------


def additive_groups(groups: Iterable[tuple[str, str, Sequence[str]]]) -> pl.DataFrame:
    """Build a groups frame from (group id, margin cell id, part cell ids) tuples.

    A group says: margin = sum of parts. The frame has columns ``groep``, ``cel`` and ``rol``
    (``"totaal"`` for the margin, ``"deel"`` for a part).
    """
    rows: dict[str, list[str]] = {"groep": [], "cel": [], "rol": []}
    for group, margin, parts in groups:
        rows["groep"].append(group)
        rows["cel"].append(margin)
        rows["rol"].append(MARGIN)
        for part in parts:
            rows["groep"].append(group)
            rows["cel"].append(part)
            rows["rol"].append(PART)
    return pl.DataFrame(rows, schema={"groep": pl.String, "cel": pl.String, "rol": pl.String})


def _group_members(groups: pl.DataFrame) -> dict[str, tuple[str, list[str]]]:
    members: dict[str, tuple[str, list[str]]] = {}
    margins: dict[str, str] = {}
    parts: dict[str, list[str]] = {}
    for group, cell, role in groups.select("groep", "cel", "rol").iter_rows():
        if role == MARGIN:
            if group in margins:
                raise ValueError(f"group {group!r} has more than one margin")
            margins[group] = cell
        elif role == PART:
            parts.setdefault(group, []).append(cell)
        else:
            raise ValueError(f"group {group!r}: unknown role {role!r}")
    for group in sorted(set(margins) | set(parts)):
        if group not in margins:
            raise ValueError(f"group {group!r} has no margin")
        members[group] = (margins[group], parts.get(group, []))
    return members


def secondary_suppression(
    cells: pl.DataFrame,
    groups: pl.DataFrame,
    *,
    cell: str = "cel",
    value: str = "waarde",
) -> pl.DataFrame:
    """Add complementary suppressions so that no hidden cell follows from a margin.

    `cells` has one row per cell: an id in `cell`, the true (unrounded) `value`, and the
    ``status`` and ``reden`` from `primary_suppression`. `groups` (see `additive_groups`) lists
    the additive relations: in each group the margin equals the sum of its parts.

    While some group has exactly one hidden cell (margin or part), one more cell of that group
    is suppressed with reason ``secundair`` (s). The complement is chosen among the published
    parts with a non-zero value (a hidden zero protects nothing): the smallest part that is at
    least as large as the hidden cell, so that hiding it costs little but still covers the
    hidden value; if no part is that large, the largest part; if there is no such part, the
    margin. Ties go to the lowest cell id, so the outcome depends on the cell values only.
    Groups are visited in sorted order and the whole pass repeats until nothing changes
    (a complement can leave a linked group with one hidden cell).

    Returns `cells` with updated ``status`` and ``reden``.
    """
    for column in (cell, value, "status", "reden"):
        if column not in cells.columns:
            raise ValueError(f"cells lacks column {column!r}")
    ids = cells[cell].to_list()
    if len(set(ids)) != len(ids):
        raise ValueError("cell ids are not unique")
    values = {c: abs(float(v or 0.0)) for c, v in zip(ids, cells[value].to_list(), strict=True)}
    status = dict(zip(ids, cells["status"].to_list(), strict=True))
    members = _group_members(groups)
    unknown = {c for margin, parts in members.values() for c in (margin, *parts)} - set(ids)
    if unknown:
        raise ValueError(f"groups refer to unknown cells: {sorted(unknown)[:5]}")

    added: set[str] = set()
    changed = True
    while changed:
        changed = False
        for margin, parts in members.values():
            group_cells = [margin, *parts]
            hidden = [c for c in group_cells if status[c] == SUPPRESSED]
            if len(hidden) != 1:
                continue
            complement = _choose_complement(margin, parts, values, status, values[hidden[0]])
            if complement is None:  # nothing left to hide: the group has one cell only
                continue
            status[complement] = SUPPRESSED
            added.add(complement)
            changed = True

    return cells.with_columns(
        pl.when(pl.col(cell).is_in(list(added)))
        .then(pl.lit(SUPPRESSED))
        .otherwise(pl.col("status"))
        .alias("status"),
        pl.when(pl.col(cell).is_in(list(added)))
        .then(pl.lit(SECONDARY))
        .otherwise(pl.col("reden"))
        .alias("reden"),
    )


def _choose_complement(
    margin: str,
    parts: list[str],
    values: dict[str, float],
    status: dict[str, str],
    needed: float,
) -> str | None:
    open_parts = sorted(
        (c for c in parts if status[c] == PUBLISHED and values[c] > 0),
        key=lambda c: (values[c], c),
    )
    covering = [c for c in open_parts if values[c] >= needed]
    if covering:
        return covering[0]
    if open_parts:
        return open_parts[-1]
    if status[margin] == PUBLISHED and values[margin] > 0:
        return margin
    # Only zero-valued or empty cells are left: hide one anyway so the group keeps two unknowns.
    for c in [*parts, margin]:
        if status[c] == PUBLISHED:
            return c
    for c in [*parts, margin]:
        if status[c] == EMPTY:
            return c
    return None


# ---------------------------------------------------------------------------------------------
# Audit
# ---------------------------------------------------------------------------------------------


def recoverable_cells(cells: pl.DataFrame, groups: pl.DataFrame, *, cell: str = "cel") -> list[str]:
    """Hidden cells whose exact value follows from the published cells and the group sums.

    Every group gives one linear equation (margin - sum of parts = 0); the published and empty
    cells are known numbers, the suppressed cells unknowns. A hidden cell is recoverable when
    its unit vector lies in the row space of the equations restricted to the unknowns, i.e. when
    every solution of the homogeneous system has a zero in its place. An empty list means that
    no combination of margins and published cells, across all groups at once, pins down a
    hidden value exactly. (Bounds from non-negativity are not considered here.)
    """
    status = dict(zip(cells[cell].to_list(), cells["status"].to_list(), strict=True))
    hidden = {c for c, s in status.items() if s == SUPPRESSED}
    equations: list[dict[str, float]] = []
    for margin, parts in _group_members(groups).values():
        eq: dict[str, float] = {}
        if margin in hidden:
            eq[margin] = eq.get(margin, 0.0) + 1.0
        for p in parts:
            if p in hidden:
                eq[p] = eq.get(p, 0.0) - 1.0
        eq = {c: v for c, v in eq.items() if v != 0.0}
        if eq:
            equations.append(eq)

    # Equations that share no unknown are independent: solve each connected block on its own
    # (one block per year and measure in the benchmark), which keeps the matrices small.
    parent = {c: c for eq in equations for c in eq}

    def root(c: str) -> str:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for eq in equations:
        first, *rest = eq
        for c in rest:
            parent[root(c)] = root(first)
    blocks: dict[str, list[dict[str, float]]] = {}
    for eq in equations:
        blocks.setdefault(root(next(iter(eq))), []).append(eq)

    found: list[str] = []
    for block in blocks.values():
        unknowns = sorted({c for eq in block for c in eq})
        index = {c: i for i, c in enumerate(unknowns)}
        matrix = np.zeros((len(block), len(unknowns)))
        for r, eq in enumerate(block):
            for c, v in eq.items():
                matrix[r, index[c]] = v
        _, singular, vt = np.linalg.svd(matrix, full_matrices=True)
        rank = int((singular > 1e-9 * max(1.0, singular.max())).sum())
        null_space = vt[rank:]  # rows span the solutions of matrix @ x = 0
        if null_space.shape[0] == 0:
            found.extend(unknowns)
            continue
        free = np.abs(null_space).max(axis=0) > 1e-9
        found.extend(c for c, is_free in zip(unknowns, free, strict=True) if not is_free)
    return sorted(found)


def suppress_empty_with_projects(
    cells: pl.DataFrame, with_projects: pl.DataFrame, keys: Sequence[str]
) -> pl.DataFrame:
    """A cell that has projects but no value for a measure (say, no project with a ratio) is
    suppressed as "too few organisations", not shown as empty: "empty" would tell a reader
    that no organisation works there at all."""
    flag = with_projects.select(keys).unique().with_columns(pl.lit(True).alias("_projecten"))
    hit = (pl.col("status") == EMPTY) & pl.col("_projecten").fill_null(False)
    return (
        cells.join(flag, on=list(keys), how="left", maintain_order="left")
        .with_columns(
            pl.when(hit).then(pl.lit(SUPPRESSED)).otherwise(pl.col("status")).alias("status"),
            pl.when(hit).then(pl.lit(TOO_FEW_ORGS)).otherwise(pl.col("reden")).alias("reden"),
        )
        .drop("_projecten")
    )

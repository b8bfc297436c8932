"""Scenarios, Monte Carlo and switching values, vectorised with numpy.

Layout. The engine hands over:
- `PathwayRanges`: per parameter column j (one pathway in one parameter variant: the standard
  set or an organisation's overrides) the low/base/high of each kind, money already in euros
  of the price year, and `slot[j]`: the pathway's index in the standard set;
- `CostRanges`: per variant v the low/base/high of the cost parameters;
- `Q` (J × P): welfare quantities per column and project-year (0 where not applicable), and
  `FTE`, `VOL` (V × P): paid FTE and volunteers costed at standard rates, `fixed` (P): own cost
  lines in price-year euros.

Benefits are linear in the quantities, so for every draw k the multiplier M[k, j] (euro PV per
unit of quantity) is computed once per column and `B = M @ Q`; costs likewise. Parameter
uncertainty is systematic: one draw of, say, the WELLBY value holds for every project, so all
columns of one pathway share the same uniform number (common random numbers), mapped through
each column's own triangular low/base/high.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rendement.mkba.params import COST_KINDS, PATHWAY_KINDS

SCENARIOS = ("laag", "basis", "hoog")

# Project-year blocks (one per organisation) for the matrix products. BLAS may sum a product
# in a different order depending on the matrix shapes, so the last bits of an organisation's
# figures could depend on which other organisations share the call; computing every product
# per organisation keeps them equal, to the bit, to a call with that organisation alone.
# None: one block.
Blocks = list[slice] | None


@dataclass(frozen=True)
class PathwayRanges:
    """Arrays of shape (3, J): rows laag, basis, hoog, per kind; `slot[kind]` (J,): which
    uniform number of that kind column j draws with (its pathway's index, or for a reference
    value quoted by several pathways the index of the first of them: see `shared_slots`)."""

    values: dict[str, np.ndarray]
    slot: dict[str, np.ndarray]
    n_slots: int


@dataclass(frozen=True)
class CostRanges:
    """Arrays of shape (3, V) per cost kind."""

    values: dict[str, np.ndarray]


def annuity(duur: np.ndarray, rate: float, drop_off: np.ndarray) -> np.ndarray:
    """Σ_{t=1..duur} (1 − drop_off)^(t−1) / (1 + rate)^t, in closed form, element-wise.

    The PV of a benefit stream whose first-year impact is 1: impact_t = (1 − drop_off)^(t−1),
    discounted from t = 1 (the year after the project year, whose costs are at t = 0).
    """
    duur = np.asarray(duur, dtype=float)
    q = (1.0 - np.asarray(drop_off, dtype=float)) / (1.0 + rate)
    one = np.isclose(q, 1.0)
    safe_q = np.where(one, 0.5, q)
    geometric = np.where(one, duur, (1.0 - safe_q**duur) / (1.0 - safe_q))
    return geometric / (1.0 + rate)


def multiplier(v: dict[str, np.ndarray], rate: float) -> np.ndarray:
    """PV per unit of raw quantity: value × factor × (1−dw)(1−dp)(1−attr) × annuity."""
    return (
        v["eenheidswaarde"]
        * v["factor"]
        * (1.0 - v["deadweight"])
        * (1.0 - v["displacement"])
        * (1.0 - v["attributie"])
        * annuity(np.rint(v["duur"]), rate, v["drop_off"])
    )


def scenario_values(ranges: dict[str, np.ndarray], raises_ratio: dict[str, bool]) -> dict:
    """Per kind an array (3, n): the laag/basis/hoog *scenario* value of each column.

    Scenario laag takes for every parameter the end that lowers the ratio (low unit value,
    high deadweight, high cost), scenario hoog the other end.
    """
    out = {}
    for kind, arr in ranges.items():
        lo, mid, hi = arr
        if raises_ratio[kind]:
            out[kind] = np.stack([lo, mid, hi])
        else:
            out[kind] = np.stack([hi, mid, lo])
    return out


COST_RAISES_RATIO = {k: False for k in COST_KINDS}


def blockwise(a: np.ndarray, b: np.ndarray, blocks: Blocks) -> np.ndarray:
    """`a @ b` (n, J) or (J,) @ (J, P), per block of columns of `b` (see `Blocks`)."""
    if blocks is None:
        return a @ b
    out = np.empty((*a.shape[:-1], b.shape[1]))
    for block in blocks:
        out[..., block] = a @ b[:, block]
    return out


def blockwise_rows(a: np.ndarray, b: np.ndarray, blocks: Blocks) -> np.ndarray:
    """`a @ b` (P, J) @ (J, D), computed per block of rows of `a` (see `Blocks`)."""
    if blocks is None:
        return a @ b
    out = np.empty((a.shape[0], b.shape[1]))
    for block in blocks:
        out[block] = a[block] @ b
    return out


def costs(
    c: dict[str, np.ndarray],
    fixed: np.ndarray,
    fte: np.ndarray,
    vol: np.ndarray,
    blocks: Blocks = None,
) -> np.ndarray:
    """Costs per row of c (scenarios or draws) and project-year: (n, V) @ (V, P) + fixed."""
    per_volunteer = c["vrijwilliger_coordinatie"] + c["vrijwilliger_onkosten"]
    out = blockwise(c["fte"], fte, blocks)
    out += blockwise(per_volunteer, vol, blocks)
    out += fixed[None, :]
    return out


def ratio(benefits: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """Benefit/cost ratio, NaN where costs are 0."""
    out = np.full(np.broadcast_shapes(benefits.shape, cost.shape), np.nan)
    np.divide(benefits, cost, out=out, where=cost > 0)
    return out


def scenarios(
    pr: PathwayRanges,
    cr: CostRanges,
    q: np.ndarray,
    fixed: np.ndarray,
    fte: np.ndarray,
    vol: np.ndarray,
    rate: float,
    blocks: Blocks = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(multipliers (3, J), benefits (3, P), costs (3, P)) for laag, basis, hoog."""
    m = multiplier(scenario_values(pr.values, PATHWAY_KINDS), rate)
    c = costs(scenario_values(cr.values, COST_RAISES_RATIO), fixed, fte, vol, blocks)
    return m, blockwise(m, q, blocks), c


def triangular(u: np.ndarray, lo: np.ndarray, mode: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Inverse CDF of the triangular distribution (lo, mode, hi), element-wise; degenerate
    ranges (lo == hi) return lo."""
    width = hi - lo
    safe = np.where(width > 0, width, 1.0)
    f_mode = (mode - lo) / safe
    left = lo + np.sqrt(u * width * (mode - lo))
    right = hi - np.sqrt((1.0 - u) * width * (hi - mode))
    return np.where(width > 0, np.where(u < f_mode, left, right), lo)


def draw(ranges: dict[str, np.ndarray], u: np.ndarray) -> dict[str, np.ndarray]:
    """Per kind, draws (D, n) given uniforms u[kind] of shape (D, n)."""
    return {kind: triangular(u[kind], arr[0], arr[1], arr[2]) for kind, arr in ranges.items()}


def draw_parameters(
    pr: PathwayRanges, cr: CostRanges, rate: float, draws: int, seed: int
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The Monte Carlo draws of the parameters: multipliers (D, J) and cost rates per kind
    (D, V). The same `seed` gives the same draws in every call, so results computed in
    separate calls (organisations in batches, the sector's aggregates) share their draws."""
    path, cost = draw_values(pr, cr, draws, seed)
    return multiplier(path, rate), cost


def draw_values(
    pr: PathwayRanges, cr: CostRanges, draws: int, seed: int
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The drawn parameter values: per pathway kind (D, J), per cost kind (D, V).

    One uniform per draw and parameter of the standard set (pathway kinds by `pr.slot`, cost
    kinds); every column and variant maps it through its own triangular range.
    """
    rng = np.random.default_rng(seed)
    kinds = list(PATHWAY_KINDS)
    u_path = rng.random((draws, len(kinds), pr.n_slots))
    u_cost = rng.random((draws, len(COST_KINDS)))
    n_var = next(iter(cr.values.values())).shape[1]
    path_u = {k: u_path[:, i, :][:, pr.slot[k]] for i, k in enumerate(kinds)}
    cost_u = {
        k: np.broadcast_to(u_cost[:, i : i + 1], (draws, n_var)) for i, k in enumerate(COST_KINDS)
    }
    return draw(pr.values, path_u), draw(cr.values, cost_u)


def simulate(
    pr: PathwayRanges,
    cr: CostRanges,
    q: np.ndarray,
    fixed: np.ndarray,
    fte: np.ndarray,
    vol: np.ndarray,
    rate: float,
    draws: int,
    seed: int,
    blocks: Blocks = None,
    rate_cells: tuple[np.ndarray, ...] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Monte Carlo draws of (benefits (P, D), costs (P, D)): one row per project-year
    (parameters drawn by `draw_parameters`).

    `rate_cells` (pathway column j, project-year p, key, low, high per cell): quantities that
    rest on a reference rate (`rendement.mkba.reference`); each is multiplied per draw by a
    triangular factor (low, 1, high), one draw per key and seed (`reference_draws`), so the
    rate's uncertainty enters the interval. Drawn from their own stream: the parameter draws,
    and every result without such cells, stay the same."""
    m, c = draw_parameters(pr, cr, rate, draws, seed)
    # (P, D) layout: each project-year's draws are contiguous, which makes the quantiles fast
    benefits = blockwise_rows(q.T, m.T, blocks)
    if rate_cells is not None and len(rate_cells[0]):
        j, p, key, lo, hi = rate_cells
        s = triangular(reference_draws(key, draws, seed), lo[:, None], 1.0, hi[:, None])
        np.add.at(benefits, p, q[j, p][:, None] * (s - 1.0) * m[:, j].T)
    cost = blockwise_rows(fte.T, c["fte"].T, blocks)
    per_volunteer = c["vrijwilliger_coordinatie"] + c["vrijwilliger_onkosten"]
    cost += blockwise_rows(vol.T, per_volunteer.T, blocks)
    cost += fixed[:, None]
    return benefits, cost


REFERENCE_STREAM = 18  # the issue that brought reference rates: a fixed, separate stream


def reference_draws(keys: np.ndarray, draws: int, seed: int) -> np.ndarray:
    """Uniforms (cells, D): the same row for the same key in every call (an organisation's
    result does not depend on the others computed with it)."""
    out = np.empty((len(keys), draws))
    for key in np.unique(keys):
        u = np.random.default_rng([seed, REFERENCE_STREAM, int(key)]).random(draws)
        out[keys == key] = u
    return out


def _quantile(values: np.ndarray, q: float, inplace: bool = False) -> np.ndarray:
    """Quantile over the last axis with numpy's default ('linear') interpolation.

    One partition plus a max over the part below it: np.percentile partitions for several
    order statistics at once, which is several times slower. With `inplace` the rows of
    `values` are reordered instead of copied.
    """
    n = values.shape[-1]
    pos = q * (n - 1)
    lo = int(np.floor(pos))
    frac = pos - lo
    if lo + 1 >= n:
        return values.max(axis=-1)
    if inplace:
        values.partition(lo + 1, axis=-1)
        part = values
    else:
        part = np.partition(values, lo + 1, axis=-1)
    upper = part[..., lo + 1].copy()
    lower = part[..., : lo + 1].max(axis=-1)
    return lower + (upper - lower) * frac


def interval(
    values: np.ndarray, lower: float = 5.0, upper: float = 95.0, inplace: bool = False
) -> np.ndarray:
    """(2, P) percentiles over the draws of each row of `values` (P, D). Rows with a NaN (a
    ratio with zero costs, NaN in every draw) give NaN. `inplace` may reorder each row."""
    out = np.full((2, values.shape[0]), np.nan)
    ok = ~np.isnan(values).any(axis=1)
    if ok.any():
        sub = values if ok.all() else values[ok]
        inplace = inplace or not ok.all()  # a fancy-indexed subset is a copy already
        out[0, ok] = _quantile(sub, lower / 100, inplace)
        out[1, ok] = _quantile(sub, upper / 100, inplace)
    return out


def multiplier_without(base: dict[str, np.ndarray], rate: float, correction: str) -> np.ndarray:
    """The base-case multipliers with `correction` (deadweight, attributie) set to 0 in every
    column: B₀ of `switching_correction` is the quantities times these."""
    values = dict(base)
    values[correction] = np.zeros_like(values[correction])
    return multiplier(values, rate)


def switching_correction(benefits_without: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """The common value x of a correction (deadweight or attributie) at which baten = kosten.

    Benefits are linear in (1 − x): B(x) = B₀ · (1 − x), with B₀ the PV with that correction
    set to 0 in every outcome. Solving B₀ (1 − x) = C gives x = 1 − C / B₀. Below 0 means the
    ratio stays under 1 even without the correction; NaN where B₀ = 0.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(benefits_without > 0, 1.0 - cost / benefits_without, np.nan)

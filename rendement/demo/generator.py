"""The demo sector: invented organisations with realistic, calibrated export tables.

`generate_sector` yields one organisation at a time (`OrgDemo`), so that a benchmark can stream
hundreds of organisations and millions of trajectories without holding the sector in memory.
Everything is drawn with numpy in whole arrays; the only Python loops run over organisations,
projects, years and instruments, never over rows.

Determinism: organisation `i` draws from its own random stream, seeded by `(seed, i)`. The same
seed gives the same organisation whatever the number of organisations asked for, and the same
frames (and so the same export bytes) on every run.

The numbers come from `profiles.py`; `docs/demo.md` explains the calibration.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl

from rendement.demo import profiles as P
from schemas.tables import (
    MAX_AMOUNT,
    MAX_FTE_PER_PROJECT,
    MAX_HOURS_PER_YEAR,
    MAX_VOLUNTEERS,
    polars_schema,
)
from schemas.vocabulary import (
    AGE_BANDS,
    ALL_INTERVENTIONS,
    COST_TYPES,
    DOMAINS,
    END_REASONS,
    INTERVENTIONS,
    RECOGNITION_LEVELS,
)

TABLES: tuple[str, ...] = ("organisatie", "project", "traject", "meting", "inzet", "kosten")
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit minus the header row
DEFAULT_YEARS: tuple[int, ...] = (2023, 2024, 2025)

# Integer codes for the vocabularies, in vocabulary order.
_DOMAINS = list(DOMAINS)
_REASONS = list(END_REASONS)
_INSTRUMENTS = ["zrm", "djg11", "djg6", "positieve_gezondheid", "participatieladder"]
_ZRM, _DJG11, _DJG6, _PG, _LADDER = range(5)
_OUDEREN, _SCHULDEN, _ACTIVERING, _JONGEREN = (
    _DOMAINS.index(d)
    for d in ("ouderen_eenzaamheid", "schulden_armoede", "activering", "jongerenwerk")
)
_DOMAIN_OF = np.array(
    [_DOMAINS.index(d) for code in ALL_INTERVENTIONS for d, per in INTERVENTIONS.items()
     if code in per]
)  # fmt: skip
_PER_DOMAIN = [np.array([ALL_INTERVENTIONS.index(c) for c in INTERVENTIONS[d]]) for d in _DOMAINS]
_PROFILES = [P.INTERVENTIONS[c] for c in ALL_INTERVENTIONS]


def export_schema(table: str) -> dict[str, pl.DataType]:
    """Columns and dtypes of a table as an organisation exports it.

    The canonical columns minus `organisatie_id` (set at intake from the inbox folder); in
    `traject` the organisation's own `client_id` stands where `client_pseudoniem` will be.
    """
    schema: dict[str, pl.DataType] = {}
    for name, dtype in polars_schema(table).items():
        if name == "organisatie_id":
            continue
        if name == "client_pseudoniem":
            schema["client_id"] = pl.String
        else:
            schema[name] = dtype
    return schema


@dataclass
class OrgDemo:
    """One invented organisation and its export tables per year.

    `tables[jaar][tabel]` holds typed polars frames in export form (`export_schema`). The
    remaining fields describe how its registration system writes files (see `exports.py`).
    """

    organisatie_id: str
    naam: str
    encoding: str  # "utf-8", "utf-8-sig" (with BOM) or "cp1252"
    file_format: str  # "csv" or "xlsx"
    tables: dict[int, dict[str, pl.DataFrame]]
    titelregel: bool = False  # csv: a stray title row above the header
    lege_regels: int = 0  # csv: empty lines after the data
    # how the organisation registers (`kinds.KINDS`): client trajectories ("registratie"),
    # activities, a project sheet as CSV or as the Excel template, or a plan
    kind: str = "registratie"
    # "activiteiten": per year the attendance list, one row per person present per meeting,
    # with the headers of `sources/mappings/presentielijst.yaml`
    attendance: dict[int, pl.DataFrame] = field(default_factory=dict)

    @property
    def trajecten(self) -> int:
        """Distinct trajectories over all years."""
        ids = [t["traject"]["traject_id"] for t in self.tables.values() if "traject" in t]
        return pl.concat(ids).n_unique() if ids else 0


# --- municipalities and names ---------------------------------------------------------------


def load_municipalities(path: Path | None = P.GEMEENTEN_CSV) -> list[str]:
    """CBS municipality codes to place organisations, projects and clients in.

    By default the `gemeente_code` column of `rendement/data/gemeenten.csv` (`,` or `;`
    separated); when that file is absent, or with `path=None`, the built-in list of large
    municipalities (`profiles.BUILTIN_MUNICIPALITIES`).
    """
    if path is None or not Path(path).is_file():
        return [code for code, _name in P.BUILTIN_MUNICIPALITIES]
    first = Path(path).read_text(encoding="utf-8-sig").split("\n", 1)[0]
    frame = pl.read_csv(path, separator=";" if ";" in first else ",", infer_schema=False)
    codes = frame["gemeente_code"].drop_nulls().str.strip_chars().unique().sort()
    codes = codes.filter(codes.str.contains(r"^GM\d{4}$")).to_list()
    if not codes:
        raise ValueError(f"no gemeente_code values like GM0363 in {path}")
    return codes


def organisation_names(seed: int, count: int) -> list[str]:
    """`count` distinct invented names, the first of them independent of `count`."""
    rng = np.random.default_rng([seed, 0])
    plain = [f"{p} {c}" for p in P.ORG_PREFIXES for c in P.ORG_CORES]
    qualified = [f"{n} {q}" for n in plain for q in P.ORG_QUALIFIERS]
    pool = [plain[i] for i in rng.permutation(len(plain))]
    pool += [qualified[i] for i in rng.permutation(len(qualified))]
    return [
        pool[i % len(pool)] + (f" {i // len(pool) + 1}" if i >= len(pool) else "")
        for i in range(count)
    ]


# --- the sector -----------------------------------------------------------------------------


def generate_sector(
    orgs: int = 40,
    seed: int = 7,
    years: tuple[int, ...] = DEFAULT_YEARS,
    trajectories_per_org: int | None = None,
    *,
    gemeenten: Sequence[str] | None = None,
) -> Iterator[OrgDemo]:
    """Yield `orgs` invented organisations, one at a time.

    `trajectories_per_org`: exactly this many trajectories per organisation start in the
    exported years (spread over its projects and years by their reach), plus those carried
    over from the simulated warm-up year before the first; `None` lets each organisation's
    size decide.
    `gemeenten`: CBS codes to draw municipalities from (default: `load_municipalities()`).
    """
    if orgs < 0:
        raise ValueError("orgs must be >= 0")
    if trajectories_per_org is not None and trajectories_per_org < 0:
        raise ValueError("trajectories_per_org must be >= 0")
    year_list = sorted({int(y) for y in years})
    if not year_list:
        raise ValueError("at least one year is needed")
    municipalities = list(gemeenten) if gemeenten is not None else load_municipalities()
    names = organisation_names(seed, orgs)
    for index in range(1, orgs + 1):
        yield _generate_org(
            seed, index, names[index - 1], year_list, trajectories_per_org, municipalities
        )


# --- helpers --------------------------------------------------------------------------------


def _day(text: str) -> int:
    return int(np.datetime64(text, "D").astype(np.int64))


def _year_of(days: np.ndarray) -> np.ndarray:
    return days.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970


def _cumulative(probabilities: Sequence[float]) -> np.ndarray:
    cum = np.cumsum(np.asarray(probabilities, dtype=float))
    return cum / cum[-1]


def _table(rows: Sequence[dict[str, float]], categories: Sequence[str]) -> np.ndarray:
    """Cumulative probabilities per row over `categories` (rows without weight: uniform)."""
    out = []
    for row in rows:
        weights = [row.get(c, 0.0) for c in categories]
        out.append(_cumulative(weights if sum(weights) > 0 else [1.0] * len(categories)))
    return np.array(out)


def _pick(u: np.ndarray, cum_table: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Categorical draw per row: the category of uniform `u` under the row's cumulative table."""
    if len(u) == 0:
        return np.zeros(0, dtype=np.int64)
    return (u[:, None] >= cum_table[keys, :-1]).sum(axis=1)


def _decode(column: str, values: Sequence[str]) -> pl.Expr:
    """Integer code column -> string; a negative code becomes null."""
    return pl.col(column).replace_strict(
        list(range(len(values))), list(values), default=None, return_dtype=pl.String
    )


def _code_id(column: str, prefix: str, width: int) -> pl.Expr:
    return pl.concat_str(pl.lit(prefix), pl.col(column).cast(pl.String).str.zfill(width))


def _conform(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    return frame.select(pl.col(c).cast(t) for c, t in export_schema(table).items())


def _loneliness_population(lonely: float, severe: float) -> np.ndarray:
    """Distribution over djg11 scores 0..11 with exactly the given lonely and severe shares."""
    bands = [np.asarray(s, dtype=float) / np.sum(s) for s in P.LONELINESS_BAND_SHAPES]
    return np.concatenate(
        [bands[0] * (1 - lonely), bands[1] * (lonely - severe), bands[2] * severe]
    )


def loneliness_baseline(intervention: str, age_group: str) -> np.ndarray:
    """Probabilities of djg11 scores 0..11 at T0 among the people an intervention reaches.

    The age group's population distribution (Gezondheidsmonitor, `profiles`) tilted by
    exp(beta * score): who is reached is lonelier than average.
    """
    lonely, severe = P.LONELINESS_POPULATION[age_group]
    tilted = _loneliness_population(lonely, severe) * np.exp(
        P.LONELINESS_SELECTION_BETA[intervention] * np.arange(12)
    )
    return tilted / tilted.sum()


# Lookup arrays per intervention (index = position in ALL_INTERVENTIONS).
def _per_intervention(attr: str) -> np.ndarray:
    return np.array([getattr(prof, attr) for prof in _PROFILES], dtype=float)


_REACH = _per_intervention("reach")
_CASELOAD = _per_intervention("caseload")
_DURATION = _per_intervention("duration_days")
_DURATION_SIGMA = _per_intervention("duration_sigma")
_VOLUNTEERS = _per_intervention("volunteers_per_traject")
_VOLUNTEER_HOURS = _per_intervention("hours_per_volunteer")
_MATERIAL = _per_intervention("material_per_traject")
_EXTRA_HOUSING = _per_intervention("extra_housing")
_T0_CHANCE = _per_intervention("t0_chance")
_PAID_WORK = _per_intervention("paid_work_chance")
_AGE_TABLE = _table([prof.age for prof in _PROFILES], AGE_BANDS)
_RECOGNITION = list(RECOGNITION_LEVELS)
_RECOGNITION_TABLE = _table([prof.recognition for prof in _PROFILES], _RECOGNITION)
_REASON_TABLE = _table([P.END_REASON_SHARES[d] for d in _DOMAINS], _REASONS)
_T1_CHANCE = np.array([P.T1_CHANCE[r] for r in _REASONS])
_EFFECT_FACTOR = np.array([P.EFFECT_FACTOR[r] for r in _REASONS])
_EARLY_REASONS = np.array([_REASONS.index(r) for r in ("voortijdig", "verhuisd", "overleden")])
_REFERRED = _REASONS.index("doorverwezen")
_EFFECT_MEAN = np.zeros((len(_INSTRUMENTS), len(_PROFILES)))
_EFFECT_SD = np.ones((len(_INSTRUMENTS), len(_PROFILES)))
for _i, _prof in enumerate(_PROFILES):
    for _instrument, (_mean, _sd) in _prof.effect.items():
        _EFFECT_MEAN[_INSTRUMENTS.index(_instrument), _i] = _mean
        _EFFECT_SD[_INSTRUMENTS.index(_instrument), _i] = _sd
# ZRM per (intervention, domain): row `intervention * _N_DOM + domain` of the baseline table.
_ZRM_DOMAINS = list(P.ZRM_DOMAINS)
_N_DOM = len(_ZRM_DOMAINS)
_ZRM_TABLE = _table(
    [
        dict(zip("12345", prof.zrm[d][0] if d in prof.zrm else (), strict=False))
        for prof in _PROFILES
        for d in _ZRM_DOMAINS
    ],
    "12345",
)
_ZRM_MEAN = np.array(
    [[prof.zrm[d][1] if d in prof.zrm else 0.0 for d in _ZRM_DOMAINS] for prof in _PROFILES]
)
_ZRM_SD = np.array(
    [[prof.zrm[d][2] if d in prof.zrm else 1.0 for d in _ZRM_DOMAINS] for prof in _PROFILES]
)
# The ZRM domains each intervention scores (indices into _ZRM_DOMAINS, profile order).
_ZRM_ITEMS = [[_ZRM_DOMAINS.index(d) for d in prof.zrm] for prof in _PROFILES]
_LADDER_TABLE = _table(
    [dict(zip("123456", prof.baseline.get("participatieladder", ()), strict=False))
     for prof in _PROFILES],
    "123456",
)  # fmt: skip
_PG_BASE = np.array(
    [prof.baseline.get("positieve_gezondheid", (5.0, 1.0)) for prof in _PROFILES], dtype=float
)
# Loneliness baseline per (ouderen intervention, age group 65-74 | 75+).
_LONELY_INTERVENTIONS = list(INTERVENTIONS["ouderen_eenzaamheid"])
_LONELY_KEY = np.array(
    [_LONELY_INTERVENTIONS.index(c) if c in _LONELY_INTERVENTIONS else 0 for c in ALL_INTERVENTIONS]
)
_LONELY_TABLE = np.array(
    [
        np.cumsum(loneliness_baseline(code, group))
        for code in _LONELY_INTERVENTIONS
        for group in ("65-74", "75+")
    ]
)
_AGE_75 = AGE_BANDS.index("75-84")
# `onderdeel` codes: the ZRM domains, the ZRM 2017 names, the Positieve Gezondheid dimension.
_PARTS = [*_ZRM_DOMAINS, *P.ZRM_2017_NAMES.values(), P.PG_PART]
_PART_2017 = np.array(
    [_PARTS.index(P.ZRM_2017_NAMES.get(d, d)) for d in _ZRM_DOMAINS]
)  # ZRM domain index -> onderdeel code index on the ZRM 2017
_PART_PG = _PARTS.index(P.PG_PART)
_MOMENTS = ["T0", "T1"]
_COST_TYPES = list(COST_TYPES)  # the cost columns of `_effort_and_costs`, in this order


def _lognormal(rng: np.random.Generator, sd: float, shape) -> np.ndarray:
    return rng.lognormal(0.0, sd, shape)


def _shares(weights: dict) -> list[float]:
    total = sum(weights.values())
    return [w / total for w in weights.values()]


def _scores(
    rng: np.random.Generator,
    instr: np.ndarray,
    dom: np.ndarray,
    ivt: np.ndarray,
    age: np.ndarray,
    reason: np.ndarray,
    effect: np.ndarray,
    traj: np.ndarray,
    n_traj: int,
    djg: int,
) -> tuple[np.ndarray, np.ndarray]:
    """T0 and T1 score per measured item (trajectory x instrument x ZRM domain).

    All arguments are per item; `dom` is the ZRM domain (-1 for other instruments) and `traj`
    the item's trajectory (0 .. n_traj-1), whose ZRM domains share a common draw. `effect`
    scales the intervention's mean improvement: organisation and project quality times the
    damping for who did not finish. T1 is used only where it is measured.
    """
    n = len(instr)
    u_base, z_base = rng.random(n), rng.standard_normal(n)
    z_effect, u_paid, u_level = rng.standard_normal(n), rng.random(n), rng.random(n)
    u_mix, u_common, z_common = rng.random(n), rng.random(n_traj), rng.standard_normal(n_traj)
    mean, sd = _EFFECT_MEAN[instr, ivt] * effect, _EFFECT_SD[instr, ivt]
    score0, score1 = np.zeros(n), np.zeros(n)

    # Loneliness: simulated on the 11-item scale, mapped to the 6-item scale where used
    # (round(score * 6/11) keeps the cut-offs: 3+ -> 2+ lonely, 9+ -> 5+ severely).
    lonely = np.flatnonzero((instr == _DJG11) | (instr == _DJG6))
    key = _LONELY_KEY[ivt[lonely]] * 2 + (age[lonely] >= _AGE_75)
    s0 = _pick(u_base[lonely], _LONELY_TABLE, key)
    room = np.minimum(1.0, s0 / P.LONELINESS_ROOM_SCORE)
    improvement = (
        _EFFECT_MEAN[_DJG11, ivt[lonely]] * effect[lonely] * room
        + _EFFECT_SD[_DJG11, ivt[lonely]] * z_effect[lonely]
    )
    s1 = np.clip(s0 - np.rint(improvement), 0, 11)
    to_six = 6.0 / 11.0 if djg == _DJG6 else 1.0
    score0[lonely], score1[lonely] = np.rint(s0 * to_six), np.rint(s1 * to_six)

    # ZRM (1-5), whole steps, per domain. A client's domains hang together: at T0 a domain
    # takes the client's common uniform with chance ZRM_SHARED, and its change shares that
    # part of the variance. Only problem domains (<= ZRM_PROBLEM_MAX) get the improvement;
    # score 4 fluctuates by a step either way, score 5 (no problem at all) stays.
    zrm = np.flatnonzero(instr == _ZRM)
    zt, zi, zd = traj[zrm], ivt[zrm], dom[zrm]
    u = np.where(u_mix[zrm] < P.ZRM_SHARED, u_common[zt], u_base[zrm])
    s0 = _pick(u, _ZRM_TABLE, zi * _N_DOM + zd) + 1
    z = np.sqrt(P.ZRM_SHARED) * z_common[zt] + np.sqrt(1.0 - P.ZRM_SHARED) * z_effect[zrm]
    change = np.where(
        s0 <= P.ZRM_PROBLEM_MAX,
        _ZRM_MEAN[zi, zd] * effect[zrm] + _ZRM_SD[zi, zd] * z,
        np.where(s0 < 5, P.ZRM_STABLE_SD * z, 0.0),  # a domain without problems stays so
    )
    score0[zrm] = s0
    score1[zrm] = np.clip(s0 + np.rint(change), 1, 5)

    # Participatieladder: 0-2 steps up to at most step 4 (unpaid work); paid work (5 with
    # support, 6 without) is a separate draw for who is on step 3 or higher at T0.
    ladder = np.flatnonzero(instr == _LADDER)
    s0 = _pick(u_base[ladder], _LADDER_TABLE, ivt[ladder]) + 1
    step = np.clip(np.rint(mean[ladder] + sd[ladder] * z_effect[ladder]), 0, 2)
    unpaid = np.minimum(s0 + step, np.maximum(s0, P.LADDER_UNPAID_MAX))
    paid = (
        (u_paid[ladder] < _PAID_WORK[ivt[ladder]] * effect[ladder])
        & (s0 >= P.LADDER_PAID_FROM)
        & (s0 < 6)
    )
    level = np.where((u_level[ladder] < P.LADDER_PAID_WITHOUT_SUPPORT) | (s0 >= 5), 6, 5)
    score0[ladder] = s0
    score1[ladder] = np.where(paid, level, unpaid)

    # Positieve Gezondheid (0-10): one decimal.
    pg = np.flatnonzero(instr == _PG)
    s0 = np.clip(_PG_BASE[ivt[pg], 0] + _PG_BASE[ivt[pg], 1] * z_base[pg], 0, 10).round(1)
    score0[pg] = s0
    score1[pg] = np.clip(s0 + mean[pg] + sd[pg] * z_effect[pg], 0, 10).round(1)
    return score0, score1


def effort_and_costs(
    rng: np.random.Generator,
    counts: np.ndarray,
    iv: np.ndarray,
    active_days: np.ndarray,
    wage: float,
    overhead_rate: float,
) -> tuple[np.ndarray, ...]:
    """FTE, hours, volunteers, volunteer hours and cost lines per project x year cell.

    FTE follows reach through the intervention's caseload; personnel cost is FTE times the
    organisation's wage cost per FTE; overhead a share of the direct costs. Values are capped
    at the plausibility bounds of the contract (`schemas.tables`).
    """
    shape = counts.shape
    fte = np.minimum(
        np.maximum(
            P.MIN_FTE * active_days / 365.0,
            counts / _CASELOAD[iv][:, None] * _lognormal(rng, 0.15, shape),
        ),
        MAX_FTE_PER_PROJECT,
    ).round(2)
    hours = np.minimum(fte * rng.uniform(*P.WRITTEN_HOURS_PER_FTE, shape), MAX_HOURS_PER_YEAR)
    volunteers = np.minimum(
        np.rint(counts * _VOLUNTEERS[iv][:, None] * _lognormal(rng, 0.2, shape)), MAX_VOLUNTEERS
    )
    volunteer_hours = np.minimum(
        volunteers * _VOLUNTEER_HOURS[iv][:, None] * _lognormal(rng, 0.15, shape),
        MAX_HOURS_PER_YEAR,
    )
    direct = np.stack(
        [
            fte * wage * _lognormal(rng, P.WAGE_NOISE_SD, shape),
            volunteers * rng.uniform(*P.VOLUNTEER_COST, shape),
            counts * _MATERIAL[iv][:, None] * _lognormal(rng, 0.25, shape),
            fte * rng.uniform(*P.HOUSING_PER_FTE, shape)
            + _EXTRA_HOUSING[iv][:, None] * active_days / 365.0,
        ],
        axis=-1,
    )
    costs = np.concatenate([direct, overhead_rate * direct.sum(-1, keepdims=True)], axis=-1)
    return (
        fte,
        hours.round(1),
        volunteers.astype(np.int64),
        volunteer_hours.round(0),
        np.minimum(costs, MAX_AMOUNT).round(2),
    )


# --- one organisation -----------------------------------------------------------------------


def _generate_org(
    seed: int,
    index: int,
    naam: str,
    years: list[int],
    per_org: int | None,
    municipalities: list[str],
) -> OrgDemo:
    rng = np.random.default_rng([seed, index])
    n_mun = len(municipalities)
    # One warm-up year is simulated before the first exported year, so the sector starts in a
    # steady state: the first year's exports hold trajectories that started the year before
    # (with their T0 measurement), just as a real organisation's first export would. Without it
    # the first year has costs but hardly any completed trajectories, and a trend of benefit/
    # cost ratios would show a ramp-up that is an artefact of the demo, not of social work.
    export_years = list(years)
    years = [export_years[0] - 1, *export_years]
    n_years = len(years)

    # The organisation: size, export habits, cost level, quality.
    size = rng.lognormal(0.0, P.SIZE_SIGMA)
    encoding = str(rng.choice(list(P.ENCODINGS), p=_shares(P.ENCODINGS)))
    is_xlsx = rng.random() < P.XLSX_SHARE
    titelregel = bool(rng.random() < P.TITLE_ROW_SHARE) and not is_xlsx
    blank = int(rng.choice(list(P.TRAILING_BLANK_LINES), p=_shares(P.TRAILING_BLANK_LINES)))
    home = int(rng.integers(n_mun))
    djg = _DJG6 if rng.random() < P.DJG6_SHARE else _DJG11
    wage = rng.uniform(*P.WAGE_COST_PER_FTE)
    overhead_rate = rng.uniform(*P.OVERHEAD_RATE)
    quality = rng.lognormal(0.0, P.ORG_QUALITY_SD)
    growth = rng.normal(P.YEARLY_GROWTH_MEAN, P.YEARLY_GROWTH_SD)

    # Projects: domain, intervention, recognition, life span, municipality, instrument.
    n_proj = int(
        np.clip(
            np.rint(
                P.PROJECTS_BASE
                + P.PROJECTS_PER_LOG_SIZE * np.log(size)
                + rng.normal(0.0, P.PROJECTS_NOISE)
            ),
            P.PROJECTS_MIN,
            P.PROJECTS_MAX,
        )
    )
    dom = rng.choice(len(_DOMAINS), n_proj, p=[P.DOMAIN_WEIGHTS[d] for d in _DOMAINS])
    pick = rng.random(n_proj)
    iv = np.array(
        [_PER_DOMAIN[d][int(u * len(_PER_DOMAIN[d]))] for d, u in zip(dom, pick, strict=True)]
    )
    recognition = _pick(rng.random(n_proj), _RECOGNITION_TABLE, iv)
    recognition[rng.random(n_proj) < P.RECOGNITION_MISSING] = -1
    kind = rng.choice(3, n_proj, p=[P.PROJECT_KIND[k] for k in ("lopend", "nieuw", "gestopt")])
    first_day, horizon = _day(f"{years[0]}-01-01"), _day(f"{years[-1]}-12-31")
    earliest = _day(P.PROJECTS_EARLIEST_START)
    u_start, u_end = rng.random(n_proj), rng.random(n_proj)
    p_start = np.where(
        kind == 1,
        first_day + 90 + (u_start * (horizon - 270 - first_day)).astype(np.int64),
        earliest + (u_start * (first_day - earliest)).astype(np.int64),
    )
    no_end = horizon + 100_000
    p_end = np.where(
        kind == 2, first_day + 180 + (u_end * (horizon - 270 - first_day)).astype(np.int64), no_end
    )
    p_gem = np.where(
        rng.random(n_proj) < P.PROJECT_IN_HOME_MUNICIPALITY, home, rng.integers(n_mun, size=n_proj)
    )
    youth_zrm = rng.random(n_proj) < P.JONGEREN_ZRM_SHARE
    p_instr = np.select(
        [dom == _OUDEREN, dom == _SCHULDEN, dom == _ACTIVERING, youth_zrm],
        [djg, _ZRM, _LADDER, _ZRM],
        _PG,
    )
    # What each project measures: one item per trajectory, or its ZRM domains (padded, -1).
    p_items = [_ZRM_ITEMS[iv[j]] if p_instr[j] == _ZRM else [-1] for j in range(n_proj)]
    p_nitems = np.array([len(items) for items in p_items], dtype=np.int64)
    p_dom = np.full((n_proj, int(p_nitems.max())), -1, dtype=np.int64)
    for j, items in enumerate(p_items):
        p_dom[j, : len(items)] = items
    reach_mult = _lognormal(rng, P.PROJECT_REACH_SIGMA, n_proj)
    p_quality = _lognormal(rng, P.PROJECT_QUALITY_SD, n_proj)
    u_name, u_wijk = rng.random(n_proj), rng.integers(len(P.NEIGHBOURHOODS), size=n_proj)
    p_names: list[str] = []
    for j in range(n_proj):
        templates = _PROFILES[iv[j]].names
        name = templates[int(u_name[j] * len(templates))].format(wijk=P.NEIGHBOURHOODS[u_wijk[j]])
        p_names.append(name if name not in p_names else f"{name} {p_names.count(name) + 1}")

    # Cells project x year: active days, expected and actual new trajectories.
    jan1 = np.array([_day(f"{y}-01-01") for y in years])
    dec31 = np.array([_day(f"{y}-12-31") for y in years])
    win_start = np.maximum(p_start[:, None], jan1[None, :])
    win_end = np.minimum(p_end[:, None], dec31[None, :])
    active_days = np.clip(win_end - win_start + 1, 0, None)
    trend = (1.0 + growth) ** (np.array(years) - years[0])
    expected = (
        _REACH[iv][:, None] * size * reach_mult[:, None] * active_days / 365.0 * trend[None, :]
    )
    if per_org is None:
        n = int(rng.poisson(expected.sum()))
        counts = rng.multinomial(n, expected.ravel() / expected.sum()).reshape(n_proj, n_years)
    else:
        # exactly `per_org` trajectories start in the exported years; the warm-up year gets
        # its share on top (at the same rate), only part of which is still active in them
        exported = expected[:, 1:]
        counts = np.zeros((n_proj, n_years), dtype=np.int64)
        if exported.sum() > 0:
            counts[:, 1:] = rng.multinomial(
                int(per_org), exported.ravel() / exported.sum()
            ).reshape(n_proj, n_years - 1)
            rate = per_org / exported.sum()
            counts[:, 0] = rng.poisson(expected[:, 0] * rate)
        n = int(counts.sum())

    # Trajectories (one row each, all years): dates, end reason, age, municipality.
    cell = np.repeat(np.arange(n_proj * n_years), counts.ravel())
    p, yc = cell // n_years, cell % n_years
    start = win_start[p, yc] + (rng.random(n) * active_days[p, yc]).astype(np.int64)
    ivt = iv[p]
    dt = _DOMAIN_OF[ivt]
    duration = rng.lognormal(np.log(_DURATION[ivt]), _DURATION_SIGMA[ivt])
    reason = _pick(rng.random(n), _REASON_TABLE, dt)
    duration = duration * np.where(
        np.isin(reason, _EARLY_REASONS),
        rng.uniform(*P.EARLY_STOP_FRACTION, n),
        np.where(reason == _REFERRED, rng.uniform(*P.REFERRED_FRACTION, n), 1.0),
    )
    end = np.minimum(start + np.maximum(1, np.rint(duration)).astype(np.int64), p_end[p])
    age = _pick(rng.random(n), _AGE_TABLE, ivt)
    u_gem = rng.random(n)
    t_gem = np.where(
        u_gem < P.CLIENT_IN_PROJECT_MUNICIPALITY,
        p_gem[p],
        np.where(u_gem < 1 - P.CLIENT_MUNICIPALITY_MISSING, rng.integers(n_mun, size=n), -1),
    )
    order = np.lexsort((p, start))
    p, start, end, reason, age, t_gem, ivt, dt = (
        a[order] for a in (p, start, end, reason, age, t_gem, ivt, dt)
    )
    client_width = max(6, len(str(4 * n)) + 1)
    clients = rng.integers(1, 10 ** (client_width - 1)) + np.cumsum(rng.integers(1, 4, n))
    clients = clients[rng.permutation(n)]
    clients = np.where(
        rng.random(n) < P.CLIENT_REPEAT_SHARE, clients[rng.integers(0, max(n, 1), n)], clients
    )

    # Measurements: T0 for most, T1 for who ended (and was measured). A trajectory is measured
    # on one item, or on each ZRM domain its project scores (all at the same moments).
    zrm_2017 = rng.random() < P.ZRM_2017_SHARE  # the organisation's ZRM version
    span = end - start
    t0_date = start + np.minimum(rng.integers(0, P.T0_DELAY_DAYS + 1, n), span // 3)
    t1_date = end - np.minimum(rng.integers(0, P.T1_LEAD_DAYS + 1, n), span // 3)
    t0_ok = (rng.random(n) < _T0_CHANCE[ivt]) & (t0_date <= horizon)
    t1_ok = t0_ok & (end <= horizon) & (rng.random(n) < _T1_CHANCE[reason])
    effect = quality * p_quality[p] * _EFFECT_FACTOR[reason]
    k_per = p_nitems[p]
    item_t = np.repeat(np.arange(n), k_per)  # the trajectory of each item
    item_k = np.arange(item_t.size) - np.repeat(np.cumsum(k_per) - k_per, k_per)
    item_dom = p_dom[p[item_t], item_k]
    item_instr = p_instr[p[item_t]]
    score0, score1 = _scores(
        rng,
        item_instr,
        item_dom,
        ivt[item_t],
        age[item_t],
        reason[item_t],
        effect[item_t],
        item_t,
        n,
        djg,
    )
    item_part = np.select(
        [item_instr == _ZRM, item_instr == _PG],
        [_PART_2017[item_dom] if zrm_2017 else item_dom, _PART_PG],
        -1,
    )

    fte, hours, volunteers, volunteer_hours, costs = effort_and_costs(
        rng, counts, iv, active_days, wage, overhead_rate
    )

    # --- frames ---------------------------------------------------------------------------
    project_ids = [f"P{j + 1:03d}" for j in range(n_proj)]
    id_width = max(6, len(str(n)))
    trajectories = pl.DataFrame(
        {
            "seq": np.arange(1, n + 1),
            "p": p,
            "client": clients,
            "start": start.astype(np.int32),
            "end": end.astype(np.int32),
            "reason": reason,
            "age": age,
            "gem": t_gem,
        }
    ).select(
        _code_id("seq", "TR", id_width).alias("traject_id"),
        _decode("p", project_ids).alias("project_id"),
        _code_id("client", "K", client_width).alias("client_id"),
        pl.col("start").cast(pl.Date).alias("startdatum"),
        pl.col("end").cast(pl.Date).alias("_einde"),
        _decode("reason", _REASONS).alias("_reden"),
        _decode("age", AGE_BANDS).alias("leeftijdsklasse"),
        _decode("gem", municipalities).alias("gemeente_code"),
    )
    item_t0, item_t1 = t0_ok[item_t], t1_ok[item_t]
    rows = np.concatenate([np.flatnonzero(item_t0), np.flatnonzero(item_t1)])
    moment = np.repeat([0, 1], [int(item_t0.sum()), int(item_t1.sum())])
    measured = np.lexsort((moment, rows))  # by trajectory, item, moment
    rows, moment = rows[measured], moment[measured]
    traj_of = item_t[rows]
    m_date = np.where(moment == 0, t0_date[traj_of], t1_date[traj_of])
    measurements = pl.DataFrame(
        {
            "seq": traj_of + 1,
            "instr": item_instr[rows],
            "part": item_part[rows],
            "moment": moment,
            "datum": m_date.astype(np.int32),
            "score": np.where(moment == 0, score0[rows], score1[rows]),
            "year": _year_of(m_date),
        }
    ).select(
        _code_id("seq", "TR", id_width).alias("traject_id"),
        _decode("instr", _INSTRUMENTS).alias("instrument"),
        _decode("part", _PARTS).alias("onderdeel"),
        _decode("moment", _MOMENTS).alias("moment"),
        pl.col("datum").cast(pl.Date),
        pl.col("score"),
        pl.col("year"),
    )
    projects = pl.DataFrame(
        {
            "project_id": project_ids,
            "naam": p_names,
            "dom": dom,
            "iv": iv,
            "rec": recognition,
            "start": p_start.astype(np.int32),
            "end": np.minimum(p_end, 2**31 - 1).astype(np.int32),
            "gem": p_gem,
        }
    ).select(
        "project_id",
        "naam",
        _decode("dom", _DOMAINS).alias("domein"),
        _decode("iv", ALL_INTERVENTIONS).alias("interventie"),
        _decode("rec", _RECOGNITION).alias("erkenning"),
        pl.col("start").cast(pl.Date).alias("startdatum"),
        pl.col("end").cast(pl.Date).alias("_einde"),
        _decode("gem", municipalities).alias("gemeente_code"),
    )
    cell_p, cell_y = np.nonzero(active_days > 0)
    effort = pl.DataFrame(
        {
            "project_id": [project_ids[j] for j in cell_p],
            "jaar": np.array(years)[cell_y],
            "fte_betaald": fte[cell_p, cell_y],
            "uren_betaald": hours[cell_p, cell_y],
            "vrijwilligers": volunteers[cell_p, cell_y],
            "uren_vrijwilligers": volunteer_hours[cell_p, cell_y],
        }
    )
    cost_lines = (
        pl.DataFrame(
            {
                "project_id": np.repeat(np.array(project_ids)[cell_p], len(_COST_TYPES)),
                "jaar": np.repeat(np.array(years)[cell_y], len(_COST_TYPES)),
                "kind": np.tile(np.arange(len(_COST_TYPES)), len(cell_p)),
                "bedrag": costs[cell_p, cell_y].ravel(),
            }
        )
        .filter(pl.col("bedrag") > 0)
        .select("project_id", "jaar", _decode("kind", _COST_TYPES).alias("kostensoort"), "bedrag")
    )

    tables: dict[int, dict[str, pl.DataFrame]] = {}
    for y in export_years:
        year_start, year_end = np.datetime64(f"{y}-01-01"), np.datetime64(f"{y}-12-31")
        known = pl.col("_einde") <= pl.lit(year_end).cast(pl.Date)
        active = (pl.col("startdatum") <= pl.lit(year_end).cast(pl.Date)) & (
            pl.col("_einde") >= pl.lit(year_start).cast(pl.Date)
        )
        exported = trajectories.filter(active)
        # measurements appear in the export of their year; the first export also carries the
        # earlier measurements (warm-up T0s) of the trajectories it holds
        in_year = (pl.col("year") <= y if y == export_years[0] else pl.col("year") == y) & pl.col(
            "traject_id"
        ).is_in(exported["traject_id"].implode())
        frames = {
            "organisatie": pl.DataFrame({"naam": [naam], "gemeente_code": [municipalities[home]]}),
            "project": projects.filter(active).with_columns(
                pl.when(known).then(pl.col("_einde")).alias("einddatum")
            ),
            "traject": exported.with_columns(
                pl.when(known).then(pl.col("_einde")).alias("einddatum"),
                pl.when(known).then(pl.col("_reden")).alias("reden_einde"),
            ),
            "meting": measurements.filter(in_year),
            "inzet": effort.filter(pl.col("jaar") == y),
            "kosten": cost_lines.filter(pl.col("jaar") == y),
        }
        tables[y] = {name: _conform(frame, name) for name, frame in frames.items()}

    biggest = max((f.height for t in tables.values() for f in t.values()), default=0)
    return OrgDemo(
        organisatie_id=f"ORG{index:03d}",
        naam=naam,
        encoding=encoding,
        file_format="xlsx" if is_xlsx and biggest <= XLSX_MAX_ROWS else "csv",
        tables=tables,
        titelregel=titelregel,
        lege_regels=0 if is_xlsx else blank,
    )

"""From the canonical tables to project-years, participant counts and outcome quantities.

Every outcome quantity follows the rule its pathway declares in the parameter set
(`hoeveelheid`): measured T0/T1 transitions (`meting`), trajectories ended with a given reason
(`traject`) or participants reached (`deelnemers`). No domain is special-cased here.

Year of an outcome: a measured outcome belongs to the year of its T1 measurement, a
trajectory outcome to the year it ended, a participant to every year its trajectory was active.
Only years in which the project has `inzet` or `kosten` rows are project-years.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import polars as pl

from rendement.mkba.params import ParameterSet, normalise_code
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
    return _active(table(tables, "traject"), py)


def _active(traject: pl.DataFrame, py: pl.DataFrame) -> pl.DataFrame:
    """Every traject column, joined to the project-years in which the trajectory was active."""
    return _active_slim(
        traject.with_columns(_ACTIVE_YEARS), py, traject.columns + list(_ACTIVE_YEARS_COLUMNS)
    ).drop(*_ACTIVE_YEARS_COLUMNS, "_p")


# The first and last year of a trajectory: active in `jaar` when start year <= jaar <= end
# year (no end: still running). The same as comparing the dates with 31 December and 1 January
# of `jaar`, with two small integers per trajectory instead of two dates built per joined row.
_ACTIVE_YEARS = (
    pl.col("startdatum").dt.year().alias("_start_jaar"),
    pl.col("einddatum").dt.year().alias("_eind_jaar"),
)
_ACTIVE_YEARS_COLUMNS = ("_start_jaar", "_eind_jaar")


def _active_slim(traject: pl.DataFrame, py: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """`columns` of `traject` (which has `_ACTIVE_YEARS`) joined to the project-years in which
    the trajectory was active. Only the columns asked for are carried through the join: at
    the sector's size that join has hundreds of thousands of rows per batch. Per organisation
    on project_id alone when the trajectories are one block per organisation (see
    `_organisation_blocks`). `_p`: the row of the project-year in `py`, an integer key for
    the counts per project-year."""
    keep = [c for c in columns if c not in ("organisatie_id", "project_id")]
    active = (pl.col("_start_jaar") <= pl.col("jaar")) & (
        pl.col("_eind_jaar").is_null() | (pl.col("_eind_jaar") >= pl.col("jaar"))
    )
    years = py.select(KEYS).with_row_index("_p")
    blocks = _organisation_blocks(traject)
    if blocks is None:
        return (
            years.join(
                traject.select("organisatie_id", "project_id", *keep),
                on=["organisatie_id", "project_id"],
                how="inner",
            )
            .filter(active)
            .select(*KEYS, *keep, "_p")
        )
    per_org = {
        org: part
        for (org,), part in years.partition_by(
            "organisatie_id", maintain_order=True, as_dict=True
        ).items()
    }
    found = [
        per_org[org]
        .join(traject.slice(start, n).select("project_id", *keep), on="project_id", how="inner")
        .filter(active)
        .select(*KEYS, *keep, "_p")
        for org, start, n in blocks
        if org in per_org
    ]
    if found:
        return pl.concat(found)
    return years.join(
        traject.select("organisatie_id", "project_id", *keep).clear(),
        on=["organisatie_id", "project_id"],
    ).select(*KEYS, *keep, "_p")


def _organisation_blocks(df: pl.DataFrame) -> list[tuple[str, int, int]] | None:
    """(organisatie_id, first row, rows) of every organisation when each has one contiguous
    block of rows (as `batch.combine_tables` makes them), else None."""
    runs = df.select(pl.col("organisatie_id").rle()).unnest("organisatie_id")
    if runs["value"].n_unique() < runs.height:
        return None
    out, start = [], 0
    for n, org in runs.iter_rows():
        out.append((org, start, n))
        start += n
    return out


def measurement_pairs(tables: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """T0/T1 pairs per trajectory × instrument × onderdeel, with project, client and year.

    T0 is the earliest T0 score, T1 the latest T1 score. `verbetering` is positive when the
    client got better (for De Jong Gierveld: the score went down). `jaar` = year of T1.
    """
    return _pairs(table(tables, "meting"), table(tables, "traject"))


def _pairs(meting: pl.DataFrame, traject: pl.DataFrame) -> pl.DataFrame:
    return _indexed_pairs(meting, traject)[0].drop(_PAIR_INDEX)


_TRAJECT_KEY = ["organisatie_id", "traject_id"]
# Hidden columns of the pairs in `Facts`: the trajectory × instrument (an integer key for the
# per-instrument means), the pair itself (for a fixed row order), its instrument × onderdeel
# and the instrument's mean (`MEAN_ONDERDEEL`) as integer codes (see `_indexed_pairs`).
_PAIR_INDEX = ["_ti", "_k", "_io", "_im", "_t0i", "_t1i", "_vi", "_n"]
_CODES_SCHEMA = {"instrument": pl.String, "onderdeel": pl.String, "_io": pl.Int64}


def _indexed_pairs(
    meting: pl.DataFrame, traject: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The T0/T1 pairs (see `measurement_pairs`) with `_PAIR_INDEX`, sorted by `_k`; and
    the codes: `_io` of every instrument × onderdeel (and × `MEAN_ONDERDEEL`), so that the
    criteria are matched on one integer.

    At the sector's size a batch has about a million measurements, and grouping and joining
    them on four text columns was most of the engine's time. Here every measurement gets one
    integer key: its trajectory (`_trajectory_index`: measurements of unknown trajectories
    drop out, as they did in the final join before), instrument, normalised onderdeel and
    moment. One sort by that key and the date puts each pair's T0 and T1 rows next to each
    other: T0 is the first score in date order, T1 the last (ties: the earlier row first).
    """
    meting = meting.filter(
        pl.col("organisatie_id").is_not_null()
        & pl.col("traject_id").is_not_null()
        & pl.col("instrument").is_not_null()
        & pl.col("moment").is_in(["T0", "T1"])
    )
    raw_parts = meting["onderdeel"].drop_nulls().unique().sort().to_list()
    codes = [normalise_code(v) or "" for v in raw_parts]
    parts = sorted(set(codes) | {""})
    blank = parts.index("")  # a missing onderdeel, or one without a code
    part_of = np.array([parts.index(c) for c in codes] + [blank], dtype=np.int64)
    instruments = sorted(meting["instrument"].unique().to_list())
    n_i, n_o = len(instruments), len(parts)
    tr, t = _trajectory_index(traject, meting)
    known = np.flatnonzero(t >= 0)
    if len(known) == 0:
        return _empty_pairs(), pl.DataFrame(schema=_CODES_SCHEMA)
    m = meting
    i = m["instrument"].cast(pl.Enum(instruments)).to_physical().to_numpy().astype(np.int64)
    o = part_of[
        m["onderdeel"].cast(pl.Enum(raw_parts)).to_physical().fill_null(len(raw_parts)).to_numpy()
    ]
    k2 = (((t * n_i + i) * n_o + o) * 2 + (m["moment"] == "T1").to_numpy())[known]
    days = m["datum"].cast(pl.Int32).to_numpy()[known]  # masked below where null
    nulls = m["datum"].is_null().to_numpy()[known]
    lo = int(days[~nulls].min()) if (~nulls).any() else 0
    span = (int(days[~nulls].max()) - lo + 2) if (~nulls).any() else 1
    day = np.where(nulls, 0, days.astype(np.int64) - lo + 1)  # null dates first, as in sort
    if int(k2.max()) < 2**62 // span:
        by = pl.DataFrame({"k": k2 * span + day})
    else:  # too large for one integer: sort on both
        by = pl.DataFrame({"k": k2, "d": day})
    order = by.select(pl.arg_sort_by(by.columns, maintain_order=True)).to_series().to_numpy()
    order_rows = known[order]  # the rows of `meting` in key order
    g = k2[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    ends = np.r_[starts[1:], len(g)] - 1
    key = g[starts]
    # a pair: a T0 group (even key) directly followed by the T1 group of the same key
    first = np.flatnonzero((key[:-1] % 2 == 0) & (key[1:] == key[:-1] + 1))
    at_t0 = order_rows[starts[first]]
    at_t1 = order_rows[ends[first + 1]]
    k = key[first] // 2
    rows = tr[k // (n_i * n_o)]
    higher = pl.col("instrument").replace_strict(_HIGHER_IS_BETTER, return_dtype=pl.Boolean)
    codes = pl.DataFrame(
        {
            "instrument": [x for x in instruments for _ in range(n_o + 1)],
            "onderdeel": [*parts, MEAN_ONDERDEEL] * n_i,
            "_io": [c for i in range(n_i) for c in (*range(i * n_o, (i + 1) * n_o), n_i * n_o + i)],
        },
        schema=_CODES_SCHEMA,
    )
    pairs = pl.DataFrame(
        {
            "organisatie_id": rows["organisatie_id"],
            "traject_id": rows["traject_id"],
            "instrument": pl.Series(instruments, dtype=pl.String).gather((k // n_o) % n_i),
            "onderdeel": pl.Series(parts, dtype=pl.String).gather(k % n_o),
            "t0": m["score"].gather(at_t0),
            "t1": m["score"].gather(at_t1),
            "datum_t1": m["datum"].gather(at_t1),
            "project_id": rows["project_id"],
            "client_pseudoniem": rows["client_pseudoniem"],
            "_ti": k // n_o,
            "_k": k,
            "_io": k % (n_i * n_o),
            "_im": n_i * n_o + (k // n_o) % n_i,
        }
    ).with_columns(
        pl.col("datum_t1").dt.year().cast(pl.Int64).alias("jaar"),
        pl.when(higher)
        .then(pl.col("t1") - pl.col("t0"))
        .otherwise(pl.col("t0") - pl.col("t1"))
        .alias("verbetering"),
        _exact("t0").alias("_t0i"),
        _exact("t1").alias("_t1i"),
        pl.lit(1, pl.Int64).alias("_n"),
    )
    pairs = pairs.with_columns(
        pl.when(higher)
        .then(pl.col("_t1i") - pl.col("_t0i"))
        .otherwise(pl.col("_t0i") - pl.col("_t1i"))
        .alias("_vi")
    )
    return pairs, codes


# Scores are compared as the decimals they are, not as binary floats: 4.6 − 3.6 is
# 0.9999999999999996 in floating point and would miss `min_verbetering: 1.0`. Every score and
# bound is held as a whole number of millionths (scores have at most a few decimals), sums of
# them are exact, and a mean over n onderdelen is compared as `sum >= bound × n`.
SCORE_SCALE = 1_000_000


def _exact(column: str | pl.Expr) -> pl.Expr:
    """A score (or bound) as an exact whole number of millionths."""
    expr = pl.col(column) if isinstance(column, str) else column
    return (expr * SCORE_SCALE).round(0).cast(pl.Int64)


def _empty_pairs() -> pl.DataFrame:
    m, t = polars_schema("meting"), polars_schema("traject")
    schema = {
        "organisatie_id": m["organisatie_id"],
        "traject_id": m["traject_id"],
        "instrument": m["instrument"],
        "onderdeel": pl.String,
        "t0": m["score"],
        "t1": m["score"],
        "datum_t1": m["datum"],
        "project_id": t["project_id"],
        "client_pseudoniem": t["client_pseudoniem"],
        "_ti": pl.Int64,
        "_k": pl.Int64,
        "_io": pl.Int64,
        "_im": pl.Int64,
        "jaar": pl.Int64,
        "verbetering": m["score"],
        "_t0i": pl.Int64,
        "_t1i": pl.Int64,
        "_n": pl.Int64,
        "_vi": pl.Int64,
    }
    return pl.DataFrame(schema=schema)


def _trajectory_index(
    traject: pl.DataFrame, meting: pl.DataFrame
) -> tuple[pl.DataFrame, np.ndarray]:
    """(trajectories: organisatie_id, traject_id, project_id, client_pseudoniem, one row
    per organisatie × traject_id (the first); for every row of `meting` the row of its
    trajectory there, -1 when there is none).

    Per organisation, on traject_id alone: a batch's tables are one block per organisation
    (`batch.combine_tables`), and a join on one text column costs a third of one on two.
    When an organisation's measurements are not one block, one join on both columns.
    """
    tr = traject.filter(
        pl.col("organisatie_id").is_not_null() & pl.col("traject_id").is_not_null()
    ).select(*_TRAJECT_KEY, "project_id", "client_pseudoniem")
    per_org: dict[str, pl.DataFrame] = {}
    blocks = _organisation_blocks(tr)
    if blocks is not None:  # slices, no copy
        parts = [(org, tr.slice(start, n)) for org, start, n in blocks]
    else:
        parts = [
            (org, part)
            for (org,), part in tr.partition_by(
                "organisatie_id", maintain_order=True, as_dict=True
            ).items()
        ]
    for org, part in parts:
        if part["traject_id"].n_unique() < part.height:
            part = part.unique("traject_id", keep="first", maintain_order=True)
        per_org[org] = part
    index: dict[str, pl.DataFrame] = {}  # per organisation: traject_id, _t
    offset = 0
    for org, part in per_org.items():
        index[org] = part.select(
            "traject_id", (pl.int_range(pl.len(), dtype=pl.Int64) + offset).alias("_t")
        )
        offset += part.height
    tr = pl.concat(list(per_org.values())) if per_org else tr.clear()
    rows = np.full(meting.height, -1, dtype=np.int64)
    if not index:
        return tr, rows
    blocks = _organisation_blocks(meting)
    if blocks is None:
        keyed = pl.concat(
            [
                i.with_columns(pl.lit(org, pl.String).alias("organisatie_id"))
                for org, i in index.items()
            ]
        )
        found = meting.select(_TRAJECT_KEY).join(
            keyed, on=_TRAJECT_KEY, how="left", maintain_order="left"
        )["_t"]
        return tr, found.fill_null(-1).to_numpy().astype(np.int64)
    for org, start, n in blocks:
        if org in index:
            found = (
                meting.slice(start, n)
                .select("traject_id")
                .join(index[org], on="traject_id", how="left", maintain_order="left")["_t"]
            )
            rows[start : start + n] = found.fill_null(-1).to_numpy()
    return tr, rows


_PER_INSTRUMENT = ["organisatie_id", "project_id", "traject_id", "client_pseudoniem", "instrument"]


@dataclass(frozen=True)
class Facts:
    """What the engine reads from the data, computed once per call and shared by the counts
    and every pathway's quantity (before, each pathway re-derived its pairs: one organisation
    cost a few hundred small polars queries, mostly fixed cost).

    - py: the project-years (`project_years`);
    - traject: the canonical traject table;
    - pairs: T0/T1 pairs per trajectory × instrument × onderdeel (`measurement_pairs`);
    - per_instrument: per trajectory × instrument the mean over its onderdelen of t0, t1 and
      verbetering, and the latest T1 year;
    - active: trajectories joined to the project-years in which they were active (KEYS,
      client_pseudoniem, leeftijdsklasse);
    - ended: ended trajectories counted (`n`) per organisatie × project × end year (`jaar`) ×
      reden_einde × leeftijdsklasse: what the trajectory pathways and `trajecten_afgerond`
      count, grouped once instead of joining every trajectory to the rules.

    Pairs and per_instrument carry hidden integer keys (`_PAIR_INDEX`) and are sorted by them;
    `codes` names the `_io` codes (instrument, onderdeel or `MEAN_ONDERDEEL`).
    """

    py: pl.DataFrame
    traject: pl.DataFrame
    pairs: pl.DataFrame
    per_instrument: pl.DataFrame
    active: pl.DataFrame
    ended: pl.DataFrame
    codes: pl.DataFrame


def facts(tables: dict[str, pl.DataFrame], py: pl.DataFrame | None = None) -> Facts:
    """The shared derivations of `tables` (see `Facts`); `py` when already known."""
    if py is None:
        py = project_years(tables)
    traject = table(tables, "traject")
    pairs, codes = _indexed_pairs(table(tables, "meting"), traject)
    # per trajectory × instrument: `_ti` stands for the five text columns of _PER_INSTRUMENT
    # (pairs are sorted by `_ti`: kept in that order, a group-by over sorted keys is cheap)
    per_instrument = pairs.group_by("_ti", maintain_order=True).agg(
        *(pl.col(c).first() for c in _PER_INSTRUMENT),
        pl.col("_im").first().alias("_io"),
        pl.col("t0").mean(),
        pl.col("t1").mean(),
        pl.col("verbetering").mean(),
        pl.col("jaar").max(),
        pl.col("_t0i").sum(),
        pl.col("_t1i").sum(),
        pl.col("_vi").sum(),
        pl.len().cast(pl.Int64).alias("_n"),
    )
    ended = (
        traject.filter(pl.col("einddatum").is_not_null())
        .group_by(
            "organisatie_id",
            "project_id",
            pl.col("einddatum").dt.year().cast(pl.Int64).alias("jaar"),
            "reden_einde",
            "leeftijdsklasse",
        )
        .agg(pl.len().alias("n"))
    )
    active = _active_slim(
        traject.select(
            "organisatie_id", "project_id", "client_pseudoniem", "leeftijdsklasse"
        ).with_columns(traject.select(_ACTIVE_YEARS)),
        py,
        ["client_pseudoniem", "leeftijdsklasse", *_ACTIVE_YEARS_COLUMNS],
    )
    return Facts(
        py=py,
        traject=traject,
        pairs=pairs,
        per_instrument=per_instrument,
        active=active,
        ended=ended,
        codes=codes,
    )


def participant_counts(
    tables: dict[str, pl.DataFrame], py: pl.DataFrame, known: Facts | None = None
) -> pl.DataFrame:
    """deelnemers, deelnemers_gemeten, deelnemers_verbeterd, trajecten_afgerond per project-year.

    - deelnemers: distinct clients with a trajectory active in the year;
    - deelnemers_gemeten: distinct clients with a T0 and a T1 (T1 in the year) on any instrument;
    - deelnemers_verbeterd: of those, clients whose mean score over the onderdelen of at least
      one instrument improved;
    - trajecten_afgerond: trajectories ended in the year with reden_einde = afgerond.
    """
    f = known if known is not None else facts(tables, py)
    # per project-year row of f.py (`_p`): the same groups as KEYS, on one integer
    active = f.active.group_by("_p").agg(pl.col("client_pseudoniem").n_unique().alias("deelnemers"))
    measured = f.per_instrument.group_by(KEYS).agg(
        pl.col("client_pseudoniem").n_unique().alias("deelnemers_gemeten"),
        pl.col("client_pseudoniem")
        .filter(pl.col("_vi") > 0)  # exact: the mean improved when the sum did
        .n_unique()
        .alias("deelnemers_verbeterd"),
    )
    finished = (
        f.ended.filter(pl.col("reden_einde") == "afgerond")
        .group_by(KEYS)
        .agg(pl.col("n").sum().alias("trajecten_afgerond"))
    )
    out = f.py.select(KEYS).with_row_index("_p")
    out = out.join(active, on="_p", how="left", maintain_order="left").drop("_p")
    out = py.select(KEYS).join(out, on=KEYS, how="left", maintain_order="left")
    for frame in (measured, finished):
        out = out.join(frame, on=KEYS, how="left", maintain_order="left")
    counts = ["deelnemers", "deelnemers_gemeten", "deelnemers_verbeterd", "trajecten_afgerond"]
    return out.with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in counts)


def project_participants(f: Facts) -> pl.DataFrame:
    """deelnemers per organisatie × project over all its project-years: distinct clients with a
    trajectory active in any of them (a client of several years counts once)."""
    return (
        f.active.group_by("organisatie_id", "project_id")
        .agg(pl.col("client_pseudoniem").n_unique().cast(pl.Int64).alias("deelnemers"))
        .sort("organisatie_id", "project_id")
    )


# ------------------------------------------------------------------------------ quantities


@dataclass(frozen=True)
class RuleFrames:
    """The quantity rules of a parameter set as small frames keyed by pathway index `_o`, so
    that all pathways are evaluated with a few joins instead of a Python loop of queries.

    - applies: _o, uitkomst, domein, interventies (null = every intervention of the domain);
    - criteria: per meting criterion: _o, telling, instrument, onderdeel (`MEAN_ONDERDEEL`
      when the criterion uses the mean over the onderdelen) and the five bounds (null = none);
    - reasons: per traject pathway and accepted reden_einde: _o, reden_einde, leeftijdsklassen;
    - participants: per deelnemers pathway: _o, leeftijdsklassen (null = every age band).
    """

    applies: pl.DataFrame
    criteria: pl.DataFrame
    reasons: pl.DataFrame
    participants: pl.DataFrame


# `onderdeel` of the per-instrument means in the candidate rows; real onderdeel codes are
# normalised to [a-z0-9_] (or "" when absent), so this never matches one.
MEAN_ONDERDEEL = "*"
_BOUNDS = {
    "t0_min": ("_t0i", "ge"),
    "t0_max": ("_t0i", "le"),
    "t1_min": ("_t1i", "ge"),
    "t1_max": ("_t1i", "le"),
    "min_verbetering": ("_vi", "ge"),
}
_BANDS = pl.List(pl.String)
# The exact score columns of the candidate rows (see `SCORE_SCALE`): sums over `_n` onderdelen.
_EXACT = ["_t0i", "_t1i", "_vi", "_n"]


def _rule_frames_uncached(params: ParameterSet) -> RuleFrames:
    applies, criteria, reasons, participants = [], [], [], []
    for o, pw in enumerate(params.uitkomsten):
        rule = pw.hoeveelheid
        bands = list(rule.leeftijdsklassen) if rule.leeftijdsklassen is not None else None
        interventies = list(pw.interventies) if pw.interventies is not None else None
        applies.append((o, pw.code, pw.domein, interventies))
        if rule.bron == "meting":
            for c in rule.criteria:
                onderdeel = c.onderdeel if c.onderdeel is not None else MEAN_ONDERDEEL
                bounds = [getattr(c, b) for b in _BOUNDS]
                criteria.append((o, rule.telling, c.instrument, onderdeel, *bounds))
        elif rule.bron == "traject":
            for reason in dict.fromkeys(rule.reden_einde):
                reasons.append((o, reason, bands))
        else:
            participants.append((o, bands))
    o_type = {"_o": pl.Int64}
    return RuleFrames(
        applies=pl.DataFrame(
            applies,
            schema={**o_type, "uitkomst": pl.String, "domein": pl.String, "interventies": _BANDS},
            orient="row",
        ),
        criteria=pl.DataFrame(
            criteria,
            schema={
                **o_type,
                "telling": pl.String,
                "instrument": pl.String,
                "onderdeel": pl.String,
                **{b: pl.Float64 for b in _BOUNDS},
            },
            orient="row",
        ).with_columns(_exact(b).alias(b) for b in _BOUNDS),
        reasons=pl.DataFrame(
            reasons,
            schema={**o_type, "reden_einde": pl.String, "leeftijdsklassen": _BANDS},
            orient="row",
        ),
        participants=pl.DataFrame(
            participants, schema={**o_type, "leeftijdsklassen": _BANDS}, orient="row"
        ),
    )


# Rule frames per parameter set, by identity (a ParameterSet holds dicts, so it is not
# hashable). The set itself is kept with its frames so that its id cannot be reused; a few
# entries suffice (the standard set and the odd test variant).
_RULE_CACHE: OrderedDict[int, tuple[ParameterSet, RuleFrames]] = OrderedDict()
_RULE_CACHE_SIZE = 8


def rule_frames(params: ParameterSet) -> RuleFrames:
    """`RuleFrames` of `params`, built once per parameter set object."""
    hit = _RULE_CACHE.get(id(params))
    if hit is not None and hit[0] is params:
        _RULE_CACHE.move_to_end(id(params))
        return hit[1]
    frames = _rule_frames_uncached(params)
    _RULE_CACHE[id(params)] = (params, frames)
    while len(_RULE_CACHE) > _RULE_CACHE_SIZE:
        _RULE_CACHE.popitem(last=False)
    return frames


def _band_ok() -> pl.Expr:
    return pl.col("leeftijdsklassen").is_null() | pl.col("leeftijdsklassen").list.contains(
        pl.col("leeftijdsklasse")
    )


def _meting_quantities(f: Facts, criteria: pl.DataFrame) -> list[pl.DataFrame]:
    """Quantities of every meting pathway: candidate rows (per onderdeel, and the
    per-instrument means under `MEAN_ONDERDEEL`) joined to the criteria, filtered on the
    bounds; a trajectory counts once per pathway however many criteria it meets."""
    cols = [*_PER_INSTRUMENT, "onderdeel", "jaar", "verbetering", *_EXACT]
    candidates = pl.concat(
        [
            f.pairs.select(*cols, "_io"),
            f.per_instrument.with_columns(pl.lit(MEAN_ONDERDEEL).alias("onderdeel")).select(
                *cols, "_io"
            ),
        ]
    )
    # a mean over n onderdelen meets a bound when its exact sum meets n × the bound
    cond = pl.lit(True)
    for bound, (column, op) in _BOUNDS.items():
        b = pl.col(bound) * pl.col("_n")
        cond = cond & (
            pl.col(bound).is_null() | (pl.col(column) >= b if op == "ge" else pl.col(column) <= b)
        )
    # match on the integer code, with only the bounded columns; the text columns of the
    # (few) hits are gathered after the filter
    coded = criteria.join(f.codes, on=["instrument", "onderdeel"], how="inner").drop(
        "instrument", "onderdeel"
    )
    found = (
        candidates.select("_io", *_EXACT)
        .with_row_index("_r")
        .join(coded, on="_io", how="inner")
        .filter(cond)
        .select("_r", "_o", "telling")
    )
    hits = pl.concat(
        [candidates.drop("_io")[found["_r"]], found.select("_o", "telling")], how="horizontal"
    )
    counted = (
        hits.filter(pl.col("telling") == "deelnemers")
        .group_by(["_o", *KEYS])
        .agg(pl.col("client_pseudoniem").n_unique().cast(pl.Float64).alias("hoeveelheid"))
    )
    # sum of improvement, each trajectory once (its best matching criterion), never below 0
    improved = (
        hits.filter(pl.col("telling") == "verbetering")
        .group_by(["_o", *KEYS, "traject_id"])
        .agg((pl.col("_vi") / (pl.col("_n") * SCORE_SCALE)).max().alias("verbetering"))
        .group_by(["_o", *KEYS])
        .agg(pl.col("verbetering").sort().sum().clip(lower_bound=0.0).alias("hoeveelheid"))
    )
    return [counted, improved]


def _traject_quantities(f: Facts, reasons: pl.DataFrame) -> pl.DataFrame:
    """Trajectories ended with one of the pathway's reasons (and age bands), per end year."""
    return (
        f.ended.join(reasons, on="reden_einde", how="inner")
        .filter(_band_ok())
        .group_by(["_o", *KEYS])
        .agg(pl.col("n").sum().cast(pl.Float64).alias("hoeveelheid"))
    )


def _participant_quantities(f: Facts, participants: pl.DataFrame) -> pl.DataFrame:
    """Distinct clients active in the year (in the pathway's age bands); per pathway, on
    the project-year's integer key `_p`."""
    schema = {"_o": pl.Int64, **{k: f.py.schema[k] for k in KEYS}, "hoeveelheid": pl.Float64}
    found = []
    for o, bands in participants.iter_rows():
        rows = (
            f.active if bands is None else f.active.filter(pl.col("leeftijdsklasse").is_in(bands))
        )
        counted = rows.group_by("_p").agg(
            pl.col("client_pseudoniem").n_unique().cast(pl.Float64).alias("hoeveelheid")
        )
        found.append(
            pl.concat(
                [
                    f.py.select(KEYS)[counted["_p"]],
                    counted.select(pl.lit(o, pl.Int64).alias("_o"), "hoeveelheid"),
                ],
                how="horizontal",
            ).select(list(schema))
        )
    return pl.concat(found) if found else pl.DataFrame(schema=schema)


QUANTITY_SCHEMA = {
    "organisatie_id": pl.String,
    "project_id": pl.String,
    "jaar": pl.Int64,
    "uitkomst": pl.String,
    "hoeveelheid": pl.Float64,
}


def quantities(
    tables: dict[str, pl.DataFrame],
    params: ParameterSet,
    py: pl.DataFrame,
    known: Facts | None = None,
) -> pl.DataFrame:
    """The raw quantity of every applicable pathway in every project-year (0 when none).

    Columns: organisatie_id, project_id, jaar, uitkomst, hoeveelheid; sorted by project-year
    and then the pathways' order in the parameter set. The pathway's `factor` is not applied
    here (it is a parameter with its own range, applied by the engine). All pathways at once:
    the rules are frames (`rule_frames`) joined to the data.
    """
    f = known if known is not None else facts(tables, py)
    rules = rule_frames(params)
    grid = (
        py.select(*KEYS, "domein", "interventie")
        .join(rules.applies, on="domein", how="inner")
        .filter(
            pl.col("interventies").is_null()
            | pl.col("interventies").list.contains(pl.col("interventie"))
        )
        .select(*KEYS, "_o", "uitkomst")
    )
    if grid.is_empty():
        return pl.DataFrame(schema=QUANTITY_SCHEMA)
    found = pl.concat(
        [
            *_meting_quantities(f, rules.criteria),
            _traject_quantities(f, rules.reasons),
            _participant_quantities(f, rules.participants),
        ],
        how="vertical_relaxed",
    ).select(*KEYS, "_o", "hoeveelheid")
    return (
        grid.join(found, on=[*KEYS, "_o"], how="left")
        .with_columns(pl.col("hoeveelheid").fill_null(0.0).cast(pl.Float64))
        .sort([*KEYS, "_o"])
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

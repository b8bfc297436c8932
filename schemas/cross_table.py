"""Rules between rows and between tables: keys, references, duplicate clients, T0/T1 pairs.

An upload may hold only some tables (one CSV per table), so references may also point to data
of the same organisation that was accepted before (`known`). Every function returns *hits*
(see `schemas.validate`): the table, the row position, the column, the rule code and the
extra fields the message needs. Only rows still accepted (column ``__ok``) count as a parent:
a trajectory of a rejected project is rejected too, with a message that points at the project.

Duplicate keys within one upload:
- a row that is an exact copy of an earlier row (all columns equal) is kept once
  (warning ``dubbele_rij``);
- rows that share a key but differ are all rejected (``dubbele_sleutel``): there is no way to
  tell which one is right, and keeping one by position would be a silent guess;
- ``kosten`` is the exception: a bookkeeping export often has several ledger lines of one cost
  type (rent per month, wages per cost centre), so lines with the same project, year and cost
  type are summed (warning ``kosten_opgeteld`` so that an accidental double line is seen).
"""

from __future__ import annotations

import polars as pl

from schemas.tables import KEYS, polars_schema

IDX, OK, COPY = "__i", "__ok", "__kopie"

# (child table, column, parent table), parents first so that rejections cascade.
REFERENCES: list[tuple[str, str, str]] = [
    ("traject", "project_id", "project"),
    ("inzet", "project_id", "project"),
    ("kosten", "project_id", "project"),
    ("meting", "traject_id", "traject"),
]
_PARENT_KEY = {"project": "project_id", "traject": "traject_id"}

_KEY_TEXT: dict[str, pl.Expr] = {
    "organisatie": pl.format("Organisatie '{}'", pl.col("organisatie_id")),
    "project": pl.format("Project '{}'", pl.col("project_id")),
    "traject": pl.format("Traject '{}'", pl.col("traject_id")),
    "meting": pl.format(
        "De meting van traject '{}' met '{}'{} op {}",
        pl.col("traject_id"),
        pl.col("instrument"),
        pl.when(pl.col("onderdeel").is_not_null())
        .then(pl.format(" (onderdeel {})", pl.col("onderdeel")))
        .otherwise(pl.lit("")),
        pl.col("moment"),
    ),
    "inzet": pl.format("De inzet van project '{}' in {}", pl.col("project_id"), pl.col("jaar")),
    "kosten": pl.format(
        "De kosten '{}' van project '{}' in {}",
        pl.col("kostensoort"),
        pl.col("project_id"),
        pl.col("jaar"),
    ),
}
_KEY_NAME = {
    "organisatie": "organisatie",
    "project": "project_id",
    "traject": "traject_id",
    "meting": "traject, instrument, onderdeel en moment",
    "inzet": "project en jaar",
    "kosten": "project, jaar en kostensoort",
}


def _hits(df: pl.DataFrame, table: str, kolom: str, regel: str, **extra: pl.Expr) -> pl.DataFrame:
    from schemas.validate import hits

    return hits(df, table, kolom, regel, **extra)


def _canonical(table: str, frame: pl.DataFrame) -> list[str]:
    return [c for c in polars_schema(table) if c in frame.columns]


def _rows_text(col: str = "_rij") -> pl.Expr:
    return pl.col(col).sort().cast(pl.String).str.join(", ")


def key_hash(columns: list[str]) -> pl.Expr:
    """A 64-bit hash of one or more key columns.

    Comparing strings is the expensive part of these rules (on two cores, `is_in` over two
    million text keys takes seconds; over their hashes a tenth of a second). Hashes only
    *find candidates*: where a false match would reject or warn about a row (duplicates,
    duplicate clients) the candidates are compared exactly. A reference that is missing always
    has a missing hash; a hash collision could only let a wrong reference pass, with a
    probability of about n²/2⁶⁵ (10⁻⁸ for a million keys).
    """
    if len(columns) == 1:
        return pl.col(columns[0]).cast(pl.String).hash(seed=HASH_SEED)
    return pl.struct(pl.col(c).cast(pl.String) for c in columns).hash(seed=HASH_SEED)


HASH_SEED = 20_26


def _repeated(hashes: pl.Series) -> pl.Series:
    """Mask of the values that occur more than once (fast when there are none or few)."""
    if hashes.n_unique() == hashes.len():
        return pl.Series(hashes.name, [False] * hashes.len(), pl.Boolean)
    ordered = hashes.sort()
    twice = ordered.filter(ordered == ordered.shift(1)).unique()
    return hashes.is_in(twice.implode())


def _hash_of(df: pl.DataFrame | None, columns: list[str], only_ok: bool = False) -> pl.Series:
    if df is None or not set(columns) <= set(df.columns) or df.height == 0:
        return pl.Series("h", [], pl.UInt64)
    if only_ok and OK in df.columns:
        df = df.filter(pl.col(OK))
    return df.select(key_hash(columns).alias("h")).to_series()


# ------------------------------------------------------------------------------------------
# keys


def duplicates(table: str, frame: pl.DataFrame) -> tuple[pl.Series, pl.DataFrame]:
    """Duplicate keys in one table: (mask of exact copies to leave out, hits).

    An exact copy of an earlier row (every column equal) is left out with a warning; rows that
    share a key but differ are all rejected (`dubbele_sleutel`). `kosten` is summed instead
    (see `summed_costs`), so it has neither.
    """
    no_copies = pl.Series(COPY, [False] * frame.height, pl.Boolean)
    if table == "kosten" or frame.height < 2:
        return no_copies, pl.DataFrame()
    keys = KEYS[table]
    filled = pl.all_horizontal(*(pl.col(k).is_not_null() for k in keys if k != "onderdeel"))
    repeated = _repeated(frame.select(key_hash(keys)).to_series())
    candidates = frame.filter(repeated).filter(filled)
    if candidates.height == 0:
        return no_copies, pl.DataFrame()
    # exact from here on: the candidates are few
    columns = _canonical(table, candidates)
    candidates = candidates.filter(pl.len().over(keys) > 1).with_columns(
        pl.col("_rij").first().over(columns).alias("__eerste"),
        ~pl.struct(columns).is_first_distinct().alias("__kopie_van"),
    )
    copies = candidates.filter(pl.col("__kopie_van"))
    found = [_hits(copies, table, keys[-1], "dubbele_rij", eerste_rij=pl.col("__eerste"))]
    rest = candidates.filter(~pl.col("__kopie_van"))
    conflict = rest.filter(pl.len().over(keys) > 1).with_columns(
        pl.len().over(keys).alias("__n"),
        pl.col("_rij").sort().cast(pl.String).str.join(", ").over(keys).alias("__rijen"),
    )
    found.append(
        _hits(
            conflict,
            table,
            keys[0],
            "dubbele_sleutel",
            sleutel=_KEY_TEXT[table],
            aantal=pl.col("__n"),
            andere_rijen=pl.col("__rijen"),
            sleutelnaam=pl.lit(_KEY_NAME[table]),
        )
    )
    mask = frame.select(pl.col(IDX).is_in(copies[IDX].implode())).to_series().alias(COPY)
    return mask, pl.concat([f for f in found if f.height], how="diagonal_relaxed") if any(
        f.height for f in found
    ) else pl.DataFrame()


# ------------------------------------------------------------------------------------------
# references


def references(
    child: str,
    frame: pl.DataFrame,
    column: str,
    parent: str,
    parent_frame: pl.DataFrame | None,
    known_parent: pl.DataFrame | None,
) -> pl.DataFrame:
    """Each child row must point to a parent accepted in this upload or known from before."""
    key = _PARENT_KEY[parent]
    good = pl.concat([_hash_of(parent_frame, [key], only_ok=True), _hash_of(known_parent, [key])])
    ref = key_hash([column])
    rows = frame.filter(pl.col(column).is_not_null() & ~ref.is_in(good.implode()))
    if rows.height == 0:
        return pl.DataFrame()
    delivered = _hash_of(parent_frame, [key])
    rejected_parent = ref.is_in(delivered.implode())
    return pl.concat(
        [
            _hits(rows.filter(rejected_parent), child, column, f"{parent}_afgekeurd"),
            _hits(rows.filter(~rejected_parent), child, column, f"{parent}_onbekend"),
        ]
    )


# ------------------------------------------------------------------------------------------
# warnings: the row is accepted, the MKBA is weaker for it


def duplicate_clients(traject: pl.DataFrame, known: pl.DataFrame | None) -> pl.DataFrame:
    """The same client in two trajectories of one project that overlap in time.

    Such pairs are usually one person registered twice (two person cards), which inflates the
    reach. Trajectories accepted before count as well (except those this upload replaces).
    """
    cols = ["project_id", "client_pseudoniem", "traject_id", "startdatum", "einddatum"]
    group = ["project_id", "client_pseudoniem"]
    mine = traject.filter(pl.col(OK)).select(*cols, IDX)
    parts = [mine.with_columns(key_hash(group).alias("__h"))]
    if known is not None and known.height and set(cols) <= set(known.columns):
        earlier = known.select(cols).with_columns(
            key_hash(group).alias("__h"), pl.lit(None, pl.Int64).alias(IDX)
        )
        replaced = mine.select(key_hash(["traject_id"]).alias("__ht"))["__ht"]
        earlier = earlier.filter(~key_hash(["traject_id"]).is_in(replaced.implode()))
        parts.append(earlier.select(parts[0].columns))
    pool = pl.concat(parts, how="vertical_relaxed")
    pool = pool.filter(_repeated(pool["__h"]))
    if pool.height == 0:
        return pl.DataFrame()
    far = pl.date(9999, 12, 31)
    pairs = (
        pool.filter(pl.col(IDX).is_not_null())
        .join(pool, on=group, suffix="_b")  # exact: joins on the text keys themselves
        .filter(
            (pl.col("traject_id") != pl.col("traject_id_b"))
            & (pl.col("startdatum") <= pl.col("einddatum_b").fill_null(far))
            & (pl.col("startdatum_b") <= pl.col("einddatum").fill_null(far))
        )
    )
    if pairs.height == 0:
        return pl.DataFrame()
    per_row = pairs.group_by(IDX, maintain_order=True).agg(
        pl.col("traject_id_b").unique().sort().str.join(", ").alias("__ander")
    )
    return _hits(
        per_row,
        "traject",
        "client_pseudoniem",
        "mogelijk_dubbele_client",
        ander_traject=pl.col("__ander"),
    )


_PART = ["traject_id", "instrument", "onderdeel"]


def _measured(
    meting: pl.DataFrame | None, known: pl.DataFrame | None, moment: str, columns: list[str]
) -> pl.Series:
    """Hashes of `columns` of the measurements at `moment` (accepted now, or before)."""
    parts = []
    for df, only_ok in ((meting, True), (known, False)):
        if df is None or df.height == 0 or not {*columns, "moment"} <= set(df.columns):
            continue
        keep = pl.col("moment") == moment
        if only_ok and OK in df.columns:
            keep = keep & pl.col(OK)
        parts.append(df.filter(keep).select(key_hash(columns).alias("h")).to_series())
    return pl.concat(parts) if parts else pl.Series("h", [], pl.UInt64)


def t1_without_t0(meting: pl.DataFrame, known: pl.DataFrame | None) -> pl.DataFrame:
    """An end measurement (T1) without a begin measurement (T0) of the same instrument part."""
    t0 = _measured(meting, known, "T0", _PART)
    lonely = meting.filter(
        pl.col(OK) & (pl.col("moment") == "T1") & ~key_hash(_PART).is_in(t0.implode())
    )
    return _hits(lonely, "meting", "moment", "t1_zonder_t0")


def completed_without_t1(
    traject: pl.DataFrame, meting: pl.DataFrame | None, known: pl.DataFrame | None
) -> pl.DataFrame:
    """A trajectory ended as planned (afgerond) without any end measurement (T1)."""
    t1 = _measured(meting, known, "T1", ["traject_id"])
    missing = traject.filter(
        pl.col(OK)
        & (pl.col("reden_einde") == "afgerond")
        & ~key_hash(["traject_id"]).is_in(t1.implode())
    )
    return _hits(missing, "traject", "reden_einde", "afgerond_zonder_t1")


def summed_costs(kosten: pl.DataFrame) -> pl.DataFrame:
    """One warning per cost key delivered on more than one line (they are summed)."""
    keys = KEYS["kosten"]
    rows = kosten.filter(pl.col(OK))
    rows = rows.filter(pl.len().over(keys) > 1)
    if rows.height == 0:
        return pl.DataFrame()
    per_key = rows.group_by(keys, maintain_order=True).agg(
        pl.col(IDX).first(),
        pl.len().alias("__n"),
        _rows_text().alias("__rijen"),
        pl.col("bedrag").sum().alias("__som"),
    )
    euros = pl.col("__som").round(2)
    som = pl.concat_str(
        pl.lit("€ "),
        euros.floor().cast(pl.Int64).cast(pl.String),
        pl.lit(","),
        ((euros - euros.floor()) * 100).round(0).cast(pl.Int64).cast(pl.String).str.zfill(2),
    )
    return _hits(
        per_key,
        "kosten",
        "kostensoort",
        "kosten_opgeteld",
        aantal=pl.col("__n"),
        andere_rijen=pl.col("__rijen"),
        som=som,
    )


def warnings(frames: dict[str, pl.DataFrame], known: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """All warnings between rows and tables for the usable tables of one upload."""
    out = []
    traject, meting = frames.get("traject"), frames.get("meting")
    known_meting = known.get("meting")
    if traject is not None:
        out.append(duplicate_clients(traject, known.get("traject")))
        # only when measurements are delivered at all (now or before): a partial upload of
        # trajectories alone is not blamed for measurements that arrive in the next file
        if meting is not None or (known_meting is not None and known_meting.height > 0):
            out.append(completed_without_t1(traject, meting, known_meting))
    if meting is not None:
        out.append(t1_without_t0(meting, known_meting))
    if frames.get("kosten") is not None:
        out.append(summed_costs(frames["kosten"]))
    out = [f for f in out if f.height]
    return pl.concat(out, how="diagonal_relaxed") if out else pl.DataFrame()

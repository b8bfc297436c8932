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


# ------------------------------------------------------------------------------------------
# keys


def exact_copies(table: str, frame: pl.DataFrame) -> tuple[pl.Series, pl.DataFrame]:
    """Rows equal in every column to an earlier row: (mask of the copies, warnings)."""
    columns = _canonical(table, frame)
    if table == "kosten":  # identical ledger lines (rent per month) are summed, not dropped
        return pl.Series(COPY, [False] * frame.height, pl.Boolean), pl.DataFrame()
    copies = ~frame.select(pl.struct(columns).is_first_distinct()).to_series()
    if not copies.any():
        return copies.alias(COPY), pl.DataFrame()
    first = (
        frame.filter(~copies)
        .join(
            frame.filter(copies).select(columns).unique(), on=columns, how="semi", nulls_equal=True
        )
        .select(*columns, pl.col("_rij").alias("__eerste"))
    )
    dup = frame.filter(copies).join(first, on=columns, how="left", nulls_equal=True)
    return copies.alias(COPY), _hits(
        dup, table, KEYS[table][-1], "dubbele_rij", eerste_rij=pl.col("__eerste")
    )


def key_conflicts(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """All rows of a key that occurs more than once with different data (not for kosten)."""
    if table == "kosten":
        return pl.DataFrame()
    keys = KEYS[table]
    filled = pl.all_horizontal(*(pl.col(k).is_not_null() for k in keys if k != "onderdeel"))
    candidates = frame.filter(~pl.col(COPY) & filled)
    dup_mask = candidates.select(pl.struct(keys).is_duplicated()).to_series()
    if not dup_mask.any():
        return pl.DataFrame()
    dup = candidates.filter(dup_mask)
    per_key = dup.group_by(keys).agg(pl.len().alias("__n"), _rows_text().alias("__rijen"))
    dup = dup.join(per_key, on=keys, how="left", nulls_equal=True)
    return _hits(
        dup,
        table,
        keys[0],
        "dubbele_sleutel",
        sleutel=_KEY_TEXT[table],
        aantal=pl.col("__n"),
        andere_rijen=pl.col("__rijen"),
        sleutelnaam=pl.lit(_KEY_NAME[table]),
    )


# ------------------------------------------------------------------------------------------
# references


def _ids(df: pl.DataFrame | None, column: str, only_ok: bool = False) -> pl.Series:
    if df is None or column not in df.columns:
        return pl.Series(column, [], pl.String)
    if only_ok and OK in df.columns:
        df = df.filter(pl.col(OK))
    return df.get_column(column).cast(pl.String).drop_nulls().unique()


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
    good = pl.concat([_ids(parent_frame, key, only_ok=True), _ids(known_parent, key)])
    delivered = _ids(parent_frame, key)
    ref = pl.col(column).cast(pl.String)
    rows = frame.filter(ref.is_not_null() & ~ref.is_in(good.implode()))
    if rows.height == 0:
        return pl.DataFrame()
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
    mine = traject.filter(pl.col(OK)).select(*cols, IDX)
    parts = [mine]
    if known is not None and known.height and set(cols) <= set(known.columns):
        earlier = known.select(cols).join(mine.select("traject_id"), on="traject_id", how="anti")
        parts.append(earlier.with_columns(pl.lit(None, pl.Int64).alias(IDX)))
    pool = pl.concat(parts, how="vertical_relaxed")
    group = ["project_id", "client_pseudoniem"]
    pool = pool.filter(pl.len().over(group) > 1)
    if pool.height == 0:
        return pl.DataFrame()
    far = pl.date(9999, 12, 31)
    pairs = (
        pool.filter(pl.col(IDX).is_not_null())
        .join(pool, on=group, suffix="_b")
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


def _measurements(
    meting: pl.DataFrame | None, known: pl.DataFrame | None, moment: str
) -> pl.DataFrame:
    cols = ["traject_id", "instrument", "onderdeel"]
    parts = []
    for df, only_ok in ((meting, True), (known, False)):
        if df is None or not set(cols + ["moment"]) <= set(df.columns):
            continue
        if only_ok and OK in df.columns:
            df = df.filter(pl.col(OK))
        parts.append(df.filter(pl.col("moment") == moment).select(cols))
    if not parts:
        return pl.DataFrame(
            schema={"traject_id": pl.String, "instrument": pl.String, "onderdeel": pl.String}
        )
    return pl.concat(parts, how="vertical_relaxed").unique()


def t1_without_t0(meting: pl.DataFrame, known: pl.DataFrame | None) -> pl.DataFrame:
    """An end measurement (T1) without a begin measurement (T0) of the same instrument part."""
    t0 = _measurements(meting, known, "T0")
    t1 = meting.filter(pl.col(OK) & (pl.col("moment") == "T1"))
    lonely = t1.join(t0, on=["traject_id", "instrument", "onderdeel"], how="anti", nulls_equal=True)
    return _hits(lonely, "meting", "moment", "t1_zonder_t0")


def completed_without_t1(
    traject: pl.DataFrame, meting: pl.DataFrame | None, known: pl.DataFrame | None
) -> pl.DataFrame:
    """A trajectory ended as planned (afgerond) without any end measurement (T1)."""
    t1 = _measurements(meting, known, "T1").select("traject_id").unique()
    done = traject.filter(pl.col(OK) & (pl.col("reden_einde") == "afgerond"))
    missing = done.join(t1, on="traject_id", how="anti")
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
        if meting is not None or (known_meting is not None and known_meting.height):
            out.append(completed_without_t1(traject, meting, known_meting))
    if meting is not None:
        out.append(t1_without_t0(meting, known_meting))
    if frames.get("kosten") is not None:
        out.append(summed_costs(frames["kosten"]))
    out = [f for f in out if f.height]
    return pl.concat(out, how="diagonal_relaxed") if out else pl.DataFrame()

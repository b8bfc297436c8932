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

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import polars as pl

from schemas import sheet_rules
from schemas.costs import own_costs
from schemas.hits import COPY, IDX, OK, file_hit, hits
from schemas.rounds import PERIOD, UPLOAD, Round
from schemas.tables import KEYS, NULLABLE_KEY_COLUMNS, polars_schema

# (child table, column, parent table), parents first so that rejections cascade.
REFERENCES: list[tuple[str, str, str]] = [
    ("traject", "project_id", "project"),
    ("inzet", "project_id", "project"),
    ("kosten", "project_id", "project"),
    ("activiteit", "project_id", "project"),
    ("projectopgave", "project_id", "project"),
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
    "activiteit": pl.format("Activiteit '{}'", pl.col("activiteit_id")),
    "projectopgave": pl.format(
        "De {} van project '{}' over {}{}",
        pl.col("soort"),
        pl.col("project_id"),
        pl.col("jaar"),
        pl.when(pl.col("uitkomst").is_not_null())
        .then(pl.format(" (uitkomst {})", pl.col("uitkomst")))
        .otherwise(pl.lit("")),
    ),
}
_KEY_NAME = {
    "organisatie": "organisatie",
    "project": "project_id",
    "traject": "traject_id",
    "meting": "traject, instrument, onderdeel en moment",
    "inzet": "project en jaar",
    "kosten": "project, jaar en kostensoort",
    "activiteit": "activiteit_id",
    "projectopgave": "project, jaar, soort en uitkomst",
}


def _hits(df: pl.DataFrame, table: str, kolom: str, regel: str, **extra: pl.Expr) -> pl.DataFrame:
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
    # fields named by position: the hash of a key does not depend on its columns' names
    fields = (pl.col(c).cast(pl.String).alias(f"k{i}") for i, c in enumerate(columns))
    return pl.struct(*fields).hash(seed=HASH_SEED)


def _scoped(columns: list[str]) -> list[str]:
    """A key within one upload of a round (`schemas.rounds`): the upload is part of it."""
    return [UPLOAD, *columns]


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


def uploads_with_repeated_keys(table: str, stack: pl.DataFrame, upload: str) -> set[int]:
    """The uploads of a stack of one table's files (column `upload`: which file a row came
    from) in which some key hash occurs more than once: one query for many files.

    Only in those can `duplicates` find anything and `summed_costs` warn (both look at keys
    repeated inside one upload; equal keys always have equal hashes), so the others skip both
    rules: the same results as running them file by file, without their fixed cost per file."""
    keys = KEYS[table]
    if stack.height < 2 or not set(keys) <= set(stack.columns):
        return set()
    repeated = (
        stack.select(pl.col(upload), key_hash(keys).alias("__h"))
        .filter(pl.len().over(upload, "__h") > 1)
        .get_column(upload)
        .unique()
    )
    return set(repeated.to_list())


def duplicates(table: str, frame: pl.DataFrame) -> tuple[pl.Series, pl.DataFrame]:
    """Duplicate keys in one table of each upload of a round (stacked, `schemas.rounds`):
    (mask of exact copies to leave out, hits).

    An exact copy of an earlier row (every column equal) is left out with a warning; rows that
    share a key but differ are all rejected (`dubbele_sleutel`). `kosten` is summed instead
    (see `summed_costs`), so it has neither.
    """
    no_copies = pl.Series(COPY, [False] * frame.height, pl.Boolean)
    if table == "kosten" or frame.height < 2:
        return no_copies, pl.DataFrame()
    table_keys = KEYS[table]
    keys = _scoped(table_keys)
    filled = pl.all_horizontal(
        *(pl.col(k).is_not_null() for k in table_keys if k not in NULLABLE_KEY_COLUMNS)
    )
    repeated = _repeated(frame.select(key_hash(keys)).to_series())
    candidates = frame.filter(repeated).filter(filled)
    if candidates.height == 0:
        return no_copies, pl.DataFrame()
    # exact from here on: the candidates are few
    columns = _scoped(_canonical(table, candidates))
    candidates = candidates.filter(pl.len().over(keys) > 1).with_columns(
        pl.col("_rij").first().over(columns).alias("__eerste"),
        ~pl.struct(columns).is_first_distinct().alias("__kopie_van"),
    )
    copies = candidates.filter(pl.col("__kopie_van"))
    found = [_hits(copies, table, table_keys[-1], "dubbele_rij", eerste_rij=pl.col("__eerste"))]
    rest = candidates.filter(~pl.col("__kopie_van"))
    conflict = rest.filter(pl.len().over(keys) > 1).with_columns(
        pl.len().over(keys).alias("__n"),
        pl.col("_rij").sort().cast(pl.String).str.join(", ").over(keys).alias("__rijen"),
    )
    found.append(
        _hits(
            conflict,
            table,
            table_keys[0],
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
    """Each child row must point to a parent accepted in its upload or known from before (for
    that upload: the frames are stacks of a round, `schemas.rounds`)."""
    key = _scoped([_PARENT_KEY[parent]])
    good = pl.concat([_hash_of(parent_frame, key, only_ok=True), _hash_of(known_parent, key)])
    ref = key_hash(_scoped([column]))
    rows = frame.filter(pl.col(column).is_not_null() & ~ref.is_in(good.implode()))
    if rows.height == 0:
        return pl.DataFrame()
    delivered = _hash_of(parent_frame, key)
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
    cols = [UPLOAD, "project_id", "client_pseudoniem", "traject_id", "startdatum", "einddatum"]
    group = _scoped(["project_id", "client_pseudoniem"])
    same = _scoped(["traject_id"])
    mine = traject.lazy().filter(pl.col(OK)).select(*cols, IDX)  # one query up to the pool
    parts = [mine.with_columns(key_hash(group).alias("__h"))]
    if known is not None and known.height and set(cols) <= set(known.columns):
        replaced = mine.select(key_hash(same).alias("__ht"))
        earlier = (
            known.lazy()
            .select(cols)
            .with_columns(
                key_hash(group).alias("__h"),
                pl.lit(None, pl.Int64).alias(IDX),
                key_hash(same).alias("__ht"),
            )
            .join(replaced, on="__ht", how="anti", maintain_order="left")
        )
        parts.append(earlier.select(*cols, IDX, "__h"))
    pool = (
        pl.concat(parts, how="vertical_relaxed")
        .filter(pl.len().over("__h") > 1)  # a client key seen more than once
        .collect(engine="in-memory")  # see `schemas.hits.hits`
    )
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
) -> pl.LazyFrame:
    """Hashes (`__h`) of `columns` (with the upload) of the measurements at `moment`
    (accepted now, or before), as a lazy query: the rule that uses them collects once."""
    columns = _scoped(columns)
    parts = []
    for df, only_ok in ((meting, True), (known, False)):
        if df is None or df.height == 0 or not {*columns, "moment"} <= set(df.columns):
            continue
        keep = pl.col("moment") == moment
        if only_ok and OK in df.columns:
            keep = keep & pl.col(OK)
        parts.append(df.lazy().filter(keep).select(key_hash(columns).alias("__h")))
    return pl.concat(parts) if parts else pl.LazyFrame(schema={"__h": pl.UInt64})


def _without(rows: pl.LazyFrame, columns: list[str], found: pl.LazyFrame) -> pl.DataFrame:
    """The rows whose key (`columns`, with the upload) has no hash in `found`, in their order."""
    return (
        rows.with_columns(key_hash(_scoped(columns)).alias("__h"))
        .join(found, on="__h", how="anti", maintain_order="left")
        .drop("__h")
        .collect(engine="in-memory")
    )


def t1_without_t0(meting: pl.DataFrame, known: pl.DataFrame | None) -> pl.DataFrame:
    """An end measurement (T1) without a begin measurement (T0) of the same instrument part."""
    t0 = _measured(meting, known, "T0", _PART)
    t1 = meting.lazy().filter(pl.col(OK) & (pl.col("moment") == "T1"))
    return _hits(_without(t1, _PART, t0), "meting", "moment", "t1_zonder_t0")


def completed_without_t1(
    traject: pl.DataFrame, meting: pl.DataFrame | None, known: pl.DataFrame | None
) -> pl.DataFrame:
    """A trajectory ended as planned (afgerond) without any end measurement (T1)."""
    t1 = _measured(meting, known, "T1", ["traject_id"])
    ended = traject.lazy().filter(pl.col(OK) & (pl.col("reden_einde") == "afgerond"))
    return _hits(
        _without(ended, ["traject_id"], t1), "traject", "reden_einde", "afgerond_zonder_t1"
    )


def euro_text(amount: float | None, decimals: int = 0) -> str:
    """An amount as a Dutch reader writes it: € 1.234 or € 1.234,56."""
    if amount is None:
        return "(leeg)"
    # halves up, as people round (f-strings round half to even: € 462,5 would be € 462)
    rounded = Decimal(repr(float(abs(amount)))).quantize(
        Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP
    )
    text = f"{rounded:,.{decimals}f}".replace(",", "\x00").replace(".", ",")
    return ("€ -" if amount < 0 else "€ ") + text.replace("\x00", ".")


def summed_costs(kosten: pl.DataFrame) -> pl.DataFrame:
    """One warning per cost key delivered on more than one line (they are summed)."""
    keys = _scoped(KEYS["kosten"])
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
    som = pl.col("__som").map_elements(lambda x: euro_text(x, 2), return_dtype=pl.String)
    return _hits(
        per_key,
        "kosten",
        "kostensoort",
        "kosten_opgeteld",
        aantal=pl.col("__n"),
        andere_rijen=pl.col("__rijen"),
        som=som,
    )


# ------------------------------------------------------------------------------------------
# costs of a project-year: missing, or implausibly low for the number of participants


@dataclass(frozen=True)
class CostNorm:
    """What intake needs to estimate a project-year's costs the way the MKBA does, and the
    sector's reference to compare the cost per participant with.

    fte: standard wage cost per paid FTE per year, used when the project-year has no own cost
        line of kostensoort ``personeel`` (the parameter set's `kosten.fte`, base, in its price
        year); vrijwilliger: coordination + expenses per volunteer per year, used when there is
        no own line of kostensoort ``vrijwilligers``.
    referentie: per intervention (columns ``interventie``, ``p10``) the sector's P10 of the cost
        per participant over complete project-years (`rendement.benchmark.cells.cost_reference`);
        None: no reference yet, so no `kosten_per_deelnemer_laag` warning.
    factor: warn when the cost per participant is below `factor` x the reference.
    """

    fte: float
    vrijwilliger: float
    referentie: pl.DataFrame | None = None
    factor: float = 0.25


# Only whether a project-year has any cost at all matters for `geen_kosten`: any positive price.
_PRESENCE_ONLY = CostNorm(fte=1.0, vrijwilliger=1.0)

# Said in a message that only sees the file(s) of a pre-flight check, not earlier deliveries.
ONLY_THIS_UPLOAD = (
    " (De controle vooraf ziet alleen dit bestand: inzet of kosten die al eerder zijn "
    "aangeleverd, telt ze niet mee.)"
)


def _rows_of(table: str, rnd: Round) -> tuple[pl.DataFrame | None, frozenset[int]]:
    """The rows of `inzet` or `kosten` for each upload's year, and the uploads they are
    delivered for: an upload's own accepted rows when it delivers the table (they replace that
    period's earlier rows), else the rows accepted before for that year. An upload that
    delivers neither, or only rows of other years, is not among them."""
    parts, uploads = [], set()
    delivering = rnd.uploads(table)
    frame = rnd.frames.get(table)
    if frame is not None:
        parts.append(frame.filter(pl.col(OK) & (pl.col("jaar") == pl.col(PERIOD))))
        uploads |= delivering
    earlier = rnd.known_of(table, rnd.uploads_knowing(table) - delivering)
    if earlier is not None and "jaar" in earlier.columns:
        earlier = earlier.filter(pl.col("jaar") == pl.col(PERIOD))
        if earlier.height:  # only other years' rows: not delivered yet
            parts.append(earlier)
            uploads |= set(earlier.get_column(UPLOAD).unique().to_list())
    if not parts:
        return None, frozenset()
    return pl.concat(parts, how="diagonal_relaxed"), frozenset(uploads)


def _active_clients(
    traject: pl.DataFrame | None, known: pl.DataFrame | None, uploads: frozenset[int]
) -> pl.DataFrame:
    """Per upload of `uploads` and project: the distinct clients with a trajectory active in
    the upload's year (started by 31-12 and not ended before 01-01), as the MKBA counts its
    participants; trajectories accepted before count too, unless the upload delivers a newer
    version of them."""
    cols = [UPLOAD, PERIOD, "project_id", "traject_id", "client_pseudoniem", "startdatum"]
    cols.append("einddatum")
    mine = pl.col(UPLOAD).is_in(sorted(uploads))
    parts: list[pl.LazyFrame] = []  # one query for the whole count
    if traject is not None and set(cols) <= set(traject.columns):
        parts.append(traject.lazy().filter(pl.col(OK) & mine).select(cols))
    if known is not None and known.height and set(cols) <= set(known.columns):
        earlier = known.lazy().filter(mine).select(cols)
        if parts:  # a trajectory the upload delivers again counts in its new version
            same = _scoped(["traject_id"])
            replaced = parts[0].select(key_hash(same).alias("__h"))
            earlier = (
                earlier.with_columns(key_hash(same).alias("__h"))
                .join(replaced, on="__h", how="anti")
                .select(cols)
            )
        parts.append(earlier)
    schema = {UPLOAD: pl.Int64, "project_id": pl.String, "deelnemers": pl.Int64}
    if not parts:
        return pl.DataFrame(schema=schema)
    first = pl.date(pl.col(PERIOD), 1, 1)
    last = pl.date(pl.col(PERIOD), 12, 31)
    return (
        pl.concat(parts, how="vertical_relaxed")
        .filter(
            (pl.col("startdatum") <= last)
            & (pl.col("einddatum").is_null() | (pl.col("einddatum") >= first))
        )
        .group_by(UPLOAD, "project_id")
        # distinct 64-bit hashes of the pseudonyms: half the time of comparing the texts, and
        # a collision (≈ n²/2⁶⁵) could only lower a count in a warning by one
        .agg(key_hash(["client_pseudoniem"]).n_unique().cast(pl.Int64).alias("deelnemers"))
        .select(pl.col(UPLOAD).cast(pl.Int64), "project_id", "deelnemers")
        .filter(pl.col("deelnemers") > 0)
        .collect(engine="in-memory")  # see `schemas.hits.hits`
    )


def _estimated_costs(
    inzet: pl.DataFrame | None, kosten: pl.DataFrame | None, norm: CostNorm
) -> pl.DataFrame:
    """Per upload and project: its costs in the year as the MKBA counts them (undiscounted,
    the rule of `schemas.costs`). Also the paid FTE, for the message."""
    key = _scoped(["project_id"])
    schema = {
        UPLOAD: pl.Int64,
        "project_id": pl.String,
        "__kosten": pl.Float64,
        "__fte": pl.Float64,
    }
    effort = (
        inzet.lazy()
        .group_by(key)
        .agg(
            pl.col("fte_betaald").fill_null(0.0).sum().alias("__fte"),
            pl.col("vrijwilligers").fill_null(0).sum().cast(pl.Float64).alias("__vrijw"),
        )
        if inzet is not None
        else pl.LazyFrame(
            schema={
                UPLOAD: pl.Int64,
                "project_id": pl.String,
                "__fte": pl.Float64,
                "__vrijw": pl.Float64,
            }
        )
    )
    own = (
        own_costs(kosten.lazy(), key).rename(
            {
                "eigen": "__eigen",
                "eigen_personeel": "__eigen_personeel",
                "eigen_vrijwilligers": "__eigen_vrijw",
            }
        )
        if kosten is not None
        else pl.LazyFrame(
            schema={
                UPLOAD: pl.Int64,
                "project_id": pl.String,
                "__eigen": pl.Float64,
                "__eigen_personeel": pl.Boolean,
                "__eigen_vrijw": pl.Boolean,
            }
        )
    )
    both = effort.join(own, on=key, how="full", coalesce=True).collect(engine="in-memory")
    if not both.height:
        return pl.DataFrame(schema=schema)
    fte, vrijw = pl.col("__fte").fill_null(0.0), pl.col("__vrijw").fill_null(0.0)
    return both.select(
        pl.col(UPLOAD).cast(pl.Int64),
        "project_id",
        (
            pl.col("__eigen").fill_null(0.0)
            + pl.when(pl.col("__eigen_personeel").fill_null(False))
            .then(0.0)
            .otherwise(fte * norm.fte)
            + pl.when(pl.col("__eigen_vrijw").fill_null(False))
            .then(0.0)
            .otherwise(vrijw * norm.vrijwilliger)
        ).alias("__kosten"),
        fte.alias("__fte"),
    )


def _anchors(frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Per upload and project, the row of the upload a project-year finding is shown at: its
    inzet row of the upload's year, else its first cost line of that year, else its project
    row, else its first trajectory. (UPLOAD, project_id, table, IDX)"""
    order = [
        ("inzet", pl.col("jaar") == pl.col(PERIOD)),
        ("kosten", pl.col("jaar") == pl.col(PERIOD)),
        ("project", pl.lit(True)),
        ("traject", pl.lit(True)),
    ]
    key = _scoped(["project_id"])
    parts = []
    for rank, (table, keep) in enumerate(order):
        frame = frames.get(table)
        if frame is None or not frame.height:
            continue
        parts.append(
            frame.lazy()
            .filter(pl.col(OK) & keep)
            .sort(UPLOAD, "_rij")
            .unique(key, keep="first", maintain_order=True)
            .select(
                pl.lit(rank).alias("__rang"),
                pl.lit(table).alias("__tabel"),
                pl.col(IDX).cast(pl.Int64),
                pl.col(UPLOAD).cast(pl.Int64),
                pl.col("project_id").cast(pl.String),
            )
        )
    if not parts:
        return pl.DataFrame(
            schema={"__tabel": pl.String, IDX: pl.Int64, UPLOAD: pl.Int64, "project_id": pl.String}
        )
    return (
        pl.concat(parts)
        .sort("__rang")
        .unique(key, keep="first", maintain_order=True)
        .drop("__rang")
        .collect(engine="in-memory")  # see `schemas.hits.hits`
    )


def _project_hits(
    found: pl.DataFrame, rnd: Round, regel: str, **extra: pl.Expr
) -> list[pl.DataFrame]:
    """Hits for per-project findings (`found` has UPLOAD, project_id and the extra fields'
    columns): at the project's row in its upload, or about the upload as a whole when the
    upload has no row of that project (say, a delivery of costs only; such a hit carries
    UPLOAD itself). The message names the project through the field ``project`` (not
    ``project_id``: a field named like a column is taken from the row, and a finding about the
    whole upload has no row)."""
    if not found.height:
        return []
    anchored = found.join(_anchors(rnd.frames), on=_scoped(["project_id"]), how="left")
    out = []
    for (table,), rows in (
        anchored.filter(pl.col("__tabel").is_not_null())
        .partition_by("__tabel", as_dict=True)
        .items()
    ):
        out.append(_hits(rows, table, "project_id", regel, project=pl.col("project_id"), **extra))
    loose = anchored.filter(pl.col("__tabel").is_null())
    if loose.height:
        values = loose.select(UPLOAD, pl.col("project_id").alias("project"), **extra)
        for row in values.iter_rows(named=True):
            upload = row.pop(UPLOAD)
            table, bestand = rnd.first_file[upload]
            out.append(
                file_hit(
                    table,
                    bestand,
                    "project_id",
                    regel,
                    waarde=str(row["project"]),
                    **{k: ("" if v is None else str(v)) for k, v in row.items()},
                ).with_columns(pl.lit(upload, pl.Int64).alias(UPLOAD))
            )
    return out


def project_year_costs(rnd: Round, *, norm: CostNorm | None) -> pl.DataFrame:
    """Project-years of each upload's period whose costs are missing or implausibly low.

    ``geen_kosten``: a project with trajectories active in the period but no inzet (paid FTE
    or volunteers) and no cost lines for that year: the MKBA of that year is incomplete.
    ``kosten_per_deelnemer_laag``: the costs of the year (estimated as the MKBA counts them,
    `_estimated_costs`) per participant (distinct clients active in the year) lie below
    `norm.factor` x the sector's P10 of its intervention (only with a reference).

    Checked only for an upload whose costs of the year are delivered at all (inzet or kosten
    in the upload, or accepted before for that year): a delivery of trajectories alone is not
    blamed for costs that arrive in the next file; and only with a known period.
    Trajectories, projects, inzet and kosten accepted before count too (`rnd.known`);
    `rnd.only_this_upload` says in the message that they could not (the pre-flight check).
    """
    inzet, with_effort = _rows_of("inzet", rnd)
    kosten, with_costs = _rows_of("kosten", rnd)
    costed = frozenset(u for u in with_effort | with_costs if rnd.periods.get(u) is not None)
    if not costed:
        return pl.DataFrame()
    clients = _active_clients(rnd.frames.get("traject"), rnd.known.get("traject"), costed)
    if not clients.height:  # only projects with participants
        return pl.DataFrame()
    norm = norm or _PRESENCE_ONLY
    key = _scoped(["project_id"])
    costs = (
        clients.lazy()
        .join(_estimated_costs(inzet, kosten, norm).lazy(), on=key, how="left")
        .with_columns(pl.col("__kosten").fill_null(0.0), pl.col("__fte").fill_null(0.0))
        .collect(engine="in-memory")
    )
    bron = ONLY_THIS_UPLOAD if rnd.only_this_upload else ""
    out = _project_hits(
        costs.filter(pl.col("__kosten") <= 0).sort(key),
        rnd,
        "geen_kosten",
        bron=pl.lit(bron),
    )

    reference = norm.referentie
    if reference is not None and reference.height:
        projects = _project_interventions(rnd.frames.get("project"), rnd.known.get("project"))
        low = (
            costs.filter(pl.col("__kosten") > 0)
            .join(projects, on=key, how="inner")
            .join(
                reference.select(
                    pl.col("interventie").cast(pl.String), pl.col("p10").cast(pl.Float64)
                ),
                on="interventie",
                how="inner",
            )
            .with_columns((pl.col("__kosten") / pl.col("deelnemers")).alias("__per"))
            .filter(pl.col("p10").is_finite() & (pl.col("__per") < norm.factor * pl.col("p10")))
            .sort(key)
        )
        if low.height:
            texts = low.with_columns(
                pl.col("__kosten").map_elements(euro_text, return_dtype=pl.String).alias("__k"),
                pl.col("__per").map_elements(euro_text, return_dtype=pl.String).alias("__p"),
                pl.col("p10").map_elements(euro_text, return_dtype=pl.String).alias("__r"),
                (pl.col("p10") * norm.factor)
                .map_elements(euro_text, return_dtype=pl.String)
                .alias("__g"),
                pl.col("__fte")
                .map_elements(lambda x: f"{x:g}".replace(".", ","), return_dtype=pl.String)
                .alias("__f"),
            )
            out += _project_hits(
                texts,
                rnd,
                "kosten_per_deelnemer_laag",
                kosten_jaar=pl.col("__k"),
                aantal_deelnemers=pl.col("deelnemers"),
                fte_jaar=pl.col("__f"),
                per_deelnemer=pl.col("__p"),
                referentie=pl.col("__r"),
                grens=pl.col("__g"),
                soort_interventie=pl.col("interventie"),
            )
    out = [f for f in out if f.height]
    return pl.concat(out, how="diagonal_relaxed") if out else pl.DataFrame()


def _project_interventions(
    project: pl.DataFrame | None, known: pl.DataFrame | None
) -> pl.DataFrame:
    """(UPLOAD, project_id) -> interventie, the upload's accepted projects before earlier
    ones."""
    columns = {UPLOAD, "project_id", "interventie"}
    parts = []
    if project is not None and columns <= set(project.columns):
        parts.append(project.filter(pl.col(OK)).select(UPLOAD, "project_id", "interventie"))
    if known is not None and known.height and columns <= set(known.columns):
        parts.append(known.select(UPLOAD, "project_id", "interventie"))
    if not parts:
        return pl.DataFrame(
            schema={UPLOAD: pl.Int64, "project_id": pl.String, "interventie": pl.String}
        )
    return (
        pl.concat(parts, how="vertical_relaxed")
        .with_columns(
            pl.col(UPLOAD).cast(pl.Int64), pl.col("project_id", "interventie").cast(pl.String)
        )
        .unique(_scoped(["project_id"]), keep="first", maintain_order=True)
    )


def warnings(rnd: Round, *, norm: CostNorm | None = None) -> pl.DataFrame:
    """All warnings between rows and tables for the usable tables of a round's uploads
    (`schemas.rounds`), each upload's against its own earlier data."""
    out = []
    traject, meting = rnd.frames.get("traject"), rnd.frames.get("meting")
    if traject is not None:
        with_traject = rnd.uploads("traject")
        out.append(duplicate_clients(traject, rnd.known_of("traject", with_traject)))
        # only when measurements are delivered at all (now or before): a partial upload of
        # trajectories alone is not blamed for measurements that arrive in the next file
        measured = with_traject & (rnd.uploads("meting") | rnd.uploads_knowing("meting"))
        if measured:
            out.append(
                completed_without_t1(
                    rnd.rows("traject", measured), meting, rnd.known_of("meting", measured)
                )
            )
    if meting is not None:
        out.append(t1_without_t0(meting, rnd.known_of("meting", rnd.uploads("meting"))))
    if rnd.frames.get("kosten") is not None and "kosten" in rnd.repeated:
        out.append(summed_costs(rnd.frames["kosten"]))
    opgave = rnd.frames.get("projectopgave")
    if opgave is not None:
        known_opgave = rnd.known_of("projectopgave", rnd.uploads("projectopgave"))
        out.append(sheet_rules.outcome_counts(opgave, known_opgave))
    out.append(project_year_costs(rnd, norm=norm))
    out = [f for f in out if f.height]
    return pl.concat(out, how="diagonal_relaxed") if out else pl.DataFrame()

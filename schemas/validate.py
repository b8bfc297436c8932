"""Validate one upload: which rows are accepted, which go to quarantine, and why, in Dutch.

`validate_upload` takes the canonical frames a reader in `sources/` produced (with the
bookkeeping columns `_rij` and `_bestand`) and runs, in this order:

1. structure per table: required columns present, each column of its declared type (a column
   that is not typed yet is parsed here; a cell that cannot be read rejects its row, a column
   in which nothing can be read refuses the file);
2. the pandera schema of the table plus the checks for the upload's context
   (`schemas.tables.schema_for`, built once per table and day, the reporting year a column):
   pandera's ``validate(lazy=True)`` once over all the table's rows, and with
   `prepare_uploads` once over the rows of all files of a batch of uploads, stacked with
   provenance columns (upload, row); its failure cases are mapped to rule codes
   (`schemas.rules.code_for_check`) and, through their `index`, to the upload and its row;
3. the reader's parse problems, merged in;
4. the rules between rows and tables (`schemas.cross_table`): duplicate keys, references to
   projects and trajectories (in this upload or already accepted), duplicate clients, T0/T1;
   with `validate_uploads` once over a round of uploads (`schemas.rounds`: stacked, the upload
   part of every key, each against its own earlier data; one upload alone is a round of one);
5. the file-level policy: a missing column, a column of unknown codes or too many rejected rows
   in one table refuses the whole upload.

Internally every problem is first a *hit*: table, row position `__i` (null for the file),
column, rule code and the extra fields its message needs. Only at the end are hits joined with
their rows and rendered as sentences, so the work stays proportional to the problems found.
"""

from __future__ import annotations

import datetime as dt
import functools
import string
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandera.errors
import pandera.polars as pa
import polars as pl

from schemas import cross_table
from schemas.bsn import STRAY_RULE, mask_text
from schemas.hits import COPY, HIT_SCHEMA, IDX, OK, file_hit, hits
from schemas.in_memory import validate_in_memory
from schemas.parsing import integer_value, parse_date, parse_number
from schemas.rounds import (
    PERIOD,
    UPLOAD,
    Round,
    local_index,
    stacked_index,
    upload_of_index,
)
from schemas.rules import (
    BESTAND,
    DOMAIN_RULES,
    FOUT,
    MASK,
    MASKED_COLUMNS,
    ORDER,
    RULES,
    WAARSCHUWING,
    code_for_check,
    rule,
)
from schemas.tables import (
    INSTRUMENTS_WITH_PARTS,
    KEYS,
    MODELS,
    WHOLE_NUMBER_INSTRUMENTS,
    polars_schema,
    required_columns,
    schema_for,
    upper_bound,
)
from schemas.vocabulary import (
    ACTIVITY_FORMS,
    AGE_BANDS,
    COST_TYPES,
    DOMAINS,
    END_REASONS,
    ESTABLISHED_BY,
    INSTRUMENTS,
    INTERVENTIONS,
    MOMENTS,
    OUTCOMES,
    RECOGNITION_LEVELS,
    SHEET_KINDS,
)

BOOKKEEPING = ("_rij", "_bestand")
EMPTY = "(leeg)"
MAX_SHOWN_CHARS = 80

FINDING_COLUMNS = [
    "tabel",
    "_bestand",
    "_rij",
    "kolom",
    "waarde",
    "regel",
    "ernst",
    "melding",
    "verwacht",
]
REJECTED_COLUMNS = ["tabel", "_bestand", "_rij", "regel", "kolom", "waarde", "melding"]
_FINDING_SCHEMA = {
    "tabel": pl.String,
    "_bestand": pl.String,
    "_rij": pl.Int64,
    "kolom": pl.String,
    "waarde": pl.String,
    "regel": pl.String,
    "ernst": pl.String,
    "melding": pl.String,
    "verwacht": pl.String,
}


@dataclass
class ValidationOutcome:
    """The verdict on one upload.

    accepted: valid rows per table, canonical columns only (bookkeeping columns dropped);
        empty frames when the file is refused. `kosten` lines with the same key are summed.
    rejected: one row per rejected row (tabel, _bestand, _rij, regel, kolom, waarde, melding):
        the first problem in catalogue order; `melding` says how many more the row has.
    findings: every problem, warnings included (tabel, _bestand, _rij, kolom, waarde, regel,
        ernst, melding, verwacht); ernst is fout, waarschuwing or bestand.
    file_rejected / file_reasons: whether the whole upload is refused, and why (Dutch).
    counts: per table: rijen, geaccepteerd, afgekeurd, niet_gelezen (rows the reader could not
        deliver), opgeslagen (rows in `accepted`), waarschuwingen.
    """

    accepted: dict[str, pl.DataFrame]
    rejected: pl.DataFrame
    findings: pl.DataFrame
    file_rejected: bool
    file_reasons: list[str] = field(default_factory=list)
    counts: dict = field(default_factory=dict)


# ------------------------------------------------------------------------------------------
# hits


_EMPTY_HITS = pl.DataFrame(
    schema={**HIT_SCHEMA, "_rij": pl.Int64, "_bestand": pl.String, "ernst": pl.String}
)


def _empty_hits() -> pl.DataFrame:
    # built once: a clean file asks for an empty set of hits a dozen times, and building a
    # frame from a schema costs more than copying one (a clone shares the empty columns)
    return _EMPTY_HITS.clone()


def _concat(frames: list[pl.DataFrame]) -> pl.DataFrame:
    frames = [f for f in frames if f is not None and f.height]
    if not frames:
        return _empty_hits()
    out = pl.concat(frames, how="diagonal_relaxed")
    for column, dtype in (("_rij", pl.Int64), ("_bestand", pl.String), ("ernst", pl.String)):
        if column not in out.columns:
            out = out.with_columns(pl.lit(None, dtype).alias(column))
    return out


# ------------------------------------------------------------------------------------------
# 1. structure


def _first_file(df: pl.DataFrame, table: str) -> str:
    if "_bestand" in df.columns and df.height:
        name = df["_bestand"].drop_nulls()
        if name.len():
            return str(name[0])
    return table


def _parse_strings(col: pl.Expr, target: pl.DataType) -> pl.Expr:
    """Read text typed by a person with the readers' parser (`schemas.parsing`), the Dutch way."""
    text = col.str.strip_chars()
    if target == pl.Date:
        return parse_date(text)
    number = parse_number(text)
    return integer_value(number) if target == pl.Int64 else number


def prepare(table: str, df: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, bool]:
    """Bring one table into its declared shape. Returns (frame, hits, usable).

    The frame gets IDX, `_rij` and `_bestand` (made up when the reader left them out), every
    optional column that is missing (empty), and each column cast to its declared type.
    `usable` is False when a required column is missing or unreadable: the row rules are not
    run on such a table and the file is refused.
    """
    schema = polars_schema(table)
    bestand = _first_file(df, table)
    lazy = df.lazy().with_row_index(IDX).with_columns(pl.col(IDX).cast(pl.Int64))
    if "_rij" not in df.columns:
        lazy = lazy.with_columns((pl.col(IDX) + 2).alias("_rij"))  # header is row 1
    if "_bestand" not in df.columns:
        lazy = lazy.with_columns(pl.lit(bestand).alias("_bestand"))
    frame = lazy.with_columns(
        pl.col("_rij").cast(pl.Int64), pl.col("_bestand").cast(pl.String).fill_null(bestand)
    ).collect(engine="in-memory")  # one query (see `hits`)
    found: list[pl.DataFrame] = []
    usable = True
    required = set(required_columns(table))
    # the missing optional columns and the casts, in one query after the loop: each reads
    # only its own column, so they are the same as one at a time
    later: list[pl.Expr] = []
    for column, dtype in schema.items():
        if column not in frame.columns:
            if column in required:
                found.append(file_hit(table, bestand, column, "kolom_ontbreekt"))
                usable = False
            else:
                found.append(file_hit(table, bestand, column, "kolom_ontbreekt_optioneel"))
                later.append(pl.lit(None, dtype).alias(column))
            continue
        have = frame.schema[column]
        if have == dtype:
            continue
        cast, column_hits, readable = _conform(table, bestand, frame, column, have, dtype)
        found.extend(column_hits)
        if readable:
            later.append(cast.alias(column))
        else:
            usable = False
    if later:
        frame = frame.with_columns(later)
    return frame, _concat(found), usable


def _conform(table, bestand, frame, column, have, dtype):
    """Cast one column; hits for the cells that cannot be read. -> (expr, hits, readable)."""
    col = pl.col(column)
    if have == pl.Null:
        return col.cast(dtype), [], True
    if dtype == pl.String and not have.is_nested():
        # codes read as numbers, categoricals, dates in a text column: all fine as text
        return col.cast(pl.String), [], True
    if dtype == pl.Date and isinstance(have, pl.Datetime):
        return col.dt.date(), [], True
    if dtype.is_numeric() and have.is_numeric():
        cast = col.cast(dtype, strict=False)
        if dtype.is_integer():
            cast = pl.when(col == col.round(0)).then(cast)
    elif have == pl.String and dtype in (pl.Date, pl.Float64, pl.Int64):
        cast = _parse_strings(col, dtype)
    else:
        example = frame[column].drop_nulls().head(1).cast(pl.String)
        return (
            col,
            [
                file_hit(
                    table,
                    bestand,
                    column,
                    "type_onjuist",
                    waarde=example[0] if example.len() else EMPTY,
                )
            ],
            False,
        )
    check = frame.select(IDX, _fmt(column, have).alias("__raw"), cast.alias("__cast"))
    failed = check.filter(pl.col("__raw").is_not_null() & pl.col("__cast").is_null())
    filled = check["__raw"].is_not_null().sum()
    if filled and failed.height == filled:
        return (
            col,
            [
                file_hit(
                    table,
                    bestand,
                    column,
                    "type_onjuist",
                    waarde=str(failed["__raw"][0]),
                )
            ],
            False,
        )
    return cast, [hits(failed, table, column, "waarde_onleesbaar", waarde=pl.col("__raw"))], True


# ------------------------------------------------------------------------------------------
# 2. the pandera schema, once per table over every file of a batch


@functools.lru_cache(maxsize=64)
def batch_schema(table: str, today: dt.date | None) -> pa.DataFrameSchema:
    """The table's pandera schema for uploads checked on this day, with the period rules
    reading each row's reporting year from `PERIOD`: one schema (built once per process: a
    deep copy of the model's schema plus the context checks) validates the files of every
    reporting year together. pandera's `validate` does not change the schema."""
    return schema_for(table, period=pl.col(PERIOD), today=today)


def check_items(
    items: Sequence[tuple[str, pl.DataFrame, int | None]], *, today: dt.date | None
) -> tuple[list[pl.DataFrame], list[bool]]:
    """Run each table's schema once over the rows of all its files and map every failure case
    back to its file: hits per item, in the order of `items`; and per item whether a key
    occurs more than once in its file (`cross_table.uploads_with_repeated_keys`, on the same
    stack): only then can the rules on repeated keys find anything in it.

    `items`: (table, prepared frame, the upload's reporting year), one per file and table. The
    frames are stacked with the provenance columns `UPLOAD` (the item) and `PERIOD`; pandera's
    ``validate(lazy=True)`` runs once per table; a failure case's `index` (its row in the
    stack) gives the item and `IDX` (its row in that file's frame). Every check is a row-wise
    expression (`schemas.tables`), so a row's failures do not depend on the rows stacked with
    it: the hits of an item are those of validating its file alone, in the same order.
    """
    out = [_empty_hits() for _ in items]
    repeated = [False] * len(items)
    per_table: dict[str, list[int]] = {}
    for i, (table, _frame, _period) in enumerate(items):
        per_table.setdefault(table, []).append(i)
    for table, positions in per_table.items():
        columns = list(polars_schema(table))
        stack = pl.concat(
            [
                items[i][1].select(
                    *columns,
                    IDX,
                    pl.lit(i, pl.Int64).alias(UPLOAD),
                    pl.lit(items[i][2], pl.Int64).alias(PERIOD),
                )
                for i in positions
            ],
            how="vertical",
        )
        for i in cross_table.uploads_with_repeated_keys(table, stack, UPLOAD):
            repeated[i] = True
        found = _schema_hits(table, stack, today)
        if not found.height:
            continue
        for (i,), part in found.partition_by(UPLOAD, as_dict=True, maintain_order=True).items():
            out[i] = part.drop(UPLOAD)
    return out, repeated


def row_checks(
    table: str, frame: pl.DataFrame, *, period: int | None, today: dt.date | None
) -> pl.DataFrame:
    """The hits of one table of one upload (`check_items` with one item)."""
    return check_items([(table, frame, period)], today=today)[0][0]


def _schema_hits(table: str, stack: pl.DataFrame, today: dt.date | None) -> pl.DataFrame:
    """pandera's failure cases on the stacked files of one table as hits with `UPLOAD`."""
    schema = batch_schema(table, today)
    try:
        validate_in_memory(schema, stack)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return _empty_hits()
    unmapped = cases.filter(pl.col("index").is_null())
    if unmapped.height:
        # structure was checked before, so this is a check that could not run: a bug
        raise RuntimeError(f"validation of {table} failed to run: {unmapped.rows()[:3]}")
    cases = cases.unique(["column", "check", "index"], maintain_order=True)
    pairs = cases.select("column", "check").unique()
    codes = {(c, k): code_for_check(c, k) for c, k in pairs.iter_rows()}
    mapping = pl.DataFrame(
        [(c, k, v) for (c, k), v in codes.items()],
        schema={"column": pl.String, "check": pl.String, "regel": pl.String},
        orient="row",
    )
    cases = cases.join(mapping, on=["column", "check"], how="left", maintain_order="left")
    at = cases["index"].cast(pl.Int64)  # the failing row's position in the stack
    return cases.select(
        pl.lit(table).alias("tabel"),
        stack[UPLOAD].gather(at).alias(UPLOAD),
        stack[IDX].gather(at).cast(pl.Int64).alias(IDX),
        pl.col("column").alias("kolom"),
        # an empty required code is "leeg", not "te lang"
        pl.when(
            (pl.col("regel") == "tekst_te_lang") & (pl.col("failure_case").str.len_chars() == 0)
        )
        .then(pl.lit("verplicht_veld_leeg"))
        .otherwise(pl.col("regel"))
        .alias("regel"),
    )


# ------------------------------------------------------------------------------------------
# 3. the reader's parse problems


def _in_sentence(title: str) -> str:
    """A rule's title inside a sentence: its first letter in lower case, unless it starts an
    abbreviation (BSN, ZRM)."""
    if len(title) > 1 and title[1].isupper():
        return title
    return title[:1].lower() + title[1:]


def parse_problem_hits(
    problems: pl.DataFrame | None, frames: dict[str, pl.DataFrame]
) -> pl.DataFrame:
    """Hits for the problems a reader found; rows are found back through `_rij`/`_bestand`."""
    if problems is None or problems.height == 0:
        return _empty_hits()
    p = problems
    for column in ("tabel", "kolom", "waarde", "regel", "melding", "_bestand", "ernst", "verwacht"):
        if column not in p.columns:
            p = p.with_columns(pl.lit(None, pl.String).alias(column))
    if "_rij" not in p.columns:
        p = p.with_columns(pl.lit(None, pl.Int64).alias("_rij"))
    p = p.with_columns(
        pl.col("_rij").cast(pl.Int64),
        *(
            pl.col(c).cast(pl.String)
            for c in (
                "tabel",
                "kolom",
                "waarde",
                "regel",
                "melding",
                "_bestand",
                "ernst",
                "verwacht",
            )
        ),
    ).with_columns(
        pl.col("regel").fill_null("leesfout"),
        # a reader's message may quote the value: for a client column it is replaced whole
        pl.when(
            pl.col("kolom").is_in(list(MASKED_COLUMNS)).fill_null(False)
            & (pl.col("regel") != STRAY_RULE)
        )
        .then(pl.lit("De waarde in een kolom met cliëntgegevens is niet te lezen."))
        .otherwise(pl.col("melding"))
        .alias("melding"),
    )
    located = []
    for table, group in p.partition_by("tabel", as_dict=True, include_key=True).items():
        table = table[0]
        frame = frames.get(table)
        if frame is None:
            located.append(group.with_columns(pl.lit(None, pl.Int64).alias(IDX)))
            continue
        rows = frame.select(IDX, "_rij", pl.col("_bestand").alias("__file"))
        single = frame["_bestand"].n_unique() <= 1
        group = group.with_columns(pl.col("_bestand").fill_null(_first_file(frame, table)))
        if single:
            joined = group.join(rows.drop("__file"), on="_rij", how="left")
        else:
            joined = group.join(
                rows, left_on=["_rij", "_bestand"], right_on=["_rij", "__file"], how="left"
            )
        located.append(joined)
    out = pl.concat(located, how="diagonal_relaxed")
    return out.with_columns(
        pl.when(pl.col("_rij").is_null() & pl.col("ernst").is_null())
        .then(pl.lit(BESTAND))
        .otherwise(pl.col("ernst"))
        .alias("ernst"),
        pl.col("verwacht").alias("__verwacht"),
    ).drop("verwacht")


# ------------------------------------------------------------------------------------------
# flags


def _with_severity(h: pl.DataFrame) -> pl.DataFrame:
    if h.height == 0 or "regel" not in h.columns:
        return _empty_hits()
    severity = {code: r.ernst for code, r in RULES.items()}
    from_catalogue = pl.col("regel").replace_strict(severity, default=FOUT, return_dtype=pl.String)
    if "ernst" in h.columns:
        return h.with_columns(pl.coalesce(pl.col("ernst"), from_catalogue).alias("ernst"))
    return h.with_columns(from_catalogue.alias("ernst"))


def _drop_shadowed(h: pl.DataFrame) -> pl.DataFrame:
    """A cell that could not be read is not also reported as empty.

    Our own `waarde_onleesbaar` names the canonical column, so the empty cell it leaves is
    matched by column. A reader's problem names the column as it is headed in the file (a
    vendor's name), so it cannot be matched by column; but the reader reports every empty
    required field itself, so in a row with a reader's problem our `verplicht_veld_leeg` only
    repeats what the reader said.
    """
    if h.height == 0:
        return h
    empty = pl.col("regel") == "verplicht_veld_leeg"
    located = pl.col(IDX).is_not_null()
    ours = h.filter(located & (pl.col("regel") == "waarde_onleesbaar")).select(
        "tabel", IDX, "kolom"
    )
    readers = h.filter(located & ~pl.col("regel").is_in(list(RULES))).select("tabel", IDX)
    if not ours.height and not readers.height:
        return h
    key = pl.concat_str(pl.col("tabel"), pl.col(IDX).cast(pl.String), separator="\x1f")
    cell = pl.concat_str(key, pl.col("kolom"), separator="\x1f")
    shadowed = key.is_in(readers.select(key).to_series().implode()) | cell.is_in(
        ours.select(cell).to_series().implode()
    )
    return h.filter(~(empty & located & shadowed.fill_null(False)))


# ------------------------------------------------------------------------------------------
# the whole upload


@dataclass
class Prepared:
    """One upload after steps 1 and 2: its tables in their declared shape (`frames`), whether
    each can be checked further (`usable`) and the hits so far, per table its structure hits
    and then its row-check hits."""

    frames: dict[str, pl.DataFrame]
    usable: dict[str, bool]
    hits: list[pl.DataFrame]
    # the usable tables in which a key occurs more than once (`check_items`): the rules on
    # repeated keys (`cross_table.duplicates`, `summed_costs`) look at these only
    repeated: frozenset[str] = frozenset()


def prepare_uploads(
    uploads: Sequence[tuple[dict[str, pl.DataFrame], int | None]], *, today: dt.date | None
) -> list[Prepared]:
    """Steps 1 and 2 for many uploads (tables, reporting year) checked on one day: the
    structure per file (each file brings its own column types), then each table's pandera
    schema once over the rows of all its files (`check_items`). An upload's result is the
    same whichever uploads it is prepared with."""
    shaped = []
    items: list[tuple[str, pl.DataFrame, int | None]] = []
    for tables, period in uploads:
        frames: dict[str, pl.DataFrame] = {}
        usable: dict[str, bool] = {}
        found: list[tuple[pl.DataFrame, int | None]] = []  # (hits, item of its row checks)
        for table, df in tables.items():
            if table not in MODELS:
                found.append(
                    (file_hit(table, _first_file(df, table), None, "tabel_onbekend"), None)
                )
                continue
            frame, structure, ok = prepare(table, df)
            frames[table], usable[table] = frame, ok
            found.append((structure, len(items) if ok else None))
            if ok:
                items.append((table, frame, period))
        shaped.append((frames, usable, found))
    checked, repeated = check_items(items, today=today)
    out = []
    for frames, usable, found in shaped:
        hits_so_far = []
        for structure, item in found:
            hits_so_far.append(structure)
            if item is not None:
                hits_so_far.append(checked[item])
        with_repeats = frozenset(
            items[item][0] for _structure, item in found if item is not None and repeated[item]
        )
        out.append(Prepared(frames, usable, hits_so_far, with_repeats))
    return out


@dataclass
class Upload:
    """One upload to judge (`validate_uploads`): its canonical frames, reporting year, the
    reader's parse problems, what its organisation had accepted before (`known`; None: nothing
    beyond these files can be seen, the pre-flight check), the file's own column names per
    table (`column_names`) and, when done already, its steps 1 and 2 (`prepared`)."""

    tables: dict[str, pl.DataFrame]
    period: int | None
    parse_problems: pl.DataFrame | None = None
    known: dict[str, pl.DataFrame] | None = None
    column_names: dict[str, dict[str, str]] | None = None
    prepared: Prepared | None = None


def validate_upload(
    tables: dict[str, pl.DataFrame],
    *,
    period: int,
    today: dt.date,
    parse_problems: pl.DataFrame | None = None,
    known: dict[str, pl.DataFrame] | None = None,
    max_invalid_share: float = 0.5,
    kostennorm: cross_table.CostNorm | None = None,
    column_names: dict[str, dict[str, str]] | None = None,
    prepared: Prepared | None = None,
) -> ValidationOutcome:
    """Validate the canonical frames of one upload of one organisation.

    `period` is the reporting year of the upload, `today` the date that counts as today (a
    date after it is in the future). `known` holds frames of data of the same organisation that
    was accepted before (projects, trajectories, measurements): references may point there.
    The file is refused when a required column is missing or unreadable, when every value in a
    coded column is unknown, or when more than `max_invalid_share` of a table's rows would be
    rejected. See docs/validatie.md for the rule list and policy.

    `known` None (not an empty dict) means nothing beyond these files can be seen: the
    pre-flight check. A warning that depends on earlier deliveries (`geen_kosten`) then says
    so. `kostennorm`: the standard costs and the sector's cost reference for the warning
    `kosten_per_deelnemer_laag` (intake); without it that warning is not given.
    `column_names`: {table: {canonical column: the file's own column}} (the reader's
    `Dialect.kolommen`): findings and their messages name the organisation's column.
    `prepared`: steps 1 and 2 already done for `tables` with this period and day
    (`prepare_uploads` over a batch of uploads); else they run here for this upload alone.
    """
    upload = Upload(tables, period, parse_problems, known, column_names, prepared)
    return validate_uploads(
        [upload], today=today, max_invalid_share=max_invalid_share, kostennorm=kostennorm
    )[0]


def validate_uploads(
    uploads: Sequence[Upload],
    *,
    today: dt.date,
    max_invalid_share: float = 0.5,
    kostennorm: cross_table.CostNorm | None = None,
) -> list[ValidationOutcome]:
    """Validate uploads as one round (`schemas.rounds`): each gets the verdict it would get
    alone (`validate_upload`), the rules between tables running once over all of them.

    Each is judged against its own `known`, so the uploads of a round do not depend on each
    other; a caller that needs one upload's acceptance in the next one's `known` (the uploads
    of one organisation) puts them in different rounds. The uploads of a round are all
    pre-flight checks (`known` None) or none of them."""
    if not uploads:
        return []
    if len({u.known is None for u in uploads}) > 1:
        raise ValueError("een ronde mengt controles vooraf met aanleveringen")
    todo = [i for i, u in enumerate(uploads) if u.prepared is None]
    prepared = [u.prepared for u in uploads]
    if todo:
        for i, p in zip(
            todo,
            prepare_uploads([(uploads[i].tables, uploads[i].period) for i in todo], today=today),
            strict=True,
        ):
            prepared[i] = p
    # 3. the reader's parse problems, per upload
    found = []
    for u, p in zip(uploads, prepared, strict=True):
        hits_so_far = [*p.hits, parse_problem_hits(u.parse_problems, p.frames)]
        found.append(_drop_shadowed(_with_severity(_concat(hits_so_far))))
    # 4. between rows and tables, over the round's uploads at once
    rnd = _stack(uploads, prepared)
    between = _between_tables(rnd, found, kostennorm)
    # 5. per upload: the file-level policy and the verdict; the counting on the stacks
    frames_of = _unstack(rnd, prepared)
    rejected = _rejected_counts(rnd)
    accepted = _accepted_rows(rnd)
    return [
        _verdict(
            frames_of[i],
            p.usable,
            _concat([found[i], between.get(i)]),
            rejected={t: rejected.get((i, t), 0) for t in p.frames},
            accepted={t: accepted[t].get(i) for t in p.frames if t in accepted},
            period=u.period,
            today=today,
            names=u.column_names,
            max_invalid_share=max_invalid_share,
        )
        for i, (u, p) in enumerate(zip(uploads, prepared, strict=True))
    ]


def _stack(uploads: Sequence[Upload], prepared: Sequence[Prepared]) -> Round:
    """The round (`schemas.rounds`): each table's usable frames stacked, and what each
    upload's organisation accepted before, stacked."""
    delivering: dict[str, set[int]] = {}
    refused: dict[str, set[int]] = {}
    parts: dict[str, list[pl.DataFrame]] = {}
    first_file: dict[int, tuple[str, str]] = {}
    repeated: set[str] = set()
    for i, (u, p) in enumerate(zip(uploads, prepared, strict=True)):
        repeated |= p.repeated
        for table, frame in p.frames.items():
            if not p.usable[table]:
                refused.setdefault(table, set()).add(i)
                continue
            if i not in first_file:
                name = frame.get_column("_bestand")[0] if frame.height else None
                first_file[i] = (table, table if name is None else str(name))
            delivering.setdefault(table, set()).add(i)
            parts.setdefault(table, []).append(
                frame.lazy().with_columns(
                    stacked_index(i),
                    pl.lit(i, pl.Int64).alias(UPLOAD),
                    pl.lit(u.period, pl.Int64).alias(PERIOD),
                )
            )
    # one query per table; columns in their own order per file (a missing optional one last)
    frames = {
        table: pl.concat(stacks, how="diagonal_relaxed").collect(engine="in-memory")
        for table, stacks in parts.items()
    }
    known: dict[str, pl.DataFrame] = {}
    knowing: dict[str, frozenset[int]] = {}
    for table in MODELS:
        stacks, with_rows = [], set()
        for i, u in enumerate(uploads):
            df = (u.known or {}).get(table)
            if isinstance(df, pl.DataFrame) and df.height:
                with_rows.add(i)
                stacks.append(
                    df.lazy().with_columns(
                        pl.lit(i, pl.Int64).alias(UPLOAD),
                        pl.lit(u.period, pl.Int64).alias(PERIOD),
                    )
                )
        if stacks:
            known[table] = pl.concat(stacks, how="diagonal_relaxed").collect(engine="in-memory")
            knowing[table] = frozenset(with_rows)
    return Round(
        frames=frames,
        known=known,
        delivering={t: frozenset(v) for t, v in delivering.items()},
        refused={t: frozenset(v) for t, v in refused.items()},
        periods={i: u.period for i, u in enumerate(uploads)},
        first_file=first_file,
        only_this_upload=uploads[0].known is None,
        repeated=frozenset(repeated),
        knowing=knowing,
    )


def _between_tables(
    rnd: Round, found: Sequence[pl.DataFrame], kostennorm: cross_table.CostNorm | None
) -> dict[int, pl.DataFrame]:
    """Step 4 over the round's stacks, parents before children so that rejections cascade:
    duplicate keys, references, warnings. Sets OK and COPY in `rnd.frames`; returns the new
    hits per upload (row positions its own)."""
    new: list[pl.DataFrame] = []
    # hits so far, rows at their stacked position: only errors on rows decide OK
    bad = [_errors(f).with_columns(stacked_index(i)) for i, f in enumerate(found) if f.height]
    for table, frame in rnd.frames.items():
        if table in rnd.repeated:  # a key repeats in some upload: copies and conflicts
            copies, dup_hits = cross_table.duplicates(table, frame)
            frame = frame.with_columns(copies)
            dup_hits = _with_severity(dup_hits)
            new.append(dup_hits)
            bad.append(_errors(dup_hits))
        else:
            frame = frame.with_columns(pl.lit(False, pl.Boolean).alias(COPY))
        rnd.frames[table] = frame
    _set_stacked_ok(rnd, _concat_bad(bad), set(rnd.frames))
    for child, column, parent in cross_table.REFERENCES:
        # an upload whose parent table is refused is refused anyway: no follow-on errors
        rows = rnd.rows(child, rnd.uploads(child) - rnd.refused.get(parent, frozenset()))
        if rows is None:
            continue
        ref_hits = _with_severity(
            cross_table.references(
                child, rows, column, parent, rnd.frames.get(parent), rnd.known.get(parent)
            )
        )
        if ref_hits.height:
            new.append(ref_hits)
            _set_stacked_ok(rnd, _errors(ref_hits), {child})  # its hits are the child's
    new.append(_with_severity(cross_table.warnings(rnd, norm=kostennorm)))
    return _per_upload(_concat(new))


_ERROR_ROWS = {"tabel": pl.String, IDX: pl.Int64}


def _errors(h: pl.DataFrame) -> pl.DataFrame:
    """(tabel, IDX) of the rows with an error among hits."""
    if not h.height:
        return pl.DataFrame(schema=_ERROR_ROWS)
    return h.filter((pl.col("ernst") == FOUT) & pl.col(IDX).is_not_null()).select("tabel", IDX)


def _concat_bad(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """The rows with an error (`_errors`) of several sets of hits, in one frame."""
    frames = [f for f in frames if f.height]
    if not frames:
        return pl.DataFrame(schema=_ERROR_ROWS)
    return pl.concat([f.select("tabel", pl.col(IDX).cast(pl.Int64)) for f in frames])


def _set_stacked_ok(rnd: Round, bad: pl.DataFrame, tables: set[str]) -> None:
    """OK of the stacks in `tables`: no error on the row so far, and not a copy. Errors only
    ever add up, so a stack that has OK keeps what it had and loses the rows in `bad`."""
    with_bad = set(bad.get_column("tabel").unique().to_list()) if bad.height else set()
    for table in tables:
        frame = rnd.frames[table]
        ok = pl.col(OK) if OK in frame.columns else ~pl.col(COPY)
        if table in with_bad:
            rows = bad.filter(pl.col("tabel") == table).get_column(IDX).unique()
            ok = ok & ~pl.col(IDX).is_in(rows.implode())
        elif OK in frame.columns:
            continue
        rnd.frames[table] = frame.with_columns(ok.alias(OK))


def _per_upload(h: pl.DataFrame) -> dict[int, pl.DataFrame]:
    """Hits on stacked rows back to their uploads, each with its own row positions; a hit
    about an upload as a whole carries UPLOAD itself."""
    if not h.height:
        return {}
    if UPLOAD not in h.columns:
        h = h.with_columns(pl.lit(None, pl.Int64).alias(UPLOAD))
    h = h.with_columns(pl.coalesce(pl.col(UPLOAD), upload_of_index()).alias(UPLOAD), local_index())
    return {
        i: part.drop(UPLOAD)
        for (i,), part in h.partition_by(UPLOAD, as_dict=True, maintain_order=True).items()
    }


def _unstack(rnd: Round, prepared: Sequence[Prepared]) -> list[dict[str, pl.DataFrame]]:
    """Each upload's frames in its own order, the usable ones from the round's stacks (with
    OK and COPY, row positions their own)."""
    split: dict[str, dict[int, pl.DataFrame]] = {}
    for table, frame in rnd.frames.items():
        own = frame.lazy().drop(PERIOD).with_columns(local_index()).collect(engine="in-memory")
        split[table] = {
            i: part
            for (i,), part in own.partition_by(
                UPLOAD, as_dict=True, include_key=False, maintain_order=True
            ).items()
        }
    out = []
    for i, p in enumerate(prepared):
        frames = {}
        for table, frame in p.frames.items():
            if not p.usable[table]:
                frames[table] = frame
            elif i in split[table]:
                frames[table] = split[table][i]
            else:  # delivered without rows
                frames[table] = frame.with_columns(
                    pl.lit(True, pl.Boolean).alias(OK), pl.lit(False, pl.Boolean).alias(COPY)
                )
        out.append(frames)
    return out


def _rejected_counts(rnd: Round) -> dict[tuple[int, str], int]:
    """Per (upload, usable table): its rows rejected (not OK, and not an exact copy)."""
    out = {}
    for table, frame in rnd.frames.items():
        per_upload = frame.group_by(UPLOAD).agg((~pl.col(OK) & ~pl.col(COPY)).sum())
        for upload, n in per_upload.iter_rows():
            out[(upload, table)] = n
    return out


def _accepted_rows(rnd: Round) -> dict[str, dict[int, pl.DataFrame]]:
    """Per usable table and upload: its accepted rows, canonical columns only (`kosten` lines
    with the same key summed), one query per table for all uploads."""
    out = {}
    for table, frame in rnd.frames.items():
        schema = polars_schema(table)
        rows = frame.lazy().filter(pl.col(OK)).select(UPLOAD, *schema)
        if table == "kosten":
            rows = (
                rows.group_by([UPLOAD, *KEYS["kosten"]], maintain_order=True)
                .agg(pl.col("organisatie_id").first(), pl.col("bedrag").sum())
                .select(UPLOAD, *schema)
            )
        done = rows.cast(schema).collect(engine="in-memory")  # see `hits`
        out[table] = {
            i: part
            for (i,), part in done.partition_by(
                UPLOAD, as_dict=True, include_key=False, maintain_order=True
            ).items()
        }
    return out


def _verdict(
    frames: dict[str, pl.DataFrame],
    usable: dict[str, bool],
    h: pl.DataFrame,
    *,
    rejected: dict[str, int],
    accepted: dict[str, pl.DataFrame | None],
    period: int | None,
    today: dt.date,
    names: dict[str, dict[str, str]] | None,
    max_invalid_share: float,
) -> ValidationOutcome:
    """Step 5 for one upload: the file-level policy, the findings in Dutch, the verdict.
    `rejected`: per usable table its rows rejected; `accepted`: per usable table its accepted
    rows (None: none), both counted on the round's stacks."""
    counts = _counts(frames, usable, h, rejected)
    h = _concat([h, _with_severity(_file_policy(frames, usable, h, counts, max_invalid_share))])
    findings = render_findings(h, frames, period=period, today=today, names=names)
    file_reasons = (
        findings.filter(pl.col("ernst") == BESTAND).get_column("melding").to_list()
        if findings.height
        else []
    )
    file_rejected = bool(file_reasons)
    accepted = {
        table: (
            accepted[table]
            if usable[table] and not file_rejected and accepted.get(table) is not None
            else pl.DataFrame(schema=polars_schema(table))
        )
        for table in frames
    }
    for table, c in counts.items():
        c["opgeslagen"] = accepted[table].height if table in accepted else 0
        if file_rejected:
            c["geaccepteerd"] = 0
    return ValidationOutcome(
        accepted=accepted,
        rejected=_rejected(findings),
        findings=findings.drop("__volgorde"),
        file_rejected=file_rejected,
        file_reasons=file_reasons,
        counts=counts,
    )


def _counts(frames, usable, h: pl.DataFrame, rejected_rows: dict[str, int]) -> dict:
    counts = {}
    for table, frame in frames.items():
        rows = frame.height
        if usable[table]:
            rejected = rejected_rows[table]
            accepted = rows - rejected
        else:
            rejected, accepted = 0, 0
        unread, warned = 0, 0
        if h.height:
            # one query for both numbers of this table
            mine = h.lazy().filter(pl.col("tabel") == table)
            unread_rows = mine.filter(
                pl.col(IDX).is_null() & pl.col("_rij").is_not_null() & (pl.col("ernst") == FOUT)
            ).select(pl.struct("_bestand", "_rij").n_unique().alias("n"))
            warned_rows = mine.select((pl.col("ernst") == WAARSCHUWING).sum().alias("w"))
            unread, warned = (
                pl.concat([unread_rows, warned_rows], how="horizontal")
                .collect(engine="in-memory")  # see `hits`
                .row(0)
            )
        counts[table] = {
            "rijen": rows,
            "geaccepteerd": accepted,
            "afgekeurd": rejected,
            "niet_gelezen": unread,
            "opgeslagen": 0,
            "waarschuwingen": warned,
        }
    return counts


def _file_policy(frames, usable, h: pl.DataFrame, counts: dict, share: float) -> pl.DataFrame:
    out = []
    for table, frame in frames.items():
        if not usable[table]:
            continue
        c = counts[table]
        total = c["rijen"] + c["niet_gelezen"]
        bad = c["afgekeurd"] + c["niet_gelezen"]
        if not bad and not h.height:
            continue  # a clean table: neither rule below can fire
        bestand = _first_file(frame, table)
        mine = h.filter((pl.col("tabel") == table) & pl.col(IDX).is_not_null())
        # a coded column in which no filled-in value is known: another code list
        for code in sorted(DOMAIN_RULES & set(mine.get_column("regel").unique().to_list())):
            failing = mine.filter(pl.col("regel") == code)
            column = failing["kolom"][0]
            filled = frame[column].is_not_null().sum()
            n_fail = failing.get_column(IDX).n_unique()
            if n_fail == filled and n_fail >= min(2, frame.height):
                example = frame[column].gather(failing[IDX].head(1).cast(pl.UInt32))[0]
                out.append(
                    file_hit(table, bestand, column, "alle_waarden_onbekend", waarde=str(example))
                )
        if total and bad / total > share:
            top = (
                h.filter((pl.col("tabel") == table) & (pl.col("ernst") == FOUT))
                .group_by("regel")
                .agg(pl.len().alias("n"))
                .sort(["n", "regel"], descending=[True, False])
                .head(3)
            )
            top_text = ", ".join(f"{_in_sentence(rule(r).titel)} ({n})" for r, n in top.iter_rows())
            out.append(
                file_hit(
                    table,
                    bestand,
                    None,
                    "te_veel_afgekeurd",
                    afgekeurd=str(bad),
                    rijen=str(total),
                    aandeel=_percent(bad / total),
                    grens=_percent(share),
                    top=top_text or EMPTY,
                )
            )
    return _concat(out)


def _percent(x: float) -> str:
    return f"{x * 100:.0f} %"


def _rejected(findings: pl.DataFrame) -> pl.DataFrame:
    errors = findings.filter((pl.col("ernst") == FOUT) & pl.col("_rij").is_not_null())
    if errors.height == 0:
        return pl.DataFrame(schema={c: _FINDING_SCHEMA[c] for c in REJECTED_COLUMNS})
    # findings are sorted by table, file, row and catalogue order already
    first = errors.group_by(["tabel", "_bestand", "_rij"], maintain_order=True).agg(
        pl.all().first(), pl.len().alias("__n")
    )
    more = pl.col("__n") - 1
    melding = (
        pl.when(more == 1)
        .then(
            pl.concat_str(
                pl.col("melding"), pl.lit(" Deze rij heeft nog 1 ander probleem; zie het rapport.")
            )
        )
        .when(more > 1)
        .then(
            pl.concat_str(
                pl.col("melding"),
                pl.lit(" Deze rij heeft nog "),
                more.cast(pl.String),
                pl.lit(" andere problemen; zie het rapport."),
            )
        )
        .otherwise(pl.col("melding"))
    )
    return first.with_columns(melding.alias("melding")).select(REJECTED_COLUMNS)


# ------------------------------------------------------------------------------------------
# rendering: hits -> Dutch sentences


def _fmt(column: str, dtype: pl.DataType) -> pl.Expr:
    """A value as a Dutch reader writes it: 31-12-2024, 3,5."""
    col = pl.col(column)
    if column in MASKED_COLUMNS:
        return pl.when(col.is_not_null()).then(pl.lit(MASK))
    if dtype == pl.Date:
        return col.dt.strftime("%d-%m-%Y")
    if dtype.is_float():  # a column of the wrong type is shown as it came
        whole = col.is_finite() & (col == col.round(0)) & (col.abs() < 1e15)
        return (
            pl.when(whole)
            .then(col.cast(pl.Int64).cast(pl.String))
            .otherwise(col.cast(pl.String).str.replace(".", ",", literal=True))
        )
    text = col.cast(pl.String)
    return (
        pl.when(text.str.len_chars() > MAX_SHOWN_CHARS)
        .then(pl.concat_str(text.str.slice(0, MAX_SHOWN_CHARS), pl.lit("…")))
        .otherwise(text)
    )


def _codes_text(codes) -> str:
    return ", ".join(codes)


_ALLOWED = {
    "domein": _codes_text(DOMAINS),
    "interventie": _codes_text(c for per in INTERVENTIONS.values() for c in per),
    "erkenning": _codes_text(RECOGNITION_LEVELS),
    "instrument": _codes_text(INSTRUMENTS),
    "moment": _codes_text(MOMENTS),
    "reden_einde": _codes_text(END_REASONS),
    "leeftijdsklasse": _codes_text(AGE_BANDS),
    "kostensoort": _codes_text(COST_TYPES),
    "vorm": _codes_text(ACTIVITY_FORMS),
    "soort": _codes_text(SHEET_KINDS),
    "uitkomst": _codes_text(OUTCOMES),
    "vastgesteld": _codes_text(ESTABLISHED_BY),
}
_KIND = {
    pl.Date: "datum (dd-mm-jjjj, bijvoorbeeld 31-12-2024)",
    pl.Float64: "getal (bijvoorbeeld 12,5)",
    pl.Int64: "geheel getal (bijvoorbeeld 2024)",
    pl.String: "tekst",
}
_UNITS = {
    "fte_betaald": " fte",
    "uren_betaald": " uur",
    "uren_vrijwilligers": " uur",
    "vrijwilligers": " vrijwilligers",
    "bedrag": " euro",
    "bijeenkomsten": " bijeenkomsten",
}


def _scale_text(code: str) -> str:
    label, low, high, _better = INSTRUMENTS[code]
    whole = "een geheel getal" if code in WHOLE_NUMBER_INSTRUMENTS else "een getal"
    part = " per onderdeel" if code in INSTRUMENTS_WITH_PARTS else ""
    return f"{whole} van {low:g} tot en met {high:g}{part} ({label})"


def _thousands(x: float) -> str:
    return f"{x:,.0f}".replace(",", ".")


def _derived(name: str, table: str | None) -> pl.Expr | None:
    """Fields a message may use that are not columns of the row."""
    kolom = pl.col("kolom")
    if name == "toegestaan":
        return kolom.replace_strict(_ALLOWED, default=EMPTY, return_dtype=pl.String)
    if name == "gegevenstype" and table in MODELS:
        kinds = {c: _KIND.get(t, str(t)) for c, t in polars_schema(table).items()}
        return kolom.replace_strict(kinds, default=EMPTY, return_dtype=pl.String)
    if name == "maximum" and table in MODELS:
        bounds = {
            c: _thousands(b) + _UNITS.get(c, "")
            for c in polars_schema(table)
            if (b := upper_bound(table, c)) is not None
        }
        return kolom.replace_strict(bounds, default=EMPTY, return_dtype=pl.String)
    if name == "schaal":
        scales = {c: _scale_text(c) for c in INSTRUMENTS}
        return pl.col("instrument").replace_strict(scales, default=EMPTY, return_dtype=pl.String)
    if name == "interventies":
        per = {d: _codes_text(v) for d, v in INTERVENTIONS.items()}
        return pl.col("domein").replace_strict(per, default=EMPTY, return_dtype=pl.String)
    if name == "onderdeel_tekst":
        return (
            pl.when(pl.col("onderdeel").is_not_null())
            .then(pl.concat_str(pl.lit(" (onderdeel "), pl.col("onderdeel"), pl.lit(")")))
            .otherwise(pl.lit(""))
        )
    if name == "rij":
        return pl.col("_rij").cast(pl.String)
    if name == "bestand":
        return pl.col("_bestand")
    return None


def _fields(template: str) -> list[str]:
    return [f for _lit, f, _spec, _conv in string.Formatter().parse(template) if f]


def _render(template: str) -> pl.Expr:
    parts = []
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        if literal:
            parts.append(pl.lit(literal))
        if name:
            parts.append(pl.col(name).cast(pl.String).fill_null(EMPTY))
    return pl.concat_str(parts) if parts else pl.lit("")


def render_findings(
    h: pl.DataFrame,
    frames: dict[str, pl.DataFrame],
    *,
    period: int | None,
    today: dt.date | None,
    names: dict[str, dict[str, str]] | None = None,
) -> pl.DataFrame:
    """Join hits with their rows and write each as a Dutch sentence (with what was expected).
    `names`: per table the file's own name of a canonical column, used for `kolom` (after the
    values of client columns are masked by their canonical name)."""
    if h.height == 0:
        return pl.DataFrame(schema={**_FINDING_SCHEMA, "__volgorde": pl.Int64})
    for column in ("_bestand", "_rij", "waarde", "melding", "__verwacht"):
        if column not in h.columns:
            h = h.with_columns(pl.lit(None, pl.String).alias(column))
    h = h.with_columns(pl.col("_rij").cast(pl.Int64))
    context = {
        "periode": str(period) if period is not None else EMPTY,
        "vandaag": today.strftime("%d-%m-%Y") if today is not None else EMPTY,
    }
    out = []
    # one lazy query per rule and table, collected together (not a query per step)
    for (table, code), found in h.partition_by(["tabel", "regel"], as_dict=True).items():
        the_rule = rule(code)
        frame = frames.get(table)
        group = found.lazy()
        columns = set(found.columns)
        if frame is not None:
            schema = polars_schema(table)
            # IDX is the row position: frames are never filtered or reordered here
            positions = found.get_column(IDX).drop_nulls().unique().sort()
            value_cols = [c for c in schema if c in frame.columns]
            rows = (
                frame.lazy()
                .select(pl.all().gather(positions))
                .select(
                    IDX,
                    pl.col("_rij").alias("__rij"),
                    pl.col("_bestand").alias("__bestand"),
                    *(_fmt(c, frame.schema[c]).alias(c) for c in value_cols),
                )
            )
            extra_cols = [c for c in ["__rij", "__bestand", *value_cols] if c in columns]
            group = group.drop(extra_cols).join(rows, on=IDX, how="left")
            group = group.with_columns(
                pl.coalesce("_rij", "__rij").alias("_rij"),
                pl.coalesce("_bestand", "__bestand").alias("_bestand"),
            )
            columns = (columns - set(extra_cols)) | {"__rij", "__bestand", *value_cols}
            from_row = (
                pl.coalesce(*(pl.when(pl.col("kolom") == c).then(pl.col(c)) for c in value_cols))
                if value_cols
                else pl.lit(None, pl.String)
            )
            group = group.with_columns(pl.coalesce("waarde", from_row).alias("waarde"))
        group = group.with_columns(
            pl.when(pl.col("kolom").is_in(list(MASKED_COLUMNS)).fill_null(False))
            .then(pl.lit(MASK))
            .otherwise(pl.col("waarde"))
            .alias("waarde"),
            *(pl.lit(v).alias(k) for k, v in context.items()),
        )
        columns |= set(context)
        if own := (names or {}).get(table):
            group = group.with_columns(pl.col("kolom").replace(own))
        melding_t = the_rule.template("melding", table)
        verwacht_t = the_rule.template("verwacht", table)
        for name in set(_fields(melding_t)) | set(_fields(verwacht_t)):
            if name in columns:
                continue
            derived = _derived(name, table)
            if derived is None:
                derived = pl.lit(EMPTY)
            group = group.with_columns(derived.alias(name))
            columns.add(name)
        verwacht = _render(verwacht_t) if verwacht_t else pl.lit(None, pl.String)
        out.append(
            group.select(
                pl.lit(table, pl.String).alias("tabel"),
                pl.col("_bestand").cast(pl.String),
                pl.col("_rij").cast(pl.Int64),
                pl.col("kolom").cast(pl.String),
                pl.col("waarde").cast(pl.String),
                pl.lit(code).alias("regel"),
                pl.col("ernst").cast(pl.String),
                _render(melding_t).alias("melding"),
                pl.coalesce(pl.col("__verwacht").cast(pl.String), verwacht).alias("verwacht"),
                pl.lit(ORDER.get(code, -1)).cast(pl.Int64).alias("__volgorde"),
            )
        )
    out = pl.collect_all(out, engine="in-memory")  # see `hits`
    findings = pl.concat(out, how="vertical_relaxed")
    # no value passing the BSN 11-proef is shown, whatever column it came in (`schemas.bsn`)
    findings = findings.with_columns(
        mask_text(findings["melding"]),
        mask_text(findings["waarde"]),
        mask_text(findings["_bestand"]),
    )
    table_order = {t: i for i, t in enumerate(MODELS)}
    severity_order = {BESTAND: 0, FOUT: 1, WAARSCHUWING: 2}
    return (
        findings.with_columns(
            # belt and braces: nothing shaped like a pseudonym leaves validation
            pl.col("melding").str.replace_all(r"\b[0-9a-f]{32}\b", MASK),
            pl.col("waarde").str.replace_all(r"\b[0-9a-f]{32}\b", MASK),
        )
        .sort(
            [
                pl.col("ernst").replace_strict(severity_order, default=3, return_dtype=pl.Int64),
                pl.col("tabel").replace_strict(table_order, default=99, return_dtype=pl.Int64),
                "_bestand",
                "_rij",
                "__volgorde",
                "kolom",
            ],
            nulls_last=False,
        )
        .select(*FINDING_COLUMNS, "__volgorde")
    )

"""Typed conversion of a layout's fields, as polars expressions, with a problem per bad value.

The parsing itself is `schemas.parsing` (shared with validation and the override file); this
module applies it per field with the separators detected for the file. A value that cannot be
read becomes null and a problem row (table, `_rij`, column as written in
the file, value, rule code, Dutch message); nothing raises for a single row. Values of fields
that identify a person are shown as "(verborgen)".

Rule codes: `datum_onleesbaar`, `getal_onleesbaar`, `code_onbekend`, `verplicht_leeg`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

import polars as pl

from schemas.parsing import (
    DATE_FORMATS,
    EXCEL_EPOCH,
    date_clean,
    date_parse,
    date_value,
    integer_value,
    number_clean,
    number_parse,
)
from sources.dialect import normalise_label
from sources.errors import MASK, PROBLEM_SCHEMA, concat_problems
from sources.mapping import FieldSpec, Mapping


def gemeentecode_digits(col: pl.Expr) -> pl.Expr:
    return col.str.extract(r"(?i)^(?:gm)?\s*(\d{1,4})$", 1)


def gemeentecode_value(col: pl.Expr, digits: pl.Expr) -> pl.Expr:
    """'363', '0363', 'gm0363' -> 'GM0363'; anything else is kept for validation to judge."""
    return pl.when(digits.is_not_null()).then(pl.lit("GM") + digits.str.zfill(4)).otherwise(col)


# --- shortcuts for uniform columns -----------------------------------------------------------
#
# The reader has already looked at every distinct value of a date or number column (to detect
# the notation). When all of them have the same shape, only the branch of the conversion that
# applies to that shape is evaluated: the result is the same for every value, without the other
# branches' regexes. Only ASCII values qualify, so Python's and polars' regexes agree.

_PLAIN = re.compile(r"[+-]?[0-9]+")
_COMMA = re.compile(r"[+-]?[0-9]*,[0-9]*")
_POINT = re.compile(r"[+-]?[0-9]*\.[0-9]+")


@dataclass(frozen=True)
class ColumnShape:
    """What every distinct value of a column looks like (known only when all were seen).

    `date`: the one notation of every value (a `DATE_FORMATS` label or "excel-serieel"),
    `timed`: some value has a time part; `number`: "plain" (only digits, optional sign),
    "comma" (digits with at most one decimal comma) or "point" (digits with a decimal point).
    """

    date: str | None = None
    timed: bool = False
    number: str | None = None


def number_shape(values: Iterable[str]) -> str | None:
    """The shape shared by all values ("plain", "comma", "point"), or None."""
    shape = "plain"
    for value in values:
        if _PLAIN.fullmatch(value):
            continue
        if shape in ("plain", "comma") and _COMMA.fullmatch(value):
            shape = "comma"
        elif shape in ("plain", "point") and _POINT.fullmatch(value):
            shape = "point"
        else:
            return None
    return shape


def _date_shortcut(col: pl.Expr, shape: ColumnShape) -> pl.Expr:
    """`date_parse(date_clean(col))` for a column whose values all have `shape.date`."""
    bare = date_clean(col) if shape.timed else col
    if shape.date == "excel-serieel":
        parsed = pl.lit(EXCEL_EPOCH) + pl.duration(
            days=bare.cast(pl.Float64, strict=False).floor().cast(pl.Int64)
        )
    else:
        parsed = bare.str.to_date(DATE_FORMATS[shape.date][1], strict=False)
    return parsed.cast(pl.Date)


def _number_shortcut(col: pl.Expr, shape: str, decimal: str) -> pl.Expr | None:
    """`number_parse(number_clean(col), ...)` for a column of one shape, when it has one.

    Such values contain no '€' or spaces; plain digits take the last branch of every variant;
    with a decimal comma, "12,5" takes the comma branch (no thousands point without a point);
    with a decimal point, "12.5" takes the last branch (the thousands patterns need a comma).
    """
    if shape == "plain":
        return col.cast(pl.Float64, strict=False)
    if shape == "comma" and decimal == ",":
        return col.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
    if shape == "point" and decimal != ",":
        return col.cast(pl.Float64, strict=False)
    return None


def code_lookup(values: list[str], table: dict[str, str]) -> dict[str, str]:
    """Raw value -> code for the distinct values present (matching ignores case and accents)."""
    out: dict[str, str] = {}
    for raw in values:
        if raw is None:
            continue
        code = table.get(normalise_label(raw))
        if code is not None:
            out[raw] = code
    return out


def _problem(mask: pl.Expr, table: str, kolom: str, value: pl.Expr, rule: str, text: str):
    """(mask, builder of the problem columns) for the rows where `mask` holds; `text` follows
    the quoted value. The columns are built only for a file that has such rows."""

    def columns() -> list[pl.Expr]:
        return [
            pl.lit(table).alias("tabel"),
            pl.col("_rij"),
            pl.lit(kolom).alias("kolom"),
            value.alias("waarde"),
            pl.lit(rule).alias("regel"),
            pl.concat_str([pl.lit("'"), value, pl.lit(f"' {text}")]).alias("melding"),
        ]

    return mask, columns


def _empty_problem(table: str, kolom: str) -> list[pl.Expr]:
    """The problem columns for an empty required cell."""
    return [
        pl.lit(table).alias("tabel"),
        pl.col("_rij"),
        pl.lit(kolom).alias("kolom"),
        pl.lit(None, pl.String).alias("waarde"),
        pl.lit("verplicht_leeg").alias("regel"),
        pl.lit(f"Kolom '{kolom}' is leeg, maar moet ingevuld zijn.").alias("melding"),
    ]


def convert_fields(
    rows: pl.DataFrame,
    fields: dict[str, FieldSpec],
    present: dict[str, int],
    header: list[str],
    mapping: Mapping,
    decimal: str,
    thousands: str | None,
    table_of: dict[str, str],
    shapes: dict[str, ColumnShape] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(typed frame with one column per field plus `_rij`, problems).

    `shapes`: per field, what all its distinct values look like (see `ColumnShape`), when the
    caller has seen them all; such columns skip the conversion branches that cannot apply.

    Every conversion runs once over the whole frame, in one query (three steps of helper
    columns, see `date_clean`); the checks then look only at the rows where at least one of
    them fails (usually none), so problems cost nothing on clean data: their expressions are
    not even built then.
    """
    code_fields = [n for n, f in fields.items() if f.type == "code" and n in present]
    distinct: dict[str, list[str]] = {}
    if code_fields:  # the distinct values of every code column, in one query
        row = rows.select(
            [pl.col(f"c{present[n]}").drop_nulls().unique().implode().alias(n) for n in code_fields]
        ).row(0)
        distinct = dict(zip(code_fields, row, strict=True))

    clean: list[pl.Expr] = []  # step 1 (on the file's columns)
    parse: list[pl.Expr] = []  # step 2
    typed: list[pl.Expr] = []  # step 3
    checks: list[tuple[pl.Expr, Callable[[], list[pl.Expr]]]] = []
    for name, spec in fields.items():
        col = pl.col(name)
        source = pl.col(f"c{present[name]}") if name in present else pl.lit(None, pl.String)
        converted = pl.col(f"__t_{name}")
        kolom = header[present[name]] if name in present else spec.headers[0]
        table = table_of.get(name, "")
        shown = pl.lit(MASK) if spec.identifier else col
        unreadable = col.is_not_null() & converted.is_null()
        step1, step2 = pl.col(f"__c_{name}"), pl.col(f"__p_{name}")

        shape = (shapes or {}).get(name)
        if spec.type == "date":
            if shape is not None and shape.date is not None:
                parse.append(_date_shortcut(col, shape).alias(f"__p_{name}"))
            else:
                clean.append(date_clean(source).alias(f"__c_{name}"))
                parse.append(date_parse(step1).alias(f"__p_{name}"))
            out = date_value(step2)
            checks.append(
                _problem(
                    unreadable,
                    table,
                    kolom,
                    shown,
                    "datum_onleesbaar",
                    f"in kolom '{kolom}' is geen geldige datum (verwacht dd-mm-jjjj, "
                    "bijvoorbeeld 31-01-2025).",
                )
            )
        elif spec.type in ("number", "integer"):
            shortcut = (
                _number_shortcut(col, shape.number, decimal)
                if shape is not None and shape.number is not None
                else None
            )
            if shortcut is not None:
                parse.append(shortcut.alias(f"__p_{name}"))
            else:
                clean.append(number_clean(source).alias(f"__c_{name}"))
                parse.append(number_parse(step1, decimal, thousands).alias(f"__p_{name}"))
            out = step2 if spec.type == "number" else integer_value(step2)
            what = "getal" if spec.type == "number" else "geheel getal"
            checks.append(
                _problem(
                    unreadable,
                    table,
                    kolom,
                    shown,
                    "getal_onleesbaar",
                    f"in kolom '{kolom}' is geen {what}.",
                )
            )
        elif spec.type == "gemeentecode":
            parse.append(gemeentecode_digits(col).alias(f"__p_{name}"))
            out = gemeentecode_value(col, step2)
        elif spec.type == "code":
            lookup = code_lookup(distinct.get(name, []), mapping.values[spec.values])
            out = (
                col.replace_strict(
                    list(lookup), list(lookup.values()), default=None, return_dtype=pl.String
                )
                if lookup
                else pl.lit(None, pl.String)
            )
            if spec.unknown == "keep":  # the contract: validation judges unknown codes
                out = pl.coalesce(out, col)
            elif spec.unknown == "problem":
                codes = mapping.codes(spec.values)
                listed = ", ".join(codes[:15]) + (" ..." if len(codes) > 15 else "")
                checks.append(
                    _problem(
                        unreadable,
                        table,
                        kolom,
                        shown,
                        "code_onbekend",
                        f"in kolom '{kolom}' kennen we niet (bekende waarden: {listed}). Vraag de "
                        "beheerder om deze waarde aan de vertaaltabel toe te voegen.",
                    )
                )
        else:
            out = col
        if spec.required:
            checks.append((col.is_null(), partial(_empty_problem, table, kolom)))
        typed.append(out.alias(f"__t_{name}"))

    # Eager steps: on frames this small, polars' query optimiser costs more than it saves. The
    # first step takes each field's column from the file and its cleaned text together.
    frame = rows.select(
        [
            (pl.col(f"c{present[name]}") if name in present else pl.lit(None, pl.String)).alias(
                name
            )
            for name in fields
        ]
        + [pl.col("_rij")]
        + clean
    )
    if parse:
        frame = frame.with_columns(parse)
    masks = [mask for mask, _ in checks]
    frame = frame.with_columns(typed).with_columns(
        (pl.any_horizontal(masks) if masks else pl.lit(False)).alias("__verdacht")
    )
    problems = pl.DataFrame(schema=PROBLEM_SCHEMA)
    if frame.get_column("__verdacht").any():
        suspicious = frame.filter(pl.col("__verdacht"))
        problems = concat_problems(
            [suspicious.filter(mask).select(exprs()) for mask, exprs in checks]
        )
    out_frame = pl.DataFrame(
        [frame.get_column(f"__t_{n}").alias(n) for n in fields] + [frame.get_column("_rij")]
    )
    return out_frame, problems

"""Typed conversion of a layout's fields, as polars expressions, with a problem per bad value.

A value that cannot be read becomes null and a problem row (table, `_rij`, column as written in
the file, value, rule code, Dutch message); nothing raises for a single row. Values of fields
that identify a person are shown as "(verborgen)".

Rule codes: `datum_onleesbaar`, `getal_onleesbaar`, `code_onbekend`, `verplicht_leeg`.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from sources.dialect import DATE_FORMATS, EXCEL_SERIAL, TIME_SUFFIX, normalise_label
from sources.errors import MASK, PROBLEM_SCHEMA, concat_problems
from sources.mapping import FieldSpec, Mapping

MIN_YEAR, MAX_YEAR = 1900, 2100
EXCEL_EPOCH = dt.date(1899, 12, 30)

_NL_THOUSANDS = r"^[+-]?\d{1,3}(\.\d{3})+(,\d*)?$"
_EN_THOUSANDS = r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$"


def date_expr(col: pl.Expr) -> pl.Expr:
    """Text -> Date for every supported notation (they cannot be confused with each other)."""
    bare = col.str.replace(TIME_SUFFIX, "")
    expr = pl.when(bare.str.contains(EXCEL_SERIAL)).then(
        pl.lit(EXCEL_EPOCH)
        + pl.duration(days=bare.cast(pl.Float64, strict=False).floor().cast(pl.Int64))
    )
    for pattern, fmt in DATE_FORMATS.values():
        expr = expr.when(bare.str.contains(pattern)).then(bare.str.to_date(fmt, strict=False))
    parsed = expr.otherwise(None).cast(pl.Date)
    return pl.when(parsed.dt.year().is_between(MIN_YEAR, MAX_YEAR)).then(parsed)


def number_expr(col: pl.Expr, decimal: str, thousands: str | None) -> pl.Expr:
    """Text -> Float64 with the file's separators; '€' and spaces are ignored."""
    clean = col.str.replace_all(r"[€\s\u00a0\u202f]", "")
    if decimal == ",":
        text = (
            pl.when(clean.str.contains(_NL_THOUSANDS))
            .then(clean.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True))
            .when(clean.str.contains(r"^[+-]?\d*,\d*$"))
            .then(clean.str.replace(",", ".", literal=True))
            .otherwise(clean)
        )
    elif thousands == ",":
        text = (
            pl.when(clean.str.contains(_EN_THOUSANDS))
            .then(clean.str.replace_all(",", "", literal=True))
            .otherwise(clean)
        )
    else:
        text = (
            pl.when(clean.str.contains(_EN_THOUSANDS))
            .then(clean.str.replace_all(",", "", literal=True))
            .when(clean.str.contains(r"^[+-]?\d*,\d*$"))
            .then(clean.str.replace(",", ".", literal=True))
            .otherwise(clean)
        )
    return text.cast(pl.Float64, strict=False)


def integer_expr(col: pl.Expr, decimal: str, thousands: str | None) -> pl.Expr:
    number = number_expr(col, decimal, thousands)
    return pl.when(number == number.round(0)).then(number).cast(pl.Int64, strict=False)


def gemeentecode_expr(col: pl.Expr) -> pl.Expr:
    """'363', '0363', 'gm0363' -> 'GM0363'; anything else is kept for validation to judge."""
    digits = col.str.extract(r"(?i)^(?:gm)?\s*(\d{1,4})$", 1)
    return pl.when(digits.is_not_null()).then(pl.lit("GM") + digits.str.zfill(4)).otherwise(col)


def code_lookup(values: pl.Series, table: dict[str, str]) -> dict[str, str]:
    """Raw value -> code for the distinct values present (matching ignores case and accents)."""
    out: dict[str, str] = {}
    for raw in values.drop_nulls().unique().to_list():
        code = table.get(normalise_label(raw))
        if code is not None:
            out[raw] = code
    return out


def _problem(mask: pl.Expr, table: str, kolom: str, value: pl.Expr, rule: str, text: str):
    """Problem rows where `mask` holds; `text` follows the quoted value."""
    return (
        mask,
        [
            pl.lit(table).alias("tabel"),
            pl.col("_rij"),
            pl.lit(kolom).alias("kolom"),
            value.alias("waarde"),
            pl.lit(rule).alias("regel"),
            pl.concat_str([pl.lit("'"), value, pl.lit(f"' {text}")]).alias("melding"),
        ],
    )


def convert_fields(
    rows: pl.DataFrame,
    fields: dict[str, FieldSpec],
    present: dict[str, int],
    header: list[str],
    mapping: Mapping,
    decimal: str,
    thousands: str | None,
    table_of: dict[str, str],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(typed frame with one column per field plus `_rij`, problems).

    Every conversion runs once over the whole frame; the checks then look only at the rows
    where at least one of them fails (usually none), so problems cost nothing on clean data.
    """
    raw = rows.select(
        [
            (pl.col(f"c{present[name]}") if name in present else pl.lit(None, pl.String)).alias(
                name
            )
            for name in fields
        ]
        + [pl.col("_rij")]
    )
    typed: list[pl.Expr] = []
    checks = []
    for name, spec in fields.items():
        col = pl.col(name)
        converted = pl.col(f"__t_{name}")
        kolom = header[present[name]] if name in present else spec.headers[0]
        table = table_of.get(name, "")
        shown = pl.lit(MASK) if spec.identifier else col
        unreadable = col.is_not_null() & converted.is_null()

        if spec.type == "date":
            out = date_expr(col)
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
        elif spec.type == "number":
            out = number_expr(col, decimal, thousands)
            checks.append(
                _problem(
                    unreadable,
                    table,
                    kolom,
                    shown,
                    "getal_onleesbaar",
                    f"in kolom '{kolom}' is geen getal.",
                )
            )
        elif spec.type == "integer":
            out = integer_expr(col, decimal, thousands)
            checks.append(
                _problem(
                    unreadable,
                    table,
                    kolom,
                    shown,
                    "getal_onleesbaar",
                    f"in kolom '{kolom}' is geen geheel getal.",
                )
            )
        elif spec.type == "gemeentecode":
            out = gemeentecode_expr(col)
        elif spec.type == "code":
            lookup = code_lookup(raw.get_column(name), mapping.values[spec.values])
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
            checks.append(
                (
                    col.is_null(),
                    [
                        pl.lit(table).alias("tabel"),
                        pl.col("_rij"),
                        pl.lit(kolom).alias("kolom"),
                        pl.lit(None, pl.String).alias("waarde"),
                        pl.lit("verplicht_leeg").alias("regel"),
                        pl.lit(f"Kolom '{kolom}' is leeg, maar moet ingevuld zijn.").alias(
                            "melding"
                        ),
                    ],
                )
            )
        typed.append(out.alias(f"__t_{name}"))
    frame = raw.with_columns(typed)
    problems = pl.DataFrame(schema=PROBLEM_SCHEMA)
    if checks:
        suspicious = frame.filter(pl.any_horizontal([mask for mask, _ in checks]))
        if suspicious.height:
            problems = concat_problems(
                [suspicious.filter(mask).select(exprs) for mask, exprs in checks]
            )
    out_frame = frame.select([pl.col(f"__t_{n}").alias(n) for n in fields] + [pl.col("_rij")])
    return out_frame, problems

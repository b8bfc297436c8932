"""Text typed by a person -> dates and numbers: the one parser.

Used by the readers of registration systems (`sources.convert`, with the separators detected
per file by `sources.dialect`), by validation for text that reaches it untyped
(`schemas.validate`) and by the organisations' override file (`rendement.mkba.overrides`).
It lives here, in the lowest layer, because validation needs it and may import nothing above
`schemas`.

Dates: dd-mm-jjjj, dd/mm/jjjj, dd.mm.jjjj, jjjj-mm-dd (an optional time part ignored) and
Excel serial numbers; only years from `MIN_YEAR` to `MAX_YEAR`. Numbers: '€' and spaces
ignored, a decimal comma or point and an optional thousands separator as given.

Each conversion is three steps over helper columns (see `sources.convert.convert_fields`): a
cleaned text, a parsed value, the typed result. An expression that used the cleaned text in
every branch would repeat the regex (and compile it again) once per branch: ≈ 1 ms per date
column even for a file of ten rows, which with ≈ 9,000 files per sector is most of the
reading time. `parse_date` and `parse_number` chain the steps for a single column.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

MIN_YEAR, MAX_YEAR = 1900, 2100
EXCEL_EPOCH = dt.date(1899, 12, 30)

# label -> (regex on the value without a time part, strptime format). Mutually exclusive.
DATE_FORMATS: dict[str, tuple[str, str]] = {
    "dd-mm-jjjj": (r"^\d{1,2}-\d{1,2}-\d{4}$", "%d-%m-%Y"),
    "dd/mm/jjjj": (r"^\d{1,2}/\d{1,2}/\d{4}$", "%d/%m/%Y"),
    "dd.mm.jjjj": (r"^\d{1,2}\.\d{1,2}\.\d{4}$", "%d.%m.%Y"),
    "jjjj-mm-dd": (r"^\d{4}-\d{1,2}-\d{1,2}$", "%Y-%m-%d"),
}
# Days since 30-12-1899 (Excel's 1900 system), optionally with a time fraction. Five digits
# only (from 18-05-1927): a four-digit number in a date column is far more likely a year.
EXCEL_SERIAL = r"^\d{5}(\.\d+)?$"
TIME_SUFFIX = r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$"

_NL_THOUSANDS = r"^[+-]?\d{1,3}(\.\d{3})+(,\d*)?$"
_EN_THOUSANDS = r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$"


def date_clean(col: pl.Expr) -> pl.Expr:
    """Step 1 of a date: the text without a time part."""
    return col.str.replace(TIME_SUFFIX, "")


def date_parse(bare: pl.Expr) -> pl.Expr:
    """Step 2 of a date: every supported notation (they cannot be confused with each other)."""
    expr = pl.when(bare.str.contains(EXCEL_SERIAL)).then(
        pl.lit(EXCEL_EPOCH)
        + pl.duration(days=bare.cast(pl.Float64, strict=False).floor().cast(pl.Int64))
    )
    for pattern, fmt in DATE_FORMATS.values():
        expr = expr.when(bare.str.contains(pattern)).then(bare.str.to_date(fmt, strict=False))
    return expr.otherwise(None).cast(pl.Date)


def date_value(parsed: pl.Expr) -> pl.Expr:
    """Step 3 of a date: only years from `MIN_YEAR` to `MAX_YEAR`."""
    return pl.when(parsed.dt.year().is_between(MIN_YEAR, MAX_YEAR)).then(parsed)


def parse_date(col: pl.Expr) -> pl.Expr:
    """Text -> Date in one expression (null when it is not a date we read)."""
    return date_value(date_parse(date_clean(col)))


def number_clean(col: pl.Expr) -> pl.Expr:
    """Step 1 of a number: '€' and spaces removed."""
    return col.str.replace_all(r"[€\s\u00a0\u202f]", "")


def number_parse(clean: pl.Expr, decimal: str, thousands: str | None) -> pl.Expr:
    """Step 2 of a number: text -> Float64 with the given separators."""
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


def parse_number(col: pl.Expr, decimal: str = ",", thousands: str | None = ".") -> pl.Expr:
    """Text -> Float64 in one expression (null when it is not a number); by default the Dutch
    way (decimal comma, thousands point)."""
    return number_parse(number_clean(col), decimal, thousands)


def integer_value(number: pl.Expr) -> pl.Expr:
    """Step 3 of an integer: whole numbers only."""
    return pl.when(number == number.round(0)).then(number).cast(pl.Int64, strict=False)

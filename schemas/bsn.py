"""The BSN at the level of one value: the 11-proef, a BSN typed in the wrong place, masking.

One place for the rule, at the bottom layer so that the column screen
(`rendement.core.privacy.find_bsn`), the readers (`sources.reader`), validation's messages
(`schemas.validate`) and the audit log (`rendement.core.audit`) all use the same one.

- A value *passes the 11-proef* when, without spaces and dots, it is exactly 9 digits that
  python-stdnum accepts as a BSN (`stdnum.nl.bsn`). About 1 in 11 random 9-digit numbers do.
- A *stray BSN* is a 9-digit value passing the 11-proef in a column that is not a column of
  9-digit numbers: a BSN typed in the wrong place (as a traject code, a municipality code, a
  date). A column is a column of 9-digit numbers when at least 2 and more than half of its
  non-empty values are 9-digit numbers; there a passing value may be one of the organisation's
  own numbers by chance, which the column screen judges for the column as a whole.
- A passing value is never shown: `masked` writes it as `*****` and its last four digits, and
  `mask_text` does that to every passing number inside a text.
"""

from __future__ import annotations

import re

import polars as pl
from stdnum.nl import bsn as stdnum_bsn

# How a 9-digit number is written: 123456782, 123.456.782, 123 456 782 or 1234.56.782.
NINE_DIGITS = r"^(\d{9}|\d{3}[ .]\d{3}[ .]\d{3}|\d{4}[ .]\d{2}[ .]\d{3})$"
# Numbers inside a text: plain digit runs and the grouped notations above.
_IN_TEXT = r"\d{3}[ .]\d{3}[ .]\d{3}|\d{4}[ .]\d{2}[ .]\d{3}|\d+"
_SEPARATORS = re.compile(r"[ .]")
MASK_PREFIX = "*****"
# The problem a reader reports for a stray BSN (`sources.strays`); its message names the
# column and the masked value only, so it is shown as written, also for a client column.
STRAY_RULE = "bsn_in_cel"


def compact(value: str) -> str:
    return _SEPARATORS.sub("", value.strip())


def passes_11_proef(value: str | None) -> bool:
    """True for a 9-digit number (spaces and dots allowed) that passes the BSN 11-proef."""
    if value is None:
        return False
    digits = compact(str(value))
    return len(digits) == 9 and digits.isdigit() and stdnum_bsn.is_valid(digits)


def masked(value: str) -> str:
    """`*****1234`: the last four digits only, enough to find the cell back in one's own file."""
    return MASK_PREFIX + compact(str(value))[-4:]


def passing(series: pl.Series) -> pl.Series:
    """Per value of a text column: does it pass the 11-proef (the shape in polars, the check
    itself by python-stdnum once per distinct candidate)."""
    text = series.cast(pl.String, strict=False).str.strip_chars()
    shaped = text.str.contains(NINE_DIGITS).fill_null(False)
    candidates = text.filter(shaped).unique().to_list()
    valid = [v for v in candidates if passes_11_proef(v)]
    if not valid:
        return pl.Series(series.name, [False] * series.len(), dtype=pl.Boolean)
    return (text.is_in(pl.Series(valid, dtype=pl.String).implode()) & shaped).fill_null(False)


def _nine_digit(filled: int, shaped: int) -> bool:
    return shaped >= 2 and 2 * shaped > filled


def is_nine_digit_column(series: pl.Series) -> bool:
    """At least 2 and more than half of the non-empty values are 9-digit numbers."""
    text = series.cast(pl.String, strict=False).str.strip_chars()
    text = text.filter(text.is_not_null() & (text != ""))
    return _nine_digit(text.len(), int(text.str.contains(NINE_DIGITS).sum()))


def stray(series: pl.Series) -> pl.Series:
    """Per value: a stray BSN (passing the 11-proef in a column that is not one of 9-digit
    numbers). All False for a column of 9-digit numbers."""
    if is_nine_digit_column(series):
        return pl.Series(series.name, [False] * series.len(), dtype=pl.Boolean)
    return passing(series)


def stray_cells(df: pl.DataFrame) -> dict[str, pl.Series]:
    """`stray` for every text column of a frame of cells as the readers hold them (stripped,
    empty as null), only the columns with a stray BSN. The counts of non-empty and 9-digit
    values of all columns come from one query, so a column without any 9-digit value (almost
    every column) costs no more than that."""
    names = [n for n, t in df.schema.items() if t == pl.String]
    if not names or not df.height:
        return {}
    counts = df.select(
        pl.col(names).is_not_null().sum().name.prefix("filled:"),
        pl.col(names).str.contains(NINE_DIGITS).sum().name.prefix("shaped:"),
    ).row(0, named=True)
    out = {}
    for name in names:
        filled, shaped = counts[f"filled:{name}"], counts[f"shaped:{name}"]
        if not shaped or _nine_digit(filled, shaped):
            continue
        found = passing(df.get_column(name))
        if found.any():
            out[name] = found
    return out


def mask_text(series: pl.Series) -> pl.Series:
    """Every number passing the 11-proef inside the texts replaced by its masked form."""
    if series.dtype != pl.String:
        series = series.cast(pl.String, strict=False)
    found = series.str.extract_all(_IN_TEXT).explode().drop_nulls().unique().to_list()
    valid = sorted({v for v in found if passes_11_proef(v)}, key=len, reverse=True)
    if not valid:
        return series
    return series.str.replace_many(valid, [masked(v) for v in valid])


def _texts_with_bsn(series: pl.Series) -> pl.Series:
    text = series.cast(pl.String, strict=False)
    numbers = text.str.extract_all(_IN_TEXT)
    found = numbers.explode().drop_nulls().unique().to_list()
    valid = [v for v in found if passes_11_proef(v)]
    if not valid:
        return pl.Series(series.name, [False] * series.len(), dtype=pl.Boolean)
    hit = numbers.list.eval(pl.element().is_in(valid)).list.any()
    return hit.fill_null(False).alias(series.name)


def contains_bsn(expr: pl.Expr) -> pl.Expr:
    """Per free text: does a number in it pass the 11-proef (as `mask_text` finds them)? A
    text such as a description of qualitative effects must not carry a BSN anywhere in it;
    the 11-proef runs once per distinct candidate number."""
    return expr.map_batches(_texts_with_bsn, return_dtype=pl.Boolean)


def mask_value(text: str) -> str:
    """`mask_text` for one text."""
    return re.sub(
        _IN_TEXT, lambda m: masked(m.group()) if passes_11_proef(m.group()) else m.group(), text
    )


def mask_nested(value):
    """`mask_value` on every text (keys included) of nested dicts, lists and tuples."""
    if isinstance(value, str):
        return mask_value(value)
    if isinstance(value, dict):
        return {mask_nested(k): mask_nested(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(mask_nested(v) for v in value)
    return value


__all__ = [
    "MASK_PREFIX",
    "NINE_DIGITS",
    "STRAY_RULE",
    "compact",
    "contains_bsn",
    "is_nine_digit_column",
    "mask_nested",
    "mask_text",
    "mask_value",
    "masked",
    "passes_11_proef",
    "passing",
    "stray",
    "stray_cells",
]

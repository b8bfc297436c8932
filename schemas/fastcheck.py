"""A one-query pre-check of a table against its pandera schema: does every check pass?

pandera's polars backend runs each check of each column as its own query, with
post-processing and failure-case collection (about 27 ms per table of a few thousand rows,
most of it fixed cost). Almost every uploaded file is clean, so `schemas.validate` first asks
this module whether the table passes *everything*, as one `select` of boolean aggregates, and
only runs pandera's full `validate(..., lazy=True)` (for the failure cases) when it does not.

The expressions are not written here: they are taken from the pandera schema itself, by
calling each check's own function (the models' `@pa.check` methods, the upload's context
checks and pandera's built-in checks such as `isin` or `str_length`) with a stand-in for the
lazy frame that records the expression the check selects. pandera's own treatment of the
output is then mirrored: `ignore_na` (a null result passes) or a null result fails,
`nullable=False` (null, and NaN in a float column, fails), and the declared dtype.

The pre-check can only say "everything passes". Whenever it cannot mirror pandera exactly (an
element-wise or a dataframe-level check, `unique`, coercion, a dtype that differs, a check
function that does something other than one `select`, a missing column, any error), it says
"unknown" and pandera decides. So the outcome is pandera's for every input: for a table that
passes, pandera would report no failure cases either.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import pandera.polars as pa
import polars as pl
from pandera.backends.polars.checks import PolarsCheckBackend
from pandera.backends.polars.components import ColumnBackend
from pandera.config import CONFIG

from schemas.tables import schema_for

# Above this many rows pandera's fixed cost per check is small next to the work on the data,
# and a failing row is likely: the pre-check would mostly be an extra pass (measured: a table
# of 400,000 measurements with 1 % bad rows took 40 % longer with it), so pandera decides.
MAX_ROWS = 100_000


class _NotCompilable(Exception):
    """A schema feature this pre-check does not mirror: pandera decides."""


@dataclass(frozen=True)
class _Selected:
    """What a check function returned after `lazyframe.select(...)` on the stand-in."""

    exprs: tuple


class _RecordingFrame:
    """Stands in for `PolarsData.lazyframe`: records the one expression a check selects."""

    def select(self, *exprs, **named):
        if named or len(exprs) != 1:
            raise _NotCompilable("check selects more than one expression")
        expr = exprs[0]
        if isinstance(expr, list | tuple):
            if len(expr) != 1:
                raise _NotCompilable("check selects more than one expression")
            expr = expr[0]
        if isinstance(expr, str):
            expr = pl.col(expr)
        if not isinstance(expr, pl.Expr):
            raise _NotCompilable("check selects something other than an expression")
        return _Selected((expr,))

    def __getattr__(self, name):
        raise _NotCompilable(f"check uses LazyFrame.{name}")


def _check_expr(check: pa.Check, key: str) -> pl.Expr:
    """The expression that is True where `check` passes, as pandera post-processes it."""
    if check.element_wise or check.groupby is not None:
        raise _NotCompilable("element-wise or grouped check")
    fn = check._check_fn
    if fn is None:
        raise _NotCompilable("check without a function")
    # as Check.__call__ does: a built-in check's dispatcher is looked up again, because the
    # polars implementations are registered after the models' checks were built (and copied)
    builtin = getattr(fn, "__name__", None)
    if builtin is not None and check.is_builtin_check(builtin):
        fn = check.get_builtin_check_fn(builtin)
    out = fn(pa.PolarsData(_RecordingFrame(), key), **check._check_kwargs)
    if not isinstance(out, _Selected):
        raise _NotCompilable("check does not return one selected expression")
    expr = out.exprs[0]
    # pandera.backends.polars.checks.PolarsCheckBackend.postprocess_lazyframe_output
    if check.ignore_na:
        return expr | expr.is_null()
    return expr.fill_null(False)


@dataclass(frozen=True)
class CompiledChecks:
    """The schema of one table for one upload, and its checks as aggregates for one query.

    `dtypes`: column -> the polars dtype pandera requires (compared in Python, per frame);
    `required`: columns that must be present; `exprs`: (column, expression) pairs, each
    expression True where one check (or `not_nullable`) passes. `exprs` is None when the
    schema has a feature that is not mirrored: then pandera always decides.
    """

    schema: pa.DataFrameSchema
    dtypes: dict
    required: frozenset
    exprs: tuple | None


def _compile(schema: pa.DataFrameSchema) -> tuple | None:
    """(dtypes, required columns, (column, expression) pairs), or None if not mirrored."""
    # the backends pandera would use for this frame (registered on first use, as validate does)
    schema.register_default_backends(pl.LazyFrame)
    if (
        pa.Check.get_backend(pl.LazyFrame()) is not PolarsCheckBackend
        or type(pa.Column.get_backend(check_type=pl.LazyFrame)) is not ColumnBackend
    ):
        return None  # e.g. the narwhals backend: its checks are not traced here
    if schema.checks or schema.unique or schema.coerce or schema.add_missing_columns:
        return None
    if getattr(schema, "drop_invalid_rows", False) or getattr(schema, "parsers", None):
        return None
    dtypes, required, exprs = {}, set(), []
    try:
        for name, column in schema.columns.items():
            if (
                column.regex
                or column.unique
                or column.coerce
                or column.dtype is None
                or column.default is not None
                or getattr(column, "parsers", None)
                or getattr(column, "drop_invalid_rows", False)
            ):
                return None
            dtype = column.dtype.type
            dtypes[name] = dtype
            if column.required:
                required.add(name)
            if not column.nullable:
                # ComponentSchemaBackend.check_nullable: null, and NaN in a float column
                not_null = pl.col(name).is_not_null()
                if dtype.is_float():
                    not_null = not_null & pl.col(name).is_not_nan()
                exprs.append((name, not_null))
            for check in column.checks:
                exprs.append((name, _check_expr(check, name)))
    except _NotCompilable:
        return None
    return dtypes, frozenset(required), tuple(exprs)


def compiled(table: str, period: int | None, today: dt.date | None) -> CompiledChecks:
    """The table's schema for this upload and its pre-check, built once per process.

    Both are cached: building the schema (a deep copy of the model's schema plus the context
    checks) and tracing its checks cost more than the pre-check itself on a small file.
    """
    return _compiled(table, period, today, bool(CONFIG.use_narwhals_backend))


@lru_cache(maxsize=512)
def _compiled(
    table: str, period: int | None, today: dt.date | None, _narwhals: bool
) -> CompiledChecks:
    schema = schema_for(table, period=period, today=today)
    built = _compile(schema)
    if built is None:
        return CompiledChecks(schema, {}, frozenset(), None)
    return CompiledChecks(schema, *built)


def passes(checks: CompiledChecks, frame: pl.DataFrame) -> bool:
    """True only if pandera's `validate(frame, lazy=True)` would find nothing; else False.

    False means "not known to pass": the caller runs pandera for the verdict.
    """
    if checks.exprs is None or frame.height > MAX_ROWS:
        return False
    schema = frame.schema
    if not all(name in schema for name in checks.required):
        return False
    for name, dtype in checks.dtypes.items():
        if name in schema and schema[name] != dtype:
            return False
    # an optional column that is absent: pandera skips its checks, and so do we
    terms = [expr.all() for name, expr in checks.exprs if name in schema]
    if not terms:
        return True
    try:
        return bool(frame.select(pl.all_horizontal(terms)).item())
    except Exception:  # noqa: BLE001 (a check that cannot run here: pandera reports it)
        return False

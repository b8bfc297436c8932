"""From typed rows to canonical tables: grouping, aggregates and column expressions.

A table spec (see `sources.mapping.TableSpec`) says which rows make one output row
(`one_row_per`: the first non-empty value of every field in the group is kept; `_rij` is the
group's first row), names aggregates over a group, and gives an expression per canonical
column. Expressions, as written in YAML:

| form | meaning |
|---|---|
| `veld` | the field (or aggregate) of that name |
| `null` | empty |
| `{value: x}` | the constant x |
| `{coalesce: [a, b]}` | a, or b where a is empty |
| `{join: [a, b], sep: "-"}` | a and b as text, joined |
| `{if_present: a, then: b}` | b where a is filled, else empty |
| `{if_differs: [a, b]}` | a where it differs from b, else empty |
| `{domain_of: a}` | the domain of intervention a |
| `{age_band: geboortedatum, at: startdatum}` | age band (vocabulary.AGE_BANDS) at a date |
| `{sequence: {within: [a], order_by: [b]}, width: 3}` | 001, 002, ... within a, by b |

Aggregates: `{min|max|first|last|count|n_unique: veld, where: {ander_veld: [code, ...]}}`
(`count`: rows where the field is filled; `n_unique`: its distinct values, empty when the
field is empty in every row of the group, so that "not exported" is not read as zero).
"""

from __future__ import annotations

from typing import Any

import polars as pl

from schemas.tables import MODELS, polars_schema
from schemas.vocabulary import AGE_BANDS, INTERVENTIONS
from sources.errors import MASK, concat_problems
from sources.mapping import Layout, MappingError, TableSpec

DOMAIN_OF = {code: domain for domain, per in INTERVENTIONS.items() for code in per}
MAX_AGE = 120


def output_schema(table: str) -> dict[str, pl.DataType]:
    """Canonical columns a reader delivers: no organisatie_id, client_id for the pseudonym."""
    out: dict[str, pl.DataType] = {}
    for name, dtype in polars_schema(table).items():
        if name == "organisatie_id":
            continue
        out["client_id" if name == "client_pseudoniem" else name] = dtype
    return out


def required_columns(table: str) -> set[str]:
    schema = MODELS[table].to_schema()
    names = {n for n, c in schema.columns.items() if not c.nullable and n != "organisatie_id"}
    return {"client_id" if n == "client_pseudoniem" else n for n in names}


def _bands() -> list[tuple[int, int | None, str]]:
    out = []
    for band in AGE_BANDS:
        if band.endswith("+"):
            out.append((int(band[:-1]), None, band))
        else:
            low, high = band.split("-")
            out.append((int(low), int(high), band))
    return out


def age_years(birth: pl.Expr, at: pl.Expr) -> pl.Expr:
    """Whole years between two dates (birthday counted on the day itself)."""

    def month_day(d: pl.Expr) -> pl.Expr:
        return d.dt.month().cast(pl.Int32) * 100 + d.dt.day().cast(pl.Int32)

    before_birthday = month_day(at) < month_day(birth)
    years = at.dt.year().cast(pl.Int64) - birth.dt.year().cast(pl.Int64)
    return years - before_birthday.cast(pl.Int64)


def age_band(age: pl.Expr) -> pl.Expr:
    expr = pl.when(age.is_null() | (age < 0) | (age > MAX_AGE)).then(pl.lit(None, pl.String))
    for low, high, band in _bands():
        cond = age >= low if high is None else age.is_between(low, high)
        expr = expr.when(cond).then(pl.lit(band))
    return expr.otherwise(None)


# --- expressions ----------------------------------------------------------------------------


def references(spec: Any) -> set[str]:
    """Field/aggregate names an expression reads."""
    if spec is None:
        return set()
    if isinstance(spec, str):
        return {spec}
    if isinstance(spec, list):
        return set().union(*(references(s) for s in spec)) if spec else set()
    if isinstance(spec, dict):
        out: set[str] = set()
        for key, val in spec.items():
            if key in ("value", "sep", "width"):
                continue
            if key == "sequence":
                out |= references(val.get("within", [])) | references(val.get("order_by", []))
            else:
                out |= references(val)
        return out
    return set()


def expr(spec: Any) -> pl.Expr:
    if spec is None:
        return pl.lit(None)
    if isinstance(spec, str):
        return pl.col(spec)
    if not isinstance(spec, dict):
        raise MappingError(f"onbekende expressie: {spec!r}")
    if "value" in spec:
        return pl.lit(spec["value"])
    if "coalesce" in spec:
        return pl.coalesce([expr(s) for s in spec["coalesce"]])
    if "join" in spec:
        return pl.concat_str(
            [expr(s).cast(pl.String) for s in spec["join"]], separator=str(spec.get("sep", "-"))
        )
    if "if_present" in spec:
        return pl.when(expr(spec["if_present"]).is_not_null()).then(expr(spec.get("then")))
    if "if_differs" in spec:
        first, second = (expr(s) for s in spec["if_differs"])
        return pl.when(first != second).then(first)
    if "domain_of" in spec:
        inner = expr(spec["domain_of"])
        return inner.replace_strict(DOMAIN_OF, default=None, return_dtype=pl.String)
    if "age_band" in spec:
        return age_band(age_years(expr(spec["age_band"]), expr(spec["at"])))
    if "sequence" in spec:
        seq = spec["sequence"]
        within = [expr(s) for s in seq.get("within", [])]
        order = [expr(s) for s in seq.get("order_by", [])] or [pl.col("_rij")]
        rank = pl.arg_sort_by(order, nulls_last=True).arg_sort() + 1
        if within:
            rank = rank.over(within)
        return rank.cast(pl.String).str.zfill(int(spec.get("width", 3)))
    raise MappingError(f"onbekende expressie: {spec!r}")


AGGREGATES = ("min", "max", "first", "last", "count", "n_unique")


def _aggregate(name: str, spec: dict) -> pl.Expr:
    ops = [k for k in AGGREGATES if k in spec]
    if len(ops) != 1:
        raise MappingError(f"aggregaat {name}: gebruik precies één van {'/'.join(AGGREGATES)}")
    op = ops[0]
    col = pl.col(spec[op])
    where = spec.get("where") or {}
    for field_name, codes in where.items():
        codes = [codes] if isinstance(codes, str) else list(codes)
        col = col.filter(pl.col(field_name).is_in(codes))
    if op in ("first", "last"):
        col = col.drop_nulls()
        return (col.first() if op == "first" else col.last()).alias(name)
    if op == "count":
        return col.drop_nulls().len().cast(pl.Int64).alias(name)
    if op == "n_unique":
        filled = col.drop_nulls()
        return pl.when(filled.len() > 0).then(filled.n_unique().cast(pl.Int64)).alias(name)
    return (col.min() if op == "min" else col.max()).alias(name)


def _hint(spec: Any, aggregates: dict[str, dict]) -> str:
    """Why a derived column can be empty, in Dutch."""
    names = references(spec)
    if isinstance(spec, dict) and "age_band" in spec:
        return "de geboortedatum of de startdatum ontbreekt of is onleesbaar"
    for name in names:
        agg = aggregates.get(name)
        if agg and agg.get("where"):
            (field_name, codes), *_ = agg["where"].items()
            codes = [codes] if isinstance(codes, str) else codes
            return f"er is geen regel met {field_name} {' of '.join(map(str, codes))}"
    return "de gegevens waaruit deze kolom volgt ontbreken"


# --- tables ---------------------------------------------------------------------------------


def table_of_fields(layout: Layout) -> dict[str, str]:
    """Field -> the first table that uses it (where its reading problems are reported)."""
    out: dict[str, str] = {}
    by_table = {t.table: t for t in layout.tables}

    def walk(spec: TableSpec) -> set[str]:
        names = set(spec.one_row_per)
        for col_spec in spec.columns.values():
            names |= references(col_spec)
        for agg in spec.aggregate.values():
            names |= references({k: v for k, v in agg.items() if k != "where"})
            names |= set((agg.get("where") or {}).keys())
        if spec.source and spec.source in by_table:
            names |= walk(by_table[spec.source])
        return names

    for spec in layout.tables:
        for name in walk(spec):
            out.setdefault(name, spec.source or spec.table)
    for name in layout.fields:
        out.setdefault(name, layout.tables[0].table if layout.tables else "")
    return out


def _fields_of(spec: Any) -> list[str]:
    """The layout fields a column expression reads (`expr`'s forms), in order."""
    if isinstance(spec, str):
        return [spec]
    if isinstance(spec, list):
        return [f for s in spec for f in _fields_of(s)]
    if isinstance(spec, dict):
        return [
            f for k, v in spec.items() if k not in ("value", "sep", "width") for f in _fields_of(v)
        ]
    return []


def source_columns(layout: Layout, kolom_of: dict[str, str]) -> dict[str, dict[str, str]]:
    """{table: {canonical column: the file's column(s) it comes from}} where they differ: what
    a message about that column should call it. The raw client id is stored as
    `client_pseudoniem`, so that name gets the file's column as well."""
    out: dict[str, dict[str, str]] = {}
    for spec in layout.tables:
        names: dict[str, str] = {}
        for column, source in spec.columns.items():
            headers = list(dict.fromkeys(kolom_of[f] for f in _fields_of(source) if f in kolom_of))
            if not headers:
                continue
            shown = " / ".join(headers)
            if shown != column:
                names[column] = shown
            if column == "client_id":
                names["client_pseudoniem"] = shown
        if names:
            out[spec.table] = names
    return out


def build_tables(
    layout: Layout,
    typed: pl.DataFrame,
    bestand: str,
    kolom_of: dict[str, str],
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """Canonical tables (typed, with `_rij` and `_bestand`) and the problems found building them."""
    grouped: dict[str, pl.DataFrame] = {}
    tables: dict[str, pl.DataFrame] = {}
    problems: list[pl.DataFrame] = []
    for spec in layout.tables:
        base = grouped[spec.source] if spec.source else typed
        if spec.one_row_per:
            keys = list(spec.one_row_per)
            rest = [c for c in base.columns if c not in keys and c != "_rij"]
            frame = (
                base.filter(pl.all_horizontal(pl.col(keys).is_not_null()))
                .group_by(keys, maintain_order=True)
                .agg(
                    [pl.col(c).drop_nulls().first() for c in rest]
                    + [_aggregate(n, a) for n, a in spec.aggregate.items()]
                    + [pl.col("_rij").min()]
                )
            )
        else:
            if spec.aggregate:
                raise MappingError(f"tabel {spec.table}: aggregate vraagt om one_row_per")
            frame = base
        grouped[spec.table] = frame
        schema = output_schema(spec.table)
        out = frame.select(
            [expr(s).cast(schema[c]).alias(c) for c, s in spec.columns.items()]
            + [pl.col("_rij").cast(pl.Int64), pl.lit(bestand, pl.String).alias("_bestand")]
        )
        problems.extend(_age_problems(spec, frame, kolom_of))
        required_fields = {n for n, f in layout.fields.items() if f.required}
        problems.extend(_derived_problems(spec, out, required_fields))
        tables[spec.table] = out
    return tables, concat_problems(problems)


def _age_problems(spec: TableSpec, frame: pl.DataFrame, kolom_of: dict[str, str]):
    for column, col_spec in spec.columns.items():
        if not (isinstance(col_spec, dict) and "age_band" in col_spec):
            continue
        birth, at = expr(col_spec["age_band"]), expr(col_spec["at"])
        age = age_years(birth, at)
        bad = frame.filter(birth.is_not_null() & at.is_not_null() & ((age < 0) | (age > MAX_AGE)))
        if bad.height:
            birth_name = col_spec["age_band"] if isinstance(col_spec["age_band"], str) else column
            kolom = kolom_of.get(birth_name, birth_name)
            yield bad.select(
                pl.lit(spec.table).alias("tabel"),
                pl.col("_rij"),
                pl.lit(kolom).alias("kolom"),
                pl.lit(MASK).alias("waarde"),
                pl.lit("leeftijd_onmogelijk").alias("regel"),
                pl.lit(
                    f"De geboortedatum in kolom '{kolom}' ligt na de startdatum of meer dan "
                    f"{MAX_AGE} jaar ervoor; de leeftijdsklasse is niet te bepalen."
                ).alias("melding"),
            )


def _derived_problems(spec: TableSpec, out: pl.DataFrame, required_fields: set[str]):
    """verplicht_leeg for required canonical columns that a derivation left empty.

    A plain copy of a required field is skipped: reading the field reported it already.
    """
    for column in sorted(required_columns(spec.table)):
        col_spec = spec.columns.get(column)
        if isinstance(col_spec, str) and col_spec in required_fields:
            continue
        empty = out.filter(pl.col(column).is_null())
        if not empty.height:
            continue
        hint = _hint(col_spec, spec.aggregate)
        yield empty.select(
            pl.lit(spec.table).alias("tabel"),
            pl.col("_rij"),
            pl.lit(column).alias("kolom"),
            pl.lit(None, pl.String).alias("waarde"),
            pl.lit("verplicht_leeg").alias("regel"),
            pl.lit(f"Kolom '{column}' kon niet worden bepaald: {hint}.").alias("melding"),
        )

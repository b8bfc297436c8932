"""Mappings: how a layout's columns become the canonical tables, declared rather than coded.

A *system* (the sector export contract, RegiCare, Regas, ...) has one or more *layouts* (the
shape of one file or sheet). A layout declares

- `fields`: the columns it reads, each with the header spellings it accepts, a type (`text`,
  `code`, `date`, `number`, `integer`, `gemeentecode`), whether it is required, whether it
  identifies a person (masked in problems), and for codes the value table that translates the
  system's wording into canonical codes. Columns not declared are never read, so names,
  addresses and the like cannot pass.
- `tables`: per canonical table, which rows make one output row (`one_row_per`), named
  aggregates over the rows of a group (`aggregate`), and an expression per canonical column
  (see `sources.build`).

The contract is built here from `schemas.tables` (a field is described once); vendor systems
are YAML files in `sources/mappings/` (see docs/bronnen.md). Files whose name starts with `_`
hold shared value tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from typing import Any

from rendement.core.yamlfile import load_yaml
from schemas.tables import MODELS, polars_schema
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
from sources.dialect import normalise_label, normalise_name

CONTRACT = "contract"
FIELD_TYPES = ("text", "code", "date", "number", "integer", "gemeentecode")
UNKNOWN_POLICIES = ("problem", "keep", "null")

# Canonical code columns and the wording that may stand for each code (the code itself, its
# label, and the label's plain spelling are all accepted).
VOCABULARY_LABELS: dict[str, dict[str, str]] = {
    "domein": dict(DOMAINS),
    "interventie": {c: label for per in INTERVENTIONS.values() for c, label in per.items()},
    "erkenning": dict(RECOGNITION_LEVELS),
    "reden_einde": dict(END_REASONS),
    "instrument": {c: v[0] for c, v in INSTRUMENTS.items()},
    "moment": dict(MOMENTS),
    "kostensoort": dict(COST_TYPES),
    "leeftijdsklasse": {band: band for band in AGE_BANDS},
    "vorm": dict(ACTIVITY_FORMS),
    "soort": dict(SHEET_KINDS),
    "uitkomst": dict(OUTCOMES),
    "vastgesteld": dict(ESTABLISHED_BY),
}


class MappingError(ValueError):
    """A mapping file is wrong (a programming/configuration error, not a user's upload)."""


@dataclass(frozen=True)
class FieldSpec:
    name: str
    headers: tuple[str, ...]  # accepted header spellings, as documented
    type: str = "text"
    required: bool = False
    identifier: bool = False  # identifies a person: value masked in problems
    values: str | None = None  # value table (type code)
    unknown: str = "problem"  # an untranslatable code: problem (null + problem), keep, null
    description: str = ""

    # The header spellings are constant: normalised once per spec (cached on the instance),
    # not again for every file and layout tried.
    @cached_property
    def keys(self) -> frozenset[str]:
        return frozenset(self.ordered_keys)

    @cached_property
    def ordered_keys(self) -> tuple[str, ...]:
        """Normalised header spellings, in the order declared, without repeats."""
        return tuple(dict.fromkeys(normalise_name(h) for h in self.headers))


@dataclass(frozen=True)
class TableSpec:
    table: str
    columns: dict[str, Any]  # canonical column -> expression (see sources.build)
    one_row_per: tuple[str, ...] = ()
    aggregate: dict[str, dict] = field(default_factory=dict)
    source: str | None = None  # build from another table's grouped rows instead of the file


@dataclass(frozen=True)
class Layout:
    name: str
    fields: dict[str, FieldSpec]
    tables: tuple[TableSpec, ...]
    description: str = ""

    def resolve(self, header: list[str]) -> tuple[dict[str, int], list[str]]:
        """Field name -> column index for the fields present; and the required fields missing."""
        return self.resolve_index(header_index(header))

    def resolve_index(self, index: dict[str, int]) -> tuple[dict[str, int], list[str]]:
        """`resolve` on a header already normalised by `header_index` (once per sheet, however
        many layouts are tried against it)."""
        found: dict[str, int] = {}
        missing: list[str] = []
        for spec in self.fields.values():
            hit = next((index[k] for k in spec.ordered_keys if k in index), None)
            if hit is not None:
                found[spec.name] = hit
            elif spec.required:
                missing.append(spec.name)
        return found, missing

    def known_keys(self) -> frozenset[str]:
        return self._known_keys

    @cached_property
    def _known_keys(self) -> frozenset[str]:
        return frozenset(k for spec in self.fields.values() for k in spec.keys)


def header_index(header: list[str]) -> dict[str, int]:
    """Normalised header cell -> its first column index (empty cells left out)."""
    index: dict[str, int] = {}
    for i, cell in enumerate(header):
        key = normalise_name(cell)
        if key and key not in index:
            index[key] = i
    return index


@dataclass(frozen=True)
class Mapping:
    system: str
    title: str
    layouts: tuple[Layout, ...]
    values: dict[str, dict[str, str]]  # value table -> normalised wording -> code
    description: str = ""
    # sheets of the system's own workbook that hold no data (instructions, drop-down lists)
    other_sheets: tuple[str, ...] = ()

    def known_keys(self) -> frozenset[str]:
        return self._known_keys

    @cached_property
    def _known_keys(self) -> frozenset[str]:
        return frozenset(k for layout in self.layouts for k in layout.known_keys())

    def codes(self, table: str) -> list[str]:
        return sorted(set(self.values.get(table, {}).values()))


# --- value tables ---------------------------------------------------------------------------


def _vocabulary_table(column: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for code, label in VOCABULARY_LABELS[column].items():
        out[normalise_label(code)] = code
        out[normalise_label(label)] = code
    return out


def _value_table(name: str, declared: dict[str, Any], where: str) -> dict[str, str]:
    """code -> [wording, ...] as declared, into normalised wording -> code."""
    out = _vocabulary_table(name) if name in VOCABULARY_LABELS else {}
    allowed = set(VOCABULARY_LABELS[name]) if name in VOCABULARY_LABELS else None
    for code, words in (declared or {}).items():
        code = str(code)
        if allowed is not None and code not in allowed:
            raise MappingError(f"{where}: '{code}' is geen code van {name} ({sorted(allowed)})")
        if isinstance(words, str):
            words = [words]
        for word in [code, *(words or [])]:
            key = normalise_label(str(word))
            if key in out and out[key] != code:
                raise MappingError(f"{where}: '{word}' staat bij zowel {out[key]} als {code}")
            out[key] = code
    return out


# --- the contract ---------------------------------------------------------------------------


def _contract_field(table: str, column: str, dtype, nullable: bool, checks) -> FieldSpec:
    check_names = {c.name for c in checks}
    if column == "gemeente_code":
        ftype = "gemeentecode"
    elif column in VOCABULARY_LABELS and "isin" in check_names:
        ftype = "code"
    else:
        ftype = {"String": "text", "Float64": "number", "Int64": "integer", "Date": "date"}.get(
            str(dtype), "text"
        )
    return FieldSpec(
        name=column,
        headers=(column,),
        type=ftype,
        required=not nullable,
        identifier=column == "client_id",
        values=column if ftype == "code" else None,
        unknown="keep",  # the contract's own codes: validation reports unknown ones
    )


@cache
def contract_mapping() -> Mapping:
    """The sector export contract: one layout per canonical table, derived from the models."""
    layouts = []
    values: dict[str, dict[str, str]] = {}
    for table, model in MODELS.items():
        schema = model.to_schema()
        fields: dict[str, FieldSpec] = {}
        for column, dtype in polars_schema(table).items():
            if column == "organisatie_id":
                continue
            col = schema.columns[column]
            name = "client_id" if column == "client_pseudoniem" else column
            spec = _contract_field(table, name, dtype, col.nullable, col.checks)
            if name == "client_id":
                spec = FieldSpec(name, ("client_id",), "text", True, True)
            fields[name] = spec
            if spec.values and spec.values not in values:
                values[spec.values] = _vocabulary_table(spec.values)
        columns = {c: c for c in fields}
        layouts.append(
            Layout(
                table,
                fields,
                (TableSpec(table, columns),),
                (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else "",
            )
        )
    return Mapping(
        CONTRACT,
        "Sectorexportformaat",
        tuple(layouts),
        values,
        "Een CSV per tabel of één Excel-werkmap met een blad per tabel.",
    )


# --- YAML mappings --------------------------------------------------------------------------


def _load_yaml(name: str) -> dict:
    text = resources.files("sources").joinpath("mappings", name).read_text(encoding="utf-8")
    data = load_yaml(text)
    if not isinstance(data, dict):
        raise MappingError(f"{name}: verwacht een YAML-mapping")
    return data


def _mapping_files() -> list[str]:
    folder = resources.files("sources").joinpath("mappings")
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml"))


@cache
def shared_values() -> dict[str, dict[str, Any]]:
    """Value tables from `_*.yaml` files, by table name."""
    out: dict[str, dict[str, Any]] = {}
    for name in _mapping_files():
        if name.startswith("_"):
            for table, declared in (_load_yaml(name).get("values") or {}).items():
                out[table] = declared
    return out


def _field(name: str, raw: dict | str, where: str) -> FieldSpec:
    if isinstance(raw, str):
        raw = {"headers": [raw]}
    headers = raw.get("headers", raw.get("header", name))
    if isinstance(headers, str):
        headers = [headers]
    ftype = raw.get("type", "text")
    if ftype not in FIELD_TYPES:
        raise MappingError(f"{where}: veld {name}: onbekend type {ftype}")
    unknown = raw.get("unknown", "problem")
    if unknown not in UNKNOWN_POLICIES:
        raise MappingError(f"{where}: veld {name}: unknown moet een van {UNKNOWN_POLICIES} zijn")
    if ftype == "code" and not raw.get("values"):
        raise MappingError(f"{where}: veld {name}: een code heeft een waardentabel (values)")
    return FieldSpec(
        name=name,
        headers=tuple(str(h) for h in headers),
        type=ftype,
        required=bool(raw.get("required", False)),
        identifier=bool(raw.get("identifier", False)),
        values=raw.get("values"),
        unknown=unknown,
        description=str(raw.get("description", "")),
    )


def _table(name: str, raw: dict, where: str) -> TableSpec:
    if name not in MODELS:
        raise MappingError(f"{where}: onbekende tabel {name}")
    columns = dict(raw.get("columns") or {})
    expected = [c for c in polars_schema(name) if c != "organisatie_id"]
    expected = ["client_id" if c == "client_pseudoniem" else c for c in expected]
    if set(columns) != set(expected):
        raise MappingError(
            f"{where}: tabel {name} moet precies de kolommen {expected} hebben "
            f"(ontbreekt: {sorted(set(expected) - set(columns))}, "
            f"over: {sorted(set(columns) - set(expected))})"
        )
    per = raw.get("one_row_per") or []
    if isinstance(per, str):
        per = [per]
    return TableSpec(
        table=name,
        columns={c: columns[c] for c in expected},
        one_row_per=tuple(per),
        aggregate=dict(raw.get("aggregate") or {}),
        source=raw.get("from"),
    )


def parse_mapping(data: dict, where: str) -> Mapping:
    system = str(data.get("system") or "").strip()
    if not system or system == CONTRACT:
        raise MappingError(f"{where}: 'system' ontbreekt of is gereserveerd")
    layouts = []
    for raw_layout in data.get("layouts") or []:
        lname = raw_layout.get("name", system)
        lwhere = f"{where} ({lname})"
        fields = {n: _field(n, f, lwhere) for n, f in (raw_layout.get("fields") or {}).items()}
        tables = tuple(
            _table(t, spec, lwhere) for t, spec in (raw_layout.get("tables") or {}).items()
        )
        if not any(f.required for f in fields.values()):
            raise MappingError(f"{lwhere}: minstens één veld moet required zijn (herkenning)")
        layouts.append(Layout(lname, fields, tables, str(raw_layout.get("description", ""))))
    if not layouts:
        raise MappingError(f"{where}: geen layouts")
    shared = shared_values()
    declared = dict(data.get("values") or {})
    needed = {f.values for layout in layouts for f in layout.fields.values() if f.values}
    values = {}
    for table in needed:
        if table in declared:
            values[table] = _value_table(table, declared[table], where)
        elif table in shared:
            values[table] = _value_table(table, shared[table], where)
        elif table in VOCABULARY_LABELS:
            values[table] = _vocabulary_table(table)
        else:
            raise MappingError(f"{where}: waardentabel {table} bestaat niet")
    return Mapping(
        system,
        str(data.get("title", system)),
        tuple(layouts),
        values,
        str(data.get("description", "")),
        tuple(str(s) for s in data.get("other_sheets") or ()),
    )


@cache
def vendor_mappings() -> dict[str, Mapping]:
    out: dict[str, Mapping] = {}
    for name in _mapping_files():
        if name.startswith("_"):
            continue
        mapping = parse_mapping(_load_yaml(name), name)
        if mapping.system in out:
            raise MappingError(f"{name}: systeem {mapping.system} staat er twee keer in")
        out[mapping.system] = mapping
    return out


def all_mappings() -> dict[str, Mapping]:
    """Every known system, the contract first."""
    return {CONTRACT: contract_mapping(), **vendor_mappings()}


def systems() -> dict[str, str]:
    """System name -> title, for help texts and docs."""
    return {name: m.title for name, m in all_mappings().items()}

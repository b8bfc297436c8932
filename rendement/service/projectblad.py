"""The project sheet as a web form (issue 18 point 3): what an organisation counts per project
for one year (`projectopgave`), with its `inzet` and `kosten`, entered or corrected in the
portal instead of in the Excel template.

Why it becomes a filled template: the form's values are written into the template's workbook
(`rendement.intake.sjabloon.workbook_bytes`) and delivered like an upload, so pre-flight,
receipt, audit line, run trigger and every Dutch rule text are the upload's own; nothing here
validates. The findings come back with sheet, row and column, and
`rendement.service.projectblad_findings` puts each one next to the field it came from.

Why everything of the year's period goes along: intake replaces an organisation's rows of a
table for the upload's reporting period. So the delivery carries, besides the edited rows, the
period's other rows unchanged (its projects, activities, and rows of other years, e.g. a plan
for next year) — a correction never removes what the form does not show.

Values are kept as the person typed them (strings) until the workbook is written: numbers in
Dutch notation (1.234,5) are read with `schemas.parsing.parse_number`; text that is not a
number goes into the cell as typed, so the reader reports it with its own rule
(`getal_onleesbaar`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import polars as pl

from rendement.core.formatting import nl_number, nl_today
from rendement.core.home import Home
from rendement.core.lake import Lake
from rendement.intake.accept import pending_uploads, staged_uploads
from rendement.intake.sjabloon import template_mapping, workbook_bytes
from schemas.parsing import parse_date, parse_number
from schemas.vocabulary import (
    COST_TYPES,
    DOMAINS,
    ESTABLISHED_BY,
    INTERVENTIONS,
    OUTCOMES,
    RECOGNITION_LEVELS,
    SHEET_KINDS,
)

TABLES = ("project", "projectopgave", "activiteit", "inzet", "kosten")
TOTALS = ("bereikt", "contacten", "afgerond", "begroting")  # the block's numbers
WORDS = "kwalitatieve_effecten"  # the block's own words: text, never a number
OUTCOME_FIELDS = ("uitkomst", "aantal", "vastgesteld")
INZET = ("fte_betaald", "uren_betaald", "vrijwilligers", "uren_vrijwilligers")
EMPTY_OUTCOMES = 2  # blank outcome lines offered under each block (no scripts to add more)
MAX_PROJECTS = 200  # bounds the form's size (and `MAX_FIELDS`)
MAX_FIELDS = 20_000
NEW = "nieuw"  # hidden field marking the form's block for a new project
# A new project's own fields (canonical columns of `project`), typed on the form.
PROJECT_FIELDS = ("naam", "interventie", "erkenning", "startdatum", "einddatum", "gemeente_code")
DATES = ("startdatum", "einddatum")
_NAME = re.compile(r"^p(\d{1,3})(?:\.b(\d{1,2})(?:\.u(\d{1,2}))?)?\.([a-z_]+)$")


def original_name(year: int) -> str:
    """The delivery's name in the organisation's list (intake reads the year from it)."""
    return f"projectblad_{year}_formulier.xlsx"


@dataclass(frozen=True)
class Column:
    """One canonical column on the template: its sheet, field and header as a person sees it."""

    sheet: str
    field: str
    header: str
    description: str


def _template_columns() -> dict[tuple[str, str], Column]:
    """(table, canonical column) -> where the template has it, read from the template's
    mapping (`sources/mappings/sjabloon.yaml`), the one declaration of sheets and headers."""
    out = {}
    for layout in template_mapping().layouts:
        for spec in layout.tables:
            for column, expr in spec.columns.items():
                name = expr if isinstance(expr, str) else _first_field(expr)
                if name in layout.fields:
                    f = layout.fields[name]
                    out[(spec.table, column)] = Column(
                        layout.name, name, f.headers[0], f.description
                    )
    return out


def _first_field(expr) -> str | None:
    if isinstance(expr, dict):
        for part in expr.get("coalesce") or []:
            if isinstance(part, str):
                return part
    return None


COLUMNS = _template_columns()


def column(table: str, name: str) -> Column:
    return COLUMNS[(table, name)]


def sheet_of(table: str) -> str:
    return column(table, "project_id").sheet


# --- what the form shows -----------------------------------------------------------------


@dataclass
class Block:
    """One projectopgave of a project and year: the totals row and its outcome rows."""

    soort: str = "realisatie"
    totals: dict[str, str] = field(default_factory=dict)
    outcomes: list[dict[str, str]] = field(default_factory=list)


@dataclass
class ProjectPart:
    project_id: str
    naam: str
    blocks: list[Block] = field(default_factory=list)
    inzet: dict[str, str] = field(default_factory=dict)
    kosten: dict[str, str] = field(default_factory=dict)
    new: dict[str, str] | None = None  # a project typed on the form: its project fields


@dataclass
class Sheet:
    """The form's content for one organisation and year, and what goes along unchanged."""

    year: int
    projects: list[ProjectPart]
    carried: dict[str, list[dict]] = field(default_factory=dict)  # table -> canonical rows
    # the stored rows of the year the form edits, by key: a column the form does not show
    # (a later optional column) keeps its value when the row is corrected
    stored: dict[tuple, dict] = field(default_factory=dict)
    waiting: int = 0  # deliveries of the organisation not processed yet
    new: ProjectPart | None = None  # the new-project block, as typed (None: empty)

    def new_block(self) -> ProjectPart:
        """What the new-project block shows: as typed, or empty."""
        return self.new or ProjectPart("", "", [Block()], new={})

    @property
    def carried_count(self) -> int:
        return sum(len(rows) for rows in self.carried.values())


def shown(value) -> str:
    """A stored number as the form shows it: Dutch notation, no trailing zeros."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if isinstance(value, int) or float(value).is_integer():
        return nl_number(float(value), 0)
    decimals = len(f"{float(value):.6f}".rstrip("0").split(".")[1])
    return nl_number(float(value), decimals)


def _rows(periods: dict[int, pl.DataFrame], table: str) -> list[dict]:
    return Lake.current(table, periods).to_dicts() if periods else []


def load(home: Home, org: str, year: int) -> Sheet:
    """What the lake holds for `org` and `year`: the form's prefill, and the rows of the year's
    period that go along unchanged with a submission."""
    lake = Lake(home.lake)
    periods = {t: lake.accepted_periods(t, org) for t in TABLES}
    projects = sorted(_rows(periods["project"], "project"), key=lambda r: r["project_id"])
    parts = {p["project_id"]: ProjectPart(p["project_id"], p.get("naam") or "") for p in projects}
    for r in sorted(
        (r for r in _rows(periods["projectopgave"], "projectopgave") if r["jaar"] == year),
        key=lambda r: (r["soort"] != "realisatie", r["soort"], r["uitkomst"] or ""),
    ):
        part = parts.get(r["project_id"])
        if part is None:
            continue
        block = next((b for b in part.blocks if b.soort == r["soort"]), None)
        if block is None:
            block = Block(r["soort"])
            part.blocks.append(block)
        if r["uitkomst"] is None:
            block.totals = {k: shown(r.get(k)) for k in TOTALS} | {WORDS: r.get(WORDS) or ""}
        else:
            block.outcomes.append(
                {
                    "uitkomst": r["uitkomst"],
                    "aantal": shown(r["aantal"]),
                    "vastgesteld": r["vastgesteld"] or "",
                }
            )
    for r in _rows(periods["inzet"], "inzet"):
        if r["jaar"] == year and r["project_id"] in parts:
            parts[r["project_id"]].inzet = {k: shown(r[k]) for k in INZET}
    for r in _rows(periods["kosten"], "kosten"):
        if r["jaar"] == year and r["project_id"] in parts:
            parts[r["project_id"]].kosten[r["kostensoort"]] = shown(r["bedrag"])
    for part in parts.values():
        if not part.blocks:
            part.blocks.append(Block())
    stored = {
        key(table, r): r
        for table in ("projectopgave", "inzet", "kosten")
        for r in _rows(periods[table], table)
        if r["jaar"] == year
    }
    waiting = len(pending_uploads(home, org)) + len(staged_uploads(home, org))
    return Sheet(
        year,
        list(parts.values())[:MAX_PROJECTS],
        carried_rows(periods, year),
        stored,
        waiting,
    )


def key(table: str, row: dict) -> tuple:
    """A row's key within the year (`schemas.tables.KEYS` without organisation and year)."""
    if table == "projectopgave":
        return (table, row["project_id"], row["soort"], row.get("uitkomst"))
    if table == "kosten":
        return (table, row["project_id"], row["kostensoort"])
    return (table, row["project_id"])


def carried_rows(periods: dict[str, dict[int, pl.DataFrame]], year: int) -> dict[str, list[dict]]:
    """The rows of period `year` the form does not edit: every project and activity, and the
    project sheet's, inzet's and kosten's rows of other years."""
    out = {}
    for table in TABLES:
        df = periods[table].get(year)
        if df is None or df.height == 0:
            continue
        if "jaar" in df.columns:
            df = df.filter(pl.col("jaar") != year)
        if df.height:
            out[table] = df.to_dicts()
    return out


# --- reading the submitted form ----------------------------------------------------------


def from_form(form: Mapping[str, str], base: Sheet) -> Sheet:
    """The submitted values over `base` (the lake's sheet, read again at submission): the
    projects are the organisation's own (a project id the form sends that the lake does not
    know is ignored), the values are the person's."""
    by_index: dict[int, ProjectPart] = {}
    known = {p.project_id: p for p in base.projects}
    for name in form:
        found = _NAME.match(name)
        if found is None or found.group(4) != "id" or found.group(2) is not None:
            continue
        ident, index = str(form[name]).strip(), int(found.group(1))
        if form.get(f"p{index}.{NEW}"):
            typed = {k: str(form.get(f"p{index}.{k}") or "").strip() for k in PROJECT_FIELDS}
            by_index[index] = ProjectPart(ident, typed["naam"], new=typed)
        elif ident in known:
            by_index[index] = ProjectPart(ident, known[ident].naam)
    blocks: dict[tuple[int, int], Block] = {}
    for key, raw in form.items():
        found = _NAME.match(key)
        if found is None:
            continue
        p, b, u, name = found.groups()
        part = by_index.get(int(p))
        value = str(raw).strip()
        if part is None or name == "id" or name == NEW or name in PROJECT_FIELDS:
            continue
        if b is None:
            if name in INZET:
                part.inzet[name] = value
            elif name.startswith("kosten_") and name[7:] in COST_TYPES:
                part.kosten[name[7:]] = value
            continue
        block = blocks.setdefault((int(p), int(b)), Block())
        if u is None:
            if name == "soort":
                block.soort = value
            elif name in TOTALS or name == WORDS:
                block.totals[name] = value
            continue
        while len(block.outcomes) <= int(u):
            block.outcomes.append({})
        if name in OUTCOME_FIELDS:
            block.outcomes[int(u)][name] = value
    for (p, _b), block in sorted(blocks.items()):
        block.outcomes = [o for o in block.outcomes if any(o.values())]
        by_index[p].blocks.append(block)
    parts = [by_index[i] for i in sorted(by_index) if by_index[i].new is None]
    seen = {part.project_id for part in parts}
    # a project the form did not send (added meanwhile) keeps its stored values
    parts += [p for p in base.projects if p.project_id not in seen]
    new = next((by_index[i] for i in sorted(by_index) if by_index[i].new is not None), None)
    sheet = Sheet(base.year, parts, base.carried, base.stored, base.waiting)
    sheet.new = new
    return sheet


def typed_new(part: ProjectPart | None) -> bool:
    """Whether the new-project block has anything typed in (else it is left out)."""
    if part is None:
        return False
    return bool(
        part.project_id
        or any(part.new.values())
        or any(_filled(b) for b in part.blocks)
        or any(v.strip() for v in (*part.inzet.values(), *part.kosten.values()))
    )


def date(text: str):
    """A typed date (dd-mm-jjjj and the other spellings intake reads) as a date; the text
    itself when it is not one, None when empty."""
    text = (text or "").strip()
    if not text:
        return None
    value = pl.select(parse_date(pl.lit(text))).item()
    return value if isinstance(value, dt.date) else text


def number(text: str):
    """A typed number in Dutch notation (1.234,5; 0,6; 1500) as int or float; the text itself
    when it is not one (the reader then reports it), None when empty."""
    text = (text or "").strip().replace("\u2212", "-")
    if not text:
        return None
    value = pl.select(parse_number(pl.lit(text))).item()
    if value is None or not math.isfinite(value):
        return text
    return int(value) if float(value).is_integer() and abs(value) < 2**53 else value


# --- to the template's sheets ------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where a workbook row came from: a form row (its field-name prefix) or a carried row."""

    prefix: str | None  # "p0.b1", "p0.b1.u0", "p0" (inzet, kosten) or None (carried)
    table: str
    label: str  # what the person reads: the project and what the row is


def _template_row(table: str, canonical: dict) -> dict:
    """A canonical row as the template's sheet has it (field name -> value)."""
    out = {}
    for name, value in canonical.items():
        col = COLUMNS.get((table, name))
        if col is not None and value is not None:
            out[col.field] = value
    return out


def _filled(block: Block) -> bool:
    return any(v.strip() for v in block.totals.values()) or bool(block.outcomes)


def form_rows(sheet: Sheet) -> list[tuple[str, dict, Place]]:
    """The rows the form's values make (canonical columns, before the stored row's unshown
    columns are added): (table, row, where on the form)."""
    out: list[tuple[str, dict, Place]] = []
    year = sheet.year
    parts = list(sheet.projects)
    if typed_new(sheet.new):
        parts.append(sheet.new)
    for i, part in enumerate(parts):
        pid = part.project_id
        if part.new is not None:
            row = {"project_id": pid or None}
            for name in PROJECT_FIELDS:
                text = part.new.get(name, "")
                row[name] = (date(text) if name in DATES else text) or None
            out.append(
                ("project", row, Place(f"p{i}", "project", f"{pid or 'nieuw project'}, project"))
            )
        for j, block in enumerate(part.blocks):
            what = SHEET_KINDS.get(block.soort, block.soort).split(" (")[0].lower()
            if not _filled(block):
                continue  # nothing typed: no row (an emptied block removes its rows)
            head = {"project_id": pid, "jaar": year, "soort": block.soort or None}
            totals = {k: number(block.totals.get(k, "")) for k in TOTALS}
            totals[WORDS] = block.totals.get(WORDS) or None
            place = Place(f"p{i}.b{j}", "projectopgave", f"{pid}, {what}")
            out.append(("projectopgave", head | {"uitkomst": None} | totals, place))
            for k, o in enumerate(block.outcomes):
                row = head | {
                    "uitkomst": o.get("uitkomst") or None,
                    "aantal": number(o.get("aantal", "")),
                    "vastgesteld": o.get("vastgesteld") or None,
                }
                place = Place(f"p{i}.b{j}.u{k}", "projectopgave", f"{pid}, {what}, uitkomst")
                out.append(("projectopgave", row, place))
        if any(v.strip() for v in part.inzet.values()):
            row = {"project_id": pid, "jaar": year} | {
                k: number(part.inzet.get(k, "")) for k in INZET
            }
            out.append(("inzet", row, Place(f"p{i}", "inzet", f"{pid}, inzet")))
        for kind in COST_TYPES:
            text = part.kosten.get(kind, "")
            if text.strip():
                row = {"project_id": pid, "jaar": year, "kostensoort": kind, "bedrag": number(text)}
                place = Place(f"p{i}.kosten_{kind}", "kosten", f"{pid}, kosten")
                out.append(("kosten", row, place))
    return out


def unchanged(sheet: Sheet) -> bool:
    """Whether the form says exactly what is stored for the year: then there is nothing to
    deliver (a new delivery would only replace rows by the same rows)."""
    rows = form_rows(sheet)
    if any(table == "project" for table, _, _ in rows):
        return False
    mine = {key(table, row): row for table, row, _ in rows}
    if len(mine) != len(rows) or mine.keys() != sheet.stored.keys():
        return False
    return all(all(sheet.stored[k].get(c) == v for c, v in row.items()) for k, row in mine.items())


def workbook(sheet: Sheet) -> tuple[bytes, dict[tuple[str, int], Place]]:
    """The filled template of `sheet`, and per (sheet, Excel row) where that row came from."""
    filled: dict[str, list[dict]] = {}
    places: dict[tuple[str, int], Place] = {}

    def add(table: str, row: dict, place: Place) -> None:
        if place.prefix is not None:  # a form row over its stored row: unshown columns stay
            row = sheet.stored.get(key(table, row), {}) | row
        name = sheet_of(table)
        rows = filled.setdefault(name, [])
        rows.append(_template_row(table, row))
        places[(name, len(rows) + 1)] = place  # row 1 is the header

    for table, row, place in form_rows(sheet):
        add(table, row, place)
    for table in TABLES:
        for row in sheet.carried.get(table, []):
            label = f"{row.get('project_id') or ''} (ongewijzigd meegestuurd)".strip()
            add(table, row, Place(None, table, label))
    return workbook_bytes(sheet.year, filled), places


# --- what the template shows ---------------------------------------------------------------


def choices() -> dict[str, list[tuple[str, str]]]:
    """The drop-downs: code and Dutch label."""
    return {
        "soort": [(code, text.split(" (")[0]) for code, text in SHEET_KINDS.items()],
        "uitkomst": list(OUTCOMES.items()),
        "vastgesteld": list(ESTABLISHED_BY.items()),
        "kostensoort": list(COST_TYPES.items()),
        "erkenning": list(RECOGNITION_LEVELS.items()),
    }


def interventions() -> list[tuple[str, list[tuple[str, str]]]]:
    """The intervention drop-down, grouped by domain (the domain follows from it)."""
    return [(DOMAINS[d], list(per.items())) for d, per in INTERVENTIONS.items()]


def labels() -> dict[str, Column]:
    """The form's column labels and hints: the template's headers and explanations."""
    out = {
        name: column("projectopgave", name) for name in (*TOTALS, WORDS, *OUTCOME_FIELDS, "soort")
    }
    out.update({name: column("inzet", name) for name in INZET})
    out["bedrag"] = column("kosten", "bedrag")
    out["project_id"] = column("project", "project_id")
    out.update({name: column("project", name) for name in PROJECT_FIELDS})
    return out


def years(today: dt.date | None = None) -> list[int]:
    """The years the year switch offers: the last five and next year (a plan)."""
    this = (today or nl_today()).year
    return list(range(this + 1, this - 6, -1))

"""`read_upload`: one uploaded file in, canonical tables and a report of how it was read out."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from rendement.core.privacy import BsnFinding, find_bsn
from sources.build import build_tables, source_columns, table_of_fields
from sources.convert import ColumnShape, convert_fields, number_shape
from sources.dialect import (
    BINARY_MAGIC,
    Dialect,
    date_format_label,
    date_notation,
    detect_number_format,
    most_common_date_format,
    normalise_name,
)
from sources.errors import UnreadableFile, concat_problems
from sources.mapping import CONTRACT, Layout, Mapping, all_mappings, header_index
from sources.rawfile import RawSheet, file_format, read_csv_sheet, read_workbook_sheets
from sources.strays import drop_shadowed, remove_stray_bsns

MIN_SHARE_RECOGNISED = 0.5  # a layout must recognise half the header, or at least 3 columns
MIN_RECOGNISED = 3
YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d{2})(?!\d)")


@dataclass
class ReadResult:
    """What a reader delivers for one upload (see docs/INTERFACES.md and docs/bronnen.md).

    `tables`: canonical table -> frame with the canonical columns (no organisatie_id; traject
    has the raw `client_id` where `client_pseudoniem` will be), plus `_rij` and `_bestand`.
    `problems`: tabel, _rij, kolom, waarde, regel, melding (values of personal fields masked).
    `period`: the reporting year (from the file name, else the most common year in the data).
    `raw_columns_bsn`: only with `read_upload(..., refuse_bsn=False)`: the BSN finding on all
    columns of the file, including the ones the reader drops.
    """

    system: str
    dialect: Dialect
    tables: dict[str, pl.DataFrame]
    problems: pl.DataFrame
    period: int | None
    raw_columns_bsn: BsnFinding | None = None
    layouts: dict[str, str] = field(default_factory=dict)  # sheet/file -> layout


@dataclass
class _Match:
    sheet: RawSheet
    mapping: Mapping
    layout: Layout
    present: dict[str, int]
    score: int


def _check_system(system: str | None) -> dict[str, Mapping]:
    mappings = all_mappings()
    if system is None:
        return mappings
    name = system.strip().lower()
    if name not in mappings:
        raise ValueError(f"onbekend systeem {system!r}; bekend: {', '.join(mappings)}")
    return {name: mappings[name]}


def _viable(
    sheet: RawSheet, index: dict[str, int], layout: Layout
) -> tuple[dict[str, int], list[str], int]:
    present, missing = layout.resolve_index(index)
    filled = sum(1 for c in sheet.header or [] if c)
    recognised = len(set(present.values()))  # columns, not fields (one column may feed two)
    good = not missing and (
        recognised >= MIN_RECOGNISED or recognised >= MIN_SHARE_RECOGNISED * max(filled, 1)
    )
    return present, missing, recognised if good else -1


def _match_sheets(sheets: list[RawSheet], mappings: dict[str, Mapping]):
    """Choose the system (most recognised columns over all sheets) and a layout per sheet."""
    options: dict[str, list[_Match]] = {name: [] for name in mappings}
    for sheet in sheets:
        if sheet.header is None:
            continue
        index = header_index(sheet.header)  # normalised once, for every layout tried
        sheet_key = normalise_name(sheet.name)
        for name, mapping in mappings.items():
            best: _Match | None = None
            for layout in mapping.layouts:
                present, _missing, score = _viable(sheet, index, layout)
                if score < 0:
                    continue
                bonus = 0.5 if sheet_key == normalise_name(layout.name) else 0
                if best is None or score + bonus > best.score:
                    best = _Match(sheet, mapping, layout, present, score + bonus)
            if best is not None:
                options[name].append(best)
    totals = {name: sum(m.score for m in found) for name, found in options.items() if found}
    if not totals:
        return None, []
    order = list(mappings)
    system = max(totals, key=lambda n: (totals[n], -order.index(n)))
    return system, options[system]


def _explain_unmatched(sheets: list[RawSheet], mappings: dict[str, Mapping], explicit: bool):
    headed = [s for s in sheets if s.header is not None]
    if not headed:
        raise UnreadableFile(
            "geen_kopregel",
            "We vinden geen kopregel met kolomnamen in dit bestand. Zet de kolomnamen in de "
            "eerste regel (of onder een titelregel) en lever het bestand opnieuw aan.",
        )
    best = None
    for sheet in headed:
        index = header_index(sheet.header or [])
        for mapping in mappings.values():
            for layout in mapping.layouts:
                present, missing = layout.resolve_index(index)
                key = (len(present), -len(missing))
                if best is None or key > best[0]:
                    best = (key, sheet, mapping, layout, missing)
    _key, sheet, mapping, layout, missing = best
    found = [c for c in sheet.header or [] if c][:12]
    listed = ", ".join(f"'{c}'" for c in found)
    if _key[0] == 0:
        raise UnreadableFile(
            "onbekende_kolommen",
            f"We herkennen geen enkele kolom van dit bestand (gevonden: {listed}). Gebruik de "
            "kolomnamen van het sectorexportformaat of een export van een ondersteund "
            "registratiesysteem (zie de handleiding).",
        )
    what = mapping.title if mapping.system != CONTRACT else f"de tabel '{layout.name}'"
    wanted = [layout.fields[m].headers[0] for m in missing]
    if missing:
        reason = "de kolom(men) " + ", ".join(f"'{w}'" for w in wanted) + " ontbreken"
    else:
        reason = "te veel kolommen zijn onbekend"
    lead = "Dit bestand past niet bij" if explicit else "Dit bestand lijkt op"
    raise UnreadableFile(
        "onbekende_kolommen",
        f"{lead} {what}, maar {reason} (gevonden: {listed}). Controleer de kolomnamen in de "
        "kopregel en lever het bestand opnieuw aan.",
    )


def _screen_bsn(sheets: list[RawSheet]) -> BsnFinding | None:
    """find_bsn over every column of every sheet, also the ones no layout reads."""
    columns = []
    for sheet in sheets:
        data = [sheet.data.get_column(c) for c in sheet.data.columns if c != "_rij"]
        seen: Counter[str] = Counter()
        renamed = []
        for i, series in enumerate(data):
            cell = sheet.header[i] if sheet.header and i < len(sheet.header) else ""
            n = cell or f"kolom {i + 1}"
            seen[n] += 1
            renamed.append(series.alias(n if seen[n] == 1 else f"{n} ({seen[n]})"))
        columns.append(pl.DataFrame(renamed))  # renamed without a query
    findings = [f for f in (find_bsn(df) for df in columns if df.width) if f is not None]
    if not findings:
        return None
    if len(findings) == 1:
        return findings[0]
    merged = tuple(c for f in findings for c in f.columns)
    return BsnFinding(merged, findings[0].message)


def _period(path: Path, tables: dict[str, pl.DataFrame]) -> int | None:
    named = YEAR_IN_NAME.findall(path.stem)
    if named:
        return int(named[-1])
    years: Counter[int] = Counter()
    for df in tables.values():
        for name, dtype in df.schema.items():
            if name.startswith("_"):
                continue
            if dtype == pl.Date:
                counts = df.get_column(name).dt.year().drop_nulls().value_counts()
            elif name == "jaar":
                counts = df.get_column(name).drop_nulls().value_counts()
            else:
                continue
            for year, n in counts.iter_rows():
                years[int(year)] += int(n)
    if not years:
        return None
    return max(years, key=lambda y: (years[y], y))


SAMPLE_LIMIT = 2000  # distinct values per column looked at to detect notations


def _distinct_values(frame: pl.DataFrame, columns: list[str]) -> list[tuple[list[str], bool]]:
    """Per column: its first `SAMPLE_LIMIT` distinct non-empty values, and whether that is all
    of them. One query for all columns (a column may be listed twice)."""
    if not columns:
        return []
    row = frame.select(
        [
            pl.col(c)
            .drop_nulls()
            .unique(maintain_order=True)
            .head(SAMPLE_LIMIT + 1)
            .implode()
            .alias(f"v{i}")
            for i, c in enumerate(columns)
        ]
    ).row(0)
    return [(values[:SAMPLE_LIMIT], len(values) <= SAMPLE_LIMIT) for values in row]


def _measure_values(
    matches: list[_Match], fmt: str, dialect: Dialect
) -> tuple[str, str | None, list[dict[str, ColumnShape]]]:
    """Decimal and thousands separators and date notation, over every matched sheet; and per
    sheet the shape of each date and number column whose distinct values were all seen."""
    number_values: list[str] = []
    date_labels: list[str | None] = []
    per_sheet: list[dict[str, ColumnShape]] = []
    for m in matches:
        wanted = [
            (name, spec.type)
            for name, spec in m.layout.fields.items()
            if name in m.present and spec.type in ("number", "integer", "date")
        ]
        found = _distinct_values(m.sheet.data, [f"c{m.present[name]}" for name, _ in wanted])
        shapes: dict[str, ColumnShape] = {}
        for (name, ftype), (values, complete) in zip(wanted, found, strict=True):
            if ftype != "date":
                number_values += values
                shape = number_shape(values) if complete else None
                if shape is not None:
                    shapes[name] = ColumnShape(number=shape)
                continue
            notations = set()
            uniform = complete
            for raw in values:
                stripped = raw.strip()
                notation, timed = date_notation(stripped)
                date_labels.append(date_format_label(notation, timed, fmt))
                if uniform:
                    notations.add((notation, timed))
                    uniform = notation is not None and raw == stripped and raw.isascii()
            if uniform and len({n for n, _ in notations}) == 1:
                (notation,) = {n for n, _ in notations}
                shapes[name] = ColumnShape(date=notation, timed=any(t for _, t in notations))
        per_sheet.append(shapes)
    default_decimal = "," if fmt == "csv" and dialect.delimiter != "," else "."
    decimal, thousands = detect_number_format(number_values, default_decimal)
    if number_values:
        dialect.decimal, dialect.thousands = decimal, thousands
    dialect.date_format = most_common_date_format(date_labels)
    return decimal, thousands, per_sheet


def _describe(
    dialect: Dialect,
    sheets: list[RawSheet],
    matches: list[_Match],
    own: frozenset[str] = frozenset(),
) -> None:
    """Header position, skipped rows, sheets and notes for the report. `own`: normalised
    names of sheets the system's own workbook has besides its data (instructions, lists),
    passed over without a note."""
    first = matches[0].sheet
    dialect.header_row = first.header_row
    dialect.title_rows = first.title_rows
    dialect.empty_rows = sum(m.sheet.empty_rows for m in matches)
    by_sheet = {id(m.sheet): m for m in matches}
    for s in sheets:
        m = by_sheet.get(id(s))
        if m is not None:
            dialect.sheets[s.name] = ", ".join(t.table for t in m.layout.tables)
            continue
        dialect.sheets[s.name] = "genegeerd"
        if normalise_name(s.name) in own:
            continue
        if s.header or s.data.height:
            dialect.notes.append(f"Blad '{s.name}' is overgeslagen: de kolommen passen niet.")
        else:
            dialect.notes.append(f"Blad '{s.name}' is leeg.")
    if "organisatieid" in {normalise_name(c) for c in dialect.ignored_columns}:
        dialect.notes.append(
            "De kolom 'organisatie_id' is niet gebruikt: de organisatie volgt uit de map "
            "waarin het bestand is aangeleverd."
        )


def header_score(mappings: dict | None = None) -> Callable[[list[str]], int]:
    """How many known column names (of `mappings`, default every layout) a row's cells hold:
    how the reader, and the upload service's type check, find the separator and header row
    (`sources.dialect.sniff_csv`).

    Sniffing scores the first rows once per candidate separator, so the same cells come back
    up to four times; normalised once each. Make one per file: the memo holds the file's own
    cells."""
    known = frozenset().union(*(m.known_keys() for m in (mappings or all_mappings()).values()))
    normalised: dict[str, str] = {}

    def score(cells: list[str]) -> int:
        keys = set()
        for c in cells:
            if c:
                key = normalised.get(c)
                if key is None:
                    key = normalised[c] = normalise_name(c)
                keys.add(key)
        return len(keys & known)

    return score


def read_upload(
    path: Path, *, system: str | None = None, refuse_bsn: bool = True, data: bytes | None = None
) -> ReadResult:
    """Read one uploaded export into canonical tables.

    `system` names the layout family ("contract", "regicare", "regas", ...); by default it is
    detected from the header. Raises `UnreadableFile` when the file cannot be read at all
    (also, unless `refuse_bsn=False`, when it contains BSNs in any column). Row-level problems
    never raise: they are in `problems`. `data`: the file's bytes when the caller has read them
    already (intake hashes and archives the same bytes); the file is then not read again.
    """
    path = Path(path)
    mappings = _check_system(system)
    if data is None:
        data = path.read_bytes()
    if not data.strip(b" \t\r\n\x00") or data in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        raise UnreadableFile("leeg_bestand", "Het bestand is leeg.")
    for magic, what in BINARY_MAGIC.items():
        if data.startswith(magic):
            raise UnreadableFile(
                "onbekend_formaat",
                f"Dit is {what}, geen CSV- of Excel-bestand. Exporteer de gegevens uit uw "
                "registratiesysteem als CSV of als Excel-bestand (.xlsx).",
            )
    fmt = file_format(path, data)
    dialect = Dialect(format=fmt)
    score = header_score(mappings)
    if fmt == "csv":
        sheets = [read_csv_sheet(path.name, data, score, dialect)]
    else:
        sheets = read_workbook_sheets(path.name, data, score, dialect)
        if not any(s.data.height or s.header for s in sheets):
            raise UnreadableFile("leeg_bestand", "De Excel-werkmap bevat geen gegevens.")

    finding = _screen_bsn(sheets)
    if finding is not None and refuse_bsn:
        raise UnreadableFile("bsn_gevonden", finding.message)

    chosen, matches = _match_sheets(sheets, mappings)
    if chosen is None:
        _explain_unmatched(sheets, mappings, explicit=system is not None)
    mapping = mappings[chosen]

    # BSNs typed in the wrong place leave the sheet before anything is read from it
    stray_problems: list[pl.DataFrame] = []
    for m in matches:
        m.sheet.data, found = remove_stray_bsns(
            m.sheet, m.layout, m.present, table_of_fields(m.layout)
        )
        stray_problems.append(found)

    decimal, thousands, shapes = _measure_values(matches, fmt, dialect)

    tables: dict[str, list[pl.DataFrame]] = {}
    problems: list[pl.DataFrame] = []
    layouts: dict[str, str] = {}
    for m, sheet_shapes in zip(matches, shapes, strict=True):
        header = m.sheet.header or []
        table_of = table_of_fields(m.layout)
        typed, found = convert_fields(
            m.sheet.data,
            m.layout.fields,
            m.present,
            header,
            mapping,
            decimal,
            thousands,
            table_of,
            sheet_shapes,
        )
        kolom_of = {n: header[i] for n, i in m.present.items()}
        built, build_problems = build_tables(m.layout, typed, path.name, kolom_of)
        for table, names in source_columns(m.layout, kolom_of).items():
            dialect.kolommen.setdefault(table, {}).update(names)
        problems += [found, build_problems]
        for table, frame in built.items():
            tables.setdefault(table, []).append(frame)
        layouts[m.sheet.name] = m.layout.name
        used = set(m.present.values())
        dialect.ignored_columns += [
            c
            for i, c in enumerate(header)
            if c and i not in used and c not in dialect.ignored_columns
        ]
    _describe(dialect, sheets, matches, frozenset(map(normalise_name, mapping.other_sheets)))
    merged = {}
    for table, frames in tables.items():
        merged[table] = pl.concat(frames, how="vertical") if len(frames) > 1 else frames[0]
        if len(frames) > 1:
            dialect.notes.append(f"Tabel {table} komt uit {len(frames)} bladen.")
    strays = concat_problems(stray_problems)
    all_problems = concat_problems(
        [drop_shadowed(concat_problems(problems), strays), strays] if problems else [strays]
    )
    return ReadResult(
        system=chosen,
        dialect=dialect,
        tables=merged,
        problems=all_problems,
        period=_period(path, merged),
        raw_columns_bsn=finding,
        layouts=layouts,
    )


__all__ = ["ReadResult", "read_upload"]

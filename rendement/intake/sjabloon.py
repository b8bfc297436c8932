"""The Excel template (projectblad) an office fills in by hand, written from its mapping.

The sheets, their columns, which columns are codes and every column's explanation are declared
once, in `sources/mappings/sjabloon.yaml`, the same declaration the reader uses to read a filled
template back; so a column added there appears in the template and is read without another
change. This module only lays the workbook out: an instructions sheet first, a sheet per layout
with drop-down lists (data validation) for the codes and checks on numbers and dates, and a
hidden sheet holding the lists.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from rendement.core.files import write_atomic
from rendement.core.formatting import nl_today
from sources.mapping import VOCABULARY_LABELS, FieldSpec, Layout, Mapping, vendor_mappings

SYSTEM = "sjabloon"
INSTRUCTIONS = "Toelichting"
LISTS = "Lijsten"
ROWS = 500  # rows with drop-downs and checks per sheet (Excel row 2 up to and including 501)
# Lists shown as codes (short, clear words); the others show their labels (codes work too).
SHOWN_AS_CODE = frozenset({"soort", "vorm"})
DATE_FORMAT = "dd-mm-yyyy"


def template_mapping() -> Mapping:
    return vendor_mappings()[SYSTEM]


def dropdown_values(table: str) -> list[str]:
    """The words a drop-down offers for a value table: its codes or its labels."""
    labels = VOCABULARY_LABELS[table]
    return list(labels) if table in SHOWN_AS_CODE else list(labels.values())


def default_year(today: dt.date | None = None) -> int:
    """The year an office most likely reports on: last year."""
    return (today or nl_today()).year - 1


def file_name(year: int) -> str:
    return f"projectblad_{year}.xlsx"


def _instructions(sheet, book, mapping: Mapping, year: int) -> None:
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "font_size": 12})
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 100)
    lines: list[tuple[str, str, object]] = [
        ("Projectblad sociaal rendement", "", title),
        ("", "", None),
        (
            "Waarvoor",
            "Met dit sjabloon levert u per project en jaar aan wat u bereikte: hoeveel "
            "personen, hoeveel contacten, hoeveel er afrondden en, als u dat weet, hoeveel "
            "personen een bepaalde uitkomst bereikten. Met de inzet en de kosten erbij maken we "
            "een maatschappelijke kosten-batenanalyse (MKBA) van het project, ook als u niet per "
            "cliënt registreert. Een MKBA op basis van dit blad heet een MKBA op referentie: "
            "hij is minder zeker dan een MKBA op metingen en wordt zo ook getoond.",
            wrap,
        ),
        (
            "Zo vult u het in",
            "Vul de bladen Projecten, Projectopgave, Inzet en Kosten in (Activiteiten als u "
            "activiteiten bijhoudt). Begin op rij 2, onder de kopregel; laat de kopregel staan "
            "en voeg geen kolommen in. Kies codes uit de keuzelijst in de cel. Datums als "
            "dd-mm-jjjj, bedragen zonder euroteken. Gebruik op elk blad dezelfde projectcode.",
            wrap,
        ),
        (
            "Bestandsnaam",
            f"Bewaar het bestand met het verslagjaar in de naam, bijvoorbeeld "
            f"{file_name(year)}. Het verslagjaar bepaalt over welk jaar de realisatie gaat; "
            "een raming (plan) mag over dat jaar of latere jaren gaan.",
            wrap,
        ),
        (
            "Plannen (raming)",
            "Een regel van soort raming is een plan vooraf: wat u verwacht te bereiken. Zet op "
            "de regel met totalen ook de Begroting (de verwachte kosten in euro); dan krijgt u "
            "een verwachte MKBA. Die staat alleen in uw eigen rapport en op de Impactkaart, "
            "altijd als raming, en telt nooit mee in sectorcijfers of benchmarks.",
            wrap,
        ),
        (
            "In woorden",
            "In de kolom Kwalitatieve effecten beschrijft u wat het project opleverde, "
            "bijvoorbeeld wat deelnemers vertellen (hoogstens 2.000 tekens). Dat tonen we bij "
            "uw rapport; het wordt nooit in euro's uitgedrukt.",
            wrap,
        ),
        (
            "Controleren en aanleveren",
            "Lever het bestand aan via het portaal of de uploadpagina. Vooraf controleren kan "
            "met `rendement check <bestand>`. Een fout wordt gemeld met het blad, het "
            "rijnummer en de kolom; een regel met een fout wordt niet opgenomen, de andere "
            "regels wel.",
            wrap,
        ),
        (
            "Privacy",
            "Zet in dit bestand nooit namen, adressen, geboortedatums of BSN's: alleen aantallen "
            "en, bij Kwalitatieve effecten, een beschrijving zonder persoonsgegevens. Een regel "
            "met een BSN in de tekst nemen we niet in.",
            wrap,
        ),
        ("", "", None),
    ]
    for layout in mapping.layouts:
        lines.append((f"Blad {layout.name}", layout.description, head))
        for spec in layout.fields.values():
            lines.append((spec.headers[0], _explain(spec), wrap))
        lines.append(("", "", None))
    for row, (left, right, fmt) in enumerate(lines):
        if fmt is title or fmt is head:
            sheet.write(row, 0, left, fmt)
            if right:
                sheet.write(row, 1, right, wrap)
        elif left or right:
            sheet.write(row, 0, left, bold)
            sheet.write(row, 1, right, fmt)


def _explain(spec: FieldSpec) -> str:
    text = spec.description or ""
    need = "Verplicht." if spec.required else "Niet verplicht."
    return f"{text} {need}".strip()


def _lists(book, tables: list[str]) -> dict[str, str]:
    """The hidden sheet with one column per value table; table -> its range for validation."""
    sheet = book.add_worksheet(LISTS)
    ranges = {}
    for col, table in enumerate(tables):
        values = dropdown_values(table)
        sheet.write(0, col, table)
        for row, value in enumerate(values, start=1):
            sheet.write(row, col, value)
        letter = xl_col_to_name(col)
        ranges[table] = f"={LISTS}!${letter}$2:${letter}${len(values) + 1}"
    sheet.hide()
    return ranges


def _project_codes(mapping: Mapping) -> tuple[str, dict[str, str]]:
    """On the other sheets, the project code is chosen from the codes typed on the project
    sheet: (that sheet, field name -> its column's range)."""
    for layout in mapping.layouts:
        for spec in layout.tables:
            field = spec.columns.get("project_id") if spec.table == "project" else None
            if isinstance(field, str) and field in layout.fields:
                letter = xl_col_to_name(list(layout.fields).index(field))
                return layout.name, {field: f"='{layout.name}'!${letter}$2:${letter}${ROWS + 1}"}
    return "", {}


def _data_sheet(
    book, layout: Layout, ranges: dict[str, str], formats: dict, rows: list[dict]
) -> None:
    sheet = book.add_worksheet(layout.name)
    columns = list(layout.fields)
    for r, row in enumerate(rows, start=1):
        for name, value in row.items():
            col = columns.index(name)  # a name the layout lacks is a programming error
            if isinstance(value, dt.date):
                sheet.write_datetime(r, col, value, formats["date"])
            elif value is not None:
                sheet.write(r, col, value)
    sheet.freeze_panes(1, 0)
    for col, spec in enumerate(layout.fields.values()):
        header = spec.headers[0]
        sheet.write(0, col, header, formats["header"])
        sheet.write_comment(0, col, _explain(spec), {"x_scale": 2, "y_scale": 1.5})
        width = max(len(header) + 4, 14)
        cells = (1, col, ROWS, col)
        message = {"input_title": header[:32], "input_message": _explain(spec)[:255]}
        source = ranges.get(spec.values) if spec.type == "code" else ranges.get(spec.name)
        if source is not None:
            width = max(width, 28)
            sheet.data_validation(
                *cells,
                {
                    "validate": "list",
                    "source": source,
                    "error_title": "Kies uit de lijst",
                    "error_message": "Kies een waarde uit de keuzelijst van deze kolom."
                    if spec.type == "code"
                    else "Gebruik een projectcode die op het blad met de projecten staat.",
                    **message,
                },
            )
        elif spec.type in ("integer", "number"):
            sheet.data_validation(
                *cells,
                {
                    "validate": "integer" if spec.type == "integer" else "decimal",
                    "criteria": ">=",
                    "value": 0,
                    "error_title": "Geen geldig getal",
                    "error_message": "Vul een getal van 0 of meer in"
                    + (" (een geheel getal)." if spec.type == "integer" else "."),
                    **message,
                },
            )
        elif spec.type == "date":
            sheet.data_validation(
                *cells,
                {
                    "validate": "date",
                    "criteria": ">=",
                    "value": dt.date(2000, 1, 1),
                    "error_title": "Geen geldige datum",
                    "error_message": "Vul een datum in als dd-mm-jjjj, vanaf 01-01-2000.",
                    **message,
                },
            )
        sheet.set_column(col, col, width, formats["date"] if spec.type == "date" else None)


def workbook_bytes(
    year: int | None = None,
    filled: dict[str, list[dict]] | None = None,
    *,
    created: dt.datetime | None = None,
) -> bytes:
    """The template as XLSX bytes (for the command line and a download). `filled`: sheet ->
    rows (field name -> value) typed in as an office would (the demo and the tests);
    `created`: the workbook's creation time (default now; the demo fixes it, so that its
    files are the same bytes on every run)."""
    mapping = template_mapping()
    year = year if year is not None else default_year()
    tables = list(
        dict.fromkeys(
            spec.values
            for layout in mapping.layouts
            for spec in layout.fields.values()
            if spec.type == "code" and spec.values in VOCABULARY_LABELS
        )
    )
    buffer = BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    properties = {"title": "Projectblad sociaal rendement", "subject": str(year)}
    book.set_properties(properties | ({"created": created} if created is not None else {}))
    formats = {
        "header": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
        "date": book.add_format({"num_format": DATE_FORMAT}),
    }
    _instructions(book.add_worksheet(INSTRUCTIONS), book, mapping, year)
    ranges = _lists(book, tables)
    project_sheet, codes = _project_codes(mapping)
    for layout in mapping.layouts:
        own = ranges if layout.name == project_sheet else ranges | codes
        _data_sheet(book, layout, own, formats, (filled or {}).get(layout.name, []))
    book.worksheets()[0].activate()
    book.close()
    return buffer.getvalue()


def write_template(path: Path, year: int | None = None) -> Path:
    """Write the template to `path` (a folder: `projectblad_<jaar>.xlsx` in it)."""
    path = Path(path)
    year = year if year is not None else default_year()
    if path.is_dir():
        path = path / file_name(year)
    write_atomic(path, workbook_bytes(year))
    return path

"""A small, vectorised XLSX writer for the demo exports.

`polars.write_excel` (xlsxwriter) writes cell by cell in Python: about 1 s per organisation of
10,000 trajectories, which dominated the benchmark set-up. This writer builds each sheet's XML
with polars string expressions and zips it: the same workbook content (one sheet per table,
header row, numbers as numbers, dates as date serials formatted `dd-mm-yyyy`, text as inline
strings) at CSV speed. Zip entries carry a fixed timestamp, so the bytes are deterministic.

Only what the demo needs: String, integer, float and Date columns, at most 16,384 columns.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from xml.sax.saxutils import escape

import polars as pl

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_EXCEL_EPOCH_OFFSET = 25_569  # days from 1899-12-30 (Excel's day 0) to 1970-01-01
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_DATE_STYLE = 1  # index in cellXfs below

_STYLES = (
    f'{_DECL}<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd\\-mm\\-yyyy"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _xml_text(expr: pl.Expr) -> pl.Expr:
    return (
        expr.str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
    )


def _cell(name: str, dtype: pl.DataType, letter: str) -> pl.Expr:
    """The XML of one column's cell per row (empty string for a null)."""
    ref = pl.concat_str(pl.lit(f'<c r="{letter}'), pl.col("_r"))
    value = pl.col(name)
    if dtype == pl.Date:
        serial = (value.cast(pl.Int32) + _EXCEL_EPOCH_OFFSET).cast(pl.String)
        xml = pl.concat_str(ref, pl.lit(f'" s="{_DATE_STYLE}"><v>'), serial, pl.lit("</v></c>"))
    elif dtype.is_numeric():
        xml = pl.concat_str(ref, pl.lit('"><v>'), value.cast(pl.String), pl.lit("</v></c>"))
    else:
        text = _xml_text(value.cast(pl.String))
        xml = pl.concat_str(
            ref, pl.lit('" t="inlineStr"><is><t xml:space="preserve">'), text,
            pl.lit("</t></is></c>"),
        )  # fmt: skip
    return xml.fill_null("")


def sheet_xml(frame: pl.DataFrame) -> str:
    """A worksheet with a header row and the frame's rows."""
    letters = [column_letter(j) for j in range(frame.width)]
    header = "".join(
        f'<c r="{letter}1" t="inlineStr"><is><t>{escape(name)}</t></is></c>'
        for letter, name in zip(letters, frame.columns, strict=True)
    )
    body = ""
    if frame.height:
        rows = (
            frame.with_columns(pl.int_range(2, frame.height + 2).cast(pl.String).alias("_r"))
            .select(
                pl.concat_str(
                    pl.lit('<row r="'), pl.col("_r"), pl.lit('">'),
                    *(
                        _cell(name, dtype, letter)
                        for (name, dtype), letter in zip(frame.schema.items(), letters, strict=True)
                    ),
                    pl.lit("</row>"),
                ).alias("xml")
            )
        )  # fmt: skip
        body = rows["xml"].str.join("").item()
    last = f"{letters[-1]}{frame.height + 1}" if letters else "A1"
    return (
        f'{_DECL}<worksheet xmlns="{_MAIN}"><dimension ref="A1:{last}"/><sheetData>'
        f'<row r="1">{header}</row>{body}</sheetData></worksheet>'
    )


def workbook_bytes(sheets: Mapping[str, pl.DataFrame]) -> bytes:
    """An XLSX workbook with one sheet per entry (name -> frame), in the given order."""
    names = list(sheets)
    content_types = (
        f'{_DECL}<Types xmlns="{_CT}">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(names) + 1)
        )
        + '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/></Types>'
    )
    root_rels = (
        f'{_DECL}<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = (
        f'{_DECL}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
        + "".join(
            f'<sheet name="{escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
            for i, name in enumerate(names, start=1)
        )
        + "</sheets></workbook>"
    )
    workbook_rels = (
        f'{_DECL}<Relationships xmlns="{_PKG}">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(names) + 1)
        )
        + f'<Relationship Id="rId{len(names) + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        "</Relationships>"
    )
    parts = {
        "[Content_Types].xml": content_types,
        "_rels/.rels": root_rels,
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": workbook_rels,
        "xl/styles.xml": _STYLES,
        **{f"xl/worksheets/sheet{i}.xml": sheet_xml(sheets[n]) for i, n in enumerate(names, 1)},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, text in parts.items():
            info = zipfile.ZipInfo(path, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()

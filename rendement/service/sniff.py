"""What an upload is, judged by its content (never by its name or the Content-Type it came with).

Two kinds are accepted:
- CSV: text, without binary control characters, with a header of two columns or more; encoding
  and separator detected as the reader does (`sources.dialect`), so that what passes here is
  what intake can read.
- XLSX: a zip holding `[Content_Types].xml` and `xl/workbook.xml`. Before anything unpacks it,
  the zip's central directory is checked against zip-bomb limits (number of entries, total
  uncompressed size, compression ratio per entry, overlapping entries, encryption, methods);
  then every entry is decompressed once in bounded chunks, so that sizes that lie about
  themselves and damaged data are caught here instead of in the reader; on the way the
  worksheets are measured for what reading them would cost (sheets, columns, cells:
  `sources.workbook_limits`), so a small workbook that would take minutes is refused at once.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from rendement.core.formatting import nl_number
from rendement.service.errors import ServiceError
from sources.dialect import decode, sniff_csv
from sources.errors import UnreadableFile
from sources.reader import header_score
from sources.workbook_limits import WorkbookCost, is_sheet_part

MiB = 1024 * 1024
SAMPLE_BYTES = 64 * 1024
XLSX_REQUIRED = ("[Content_Types].xml", "xl/workbook.xml")
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, or a password-protected workbook


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int = 2_000
    max_uncompressed: int = 300 * MiB
    max_ratio: float = 200.0  # uncompressed / compressed, per entry ...
    ratio_floor: int = 1 * MiB  # ... for entries that unpack to more than this


@dataclass(frozen=True)
class Detected:
    formaat: str  # "csv" | "xlsx"
    suffix: str  # ".csv" | ".xlsx"
    dialect: dict  # csv: codering, scheidingsteken; xlsx: onderdelen, uitgepakt_bytes


def _n(x: float) -> str:
    """A whole number the Dutch way: 1.029."""
    return nl_number(x)


def unsupported(message: str) -> ServiceError:
    return ServiceError(415, "geen_csv_of_xlsx", message)


def bomb(message: str) -> ServiceError:
    return ServiceError(422, "xlsx_geweigerd", message)


def damaged(message: str = "") -> ServiceError:
    return ServiceError(
        422,
        "xlsx_beschadigd",
        "Het XLSX-bestand is beschadigd en kan niet worden gelezen"
        + (f" ({message})" if message else "")
        + ". Sla de werkmap opnieuw op in Excel en lever hem nog eens aan.",
    )


def detect(path: Path, limits: ZipLimits = ZipLimits()) -> Detected:
    """Decide CSV or XLSX from the bytes; raise ServiceError 415 or 422 otherwise."""
    with path.open("rb") as fh:
        head = fh.read(SAMPLE_BYTES)
        truncated = bool(fh.read(1))
    if head.startswith(_ZIP_MAGIC):
        return _xlsx(path, limits)
    if head.startswith(_CFB_MAGIC):
        raise unsupported(
            "Dit is een oud Excel-bestand (.xls) of een werkmap met een wachtwoord. Sla hem op "
            "als Excel-werkmap (.xlsx) zonder wachtwoord, of als CSV (puntkomma), en lever hem "
            "opnieuw aan."
        )
    return _csv(head, truncated)


# --- CSV --------------------------------------------------------------------------------------


_NOT_TEXT = (
    "Dit bestand is geen CSV of XLSX. Lever een CSV-bestand (tekst met puntkomma's) of een "
    "Excel-werkmap (.xlsx) aan; andere formaten, zoals PDF, afbeeldingen, ZIP of Word, worden "
    "niet verwerkt."
)


def _csv(head: bytes, truncated: bool) -> Detected:
    """Text that the reader can read as a table: its encoding and separator are detected as
    the reader does (`sources.dialect.decode` and `sniff_csv`, scored on the known column
    names); refused when it holds binary control characters, is HTML, XML or JSON, or has no
    separator under which its header has two columns or more."""
    if not head.strip():
        raise ServiceError(400, "leeg_bestand", "Het bestand is leeg.")
    try:
        encoding, text = decode(head, final=not truncated)
    except UnreadableFile:
        raise unsupported(_NOT_TEXT) from None
    if text.lstrip("\ufeff \t\r\n")[:1] in ("<", "{", "["):
        raise unsupported(_NOT_TEXT)  # HTML, XML or JSON, not a table
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\x0c\x1a")
    if controls > max(1, len(text) // 1000):
        raise unsupported(_NOT_TEXT)
    if truncated and "\n" in text:
        text = text[: text.rfind("\n") + 1]  # the sample may cut the last record short
    try:
        layout = sniff_csv(text, header_score())
    except UnreadableFile:
        layout = None
    if layout is None or len([c for c in layout.header if c]) < 2:
        raise unsupported(
            "Dit tekstbestand heeft geen herkenbare kolommen: er is geen scheidingsteken "
            "(puntkomma, komma, tab of |) waarmee de kopregel minstens twee kolommen heeft. "
            "Lever een CSV-bestand met een kopregel en één regel per record aan."
        )
    return Detected("csv", ".csv", {"codering": encoding, "scheidingsteken": layout.delimiter})


# --- XLSX -------------------------------------------------------------------------------------


def _xlsx(path: Path, limits: ZipLimits) -> Detected:
    try:
        zf = zipfile.ZipFile(path)  # reads the central directory only
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise damaged("de inhoudsopgave van het zip-archief is onleesbaar") from exc
    with zf:
        infos = zf.infolist()
        _check_directory(zf, infos, limits)
        names = {i.filename for i in infos}
        if not all(name in names for name in XLSX_REQUIRED):
            raise unsupported(
                "Dit is een ZIP-bestand, maar geen Excel-werkmap (.xlsx): het mist "
                "[Content_Types].xml of xl/workbook.xml. Lever de werkmap zelf aan, of een CSV."
            )
        total = _unpack_bounded(path, infos, limits)
    sheets = sum(1 for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    return Detected(
        "xlsx", ".xlsx", {"onderdelen": len(infos), "werkbladen": sheets, "uitgepakt_bytes": total}
    )


def _check_directory(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: ZipLimits) -> None:
    if len(infos) > limits.max_entries:
        raise bomb(
            f"Het XLSX-bestand bevat {len(infos)} onderdelen; meer dan {limits.max_entries} "
            "wordt uit veiligheid niet uitgepakt (mogelijk een zip-bom)."
        )
    total = sum(i.file_size for i in infos)
    if total > limits.max_uncompressed:
        raise bomb(
            f"Het XLSX-bestand zou uitgepakt {_n(total / MiB)} MB worden; de grens is "
            f"{_n(limits.max_uncompressed / MiB)} MB (mogelijk een zip-bom). Lever grote "
            "tabellen als CSV aan of splits de werkmap per jaar."
        )
    seen: set[str] = set()
    for info in infos:
        if info.filename in seen:
            raise bomb(f"Het XLSX-bestand bevat onderdeel '{info.filename[:80]}' twee keer.")
        seen.add(info.filename)
        if info.flag_bits & 0x1:
            raise bomb(
                "Het XLSX-bestand bevat versleutelde onderdelen; lever het zonder wachtwoord aan."
            )
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise damaged("onbekende compressiemethode")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_floor and ratio > limits.max_ratio:
            raise bomb(
                f"Een onderdeel van het XLSX-bestand is {_n(ratio)} keer zo groot als zijn "
                f"gecomprimeerde vorm; meer dan {_n(limits.max_ratio)} keer wordt niet "
                "uitgepakt (mogelijk een zip-bom)."
            )
    # Entries whose data overlap (the 'overlapping files' bomb) or run past the directory.
    spans = sorted((i.header_offset, i.header_offset + i.compress_size) for i in infos)
    end_of_data = zf.start_dir if hasattr(zf, "start_dir") else None
    for (_, end), (nxt, _) in zip(spans, spans[1:], strict=False):
        if end > nxt:
            raise bomb("Het XLSX-bestand bevat overlappende onderdelen (een zip-bom).")
    if spans and end_of_data is not None and spans[-1][1] > end_of_data:
        raise damaged("een onderdeel loopt door tot in de inhoudsopgave")


def _unpack_bounded(path: Path, infos: list[zipfile.ZipInfo], limits: ZipLimits) -> int:
    """Inflate every entry's raw stream ourselves, in bounded steps, and throw the bytes away.

    Not through `ZipFile.open`, which stops at the size the directory declares: a reader such as
    calamine inflates the whole stream, so a stream that unpacks to more than declared is a bomb
    and must be caught here. Work is bounded by the declared sizes, already checked."""
    total = 0
    cost = WorkbookCost(path.name if not path.name.startswith(".") else "")
    with path.open("rb") as fh:
        for info in infos:
            sheet = is_sheet_part(info.filename)
            if sheet:
                cost.start_sheet()
            try:
                produced, crc = _inflate_entry(fh, info, cost.feed if sheet else None)
                if sheet:
                    cost.end_sheet()
            except UnreadableFile as exc:  # what reading it would cost is over the limits
                raise ServiceError(422, exc.code, exc.message) from None
            if produced != info.file_size or crc != info.CRC:
                raise damaged("een onderdeel is korter dan opgegeven of de controlesom klopt niet")
            total += produced
            if total > limits.max_uncompressed:
                raise bomb(_LIES)
    return total


_LIES = "Het XLSX-bestand pakt groter uit dan het zelf opgeeft (mogelijk een zip-bom)."


def _inflate_entry(fh, info: zipfile.ZipInfo, sink=None) -> tuple[int, int]:
    """(bytes produced, CRC) of one entry; `sink` gets every inflated piece (the worksheets'
    cost is measured on the way, `sources.workbook_limits`)."""
    fh.seek(info.header_offset)
    header = fh.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise damaged("een onderdeel begint niet waar de inhoudsopgave zegt")
    name_len, extra_len = struct.unpack("<2H", header[26:30])
    fh.seek(info.header_offset + 30 + name_len + extra_len)
    remaining = info.compress_size
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
    produced = crc = 0
    while remaining:
        data = fh.read(min(MiB, remaining))
        if not data:
            raise damaged("het bestand houdt halverwege een onderdeel op")
        remaining -= len(data)
        while data:
            if inflater is None:
                out, data = data, b""
            else:
                try:
                    out = inflater.decompress(data, MiB)
                except zlib.error as exc:
                    raise damaged("een onderdeel is onleesbaar") from exc
                data = inflater.unconsumed_tail
            produced += len(out)
            crc = zlib.crc32(out, crc)
            if produced > info.file_size:
                raise bomb(_LIES)
            if sink is not None and out:
                sink(out)
    if inflater is not None:
        out = inflater.flush()
        if sink is not None and out:
            sink(out)
        produced += len(out)
        crc = zlib.crc32(out, crc)
        if produced > info.file_size:
            raise bomb(_LIES)
        if not inflater.eof:
            raise damaged("een onderdeel is afgebroken")
    return produced, crc

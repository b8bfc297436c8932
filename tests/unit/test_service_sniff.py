"""Type detection by content and the zip-bomb limits, on files (no server needed)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest

from rendement.service.errors import ServiceError
from rendement.service.sniff import ZipLimits, detect
from sources import UnreadableFile, read_upload
from tests.support.service import PROJECT_CSV, real_xlsx, xlsx_bomb, zip_bytes

DEFAULT = ZipLimits()


def _detect(tmp_path, content: bytes, limits=DEFAULT):
    path = tmp_path / "f.bin"
    path.write_bytes(content)
    return detect(path, limits)


def _refused(tmp_path, content, limits=DEFAULT) -> ServiceError:
    with pytest.raises(ServiceError) as info:
        _detect(tmp_path, content, limits)
    return info.value


@pytest.mark.parametrize(
    "content,encoding,delimiter",
    [
        (PROJECT_CSV, "utf-8", ";"),
        (b"\xef\xbb\xbf" + PROJECT_CSV, "utf-8-bom", ";"),
        ("Export 2025\nnaam;plaats\nCaf\xe9;Zwolle\n\n\n".encode("cp1252"), "windows-1252", ";"),
        ("naam;plaats\r\nCaf\xe9;Zwolle\r\n".encode("utf-16"), "utf-16", ";"),
        (b"a,b,c\n1,2,3\n4,5,6\n", "utf-8", ","),
        (b"a\tb\n1\t2\n", "utf-8", "\t"),
        (b"a;b\n", "utf-8", ";"),  # a header alone is still a table
    ],
)
def test_csv_dialects(tmp_path, content, encoding, delimiter):
    found = _detect(tmp_path, content)
    assert (found.formaat, found.suffix) == ("csv", ".csv")
    assert found.dialect == {"codering": encoding, "scheidingsteken": delimiter}


def test_csv_encoding_and_separator_are_the_readers(tmp_path):
    """The type check detects encoding and separator as intake's reader does."""
    path = tmp_path / "project_2025.csv"
    for content in (PROJECT_CSV, "Export 2025\nnaam;plaats\nCaf\xe9;Zwolle\n".encode("cp1252")):
        path.write_bytes(content)
        found = detect(path, DEFAULT)
        try:
            dialect = read_upload(path).dialect
        except UnreadableFile:  # no layout fits this one: nothing to compare with
            continue
        assert found.dialect == {"codering": dialect.encoding, "scheidingsteken": dialect.delimiter}


def test_text_without_columns_is_415(tmp_path):
    err = _refused(tmp_path, b"Beste mensen\nHierbij onze gegevens\nGroet\n")
    assert err.status == 415 and "kolommen" in err.message


def test_csv_sample_cut_in_a_multibyte_character(tmp_path):
    row = "P1;Cliënt met é en ë;x\n".encode()
    content = b"a;b;c\n" + row * (70_000 // len(row))
    assert _detect(tmp_path, content).dialect["codering"] == "utf-8"


def test_real_xlsx(tmp_path):
    found = _detect(tmp_path, real_xlsx(tmp_path / "export_2025.xlsx"))
    assert found.formaat == "xlsx" and found.dialect["werkbladen"] == 1


def test_zip_bomb_limits_are_checked_in_the_directory(tmp_path):
    err = _refused(tmp_path, xlsx_bomb(400))
    assert (err.status, err.code) == (422, "xlsx_geweigerd") and "300 MB" in err.message
    err = _refused(tmp_path, xlsx_bomb(20))
    assert err.status == 422 and "keer zo groot" in err.message
    many = {"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<w/>"}
    many |= {f"xl/media/{i}.xml": b"x" for i in range(30)}
    err = _refused(tmp_path, zip_bytes(many), ZipLimits(max_entries=20))
    assert err.status == 422 and "onderdelen" in err.message


def _lying_zip() -> bytes:
    """A workbook whose sheet claims to be 10 bytes but inflates to 50 MB."""
    real = zip_bytes({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<w/>"},
                     zipfile.ZIP_STORED)  # fmt: skip
    body = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = body.compress(b"A" * (50 * 1024 * 1024)) + body.flush()
    name = b"xl/worksheets/sheet1.xml"
    zf = zipfile.ZipFile(io.BytesIO(real))
    infos = zf.infolist()
    end = real.rfind(b"PK\x05\x06")
    cd_start = struct.unpack("<I", real[end + 16 : end + 20])[0]
    local_part, central = real[:cd_start], real[cd_start:end]
    offset = len(local_part)
    crc = zlib.crc32(b"A" * 10)
    local = struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc, len(data), 10,
                        len(name), 0) + name + data  # fmt: skip
    central_entry = struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc,
                                len(data), 10, len(name), 0, 0, 0, 0, 0, offset) + name  # fmt: skip
    new_central = central + central_entry
    cd_offset = offset + len(local)
    eocd = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(infos) + 1, len(infos) + 1,
                       len(new_central), cd_offset, 0)  # fmt: skip
    return local_part + local + new_central + eocd


def test_sizes_that_lie_are_caught_while_unpacking(tmp_path):
    content = _lying_zip()
    assert len(zipfile.ZipFile(io.BytesIO(content)).infolist()) == 3
    err = _refused(tmp_path, content)
    assert (err.status, err.code) == (422, "xlsx_geweigerd"), err.message


def test_overlapping_entries_are_refused(tmp_path):
    base = zip_bytes({"[Content_Types].xml": b"<x/>" * 50, "xl/workbook.xml": b"<w/>" * 50},
                     zipfile.ZIP_STORED)  # fmt: skip
    zf = zipfile.ZipFile(io.BytesIO(base))
    first = zf.infolist()[0]
    end = base.rfind(b"PK\x05\x06")
    cd_start = struct.unpack("<I", base[end + 16 : end + 20])[0]
    # a third central entry pointing at the first entry's local header
    name = b"xl/worksheets/sheet1.xml"
    extra = struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, first.CRC,
                        first.compress_size, first.file_size, len(name), 0, 0, 0, 0, 0,
                        first.header_offset) + name  # fmt: skip
    central = base[cd_start:end] + extra
    eocd = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, 3, 3, len(central), cd_start, 0)
    err = _refused(tmp_path, base[:cd_start] + central + eocd)
    assert err.status == 422


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + bytes(range(256)),
        zip_bytes({"word/document.xml": b"<w/>", "[Content_Types].xml": b"<x/>"}),
        b"\x7fELF\x02\x01\x01" + b"\x00" * 200,
        b'{"a": 1, "b": 2}\n',
        b"een;\x01\x02\x03\x04;twee\n" * 20,
    ],
    ids=["png", "pdf", "docx", "elf", "json", "controls"],
)
def test_other_types_are_415(tmp_path, content):
    assert _refused(tmp_path, content).status == 415

"""Reading an upload off the wire into a hidden temp file, with the size limit enforced per chunk.

Nothing is buffered whole in memory and nothing waits for the full body before the limit is
checked: a declared Content-Length above the limit is refused before the body is read, and a
body that grows past the limit while streaming is cut off at that chunk and its temp file
removed. The temp file lives in the organisation's own inbox folder under a hidden name
(`.upload-*.part`), which the intake sensor ignores, so the final rename is atomic.

Two request shapes:
- raw body, with the original file name in the `X-Bestandsnaam` header;
- `multipart/form-data` with the file in field `bestand` (and, from the upload page, the token in
  field `token` before it), parsed as a stream with python-multipart.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from rendement.service.errors import ServiceError, bad_request

MULTIPART_OVERHEAD = 64 * 1024  # boundaries, part headers and the token field
MAX_TEXT_FIELD = 1024
MAX_PARTS = 8


def too_large(limit: int) -> ServiceError:
    mb = limit / (1024 * 1024)
    size = f"{mb:.0f} MB" if mb >= 1 else f"{limit // 1024} kB"
    return ServiceError(
        413,
        "te_groot",
        f"Het bestand is groter dan de grens van {size}. Splits de export (bijvoorbeeld per "
        "tabel of per jaar) of lever grote tabellen als CSV aan.",
        grens_bytes=limit,
    )


class TempUpload:
    """A hidden temp file in `folder` that counts, hashes and limits what is written to it."""

    def __init__(self, folder: Path, limit: int):
        folder.mkdir(parents=True, exist_ok=True)
        # the process id in the name: a restarted service removes what a dead one left
        fd, name = tempfile.mkstemp(prefix=f".upload-{os.getpid()}-", suffix=".part", dir=folder)
        self.path = Path(name)
        self._fh = os.fdopen(fd, "wb")
        self.limit = limit
        self.size = 0
        self.kept = False  # set once the file has been renamed to its final name
        self._sha = hashlib.sha256()

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            raise too_large(self.limit)
        self._sha.update(chunk)
        self._fh.write(chunk)

    def finish(self) -> str:
        """Flush to disk; returns the SHA-256 of the content."""
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        return self._sha.hexdigest()

    def discard(self) -> None:
        """Remove the temp file, unless it became the stored upload."""
        with contextlib.suppress(Exception):
            self._fh.close()
        if not self.kept:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()


@dataclass
class Received:
    temp: TempUpload
    original: str  # the sender's file name, only ever used to find a reporting year
    checksum: str
    fields: dict[str, str] = field(default_factory=dict)


def check_declared_length(request: Request, limit: int) -> None:
    raw = request.headers.get("content-length")
    if raw is None:
        return
    try:
        declared = int(raw)
    except ValueError:
        raise bad_request("De kop Content-Length is geen getal.") from None
    if declared > limit:
        raise too_large(limit)


def clean_original(name: str | None) -> str:
    """The last path component of a client-supplied name, printable, at most 200 characters."""
    name = unquote(name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())
    return name.strip()[:200]


async def receive_raw(request: Request, folder: Path, limit: int) -> Received:
    original = clean_original(request.headers.get("x-bestandsnaam"))
    if not original:
        raise bad_request(
            "Geef de oorspronkelijke bestandsnaam mee in de kop 'X-Bestandsnaam' (bijvoorbeeld "
            "project_2025.csv), of stuur het bestand als formulierveld 'bestand'.",
            "bestandsnaam_ontbreekt",
        )
    check_declared_length(request, limit)
    temp = TempUpload(folder, limit)
    try:
        async for chunk in request.stream():
            temp.write(chunk)
        checksum = temp.finish()
    except ClientDisconnect:
        temp.discard()
        raise bad_request(
            "De verbinding werd verbroken voordat het bestand binnen was.", "afgebroken"
        ) from None
    except BaseException:
        temp.discard()
        raise
    return Received(temp, original, checksum)


class _Parts:
    """python-multipart callbacks collected as a list of events per fed chunk."""

    def __init__(self, boundary: bytes):
        self.events: list[tuple] = []
        self.done = False
        self._headers: dict[str, str] = {}
        self._name = b""
        self._value = b""
        self.parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._begin,
                "on_header_field": lambda d, s, e: self._add("_name", d[s:e]),
                "on_header_value": lambda d, s, e: self._add("_value", d[s:e]),
                "on_header_end": self._header_end,
                "on_headers_finished": lambda: self.events.append(("begin", dict(self._headers))),
                "on_part_data": lambda d, s, e: self.events.append(("data", bytes(d[s:e]))),
                "on_part_end": lambda: self.events.append(("end",)),
                "on_end": self._end,
            },
        )

    def _add(self, attr: str, data: bytes) -> None:
        setattr(self, attr, getattr(self, attr) + data)

    def _begin(self) -> None:
        self._headers = {}

    def _header_end(self) -> None:
        key = self._name.decode("latin-1").strip().lower()
        self._headers[key] = self._value.decode("utf-8", "replace").strip()
        self._name = self._value = b""

    def _end(self) -> None:
        self.done = True

    def feed(self, chunk: bytes) -> list[tuple]:
        try:
            self.parser.write(chunk)
        except MultipartParseError:
            raise bad_request("Het formulier (multipart) is onleesbaar.") from None
        events, self.events = self.events, []
        return events


def _disposition(headers: dict[str, str]) -> tuple[str, str | None]:
    _, params = parse_options_header(headers.get("content-disposition", ""))
    name = params.get(b"name", b"").decode("utf-8", "replace")
    filename = params.get(b"filename")
    return name, (filename.decode("utf-8", "replace") if filename is not None else None)


async def receive_multipart(
    request: Request, limit: int, folder_for_file: Callable[[dict[str, str]], Awaitable[Path]]
) -> Received:
    """Stream a form; the file part goes to a temp file in `await folder_for_file(fields)`,
    called once, with the text fields seen before the file (the upload page sends its token
    first, so the organisation is known before a byte of the file is stored)."""
    _, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if not boundary:
        raise bad_request("Het formulier mist de 'boundary' in de Content-Type-kop.")
    body_limit = limit + MULTIPART_OVERHEAD
    check_declared_length(request, body_limit)
    parts = _Parts(boundary)
    fields: dict[str, str] = {}
    temp: TempUpload | None = None
    original = ""
    current: str | None = None  # "file", a field name, or "skip"
    buffer = b""
    count = total = 0
    try:
        async for chunk in request.stream():
            total += len(chunk)
            if total > body_limit:
                raise too_large(limit)
            for event in parts.feed(chunk):
                if event[0] == "begin":
                    count += 1
                    if count > MAX_PARTS:
                        raise bad_request("Het formulier heeft te veel velden.")
                    name, filename = _disposition(event[1])
                    if name == "bestand" and filename is not None:
                        if temp is not None:
                            raise bad_request("Stuur één bestand per keer.")
                        original = clean_original(filename)
                        if not original:
                            raise bad_request("Kies een bestand om te versturen.", "geen_bestand")
                        temp = TempUpload(await folder_for_file(dict(fields)), limit)
                        current = "file"
                    elif filename is None and name:
                        current, buffer = name, b""
                    else:
                        current = "skip"
                elif event[0] == "data":
                    if current == "file":
                        temp.write(event[1])
                    elif current != "skip":
                        buffer += event[1]
                        if len(buffer) > MAX_TEXT_FIELD:
                            raise bad_request(f"Het formulierveld '{current}' is te lang.")
                elif event[0] == "end":
                    if current not in (None, "file", "skip"):
                        fields[current] = buffer.decode("utf-8", "replace").strip()
                    current = None
        if not parts.done:
            raise bad_request("Het formulier is niet volledig aangekomen.")
        if temp is None:
            raise bad_request("Er zit geen bestand in het formulierveld 'bestand'.", "geen_bestand")
        checksum = temp.finish()
    except ClientDisconnect:
        if temp is not None:
            temp.discard()
        raise bad_request(
            "De verbinding werd verbroken voordat het bestand binnen was.", "afgebroken"
        ) from None
    except BaseException:
        if temp is not None:
            temp.discard()
        raise
    return Received(temp, original, checksum, fields)

"""Shared helpers for the upload service tests: a real uvicorn server on a free loopback port, a
data home with a register, test files. No tests in here."""

from __future__ import annotations

import io
import json
import random
import re
import shutil
import socket
import subprocess
import threading
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvicorn

from rendement.core.accounts import AccountStore
from rendement.core.home import Home
from rendement.core.registry import Registry
from rendement.demo import generate_sector, write_exports
from rendement.intake.accept import accept_org, receive_org
from rendement.service.app import create_app
from rendement.service.uploads import Settings

PROJECT_CSV = (
    b"project_id;naam;domein;interventie;erkenning;startdatum;einddatum;gemeente_code\n"
    b"P1;Maatjes Noord;ouderen_eenzaamheid;maatjesproject;goed_beschreven;01-01-2025;;GM0363\n"
)
LIMIT = 1024 * 1024  # 1 MiB in these tests
SECRET_MARKER = "GEHEIM-VAN-ORG2-7f3a"


def project_csv(n: int = 1) -> bytes:
    """A valid sector-contract project file; `n` makes the content (and checksum) distinct."""
    rows = [
        f"P{i};Maatjes {i};ouderen_eenzaamheid;maatjesproject;goed_beschreven;01-01-2025;;GM0363"
        for i in range(1, n + 1)
    ]
    header = "project_id;naam;domein;interventie;erkenning;startdatum;einddatum;gemeente_code"
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


class LiveServer:
    """uvicorn serving `app` in a background thread on 127.0.0.1:<free port>."""

    def __init__(self, app):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="on", server_header=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)
        self.sock.close()


@dataclass
class World:
    """A data home with three organisations and an analyst, and the tokens issued to them."""

    home: Home
    tokens: dict[str, str] = field(default_factory=dict)


_REGISTER: dict = {}  # hashing is slow on purpose: build the register once per test run


def make_world(root: Path) -> World:
    home = Home(root.resolve())
    home.ensure()
    if not _REGISTER:
        issued = {}
        reg = Registry(home.registry)
        for org, naam in (("ORG1", "Welzijn Noord"), ("ORG2", "Zorg Zuid"), ("ORG3", "Oud")):
            reg.add(org, naam)
            issued[org] = reg.issue_org_token(org)[0]
        reg.revoke_org_token("ORG3")
        issued["analist"] = reg.issue_analyst_token("test")[1]
        _REGISTER.update(data=json.dumps(reg.data), tokens=issued)
    registry = Registry(home.registry, json.loads(_REGISTER["data"]))
    registry.save()
    world = World(home, dict(_REGISTER["tokens"]))
    # published reports of two organisations
    for org in ("ORG1", "ORG2"):
        site = home.org_site(org)
        site.mkdir(parents=True)
        home.org_validation(org).mkdir(parents=True)
        marker = SECRET_MARKER if org == "ORG2" else "eigen rapport ORG1"
        (site / "index.html").write_text(f"<html><body>{marker}</body></html>", "utf-8")
        report = home.org_validation(org) / "abcdef0123456789.json"
        report.write_text(f'{{"m": "{marker}"}}', "utf-8")
    return world


def serve(world: World, **settings) -> LiveServer:
    return LiveServer(create_app(world.home, Settings(**{"max_upload_bytes": LIMIT, **settings})))


def wait_until_serving(base: str, proc: subprocess.Popen, seconds: float = 60) -> None:
    """Wait until `rendement serve` (started as `proc`) answers /gezond at `base`; fail with
    its error output when it exits first or does not come up in time."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(f"{base}/gezond", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "rendement serve did not come up"
        time.sleep(0.2)


def inbox_files(home: Home, org: str | None = None) -> dict[str, list[str]]:
    """Every file under inbox/ (hidden ones included), per organisation folder."""
    out: dict[str, list[str]] = {}
    if not home.inbox.is_dir():
        return out
    for folder in sorted(home.inbox.iterdir()):
        if org is not None and folder.name != org:
            continue
        out[folder.name] = sorted(p.name for p in folder.iterdir() if p.name != ".lock")
    return out


def visible(home: Home, org: str) -> list[str]:
    return [n for n in inbox_files(home, org).get(org, []) if not n.startswith(".")]


def zip_bytes(entries: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


def xlsx_bomb(uncompressed_mb: int = 400) -> bytes:
    """Looks like an XLSX (content types + workbook) but one sheet unpacks to hundreds of MB."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            block = b"0" * (1024 * 1024)
            for _ in range(uncompressed_mb):
                fh.write(block)
    return buf.getvalue()


_NS = "http://schemas.openxmlformats.org/"


def workbook_of_sheets(sheets: list[bytes]) -> bytes:
    """A minimal XLSX that calamine opens, with these worksheet XMLs (compressed fast)."""
    n = len(sheets)
    ids = range(1, n + 1)
    types = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in ids
    )
    parts = {
        "[Content_Types].xml": f'<?xml version="1.0"?><Types xmlns="{_NS}package/2006/'
        'content-types"><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        f'officedocument.spreadsheetml.sheet.main+xml"/>{types}</Types>',
        "_rels/.rels": f'<?xml version="1.0"?><Relationships xmlns="{_NS}package/2006/'
        f'relationships"><Relationship Id="rId1" Type="{_NS}officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0"?><workbook xmlns="{_NS}spreadsheetml/2006/'
        f'main" xmlns:r="{_NS}officeDocument/2006/relationships"><sheets>'
        + "".join(f'<sheet name="Blad{i}" sheetId="{i}" r:id="rId{i}"/>' for i in ids)
        + "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0"?><Relationships xmlns="{_NS}'
        'package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{_NS}officeDocument/2006/relationships/'
            f'worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in ids
        )
        + "</Relationships>",
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name, text in parts.items():
            zf.writestr(name, text)
        for i, xml in zip(ids, sheets, strict=True):
            zf.writestr(f"xl/worksheets/sheet{i}.xml", xml)
    return buf.getvalue()


_SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_TAIL = b"</sheetData></worksheet>"


def wide_sheet_bomb(sheets: int = 20) -> bytes:
    """Issue 20 point 2's workbook: `sheets` worksheets of exactly 1 MiB of numeric XML, each
    one row of ~70.000 cells without references (tens of kB zipped; every part is exactly
    1 MiB, so the zip's ratio rule, which looks at parts over 1 MiB, lets it pass)."""
    cell = b"<c><v>1</v></c>"
    room = 1024 * 1024 - len(_SHEET_HEAD) - len(_SHEET_TAIL) - len(b"<row></row>")
    xml = _SHEET_HEAD + b"<row>" + cell * (room // len(cell)) + b"</row>" + _SHEET_TAIL
    xml = xml.replace(b"<sheetData>", b"<sheetData>" + b" " * (1024 * 1024 - len(xml)), 1)
    assert len(xml) == 1024 * 1024
    return workbook_of_sheets([xml] * sheets)


def costly_xlsx(columns: int = 900, rows: int = 8000) -> bytes:
    """One worksheet of `columns` x `rows` numbers: within the workbook limits, but seconds
    of work for the reader (a pre-flight that is still running when the test wants it to)."""
    rng = random.Random(columns * rows)
    # 64 different rows of random numbers, cycled: beyond deflate's window, so the sheet
    # compresses like real data (and passes the zip's ratio rule)
    cycle = [
        b"<row>"
        + b"".join(b"<c><v>%d</v></c>" % rng.randrange(10**9) for _ in range(columns))
        + b"</row>"
        for _ in range(64)
    ]
    body = b"".join(cycle[i % 64] for i in range(rows))
    return workbook_of_sheets([_SHEET_HEAD + body + _SHEET_TAIL])


def delivered_world(tmp_path: Path) -> tuple[World, int, Path]:
    """A world whose ORG1 has a demo organisation's years taken in (intake, real lake): the
    world, the latest year, and the folder with the exports (`traject_<jaar>.csv`, ...)."""
    world = make_world(tmp_path / "home")
    [demo] = generate_sector(orgs=1, seed=5)
    write_exports(demo, tmp_path / "exports")
    exports = tmp_path / "exports" / demo.organisatie_id
    shutil.copytree(exports, world.home.org_inbox("ORG1"))
    receive_org(world.home, "ORG1")
    accept_org(world.home, "ORG1")
    return world, max(demo.tables), exports


def real_xlsx(path: Path) -> bytes:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("project")
    lines = PROJECT_CSV.decode().strip().split("\n")
    for r, line in enumerate(lines):
        ws.write_row(r, 0, line.split(";"))
    wb.close()
    return path.read_bytes()


def raw_http(port: int, request: bytes, timeout: float = 15) -> tuple[int, bytes]:
    """Send bytes exactly as given (no URL normalisation) and return (status, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(request)
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def get_raw(port: int, path: str, token: str) -> tuple[int, bytes]:
    req = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        "Connection: close\r\n\r\n"
    ).encode("latin-1")
    return raw_http(port, req)


# ----------------------------------------------------------------------------- the portal

PASSWORD = "een lange zin als wachtwoord"
_CSRF_FIELD = re.compile(r'name="csrftoken" value="([^"]+)"')


def add_person(home: Home, email: str, org: str | None = None, password: str = PASSWORD) -> str:
    """A portal account with its password set (as through the one-time link); its id."""
    with AccountStore.edit(home.accounts) as store:
        account, code = store.add(email, organisatie_id=org, analyst=org is None)
        store.set_password(code, password)
    return account.id


def form_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = _CSRF_FIELD.search(html)
    assert found, "no csrftoken field on the page"
    return found.group(1)


def sign_in(client, email: str, password: str = PASSWORD):
    """Sign in through the real form (GET for the CSRF cookie and field, then POST)."""
    page = client.get("/inloggen")
    data = {"csrftoken": form_token(page.text), "email": email, "wachtwoord": password}
    return client.post("/inloggen", data=data)


def audit_entries(home) -> list[dict]:
    """Every line of the home's audit log as a dict, its `details` parsed."""
    lines = home.audit_log.read_text("utf-8").splitlines()
    return [{**r, "details": json.loads(r["details"])} for r in map(json.loads, lines)]

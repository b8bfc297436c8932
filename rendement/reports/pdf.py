"""The Impactkaart as a PDF, printed on request by headless Chromium (Debian's `chromium`).

Only on request (`rendement impactkaart ORG PROJECT PAD.pdf`, the portal's download): a
rebuild of the sector writes the HTML cards and prints nothing. The PDF is printed from the
card the site already holds (`site/org/<ORG>/impactkaart/<PROJECT>.html`), so it is exactly
the page the organisation sees; the card's print style sheet makes it one A4 page.

Chromium runs as a subprocess with a fresh temporary profile (two prints never share one), no
sandbox (it runs as the service's own unprivileged user, often in a container without user
namespaces), no header or footer, and a time limit. At most `MAX_PARALLEL` print at once per
process, so a burst of downloads cannot start a browser per request. `RENDEMENT_CHROMIUM` names
another binary.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

from rendement.core.home import Home
from rendement.core.tokens import valid_org_id
from rendement.reports.impactkaart import FOLDER, page_name

CHROMIUM_ENV = "RENDEMENT_CHROMIUM"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
TIMEOUT_SECONDS = 60
MAX_PARALLEL = 2
_SLOTS = threading.BoundedSemaphore(MAX_PARALLEL)
_PAGE = re.compile(rb"/Type\s*/Page\b(?!s)")


class PdfError(Exception):
    """A PDF could not be made; the message is Dutch and says what to do."""


class NoCard(PdfError):
    """There is no Impactkaart for this organisation and project (yet)."""


def chromium() -> str:
    """The Chromium binary: `RENDEMENT_CHROMIUM`, else the first of `CHROMIUM_NAMES` on PATH."""
    configured = os.environ.get(CHROMIUM_ENV, "").strip()
    if configured:
        return configured
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise PdfError(
        "Chromium is niet gevonden: installeer het pakket 'chromium' of geef het pad in "
        f"{CHROMIUM_ENV}."
    )


def page_count(pdf: bytes) -> int:
    """The number of pages of a PDF (its `/Type /Page` objects; Chromium writes no object
    streams, so each page object is plain text in the file)."""
    return len(_PAGE.findall(pdf))


def _run(command: list[str], timeout: float, env: dict[str, str]) -> int:
    """Run Chromium in its own process group and wait; on the time limit end that group (the
    browser and the helper processes it started), then raise `TimeoutExpired`."""
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise


def print_pdf(html: Path, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    """Print a self-contained HTML file to PDF with headless Chromium; the PDF's bytes."""
    binary = chromium()
    with _SLOTS, tempfile.TemporaryDirectory(prefix="rendement-pdf-") as tmp:
        target = Path(tmp) / "kaart.pdf"
        command = [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-default-browser-check",
            "--no-pdf-header-footer",
            f"--user-data-dir={Path(tmp) / 'profiel'}",
            f"--print-to-pdf={target}",
            html.resolve().as_uri(),
        ]
        try:
            returncode = _run(command, timeout, {**os.environ, "HOME": tmp})
        except subprocess.TimeoutExpired:
            raise PdfError(
                f"Chromium maakte de pdf niet binnen {int(timeout)} seconden; probeer het opnieuw."
            ) from None
        except OSError as exc:
            raise PdfError(f"Chromium ({binary}) start niet: {exc.strerror or exc}.") from None
        if not target.is_file() or not target.stat().st_size:
            raise PdfError(
                f"Chromium maakte geen pdf (afsluitcode {returncode}); kijk of het pakket "
                "'chromium' werkt met 'chromium --headless --version'."
            )
        return target.read_bytes()


def card_path(home: Home, org: str, project_id: str) -> Path:
    """The stored Impactkaart of a project; `NoCard` (Dutch) when the site has none. The
    organisation code must be a code (no path); the project id is mapped to a plain file name
    (`impactkaart.file_stem`), so neither can point outside the organisation's folder."""
    if not valid_org_id(org):
        raise NoCard(f"{org!r} is geen organisatiecode (bijvoorbeeld ORG001).")
    path = home.org_site(org) / FOLDER / page_name(project_id)
    if not path.is_file():
        raise NoCard(
            f"Er is geen Impactkaart van project {project_id} van {org}. Impactkaarten "
            "verschijnen bij het rapport van de organisatie nadat haar aanlevering is verwerkt; "
            "controleer de organisatie- en projectcode."
        )
    return path


def impactkaart_pdf(home: Home, org: str, project_id: str) -> bytes:
    """The PDF of a project's Impactkaart, printed now from the card the site holds (for the
    command line and the portal's download)."""
    return print_pdf(card_path(home, org, project_id))

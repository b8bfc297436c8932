"""The PDF printer's contract with Chromium, with stand-in binaries (the real Chromium prints in
`tests/browser/test_impactkaart.py`): the flags it is called with, a clear Dutch error when it
is missing, hangs or writes nothing, and no path outside the organisation's folder."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest

from rendement.core.home import Home
from rendement.reports.pdf import NoCard, PdfError, card_path, page_count, print_pdf

FAKE_PDF = b"%PDF-1.4\n1 0 obj << /Type /Pages /Count 1 >> endobj\n2 0 obj << /Type /Page >>\n"


def fake_chromium(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "chromium"
    script.write_text("#!/bin/sh\n" + body + "\n", "utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def card(tmp_path: Path) -> Path:
    page = tmp_path / "kaart.html"
    page.write_text("<!DOCTYPE html><p>P1</p>", "utf-8")
    return page


def test_pages_are_counted_by_their_page_objects():
    assert page_count(FAKE_PDF) == 1
    assert page_count(FAKE_PDF + b"3 0 obj <</Type/Page/Parent 1 0 R>>") == 2
    assert page_count(b"%PDF-1.4 /Type /Pages") == 0


def test_chromium_is_called_headless_with_a_private_profile(tmp_path, monkeypatch):
    args = tmp_path / "args.txt"
    source = tmp_path / "bron.pdf"
    source.write_bytes(FAKE_PDF)
    body = (
        f'printf "%s\\n" "$@" > {args}\n'
        'for a in "$@"; do case "$a" in --print-to-pdf=*) '
        f'cp {source} "${{a#--print-to-pdf=}}";; esac; done'
    )
    monkeypatch.setenv("RENDEMENT_CHROMIUM", str(fake_chromium(tmp_path, body)))
    pdf = print_pdf(card(tmp_path))
    assert page_count(pdf) == 1
    used = args.read_text("utf-8").splitlines()
    assert {"--headless", "--no-sandbox", "--no-pdf-header-footer"} <= set(used)
    assert any(a.startswith("--user-data-dir=") for a in used)
    assert used[-1] == (tmp_path / "kaart.html").resolve().as_uri()


def test_a_missing_or_silent_chromium_is_a_dutch_error(tmp_path, monkeypatch):
    monkeypatch.setenv("RENDEMENT_CHROMIUM", str(tmp_path / "bestaat-niet"))
    with pytest.raises(PdfError, match="start niet"):
        print_pdf(card(tmp_path))
    monkeypatch.setenv("RENDEMENT_CHROMIUM", str(fake_chromium(tmp_path, "exit 3")))
    with pytest.raises(PdfError, match="maakte geen pdf \\(afsluitcode 3\\)"):
        print_pdf(card(tmp_path))


def test_a_hanging_chromium_is_stopped(tmp_path, monkeypatch):
    monkeypatch.setenv("RENDEMENT_CHROMIUM", str(fake_chromium(tmp_path, "sleep 30 & wait")))
    started = time.monotonic()
    with pytest.raises(PdfError, match="niet binnen 1 seconden"):
        print_pdf(card(tmp_path), timeout=1)
    assert time.monotonic() - started < 10


def test_a_card_is_looked_up_inside_the_organisations_folder_only(tmp_path):
    home = Home(tmp_path)
    with pytest.raises(NoCard, match="geen organisatiecode"):
        card_path(home, "../ORG1", "P1")
    with pytest.raises(NoCard, match="Er is geen Impactkaart van project P1 van ORG1"):
        card_path(home, "ORG1", "P1")
    outside = home.org_site("ORG1") / "impactkaart" / ".." / ".." / "x.html"
    outside.parent.mkdir(parents=True, exist_ok=True)
    outside.write_text("x", "utf-8")
    with pytest.raises(NoCard):
        card_path(home, "ORG1", "../../x")
    target = home.org_site("ORG1") / "impactkaart" / "P1.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("kaart", "utf-8")
    assert card_path(home, "ORG1", "P1") == target

"""The Impactkaart and the organisation's Excel file (issue 17, point 5), from the real engine's
output of three projects of one organisation:

* the card's figures are the warehouse rows (`mkba.project_looptijd`, `mkba.project`), and its
  outcomes and stakeholders add up to the period's benefits;
* an incomplete project says `onvolledig` with its reason instead of a ratio;
* uploaded text is escaped on the card and made literal (never a formula) in the Excel file.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import polars as pl
import pytest

from rendement.benchmark.disclosure import DisclosureRules
from rendement.core.formatting import nl_euro, nl_number, nl_ratio
from rendement.mkba import compute_mkba
from rendement.mkba.params import parse_parameters
from rendement.reports.data import Warehouse, empty_published
from rendement.reports.impactkaart import (
    FOLDER,
    build_impactkaart,
    file_stem,
    impactkaart_page,
    page_name,
    write_impactkaarten,
)
from rendement.reports.organisation import organisation_page
from rendement.reports.resultaten import FORMULA_STARTS, is_formula_like, workbook_bytes
from tests.support.mkba_tables import ORG, simple_raw, two_years

TODAY = dt.date(2026, 12, 5)
# An uploaded project code that a spreadsheet would run, and one of each dangerous start.
EVIL_ID = '=HYPERLINK("http://x","klik")'
EVIL_STARTS = ["=1+1", "+31 6 1234", "-2+3", "@SUM(A1)", "\tTAB", "\rCR"]


def _as(frame: pl.DataFrame, project: str) -> pl.DataFrame:
    return frame.with_columns(pl.lit(project).alias("project_id")) if frame.height else frame


@pytest.fixture(scope="module")
def mkba():
    """P1 complete in 2024 and 2025, P2 without costs in 2025 (incomplete), and a project whose
    uploaded code is a spreadsheet formula."""
    params = parse_parameters(simple_raw())
    runs = {
        "P1": compute_mkba(two_years(), params, draws=200),
        "P2": compute_mkba(two_years(kosten_2025=None), params, draws=200),
        EVIL_ID: compute_mkba(two_years(), params, draws=200),
    }
    out = {}
    for name in ("project", "outcome", "schakelwaarden", "looptijd", "scenario"):
        out[name] = pl.concat([_as(getattr(r, name), p) for p, r in runs.items()])
    out["params"] = params
    return out


def warehouse(m, org_name: str = "Wijkteam <b>Test</b>") -> Warehouse:
    empty = pl.DataFrame()
    return Warehouse(
        projects=m["project"],
        outcomes=m["outcome"],
        scenarios=m["scenario"],
        positie=empty,
        project_info=pl.DataFrame(
            {
                "organisatie_id": [ORG] * 3,
                "project_id": ["P1", "P2", EVIL_ID],
                "naam": ["Schuldhulp <script>alert(1)</script>", "Schuldhulp Zuid", "=1+1"],
                "erkenning": ["goed_onderbouwd", None, None],
            }
        ),
        organisations=pl.DataFrame({"organisatie_id": [ORG], "naam": [org_name]}),
        uploads=empty,
        cells=empty,
        rules=DisclosureRules(),
        looptijd=m["looptijd"],
        schakelwaarden=m["schakelwaarden"],
    )


def _row(frame: pl.DataFrame, **keys) -> dict:
    rows = frame.filter(*(pl.col(k) == v for k, v in keys.items()))
    assert rows.height == 1, keys
    return rows.row(0, named=True)


def visible_text(html: str) -> str:
    html = re.sub(r"<(style|title|svg)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&nbsp;", " ").split())


# ------------------------------------------------------------------------------ content


def test_the_card_shows_the_whole_period_rows_of_the_warehouse(mkba):
    wh = warehouse(mkba)
    card = build_impactkaart(ORG, "P1", wh, mkba["params"])
    lt = _row(mkba["looptijd"], project_id="P1")
    h = card.headline
    assert h.whole_period and h.period == "2024–2025"
    for name in ("kosten", "baten", "ncw", "bkr", "bkr_p05", "bkr_p95", "bkr_laag", "bkr_hoog"):
        assert getattr(h, name) == lt[name], name
    assert h.deelnemers == lt["deelnemers"] == 8  # distinct over the period
    # each year is the row of mkba.project
    assert [y.jaar for y in card.years] == [2024, 2025]
    for y in card.years:
        row = _row(mkba["project"], project_id="P1", jaar=y.jaar)
        assert (y.kosten, y.baten, y.bkr, y.bkr_p05, y.bkr_p95, y.deelnemers) == (
            row["kosten"],
            row["baten"],
            row["bkr"],
            row["bkr_p05"],
            row["bkr_p95"],
            row["deelnemers"],
        )
    # the outcomes and the stakeholders are the period's benefits, split up
    shown = sum(o.waarde for o in card.outcomes) + card.other_outcomes[1]
    assert shown == pytest.approx(lt["baten"], rel=1e-9)
    assert sum(g.waarde for g in card.gains) == pytest.approx(lt["baten"], rel=1e-9)
    assert sum(g.aandeel for g in card.gains) == pytest.approx(1.0)
    # every priced outcome names the source and grade of its unit value in the parameter set
    for o in card.outcomes:
        value = mkba["params"].pathway(o.code).eenheidswaarde
        assert (o.bron, o.graad) == (value.bron, value.graad)
        assert o.bron


def test_the_page_prints_those_figures_in_dutch(mkba):
    card = build_impactkaart(ORG, "P1", warehouse(mkba), mkba["params"])
    html = impactkaart_page(card, generated=TODAY)
    lt = _row(mkba["looptijd"], project_id="P1")
    assert re.search(r'id="ik-factor">([^<]*)<', html).group(1) == nl_ratio(lt["bkr"])
    interval = re.search(r'id="ik-interval">([^<]*)<', html).group(1)
    assert interval == f"{nl_ratio(lt['bkr_p05'])} – {nl_ratio(lt['bkr_p95'])}"
    text = visible_text(html)
    for amount in (lt["kosten"], lt["baten"], lt["ncw"]):
        assert nl_euro(amount).replace("\u00a0", " ") in text
    assert f"{nl_number(lt['deelnemers'])} Deelnemers" in text
    # the method in three sentences, with its link
    assert 'href="../../../verantwoording.html"' in html
    method = re.search(r'<div class="methode"><p>(.*?)</p>', html, re.S).group(1)
    assert len(re.findall(r"[.!?](?:\s|$)", method)) == 3
    assert "Gemaakt op 05-12-2026" in text
    # self-contained and printable on A4
    assert "@page { size: A4" in html
    assert "<script" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing fetched from elsewhere


def test_the_method_link_follows_the_public_address(mkba, monkeypatch):
    monkeypatch.setenv("RENDEMENT_PUBLIEKE_URL", "https://rendement.example.nl/sector/")
    card = build_impactkaart(ORG, "P1", warehouse(mkba), mkba["params"])
    html = impactkaart_page(card, generated=TODAY)
    assert 'href="https://rendement.example.nl/sector/verantwoording.html"' in html
    assert "(https://rendement.example.nl/sector/verantwoording.html)" in visible_text(html)


def test_an_incomplete_project_says_so_instead_of_a_ratio(mkba):
    card = build_impactkaart(ORG, "P2", warehouse(mkba), mkba["params"])
    lt = _row(mkba["looptijd"], project_id="P2")
    assert lt["status"] == "onvolledig" and lt["bkr"] is None
    assert not card.headline.complete
    html = impactkaart_page(card, generated=TODAY)
    assert re.search(r'id="ik-factor">([^<]*)<', html).group(1) == "onvolledig"
    assert re.search(r'id="ik-reden">([^<]*)<', html).group(1) == (
        "onvolledig: geen kosten over 2025 aangeleverd"
    )
    assert 'id="ik-interval"' not in html
    # no net present value from incomplete costs, and no "€ 0" for costs that were not delivered
    assert nl_euro(lt["ncw"]) not in html
    assert "niet te bepalen zonder alle kosten" in visible_text(html)
    assert "€\u00a00" not in html
    text = visible_text(html)
    assert "Zonder volledige kosten is er geen rendementsfactor" in text
    # the year without costs says why in the year table; the complete year has its ratio
    y2024 = _row(mkba["project"], project_id="P2", jaar=2024)
    assert nl_ratio(y2024["bkr"]) in text
    assert "2025" in text and text.count("onvolledig: geen kosten over 2025 aangeleverd") >= 2


def test_uploaded_text_cannot_become_markup(mkba):
    card = build_impactkaart(ORG, "P1", warehouse(mkba), mkba["params"])
    html = impactkaart_page(card, generated=TODAY)
    assert "<script>alert(1)</script>" not in html
    assert "Schuldhulp &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Wijkteam &lt;b&gt;Test&lt;/b&gt;" in html


def test_file_names_stay_plain_and_distinct():
    assert file_stem("P001") == "P001" and page_name("P-2_b") == "P-2_b.html"
    odd = ["../../etc/passwd", "Project 1", "Project-1", "Projéct 1", "x" * 64 + "y", EVIL_ID]
    stems = [file_stem(p) for p in odd]
    assert len(set(stems)) == len(odd)
    for stem in stems:
        assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}", stem), stem


def test_cards_are_written_per_project_and_stale_ones_removed(mkba, tmp_path):
    folder = tmp_path / ORG
    stale = folder / FOLDER / "WEG.html"
    stale.parent.mkdir(parents=True)
    stale.write_text("oud", "utf-8")
    written = write_impactkaarten(folder, ORG, warehouse(mkba), mkba["params"], TODAY)
    assert sorted(p.name for p in written) == sorted(page_name(p) for p in ("P1", "P2", EVIL_ID))
    assert not stale.exists()
    assert sorted(p.name for p in (folder / FOLDER).iterdir()) == sorted(p.name for p in written)


def test_the_organisation_page_links_its_cards_and_excel_file(mkba, tmp_path):
    html = organisation_page(
        ORG,
        warehouse(mkba),
        empty_published(DisclosureRules()),
        pl.DataFrame(),
        pl.DataFrame(),
        mkba["params"],
        tmp_path / ORG,
        generated=TODAY,
    )
    for project in ("P1", "P2", EVIL_ID):
        assert f'href="impactkaart/{page_name(project)}"' in html
    assert 'href="resultaten.xlsx"' in html


# ------------------------------------------------------------------------------ Excel


def test_formula_starts_are_recognised():
    for text in EVIL_STARTS:
        assert is_formula_like(text), text
    for text in ("P1", "Schuldhulp", " =1", "1+1", "€ 5"):
        assert not is_formula_like(text), text
    assert set(FORMULA_STARTS) == {"=", "+", "-", "@", "\t", "\r"}


def _sheet_xml(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")}


def test_the_excel_file_holds_the_own_rows_with_formulas_made_literal(mkba):
    name = "@SUM(A1) Welzijn"
    wh = warehouse(mkba, org_name=name)
    data = workbook_bytes(ORG, name, wh, TODAY)
    assert data == workbook_bytes(ORG, name, wh, TODAY)  # the same bytes for the same rows
    xml = _sheet_xml(data)
    # no formula anywhere in the workbook
    assert not any("<f>" in text or "<f " in text for text in xml.values())
    # the figures are the warehouse rows
    looptijd = pl.read_excel(io.BytesIO(data), sheet_name="Hele looptijd")
    per_year = pl.read_excel(io.BytesIO(data), sheet_name="Per jaar")
    assert looptijd.height == mkba["looptijd"].height
    assert per_year.height == mkba["project"].height
    for r in looptijd.iter_rows(named=True):
        lt = _row(mkba["looptijd"], project_id=r["project_id"])
        assert r["kosten"] == pytest.approx(lt["kosten"], rel=1e-12)
        assert (r["bkr"] is None) == (lt["bkr"] is None)
        if lt["bkr"] is not None:
            assert r["bkr"] == pytest.approx(lt["bkr"], rel=1e-12)
    # the uploaded formula-like text is there, literally, and marked with the quote prefix
    assert EVIL_ID in looptijd["project_id"].to_list()
    about = pl.read_excel(io.BytesIO(data), sheet_name="Toelichting", has_header=False)
    assert f"Resultaten van {name} ({ORG})" in about.to_series(0).to_list()
    styles = re.findall(r"<xf [^>]*>", xml["xl/styles.xml"].split("<cellXfs")[1])
    quoted = {i for i, xf in enumerate(styles) if 'quotePrefix="1"' in xf}
    assert quoted
    shared = re.findall(r"<si><t[^>]*>(.*?)</t></si>", xml["xl/sharedStrings.xml"], re.S)
    checked = 0
    for sheet, text in xml.items():
        if not sheet.startswith("xl/worksheets/"):
            continue
        for style, index in re.findall(r'<c r="[A-Z]+\d+" s="(\d+)" t="s"><v>(\d+)</v>', text):
            value = shared[int(index)]
            if value.startswith(("=", "+", "-", "@")):
                assert int(style) in quoted, (sheet, value)
                checked += 1
    assert checked >= 3  # the project code in three sheets (and the name in Toelichting)


def test_every_dangerous_start_is_marked_literal():
    frame = pl.DataFrame(
        {
            "organisatie_id": [ORG] * len(EVIL_STARTS),
            "project_id": EVIL_STARTS,
            "jaar": [2025] * len(EVIL_STARTS),
        }
    )
    wh = Warehouse(
        projects=frame,
        outcomes=pl.DataFrame(),
        scenarios=pl.DataFrame(),
        positie=pl.DataFrame(),
        project_info=pl.DataFrame(),
        organisations=pl.DataFrame(),
        uploads=pl.DataFrame(),
        cells=pl.DataFrame(),
        rules=DisclosureRules(),
    )
    data = workbook_bytes(ORG, ORG, wh, TODAY)
    xml = _sheet_xml(data)
    styles = re.findall(r"<xf [^>]*>", xml["xl/styles.xml"].split("<cellXfs")[1])
    quoted = {i for i, xf in enumerate(styles) if 'quotePrefix="1"' in xf}
    sheet = xml["xl/worksheets/sheet3.xml"]  # Toelichting, Hele looptijd, Per jaar
    cells = [c for c in re.findall(r'<c r="B(\d+)" s="(\d+)" t="s">', sheet) if c[0] != "1"]
    assert len(cells) == len(EVIL_STARTS)  # below the header row
    assert all(int(style) in quoted for _, style in cells)
    back = pl.read_excel(io.BytesIO(data), sheet_name="Per jaar")
    assert sorted(back["project_id"].to_list()) == sorted(EVIL_STARTS)

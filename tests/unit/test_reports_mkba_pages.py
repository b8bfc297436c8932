"""What the reports show of the MKBA (issue 15), rendered from the real engine's output:

* the organisation's report leads with each project over its whole period, then the years;
* an incomplete project-year reads "onvolledig: geen kosten over 2025 aangeleverd", is left out
  of the headline cards (which say so), and every missing ratio carries its reason;
* switching values in words; the rendementsfactor named and defined once per page;
* the comparison page shows the group rendementsfactor of published rows only.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path

import polars as pl
import pytest

from rendement.benchmark.disclosure import DisclosureRules
from rendement.mkba import compute_mkba
from rendement.mkba.params import parse_parameters
from rendement.reports.comparison import comparison_page
from rendement.reports.context import Context
from rendement.reports.data import Warehouse, empty_published
from rendement.reports.organisation import organisation_page
from rendement.reports.site import public_factors
from rendement.reports.words import DEFINITION
from tests.support.mkba_tables import ORG, simple_raw, two_years

TODAY = dt.date(2026, 12, 5)


# ------------------------------------------------------------------------------ reading HTML


class _Tables(HTMLParser):
    """Rows of every great-tables table: {table id: [{group, stub, cells: {column: text}}]}."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[dict]] = {}
        self._table = self._group = None
        self._in_body = False
        self._cell: tuple[str, str] | None = None  # (kind, column)
        self._text: list[str] = []
        self._row: dict | None = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "div" and a.get("id") and "padding-left:0px" in (a.get("style") or ""):
            self._table = a["id"]
            self.tables[self._table] = []
        elif tag == "tbody" and self._table:
            self._in_body = True
        elif self._in_body and tag == "tr":
            self._row = {"group": self._group, "stub": None, "cells": {}}
        elif self._in_body and tag == "th":
            kind = "group" if "gt_group_heading" in (a.get("class") or "") else "stub"
            self._cell, self._text = (kind, ""), []
        elif self._in_body and tag == "td":
            column = (a.get("headers") or "").split(" ")[-1].replace(f"{self._table}-", "")
            self._cell, self._text = ("td", column), []

    def handle_endtag(self, tag):
        if tag == "tbody":
            self._in_body, self._group = False, None
        elif tag in ("th", "td") and self._cell:
            text = " ".join("".join(self._text).split())
            kind, column = self._cell
            if kind == "group":
                self._group = text
            elif kind == "stub":
                self._row["stub"] = text
            else:
                self._row["cells"][column] = text
            self._cell = None
        elif tag == "tr" and self._row is not None and self._in_body:
            if self._row["stub"] is not None or self._row["cells"]:
                self.tables[self._table].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell:
            self._text.append(data)


def tables(html: str) -> dict[str, list[dict]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def visible_text(html: str) -> str:
    """The page's text without tags, titles of SVG or styles (roughly what a reader sees)."""
    html = re.sub(r"<(style|title|svg)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).replace("&nbsp;", " ").split())


# ------------------------------------------------------------------------------ data


def _as(frame: pl.DataFrame, project: str) -> pl.DataFrame:
    return frame.with_columns(pl.lit(project).alias("project_id")) if frame.height else frame


@pytest.fixture(scope="module")
def mkba():
    """Three projects of one organisation, computed by the engine: P1 complete in 2024 and
    2025, P2 without costs in 2025 (incomplete), P3 with € 300 of costs in 2025 (an outlier)."""
    params = parse_parameters(simple_raw())
    runs = {
        "P1": compute_mkba(two_years(), params, draws=200),
        "P2": compute_mkba(two_years(kosten_2025=None), params, draws=200),
        "P3": compute_mkba(two_years(kosten_2025=300.0), params, draws=200),
    }
    out = {}
    for name in ("project", "outcome", "schakelwaarden", "looptijd", "scenario"):
        out[name] = pl.concat([_as(getattr(r, name), p) for p, r in runs.items()])
    out["params"] = params
    return out


def warehouse(m) -> Warehouse:
    empty = pl.DataFrame()
    return Warehouse(
        projects=m["project"],
        outcomes=m["outcome"],
        scenarios=m["scenario"],
        positie=empty,
        project_info=pl.DataFrame(
            {
                "organisatie_id": [ORG] * 3,
                "project_id": ["P1", "P2", "P3"],
                "naam": ["Schuldhulp Noord", "Schuldhulp Zuid", "Schuldhulp West"],
            }
        ),
        organisations=pl.DataFrame({"organisatie_id": [ORG], "naam": ["Wijkteam Test"]}),
        uploads=empty,
        cells=empty,
        rules=DisclosureRules(),
        looptijd=m["looptijd"],
        schakelwaarden=m["schakelwaarden"],
    )


@pytest.fixture(scope="module")
def org_html(mkba, tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("org") / ORG
    return organisation_page(
        ORG,
        warehouse(mkba),
        empty_published(DisclosureRules()),
        pl.DataFrame(),
        pl.DataFrame(),
        mkba["params"],
        Path(folder),
        generated=TODAY,
    )


# ------------------------------------------------------------------------------ organisation


def test_the_report_leads_with_the_whole_period(org_html, mkba):
    headings = re.findall(r"<h2>(.*?)</h2>", org_html)
    assert headings[0] == "Uw projecten over de hele looptijd"
    assert org_html.index('id="org-looptijd"') < org_html.index('id="org-projecten"')
    rows = {r["stub"].split(" · ")[0]: r["cells"] for r in tables(org_html)["org-looptijd"]}
    assert set(rows) == {"P1", "P2", "P3"}
    lt = {r["project_id"]: r for r in mkba["looptijd"].iter_rows(named=True)}
    p1 = rows["P1"]
    assert p1["periode"] == "2024–2025"
    assert p1["kosten"] == f"€ {round(lt['P1']['kosten']):,}".replace(",", ".")
    assert p1["baten"] == f"€ {round(lt['P1']['baten']):,}".replace(",", ".")
    assert p1["bkr"] == f"{lt['P1']['bkr']:.2f}".replace(".", ",")
    lo, hi = lt["P1"]["bkr_p05"], lt["P1"]["bkr_p95"]
    assert p1["interval"] == f"{lo:.2f} – {hi:.2f}".replace(".", ",")
    assert p1["deelnemers"] == "8"  # distinct over the period, not 3 + 5 trajectories
    # the incomplete period: the word and its reason, no ratio
    assert rows["P2"]["bkr"] == "onvolledig: geen kosten over 2025 aangeleverd"
    # the convention in one sentence
    text = visible_text(org_html)
    assert (
        "kosten in het jaar waarin ze zijn betaald en de baten in het jaar van de T1-meting" in text
    )
    assert "verdisconteerd naar het eerste jaar" in text


def test_an_incomplete_year_says_so_and_every_missing_ratio_has_its_reason(org_html, mkba):
    t = tables(org_html)
    per_year = t["org-projecten"]
    p2 = next(r for r in per_year if r["group"] == "2025" and r["stub"].startswith("P2"))
    assert p2["cells"]["bkr"] == "onvolledig: geen kosten over 2025 aangeleverd"
    # no bare dash for a ratio anywhere: a ratio cell holds a number or says why
    for table_id, column in (
        ("org-looptijd", "bkr"),
        ("org-projecten", "bkr"),
        ("org-schakelwaarden", "bkr"),
    ):
        for row in t[table_id]:
            shown = row["cells"][column]
            assert re.fullmatch(r"\d+,\d\d", shown) or ": " in shown, (table_id, row)
    # the switching values of the incomplete year: no figures, its row says why
    sw = next(
        r for r in t["org-schakelwaarden"] if r["group"] == "2025" and r["stub"].startswith("P2")
    )
    assert sw["cells"]["bkr"].startswith("onvolledig: ")
    assert "%" not in sw["cells"]["deadweight"] and "×" not in sw["cells"]["factor"]


def test_headline_cards_leave_incomplete_years_out_and_say_how_many(org_html, mkba):
    p = mkba["project"].filter(pl.col("jaar") == 2025)
    complete = p.filter(pl.col("status") == "volledig")
    assert complete.height == 2 and p.height == 3
    cards = re.search(r'<div class="cards" id="org-cards">(.*?)</div></div>', org_html, re.S)
    nums = [" ".join(n.split()) for n in re.findall(r'<div class="num">(.*?)</div>', org_html)]
    ratio = complete["baten"].sum() / complete["kosten"].sum()
    assert nums[0] == "3"  # projects
    assert nums[2] == f"€ {round(complete['kosten'].sum()):,}".replace(",", ".")
    assert nums[5] == f"{ratio:.2f}".replace(".", ",")
    assert cards and "waarvan 1 onvolledig" in cards.group(0)
    note = re.search(r'id="org-cards-onvolledig">(.*?)</p>', org_html).group(1)
    assert "1 project is over 2025 onvolledig en telt niet mee" in visible_text(note)
    assert "P2 · Schuldhulp Zuid (geen kosten over 2025 aangeleverd)" in visible_text(note)


def test_switching_values_in_words(org_html, mkba):
    rows = tables(org_html)["org-schakelwaarden"]
    sw = {(r["jaar"], r["project_id"]): r for r in mkba["schakelwaarden"].iter_rows(named=True)}
    checked = 0
    for row in rows:
        key = (int(row["group"]), row["stub"].split(" · ")[0])
        dw = sw[key]["deadweight_bij_bkr_1"]
        if dw is None:
            continue
        shown = row["cells"]["deadweight"]
        if dw < 0:
            assert shown == "blijft onder 1, ook zonder deadweight"
        else:
            assert shown.startswith(f"{round(100 * dw)} %"), (shown, dw)
            assert "(nu " in shown  # the current deadweight next to it
        factor = sw[key]["eenheidswaarden_factor_bij_bkr_1"]
        assert row["cells"]["factor"].startswith(f"× {factor:.2f}".replace(".", ","))
        checked += 1
    assert checked >= 4
    assert "Wat moet er veranderen om de rendementsfactor op 1 te brengen?" in org_html


def test_the_rendementsfactor_is_named_and_defined_once(org_html):
    text = visible_text(org_html)
    assert text.count(DEFINITION) == 1
    labels = re.findall(r'id="org-projecten-bkr"[^>]*>(.*?)</th>', org_html)
    assert labels and labels[0].replace("\u00ad", "") == "Rendementsfactor (baten/kosten)"


def test_the_outlier_does_not_flatten_the_years_chart(org_html):
    # P3's 2025 ratio (costs of € 300) is drawn at the edge; the others keep their spread
    rows = tables(org_html)["org-projecten"]
    p3 = next(r for r in rows if r["group"] == "2025" and r["stub"].startswith("P3"))
    ratio = float(p3["cells"]["bkr"].replace(".", "").replace(",", "."))
    assert ratio > 10
    assert "buiten de schaal" in org_html
    caption = re.findall(r'id="org-projecten-grafiek"[^>]*>(.*?)</th>', org_html)[0]
    assert caption.endswith("▸ hoger)")


# ------------------------------------------------------------------------------ comparison


def _factor_row(tabel, domein, interventie, status, reden=None, **values) -> dict:
    row = {
        "tabel": tabel,
        "jaar": 2025,
        "domein": domein,
        "interventie": interventie,
        "projecten": None,
        "organisaties": None,
        "kosten": None,
        "baten": None,
        "bkr": None,
        "bkr_p05": None,
        "bkr_p95": None,
        "deadweight_bij_bkr_1": None,
        "attributie_bij_bkr_1": None,
        "eenheidswaarden_factor_bij_bkr_1": None,
        "status": status,
        "reden": reden,
    }
    row.update(values)
    return row


FACTORS = pl.DataFrame(
    [
        _factor_row(
            "domein",
            "schulden_armoede",
            None,
            "gepubliceerd",
            projecten=11,
            organisaties=7,
            kosten=2_490_927.0,
            baten=2_399_818.0,
            bkr=0.9634,
            bkr_p05=0.5475,
            bkr_p95=1.1855,
            deadweight_bij_bkr_1=0.2936,
            attributie_bij_bkr_1=0.2215,
            eenheidswaarden_factor_bij_bkr_1=1.0380,
        ),
        _factor_row(
            "interventie",
            "schulden_armoede",
            "schuldhulpverlening",
            "gepubliceerd",
            projecten=7,
            organisaties=5,
            bkr=0.71,
            bkr_p05=0.42,
            bkr_p95=0.93,
            deadweight_bij_bkr_1=-0.12,
            attributie_bij_bkr_1=-0.2,
            eenheidswaarden_factor_bij_bkr_1=1.41,
        ),
        # suppressed, with figures that must never reach the page
        _factor_row(
            "interventie",
            "schulden_armoede",
            "vroegsignalering",
            "onderdrukt",
            "te_weinig_organisaties",
            projecten=3,
            organisaties=2,
            bkr=7.777,
            bkr_p05=6.666,
            bkr_p95=8.888,
            deadweight_bij_bkr_1=0.4321,
            eenheidswaarden_factor_bij_bkr_1=0.1234,
        ),
    ]
)


def test_comparison_shows_the_group_rendementsfactor_of_published_rows_only():
    pub = empty_published(DisclosureRules())
    ctx = Context(generated=TODAY)
    for factors in (FACTORS, public_factors(FACTORS)):
        html = comparison_page(pub, 2025, ctx, factors=factors)
        rows = {
            r["stub"]: r["cells"]
            for r in tables(html)["vergelijking-schulden_armoede-rendementsfactor"]
        }
        domain = rows["Heel het domein"]
        assert domain["bkr"] == "0,96" and domain["interval"] == "0,55 – 1,19"
        assert domain["deadweight"] == "29 %" and domain["attributie"] == "22 %"
        assert domain["factor"] == "× 1,04 (4 % hoger)"
        assert domain["organisaties"] == "7" and domain["projecten"] == "11"
        shv = rows["Schuldhulpverlening"]
        assert shv["deadweight"] == "blijft onder 1, ook zonder deadweight"
        assert shv["factor"] == "× 1,41 (41 % hoger)"
        # the suppressed row: its legend symbol, none of its figures
        vs = rows["Vroegsignalering schulden"]
        assert vs["bkr"] == "x" and vs["deadweight"] == "x"
        for secret in ("7,78", "6,67", "8,89", "43 %", "0,12"):
            assert secret not in html
        assert 'title="Minder dan 5 organisaties in deze cel"' in html
        assert visible_text(html).count(DEFINITION) == 1
    # without the table (a release made before it existed) the section is simply absent
    html = comparison_page(pub, 2025, ctx)
    assert "rendementsfactor-" not in html and visible_text(html).count(DEFINITION) == 1

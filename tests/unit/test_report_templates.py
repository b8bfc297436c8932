"""HTML comes from templates, numbers from the one Dutch formatter, pages from one registry
(issue 16): no report or service module writes a tag in a string; a template escapes values as
the pages always did; a page added to the registry appears on the site, in both navigations,
on the entry pages and in a release."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest

import rendement
from rendement.benchmark.disclosure import DisclosureRules
from rendement.core import formatting
from rendement.core.templates import Markup, escape, render
from rendement.mkba.params import load_parameters
from rendement.reports import registry
from rendement.reports.context import Context
from rendement.reports.data import empty_published

PACKAGE = Path(rendement.__file__).parent
TAG = re.compile(
    r"<(/?)(p|div|span|a|ul|li|h[1-6]|table|tr|td|th|svg|line|rect|circle|path|polyline|g|text"
    r"|title|strong|code|em|br|style|form|input|label|button|nav|main|footer|header|html|head"
    r"|body|meta)\b"
)


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


@pytest.mark.parametrize("folder", ["reports", "service"])
def test_no_module_writes_html_in_a_string(folder):
    found = []
    for path in sorted((PACKAGE / folder).glob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if id(node) not in skip and TAG.search(node.value):
                    found.append(f"{path.name}:{node.lineno}: {node.value[:60]!r}")
    assert not found, "HTML belongs in templates/:\n" + "\n".join(found)


def test_templates_escape_as_html_escape_and_keep_markup():
    text = '<b>"Jan\'s" & co</b>'
    assert escape(text) == "&lt;b&gt;&quot;Jan&#x27;s&quot; &amp; co&lt;/b&gt;"
    assert escape(Markup("<svg/>")) == "<svg/>"
    assert escape(None) == ""
    cell = render("rendement.reports", "no_figures.html")
    assert isinstance(cell, Markup) and cell == "<p>Er zijn nog geen sectorcijfers.</p>"


def test_the_formatter_writes_dutch():
    assert formatting.nl_number(12345.6, 1) == "12.345,6"
    assert formatting.nl_number(-0.0001, 2) == "0,00"
    assert formatting.nl_number(-3) == "\u22123"
    assert formatting.nl_number(-3, minus="-") == "-3"
    assert formatting.nl_number(None) == formatting.nl_number(float("nan")) == "–"
    assert formatting.nl_euro(1234) == "€\u00a01.234"
    assert formatting.nl_euro(-1234.5, 2) == "\u2212\u00a0€\u00a01.234,50"
    assert formatting.nl_percent(0.642) == "64,2\u00a0%"
    assert formatting.nl_ratio(1.5) == "1,50"
    assert formatting.nl_date("2026-12-05T14:03:00") == "05-12-2026"
    assert formatting.nl_datetime("2026-12-05T14:03:09") == "05-12-2026 14:03"
    assert formatting.nl_datetime(dt.datetime(2026, 12, 5, 14, 3, 9), seconds=True) == (
        "05-12-2026 14:03:09"
    )


def test_the_formatter_is_there_as_template_filters():
    from rendement.core.templates import environment

    template = environment("rendement.reports").from_string(
        "{{ a|nl_euro }} {{ b|nl_percent(0) }} {{ c|nl_number(1) }} {{ d|nl_ratio }}"
    )
    assert template.render(a=1234, b=0.5, c=1234.56, d=2) == "€\u00a01.234 50\u00a0% 1.234,6 2,00"


def _inputs(manifest=None):
    params = load_parameters()
    ctx = Context(
        root=".",
        generated=dt.date(2026, 3, 2),
        release=manifest,
        nav=registry.release_nav() if manifest else registry.site_nav(),
        parameter_version=params.version,
    )
    year = manifest["verslagjaar"] if manifest else None
    return registry.Inputs(ctx, empty_published(DisclosureRules()), params, year, manifest=manifest)


def test_a_page_added_to_the_registry_is_on_the_site_in_the_navigation_and_in_releases(
    monkeypatch,
):
    def extra(page, inputs):
        body = render("rendement.reports", "no_figures.html")
        return {page.file: inputs.ctx.render(page.title, body, current=page.file)}

    page = registry.Page(
        "extra.html",
        "Extra pagina",
        "Extra",
        extra,
        link="Naar de extra pagina",
        release_nav="Extra",
        release_link="Extra {jaar}",
    )
    monkeypatch.setattr(registry, "PAGES", (*registry.PAGES, page))
    assert ("extra.html", "Extra") in registry.site_nav()
    assert ("extra.html", "Extra") in registry.release_nav()

    site = registry.render_pages(_inputs())
    assert set(site) == {p.file for p in registry.PAGES}
    assert "<title>Extra pagina</title>" in site["extra.html"]
    assert 'href="extra.html">Naar de extra pagina</a>' in site["index.html"]
    assert 'href="extra.html">Extra</a>' in site["sector.html"]  # in every page's navigation
    assert 'href="extra.html" aria-current="page">Extra</a>' in site["extra.html"]

    manifest = {
        "release": "2025",
        "verslagjaar": 2025,
        "dataperiode": {"van": 2025, "tot_en_met": 2025},
        "peildatum": "2026-02-28",
        "gepubliceerd_op": "2026-03-01T06:00:00+01:00",
        "parameterversie": load_parameters().version,
        "prijsjaar": 2025,
        "discontovoet": 0.0225,
        "onthullingsregels": DisclosureRules().as_dict(),
        "jaren": {},
    }
    frozen = registry.render_pages(_inputs(manifest))
    assert set(frozen) == {p.file for p in registry.PAGES if p.release_nav is not None}
    assert "extra.html" in frozen
    assert 'href="extra.html">Extra 2025</a>' in frozen["index.html"]

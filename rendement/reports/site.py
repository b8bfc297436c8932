"""Build the published site from the warehouse: index and sector overview.

Reads DuckDB read-only, writes `site/`. Every table has a fixed great-tables id so the HTML is
reproducible.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from great_tables import GT

from rendement.home import Home
from rendement.reports.page import esc, page, write_page
from rendement.warehouse import connect
from schemas.vocabulary import DOMAINS

KEY_MEASURES = [
    ("organisaties", "aantal", "Organisaties"),
    ("projecten", "aantal", "Projecten"),
    ("deelnemers", "aantal", "Deelnemers"),
    ("kosten", "som", "Kosten (€)"),
    ("bkr", "mediaan", "Baten/kosten (mediaan)"),
]


def _cell_text(value: float | None, symbol: str | None, maat: str) -> str:
    from rendement.formatting import fmt_euro, fmt_number

    if value is None:
        return symbol or "x"
    if maat == "kosten":
        return fmt_euro(value)
    if maat == "bkr":
        return fmt_number(value, 2)
    return fmt_number(value, 0)


def sector_table(cells: pl.DataFrame, year: int) -> GT:
    rows = []
    for domain, label in DOMAINS.items():
        row = {"Domein": label}
        for maat, stat, heading in KEY_MEASURES:
            cell = cells.filter(
                (pl.col("tabel") == "domein")
                & (pl.col("jaar") == year)
                & (pl.col("domein") == domain)
                & (pl.col("maat") == maat)
                & (pl.col("statistiek") == stat)
            )
            value = cell["waarde"][0] if cell.height else None
            symbol = cell["symbool"][0] if cell.height else None
            row[heading] = _cell_text(value, symbol, maat)
        rows.append(row)
    return (
        GT(pl.DataFrame(rows), id="sector-kerncijfers", locale="nl")
        .tab_header(title=f"Kerncijfers per domein, {year}")
        .tab_source_note(
            "x = onderdrukt (te weinig organisaties), d = dominantie, "
            "k = klein aantal, s = secundair onderdrukt, . = geen projecten"
        )
    )


def build_site(home: Home, params) -> list[Path]:
    with connect(home.warehouse, read_only=True) as con:
        cells = con.sql("SELECT * FROM benchmark.cellen").pl()
    years = sorted(cells["jaar"].unique().to_list())
    pages = []
    body = "".join(
        f"<h2>{year}</h2>" + sector_table(cells, year).as_raw_html(inline_css=False)
        for year in reversed(years)
    )
    pages.append(
        write_page(
            home.site / "sector.html",
            page("Sectoroverzicht", body, subtitle=f"Parameterset {esc(params.version)}"),
        )
    )
    index = (
        '<ul><li><a href="sector.html">Sectoroverzicht per domein</a></li></ul>'
        f'<p class="meta">Parameterset {esc(params.version)}; jaren {", ".join(map(str, years))}.</p>'
    )
    pages.append(write_page(home.site / "index.html", page("Sociaal rendement", index)))
    return pages

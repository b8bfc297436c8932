"""Build the working site from the warehouse: index, sector overview per year, intervention
comparison, verantwoording, every organisation's own report; and put the frozen release pages
back in place.

Reads DuckDB read-only, writes `site/`. Every table has a fixed great-tables id, so the HTML is
reproducible. Release pages are never rendered here: they are copied, byte for byte, from the
release store (`rendement.release.publish`).

Incremental: an organisation page is rendered only when its inputs changed
(`rendement.reports.org_pages`), so one organisation's re-upload renders its own page and the
few sector pages, not the whole sector. Sector pages are always rendered (they are few) but
written only when their content changed.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl

from rendement.core.formatting import nl_datetime
from rendement.core.home import Home
from rendement.reports.comparison import comparison_page
from rendement.reports.context import Context
from rendement.reports.data import INTERVAL_CACHE, Published, current_published, read_warehouse
from rendement.reports.index import site_index
from rendement.reports.org_pages import build_organisation_pages
from rendement.reports.page import write_page
from rendement.reports.sector import sector_page
from rendement.reports.verantwoording import verantwoording_page

NAV: tuple[tuple[str, str], ...] = (
    ("index.html", "Overzicht"),
    ("sector.html", "Jaaroverzicht"),
    ("vergelijking.html", "Interventies vergeleken"),
    ("verantwoording.html", "Verantwoording"),
)
_ORG_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def sector_pages(
    pub: Published, params, ctx: Context, *, latest_only: bool = False
) -> dict[str, str]:
    """{file name: html} for the jaaroverzicht: `sector.html` for the latest year, and
    `sector-<jaar>.html` for each earlier year (unless `latest_only`)."""
    years = pub.years
    if not years:
        body = "<p>Er zijn nog geen sectorcijfers.</p>"
        return {
            "sector.html": ctx.render(
                "Jaaroverzicht sociaal rendement", body, current="sector.html"
            )
        }
    latest = years[-1]
    names = {y: ("sector.html" if y == latest else f"sector-{y}.html") for y in years}
    shown = [latest] if latest_only else years
    out = {}
    for y in shown:
        others = [] if latest_only else [(o, names[o]) for o in years if o != y]
        out[names[y]] = sector_page(pub, y, params, ctx, other_years=others)
    return out


def public_factors(frame: pl.DataFrame) -> pl.DataFrame:
    """`benchmark.rendementsfactor` as a public page may use it: the figures of published
    rows only (any other row keeps its status and reason, never a number)."""
    if not frame.height or "status" not in frame.columns:
        return frame
    values = [
        c
        for c in frame.columns
        if c not in ("tabel", "jaar", "domein", "interventie", "status", "reden")
    ]
    shown = pl.col("status") == "gepubliceerd"
    return frame.with_columns(pl.when(shown).then(pl.col(c)).alias(c) for c in values)


def organisations_with_reports(wh) -> list[str]:
    orgs = set(wh.projects["organisatie_id"].unique().to_list()) if wh.projects.height else set()
    if wh.uploads.height:
        orgs |= set(wh.uploads["organisatie_id"].drop_nulls().unique().to_list())
    return sorted(o for o in orgs if isinstance(o, str) and _ORG_ID.fullmatch(o))


class SitePages(list):
    """Every page of the working site and the restored release pages (a list of paths, as
    before), with which organisation pages were rendered this time and which were up to date."""

    def __init__(self, pages=(), *, rendered=(), unchanged=()):
        super().__init__(pages)
        self.rendered: list[Path] = list(rendered)
        self.unchanged: list[Path] = list(unchanged)


def _write_if_changed(path: Path, document: str) -> Path:
    """Write a page unless it already holds exactly this (its time stamp then says when its
    content last changed)."""
    try:
        if path.read_text("utf-8") == document:
            return path
    except (FileNotFoundError, UnicodeDecodeError):
        pass
    write_page(path, document)
    return path


def build_site(home: Home, params, *, today: dt.date | None = None) -> SitePages:
    """Write the working site and restore the release pages; returns every page of it
    (`.rendered`: the organisation pages rendered this time, `.unchanged`: those that were
    up to date)."""
    from rendement.release.publish import list_releases, load_frozen, restore_release_pages

    today = today or dt.date.today()
    wh = read_warehouse(home.warehouse)
    frozen = load_frozen(home)
    pub = current_published(home, wh, params, frozen, cache=home.site / INTERVAL_CACHE)
    ctx = Context(root=".", generated=today, nav=NAV, parameter_version=params.version)
    site = home.site
    pages = SitePages()

    documents = sector_pages(pub, params, ctx)
    if pub.years:
        documents["vergelijking.html"] = comparison_page(
            pub, pub.years[-1], ctx, factors=public_factors(wh.rendementsfactor)
        )
    else:
        documents["vergelijking.html"] = ctx.render(
            "Interventies vergeleken",
            "<p>Er zijn nog geen sectorcijfers.</p>",
            current="vergelijking.html",
        )
    documents["verantwoording.html"] = verantwoording_page(params, wh.rules, ctx)

    closed = pub.for_years(sorted(pub.closed))
    organisations = organisations_with_reports(wh)
    org_pages = build_organisation_pages(home, wh, closed, params, today, organisations)
    pages.extend(org_pages.pages)
    pages.rendered, pages.unchanged = org_pages.rendered, org_pages.unchanged

    received = wh.data_received()
    extra = (
        [("leveringen.html", "Leveringen per organisatie")]
        if (site / "leveringen.html").exists()
        else []
    )
    documents["index.html"] = site_index(
        ctx,
        list_releases(home),
        pub,
        organisations=organisations,
        parameter_version=params.version,
        data_received=f"{nl_datetime(received)} UTC" if received else None,
        extra_links=extra,
    )
    for name, html in documents.items():
        pages.append(_write_if_changed(site / name, html))
    # Pages of years that no longer exist in the data would be stale: remove them.
    wanted = set(documents)
    for old in site.glob("sector-*.html"):
        if old.name not in wanted:
            old.unlink()
    pages.extend(restore_release_pages(home))
    return pages


__all__ = ["build_site", "sector_pages", "SitePages", "NAV", "pl"]

"""Build the working site from the warehouse: index, sector overview per year, intervention
comparison, verantwoording, every organisation's own report; and put the frozen release pages
back in place.

Reads DuckDB read-only, writes `site/`. Every table has a fixed great-tables id, so the HTML is
reproducible. Release pages are never rendered here: they are copied, byte for byte, from the
release store (`rendement.benchmark.releases`).

Incremental: an organisation page is rendered only when its inputs changed
(`rendement.reports.org_pages`), so one organisation's re-upload renders its own page and the
few sector pages, not the whole sector. Sector pages are always rendered (they are few), from
the tables that changed and those kept from the previous build
(`rendement.reports.table_cache`), and written only when their content changed.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl

from rendement.benchmark.releases import list_releases, load_frozen, restore_release_pages
from rendement.core import versions
from rendement.core.files import switched_folder, write_if_changed
from rendement.core.formatting import nl_local_datetime, nl_today
from rendement.core.home import Home
from rendement.core.registry import Registry
from rendement.reports.context import Context
from rendement.reports.data import (
    current_published,
    organisation_comparison,
    read_warehouse,
    with_registered_names,
)
from rendement.reports.org_pages import build_organisation_pages
from rendement.reports.registry import Inputs, render_pages, site_nav
from rendement.reports.table_cache import tables_kept

NAV = site_nav()
_ORG_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


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
    before), with which organisation pages were rendered this time and which were up to date,
    the version of the whole site (`rendement.core.versions`: the organisation pages'
    fingerprints and the shared pages' bytes; the asset reports it as its data version), and
    how many tables of the shared pages were rendered and how many read back
    (`rendement.reports.table_cache`)."""

    def __init__(
        self,
        pages=(),
        *,
        rendered=(),
        unchanged=(),
        version: str = "",
        tables: tuple[int, int] = (0, 0),
    ):
        super().__init__(pages)
        self.rendered: list[Path] = list(rendered)
        self.unchanged: list[Path] = list(unchanged)
        self.version = version
        self.tables_rendered, self.tables_kept = tables


def build_site(home: Home, params, *, today: dt.date | None = None) -> SitePages:
    """Write the working site and restore the release pages; returns every page of it
    (`.rendered`: the organisation pages rendered this time, `.unchanged`: those that were
    up to date), as paths under `home.site`.

    Built as a new version of the site and published in one switch
    (`rendement.core.files.switched_folder`): a crash while building leaves the previous site
    whole, never one without its index or with half its pages new."""
    site = home.site
    with switched_folder(site) as folder:
        pages = _build(Home(home.root, site_folder=folder), params, today=today)

    def published(paths: list[Path]) -> list[Path]:
        return [site / p.relative_to(folder) for p in paths]

    return SitePages(
        published(pages),
        rendered=published(pages.rendered),
        unchanged=published(pages.unchanged),
        version=pages.version,
        tables=(pages.tables_rendered, pages.tables_kept),
    )


def _build(home: Home, params, *, today: dt.date | None) -> SitePages:
    today = today or nl_today()
    registered = Registry.load(home.registry).organisations()
    wh = with_registered_names(read_warehouse(home.warehouse), registered)
    frozen = load_frozen(home)
    pub = current_published(wh, frozen)
    ctx = Context(root=".", generated=today, nav=NAV, parameter_version=params.version)
    site = home.site
    pages = SitePages()

    organisations = organisations_with_reports(wh)
    org_pages = build_organisation_pages(
        home, wh, organisation_comparison(pub), params, today, organisations
    )
    pages.extend(org_pages.pages)
    pages.rendered, pages.unchanged = org_pages.rendered, org_pages.unchanged

    received = wh.data_received()
    extra = (
        [("leveringen.html", "Leveringen per organisatie")]
        if (site / "leveringen.html").exists()
        else []
    )
    with tables_kept(site) as tables:  # their tables that did not change are read back
        documents = render_pages(
            Inputs(
                ctx,
                pub,
                params,
                pub.years[-1] if pub.years else None,
                factors=public_factors(wh.rendementsfactor),
                releases=list_releases(home),
                organisations=organisations,
                data_received=nl_local_datetime(received) if received else None,
                extra_links=extra,
            )
        )
    pages.tables_rendered, pages.tables_kept = tables.done, tables.reused
    for name, html in documents.items():
        pages.append(write_if_changed(site / name, html))
    # Pages of years that no longer exist in the data would be stale: remove them.
    wanted = set(documents)
    for old in site.glob("sector-*.html"):
        if old.name not in wanted:
            old.unlink()
    pages.extend(restore_release_pages(home))
    pages.version = versions.digest(
        *(f"{org}:{v}" for org, v in sorted(org_pages.versions.items())),
        *(f"{name}:{versions.digest(html)}" for name, html in sorted(documents.items())),
    )
    return pages


__all__ = ["build_site", "SitePages", "NAV", "pl"]

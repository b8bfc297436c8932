"""The one list of the report site's pages: the working site, its navigation and every
release's pages all follow from `PAGES`.

A page is a `Page`: its file name, its title, its label in the navigation (and in a release's
navigation, or None when releases leave it out) and the function that renders it. Adding a
page is one entry here plus its code (a module in this package and its template in
`templates/`); `build_site` writes it, the navigation links it and `render_release` freezes it
into the next release.

The organisation pages are not in the list: there is one per organisation, rendered
incrementally by `rendement.reports.org_pages`, and they are in no navigation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import polars as pl

from rendement.core.templates import render
from rendement.reports.comparison import comparison_page
from rendement.reports.context import Context
from rendement.reports.data import Published
from rendement.reports.index import release_index, site_index
from rendement.reports.sector import sector_page
from rendement.reports.verantwoording import verantwoording_page


@dataclass(frozen=True)
class Inputs:
    """What the pages are rendered from.

    `ctx`: where the pages live (working site or release). `year`: the year shown, the latest
    one on the working site (None before there are figures), the verslagjaar in a release.
    `factors`: published `benchmark.rendementsfactor` rows (None: leave that section out).
    The rest only the working site's index uses."""

    ctx: Context
    pub: Published
    params: object
    year: int | None
    factors: pl.DataFrame | None = None
    manifest: dict | None = None
    releases: Sequence[dict] = ()
    organisations: Sequence[str] = ()
    data_received: str | None = None
    extra_links: Sequence[tuple[str, str]] = field(default_factory=tuple)


@dataclass(frozen=True)
class Page:
    """One page of the site.

    `file`: its file name; `title`: its title (the page may add the year); `nav`: its label
    in the working site's navigation; `render(page, inputs)`: {file name: html} (a page may
    write more than one file: the jaaroverzicht writes one per earlier year). `link`: its
    label in the list of pages on the working site's entry page ({parameterset} filled in;
    None: not listed); `release_nav`, `release_link`: the same in a release ({jaar} filled
    in), None for a page that releases do not have."""

    file: str
    title: str
    nav: str
    render: Callable[[Page, Inputs], dict[str, str]]
    link: str | None = None
    release_nav: str | None = None
    release_link: str | None = None


def _no_figures(page: Page, i: Inputs) -> dict[str, str]:
    """The page before there are sector figures."""
    body = render("rendement.reports", "no_figures.html")
    return {page.file: i.ctx.render(page.title, body, current=page.file)}


def _index(page: Page, i: Inputs) -> dict[str, str]:
    if i.manifest is not None:
        year = i.manifest["verslagjaar"]
        links = [(p.file, p.release_link.format(jaar=year)) for p in PAGES if p.release_link]
        return {page.file: release_index(i.ctx, i.manifest, i.pub, links)}
    version = i.params.version
    links = [(p.file, p.link.format(parameterset=version)) for p in PAGES if p.link]
    return {
        page.file: site_index(
            i.ctx,
            list(i.releases),
            i.pub,
            organisations=list(i.organisations),
            parameter_version=i.params.version,
            data_received=i.data_received,
            links=[*links, *i.extra_links],
            title=page.title,
        )
    }


def _sector(page: Page, i: Inputs) -> dict[str, str]:
    """The latest (or the release's) year as `sector.html`; on the working site each earlier
    year as `sector-<jaar>.html` too."""
    if i.year is None:
        return _no_figures(page, i)
    if i.manifest is not None:
        return {page.file: sector_page(i.pub, i.year, i.params, i.ctx, title=page.title)}
    years = i.pub.years
    names = {y: (page.file if y == i.year else f"sector-{y}.html") for y in years}
    return {
        names[y]: sector_page(
            i.pub,
            y,
            i.params,
            i.ctx,
            title=page.title,
            other_years=[(o, names[o]) for o in years if o != y],
        )
        for y in years
    }


def _comparison(page: Page, i: Inputs) -> dict[str, str]:
    if i.year is None:
        return _no_figures(page, i)
    return {page.file: comparison_page(i.pub, i.year, i.ctx, factors=i.factors, title=page.title)}


def _verantwoording(page: Page, i: Inputs) -> dict[str, str]:
    return {page.file: verantwoording_page(i.params, i.pub.rules, i.ctx, title=page.title)}


PAGES: tuple[Page, ...] = (
    Page("index.html", "Sociaal rendement", "Overzicht", _index, release_nav="Release"),
    Page(
        "sector.html",
        "Jaaroverzicht sociaal rendement",
        "Jaaroverzicht",
        _sector,
        link="Jaaroverzicht (werkversie, laatste jaar)",
        release_nav="Jaaroverzicht",
        release_link="Jaaroverzicht {jaar}",
    ),
    Page(
        "vergelijking.html",
        "Interventies vergeleken",
        "Interventies vergeleken",
        _comparison,
        link="Interventies vergeleken (werkversie)",
        release_nav="Interventies vergeleken",
        release_link="Interventies vergeleken, {jaar}",
    ),
    Page(
        "verantwoording.html",
        "Verantwoording",
        "Verantwoording",
        _verantwoording,
        link="Verantwoording van methode en parameters (parameterset {parameterset})",
        release_nav="Verantwoording",
        release_link="Verantwoording van methode en parameters",
    ),
)


def site_nav() -> tuple[tuple[str, str], ...]:
    """(href, label) of the working site's navigation."""
    return tuple((p.file, p.nav) for p in PAGES)


def release_nav() -> tuple[tuple[str, str], ...]:
    """(href, label) of a release's navigation: the pages a release has."""
    return tuple((p.file, p.release_nav) for p in PAGES if p.release_nav is not None)


def render_pages(inputs: Inputs) -> dict[str, str]:
    """{file name: html} of every page in `PAGES` (a release's pages only, in a release)."""
    out: dict[str, str] = {}
    for page in PAGES:
        if inputs.manifest is not None and page.release_nav is None:
            continue
        out.update(page.render(page, inputs))
    return out

"""The pages of one release, rendered once when it is published (then only ever copied)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from rendement.reports.comparison import comparison_page
from rendement.reports.context import Context
from rendement.reports.data import Published
from rendement.reports.index import release_index
from rendement.reports.sector import sector_page
from rendement.reports.verantwoording import verantwoording_page

NAV: tuple[tuple[str, str], ...] = (
    ("index.html", "Release"),
    ("sector.html", "Jaaroverzicht"),
    ("vergelijking.html", "Interventies vergeleken"),
    ("verantwoording.html", "Verantwoording"),
)


def render_release(
    pub: Published,
    manifest: dict,
    params,
    generated: dt.date,
    factors: pl.DataFrame | None = None,
) -> dict[str, str]:
    """{file name: html} for the release of `manifest["verslagjaar"]`. Every page links only
    inside the release folder, so the folder can be published anywhere as it is. `factors`:
    the release's `benchmark.rendementsfactor` rows (published rows only are shown); None
    leaves the group rendementsfactor off the comparison page."""
    year = manifest["verslagjaar"]
    ctx = Context(
        root=".",
        generated=generated,
        release=manifest,
        nav=NAV,
        parameter_version=manifest["parameterversie"],
    )
    return {
        "index.html": release_index(ctx, manifest, pub),
        "sector.html": sector_page(pub, year, params, ctx),
        "vergelijking.html": comparison_page(pub, year, ctx, factors=factors),
        "verantwoording.html": verantwoording_page(params, pub.rules, ctx),
    }

"""The pages of one release, rendered once when it is published (then only ever copied): the
pages of the registry (`rendement.reports.registry.PAGES`) that releases have."""

from __future__ import annotations

import datetime as dt

import polars as pl

from rendement.reports.context import Context
from rendement.reports.data import Published
from rendement.reports.registry import Inputs, release_nav, render_pages

NAV = release_nav()


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
    ctx = Context(
        root=".",
        generated=generated,
        release=manifest,
        nav=NAV,
        parameter_version=manifest["parameterversie"],
    )
    year = manifest["verslagjaar"]
    return render_pages(Inputs(ctx, pub, params, year, factors=factors, manifest=manifest))

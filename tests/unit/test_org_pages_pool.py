"""When the organisation pages are worth starting the workers for (`org_pages.render_pages`):
a re-upload's pages are mostly other organisations' whose sector figures moved, rendered from
their kept parts at a twelfth of a whole page; starting the pool for a few dozen of those
cost more than it saved."""

from __future__ import annotations

import polars as pl

from rendement.reports import org_pages


def jobs(n: int, *, whole: bool) -> list[org_pages.OrgInput]:
    empty = pl.DataFrame()
    fingerprint = org_pages.Fingerprint("pagina", "eigen")
    return [
        org_pages.OrgInput(f"ORG{i:03d}", None, empty, empty, fingerprint, cards=whole)
        for i in range(n)
    ]


def test_a_hundred_pages_of_moved_sector_figures_stay_in_this_process():
    assert org_pages.render_seconds(jobs(100, whole=False)) < org_pages.POOL_MIN_SECONDS


def test_twenty_whole_pages_start_the_workers():
    assert org_pages.render_seconds(jobs(20, whole=True)) >= org_pages.POOL_MIN_SECONDS


def test_the_demo_sector_stays_in_this_process():
    assert org_pages.render_seconds(jobs(14, whole=True)) < org_pages.POOL_MIN_SECONDS

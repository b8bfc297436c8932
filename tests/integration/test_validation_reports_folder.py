"""The validation reports live outside the versioned site (`Home.validation`): written once by
intake, linked from each organisation's folder in the site, served by the portal from their own
folder; a home whose reports were still in the site hands them over at its next site build.

The site's switch hard-links every file of the current version into the next one, so reports
kept in the site made each build's switch grow with every year of uploads (three quarters of
the site's files at 540 organisations)."""

from __future__ import annotations

import datetime as dt
import os
import shutil

from rendement.mkba import load_parameters
from rendement.reports import build_site
from tests.support.homes import copy_home

TODAY = dt.date(2026, 11, 28)


def reports_of(home) -> dict[str, dict[str, bytes]]:
    return {
        folder.name: {f.name: f.read_bytes() for f in sorted(folder.iterdir())}
        for folder in sorted(home.validation.iterdir())
    }


def test_the_site_links_to_the_reports_and_copies_none_of_them(demo_home, tmp_path):
    home = copy_home(demo_home, tmp_path / "home")
    reports = reports_of(home)
    assert reports and all(reports.values())
    for org, files in reports.items():
        link = home.org_site(org) / "validatie"
        assert link.is_symlink() and not os.path.isabs(os.readlink(link))
        # the page's links work as files: the link leads to the organisation's own reports
        assert {f.name: f.read_bytes() for f in link.iterdir()} == files
        page = (home.org_site(org) / "index.html").read_text("utf-8")
        assert any(f'href="validatie/{name}"' in page for name in files if name.endswith("html"))
    # a new version of the site holds no report of its own
    build_site(home, load_parameters(), today=TODAY)
    found = [p for p in home.site.resolve().rglob("*") if "validatie" in p.parts]
    assert found and all(p.name == "validatie" and p.is_symlink() for p in found)


def test_a_home_with_its_reports_still_in_the_site_hands_them_over(demo_home, tmp_path):
    home = copy_home(demo_home, tmp_path / "home")
    build_site(home, load_parameters(), today=TODAY)
    before = reports_of(home)
    pages = {org: (home.org_site(org) / "index.html").read_bytes() for org in before}
    # as a home from before: the reports in a real folder of each organisation's site folder
    for org in before:
        link = home.org_site(org) / "validatie"
        link.unlink()
        shutil.copytree(home.org_validation(org), link)
    shutil.rmtree(home.validation)
    built = build_site(home, load_parameters(), today=TODAY)
    assert reports_of(home) == before
    for org in before:
        assert (home.org_site(org) / "validatie").is_symlink()
    # handed over before the pages were fingerprinted: no page lost its links or was rendered
    assert built.rendered == []
    assert {org: (home.org_site(org) / "index.html").read_bytes() for org in before} == pages

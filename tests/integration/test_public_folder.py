"""Public and private outputs are kept apart (issue 20, point 6): `openbaar/` holds only what
may be published (the releases' pages, byte for byte as frozen, their manifest and method
page, and an index), never an organisation page, a hidden file or a working year's figures;
it is switched to in one rename like the site, and the organisations' pages stay reachable
under `site/` for the portal."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest

from rendement.benchmark.releases import releases_dir
from rendement.mkba import load_parameters
from rendement.release.publish import publish_release
from rendement.reports import build_site
from rendement.reports.public import PublicFolderError, build_public
from tests.support.homes import copy_home


@pytest.fixture(scope="module")
def released(demo_home, tmp_path_factory):
    home = copy_home(demo_home, tmp_path_factory.mktemp("openbaar") / "home")
    with duckdb.connect(str(home.warehouse), read_only=True) as con:
        years = [y for (y,) in con.execute("SELECT DISTINCT jaar FROM mkba.project").fetchall()]
    # the year before the latest: the latest stays a working year, with provisional pages
    year = sorted(y for y in years if y < dt.date.today().year)[-2]
    assert publish_release(home, year, load_parameters()).created
    build_site(home, load_parameters())
    build_public(home)
    return home, year, sorted(years)


def _files(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if not p.is_dir())


def test_the_public_folder_holds_only_released_pages_and_its_index(released):
    home, year, years = released
    files = _files(home.public)
    store = releases_dir(home) / str(year)
    manifest = json.loads((store / "manifest.json").read_text("utf-8"))
    expected = sorted(
        ["index.html", f"releases/{year}/manifest.json"]
        + [
            f"releases/{year}/{n.removeprefix('site/')}"
            for n in manifest["bestanden"]
            if n.startswith("site/")
        ]
    )
    assert files == expected
    for name in files:
        assert not any(part.startswith(".") for part in name.split("/")), name
        assert "/org/" not in f"/{name}" and "leveringen" not in name
    for name in expected[1:]:
        frozen = store / (
            "manifest.json" if name.endswith("manifest.json") else "site/" + name.split("/", 2)[2]
        )
        assert (home.public / name).read_bytes() == frozen.read_bytes()
    # no page of the working site (its index links every organisation's report; its sector
    # pages show years without a release) is in the public folder
    public = {(home.public / n).read_bytes() for n in files}
    working = [home.site / "index.html", *home.site.glob("sector*.html")]
    assert len(working) > 1 and not [p for p in working if p.read_bytes() in public]
    assert "org/" in (home.site / "index.html").read_text("utf-8")
    working_years = [y for y in years if y > year]
    assert working_years and (home.site / f"sector-{year}.html").exists()
    assert not [n for n in files for y in working_years if str(y) in n]
    text = "\n".join((home.public / n).read_text("utf-8") for n in files if n.endswith(".html"))
    assert "Werkversie" not in text
    assert "org/" not in (home.public / "index.html").read_text("utf-8")
    assert f"releases/{year}/verantwoording.html" in (home.public / "index.html").read_text("utf-8")


def test_the_public_folder_is_switched_whole_and_the_site_keeps_its_private_pages(released):
    home, year, _ = released
    assert home.public.is_symlink() and home.public.resolve().is_dir()
    before = home.public.resolve()
    (before / "org").mkdir()
    (before / "org" / "lek.html").write_text("vertrouwelijk", "utf-8")
    build_public(home)
    assert home.public.resolve() != before
    assert not (home.public / "org").exists(), "rebuilt from empty, never from the old version"
    assert list(home.site.glob("org/*/index.html")), "organisation pages stay for the portal"
    assert (home.site / "releases" / str(year) / "index.html").is_file()


def test_a_release_that_differs_from_its_manifest_is_not_published(released, tmp_path):
    home, year, _ = released
    other = copy_home(home, tmp_path / "home")
    page = releases_dir(other) / str(year) / "site" / "index.html"
    page.chmod(0o644)
    page.write_text("gewijzigd", "utf-8")
    before = other.public.resolve()
    with pytest.raises(PublicFolderError):
        build_public(other)
    assert other.public.resolve() == before

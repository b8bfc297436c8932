"""The public folder (`openbaar/` in the data home): the only folder that may be published as a
whole.

The working site (`site/`) is for analysts and the portal: its index links every
organisation's confidential report (`site/org/<ORG>/`, with `.invoer` and `.eigen.html`), and its
sector pages show provisional figures of years without a release, which change with every
upload (two versions side by side give one organisation's change). So `site/` is never
published; `openbaar/` holds exactly:

* `index.html` — a list of the releases, with links to their pages and method page;
* `releases/<id>/` — every release's pages and `manifest.json`, byte for byte as frozen in the
  release store (`rendement.benchmark.releases`), each checked against the manifest's
  checksums; their method page is `releases/<id>/verantwoording.html`.

Nothing else: no organisation pages, no working year, no hidden files. It is rebuilt from the
release store alone (never from the working site), from empty, and switched to in one rename
like the site (`rendement.core.files.switched_folder`), after every site build and every
release. Organisations' pages are served only through the portal (`rendement.service`).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from rendement.benchmark.releases import list_releases, releases_dir, sha256
from rendement.core.files import switched_folder, write_atomic
from rendement.core.formatting import nl_today
from rendement.core.home import Home
from rendement.core.templates import render
from rendement.reports.page import page

SITE_PREFIX = "site/"
METHOD_PAGE = "verantwoording.html"


class PublicFolderError(Exception):
    """A release in the store does not match its manifest: nothing is published."""


def _release_files(home: Home, manifest: dict) -> list[tuple[Path, str]]:
    """(file in the store, name in the release folder) of a release's pages and manifest,
    each checked against the manifest's checksum."""
    rid = manifest["release"]
    store = releases_dir(home) / rid
    files = []
    for name, checksum in sorted(manifest.get("bestanden", {}).items()):
        if not name.startswith(SITE_PREFIX):
            continue
        source = store / name
        if sha256(source) != checksum:
            raise PublicFolderError(
                f"{source} wijkt af van het manifest van release {rid}: niet gepubliceerd"
            )
        files.append((source, name.removeprefix(SITE_PREFIX)))
    files.append((store / "manifest.json", "manifest.json"))
    return files


def _index(releases: list[dict], today: dt.date) -> str:
    items = [
        {
            "release": m["release"],
            "jaar": m["verslagjaar"],
            "gepubliceerd_op": m.get("gepubliceerd_op", "")[:10],
            "href": f"releases/{m['release']}/index.html",
            "methode": (
                f"releases/{m['release']}/{METHOD_PAGE}"
                if f"{SITE_PREFIX}{METHOD_PAGE}" in m.get("bestanden", {})
                else None
            ),
        }
        for m in reversed(releases)
    ]
    body = render("rendement.reports", "openbaar_index.html", releases=items)
    return page("Sociaal rendement: gepubliceerde cijfers", body, generated=today)


def build_public(home: Home, *, today: dt.date | None = None) -> list[Path]:
    """Rebuild `openbaar/` from the release store; returns its files (paths under
    `home.public`)."""
    releases = list_releases(home)
    plan = {
        f"releases/{m['release']}/{name}": source
        for m in releases
        for source, name in _release_files(home, m)
    }
    with switched_folder(home.public) as folder:
        for old in folder.iterdir():  # from empty: only what is written below is in it
            if old.is_dir() and not old.is_symlink():
                shutil.rmtree(old)
            else:
                old.unlink()
        for name, source in plan.items():
            write_atomic(folder / name, source.read_bytes())
        write_atomic(folder / "index.html", _index(releases, today or nl_today()))
    return [home.public / name for name in [*plan, "index.html"]]


__all__ = ["METHOD_PAGE", "PublicFolderError", "build_public"]

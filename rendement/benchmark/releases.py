"""The release store, read side: where releases live, their manifests, their frozen tables (the
closed years), the check of their checksums, and the published copies of their pages.

Releases are written only by `rendement.release.publish`; the benchmark assets read the frozen
tables to carry closed years over, the reports read them to show closed years, and the site
restores the published copies from here.

    RENDEMENT_HOME/releases/<id>/      manifest.json, <table>.parquet per published table
                                       (`rendement.benchmark.published.PUBLISHED_TABLES`), site/
    site/releases/<id>/                a byte-for-byte copy of site/ plus manifest.json
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import polars as pl

from rendement.benchmark.disclosure import DisclosureRules
from rendement.benchmark.published import CELLS, PUBLISHED_TABLES, Frozen, PublishedTable
from rendement.core.files import write_atomic
from rendement.core.home import Home


def releases_dir(home: Home) -> Path:
    return home.releases


def release_site_dir(home: Home, release_id: str) -> Path:
    return home.site / "releases" / release_id


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def list_releases(home: Home) -> list[dict]:
    """The manifests of all published releases, oldest reporting year first."""
    root = releases_dir(home)
    if not root.is_dir():
        return []
    manifests = []
    for folder in root.iterdir():
        path = folder / "manifest.json"
        if folder.is_dir() and not folder.name.startswith(".") and path.is_file():
            manifests.append(json.loads(path.read_text("utf-8")))
    return sorted(manifests, key=lambda m: m["verslagjaar"])


def _read_table(folder: Path, table: PublishedTable) -> pl.DataFrame:
    path = folder / table.file
    if table.optional and not path.is_file():
        return table.empty()
    return table.typed(pl.read_parquet(path))


def load_frozen(home: Home) -> Frozen | None:
    """The frozen tables of the latest release (which holds every closed year), or None."""
    manifests = list_releases(home)
    if not manifests:
        return None
    latest = manifests[-1]
    folder = releases_dir(home) / latest["release"]
    return Frozen(
        tables={t.name: _read_table(folder, t) for t in PUBLISHED_TABLES},
        closed={int(y): info["release"] for y, info in latest["jaren"].items()},
        rules_by_year={int(y): info["onthullingsregels"] for y, info in latest["jaren"].items()},
        rules=DisclosureRules.from_dict(latest["onthullingsregels"]),
        manifests=manifests,
    )


def frozen_cells(home: Home) -> pl.DataFrame | None:
    """The benchmark cells of every closed year, for `build_benchmarks(..., vastgesteld=...)`;
    None when nothing has been released."""
    frozen = load_frozen(home)
    return frozen.tables[CELLS] if frozen is not None else None


def verify_release(home: Home, release_id: str) -> list[str]:
    """Files of a release whose checksum no longer matches its manifest (empty = intact),
    in the store and in the published copy."""
    folder = releases_dir(home) / release_id
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    problems = []
    for name, digest in manifest["bestanden"].items():
        path = folder / name
        if not path.is_file() or sha256(path) != digest:
            problems.append(str(path))
        if name.startswith("site/"):
            copy = release_site_dir(home, release_id) / name.removeprefix("site/")
            if not copy.is_file() or sha256(copy) != digest:
                problems.append(str(copy))
    return problems


def restore_release_pages(home: Home) -> list[Path]:
    """Copy every release's pages from the store to `site/releases/<id>/` where missing or
    changed (a published address keeps serving exactly what was published)."""
    written = []
    for manifest in list_releases(home):
        rid = manifest["release"]
        store = releases_dir(home) / rid
        target = release_site_dir(home, rid)
        sources = [
            (store / n, target / n.removeprefix("site/"))
            for n in manifest["bestanden"]
            if n.startswith("site/")
        ]
        sources.append((store / "manifest.json", target / "manifest.json"))
        for src, dst in sources:
            if not src.is_file():
                continue
            if dst.is_file() and sha256(dst) == sha256(src):
                continue
            # whole-file replace: the site's versions share unchanged files (hard links)
            write_atomic(dst, src.read_bytes())
            written.append(dst)
    return written

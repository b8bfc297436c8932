"""Releases: the annual sector overview, published once and then frozen.

A release for reporting year Y is built from the MKBA results of the data accepted up to a
cut-off date (peildatum), for every year up to and including Y. Its published tables are
stored in the data home and never recomputed:

    RENDEMENT_HOME/releases/<id>/
        manifest.json        date, period, parameter version, disclosure rules, SHA-256 of
                             every file below
        cellen.parquet       the benchmark cells of every year in the release
        baathebbers.parquet  benefits per stakeholder (rendement.reports.aggregates)
        intervallen.parquet  the intervals of the intervention comparison
        rendementsfactor.parquet  the group rendementsfactor per domain and intervention
                             (`benchmark.rendementsfactor`; absent in releases made before it
                             existed, which then have none)
        site/                the release's pages, as published
    site/releases/<id>/      a byte-for-byte copy of `site/` plus manifest.json, at its own
                             address (restored from the store whenever the site is built)

`<id>` is the reporting year (`2025`). Years are closed in order: the release of Y carries
every year of the previous release over verbatim (values, statuses and the rules they were
published under) and adds the years after it. From then on `frozen_cells(home)` is passed as
`vastgesteld` to `build_benchmarks`, so a later upload for a closed year can never change a
published cell (docs/benchmarks.md, "Stability"); it still counts in the organisation's own
report. Publishing a year that is already released returns the existing release unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl

from rendement.benchmark.cells import CELL_COLUMNS, build_benchmarks
from rendement.benchmark.disclosure import DisclosureRules
from rendement.core.files import atomic_path
from rendement.core.home import Home
from rendement.mkba.aggregate import PUBLISHED_COLUMNS, group_ratios, published_ratios
from rendement.mkba.status import COMPLETE, STATUS_COLUMN
from rendement.reports.aggregates import (
    INTERVAL_COLUMNS,
    STAKEHOLDER_COLUMNS,
    interval_cells,
    stakeholder_cells,
)
from rendement.reports.data import (
    Published,
    blocked_organisations,
    read_warehouse,
    sector_projects,
)

TIMEZONE = ZoneInfo("Europe/Amsterdam")
FORMAT_VERSION = 1
ACCEPTED = ("geaccepteerd", "deels_geaccepteerd")
DATA_FILES = {
    "cellen.parquet": CELL_COLUMNS,
    "baathebbers.parquet": STAKEHOLDER_COLUMNS,
    "intervallen.parquet": INTERVAL_COLUMNS,
    "rendementsfactor.parquet": PUBLISHED_COLUMNS,
}
# Files a release made by an earlier version may lack (read as empty).
OPTIONAL_FILES = ("rendementsfactor.parquet",)


class ReleaseError(ValueError):
    """A release cannot be made (Dutch message for the analyst)."""


@dataclass(frozen=True)
class Frozen:
    """The published tables of the latest release: every closed year."""

    published: Published
    manifests: list[dict]
    factors: pl.DataFrame  # benchmark.rendementsfactor of the closed years


@dataclass(frozen=True)
class ReleaseResult:
    manifest: dict
    created: bool
    folder: Path
    site_folder: Path

    @property
    def release_id(self) -> str:
        return self.manifest["release"]


# ------------------------------------------------------------------------------ the store


def releases_dir(home: Home) -> Path:
    return home.root / "releases"


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


def _read_frame(path: Path, schema: dict) -> pl.DataFrame:
    if path.name in OPTIONAL_FILES and not path.is_file():
        return pl.DataFrame(schema=schema)
    frame = pl.read_parquet(path)
    return frame.select([pl.col(c).cast(t) for c, t in schema.items()])


def load_frozen(home: Home) -> Frozen | None:
    """The frozen tables of the latest release (which holds every closed year), or None."""
    manifests = list_releases(home)
    if not manifests:
        return None
    latest = manifests[-1]
    folder = releases_dir(home) / latest["release"]
    cells, stake, inter, factors = (
        _read_frame(folder / name, schema) for name, schema in DATA_FILES.items()
    )
    closed = {int(y): info["release"] for y, info in latest["jaren"].items()}
    rules_by_year = {int(y): info["onthullingsregels"] for y, info in latest["jaren"].items()}
    rules = DisclosureRules.from_dict(latest["onthullingsregels"])
    return Frozen(Published(cells, stake, inter, rules, closed, rules_by_year), manifests, factors)


def frozen_cells(home: Home) -> pl.DataFrame | None:
    """The benchmark cells of every closed year, for `build_benchmarks(..., vastgesteld=...)`;
    None when nothing has been released."""
    frozen = load_frozen(home)
    return frozen.published.cells if frozen is not None else None


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
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
            written.append(dst)
    return written


# ------------------------------------------------------------------------------ building


def parse_peildatum(text: str) -> dt.date:
    """dd-mm-jjjj (as people write it) or jjjj-mm-dd."""
    for fmt in ("%d-%m-%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    raise ReleaseError(f"peildatum {text!r} is geen datum als 01-03-2026")


def _cutoff(peildatum: dt.date) -> dt.datetime:
    """The end of the peildatum in Amsterdam, as an aware datetime."""
    return dt.datetime.combine(peildatum + dt.timedelta(days=1), dt.time(0), TIMEZONE)


def late_project_years(uploads: pl.DataFrame, peildatum: dt.date) -> pl.DataFrame:
    """(organisatie_id, jaar) with an accepted upload for that period received after the
    peildatum: their figures are not in the release."""
    schema = {"organisatie_id": pl.String, "jaar": pl.Int64}
    if not uploads.height:
        return pl.DataFrame(schema=schema)
    cutoff = _cutoff(peildatum)
    late = []
    for r in uploads.filter(pl.col("uitkomst").is_in(ACCEPTED)).iter_rows(named=True):
        received = r.get("ontvangen_op")
        if received is None or r.get("periode") is None:
            continue
        when = dt.datetime.fromisoformat(received)
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        if when >= cutoff:
            late.append((r["organisatie_id"], int(r["periode"])))
    return pl.DataFrame(sorted(set(late)), schema=schema, orient="row")


def _write_frame(frame: pl.DataFrame, path: Path) -> None:
    frame.write_parquet(path, compression="zstd", statistics=False)


def publish_release(
    home: Home,
    jaar: int,
    params,
    *,
    peildatum: dt.date | None = None,
    now: dt.datetime | None = None,
) -> ReleaseResult:
    """Publish the release for reporting year `jaar` (or return it unchanged if it exists).

    `peildatum`: the last day whose uploads count (default: today, Amsterdam time); it must
    lie after the reporting year. Raises `ReleaseError` (Dutch) when the release cannot be
    made: a later year is already closed, no results for `jaar`, results computed with another
    parameter version than `params`.
    """
    from rendement.reports.release_pages import render_release

    now = (now or dt.datetime.now(TIMEZONE)).astimezone(TIMEZONE)
    peildatum = peildatum or now.date()
    rid = str(jaar)
    store = releases_dir(home) / rid
    if (store / "manifest.json").is_file():
        manifest = json.loads((store / "manifest.json").read_text("utf-8"))
        restore_release_pages(home)
        return ReleaseResult(manifest, False, store, release_site_dir(home, rid))
    if peildatum <= dt.date(jaar, 12, 31):
        raise ReleaseError(
            f"de peildatum {peildatum:%d-%m-%Y} ligt niet na het verslagjaar {jaar}: een jaar "
            "wordt pas vastgesteld als het voorbij is en de aanlevertermijn verstreken"
        )
    if peildatum > now.date():
        raise ReleaseError(f"de peildatum {peildatum:%d-%m-%Y} ligt in de toekomst")
    frozen = load_frozen(home)
    if frozen is not None:
        last = max(frozen.published.closed)
        if jaar <= last:
            raise ReleaseError(
                f"{jaar} is al vastgesteld in release {frozen.published.closed.get(jaar, last)}; "
                "een vastgesteld jaar wordt niet opnieuw gepubliceerd"
            )

    wh = read_warehouse(home.warehouse)
    # complete project-years of organisations that are not blocked (an incomplete one, with
    # participants and no costs, counts in no published figure)
    projects = sector_projects(home, wh.projects).filter(pl.col("jaar") <= jaar)
    late = late_project_years(wh.uploads, peildatum)
    before = projects.height
    projects = projects.join(late, on=["organisatie_id", "jaar"], how="anti")
    excluded = before - projects.height
    this_year = projects.filter(pl.col("jaar") == jaar)
    if not this_year.height:
        raise ReleaseError(f"er zijn geen projectresultaten voor {jaar} (tot en met de peildatum)")
    versions = sorted(projects["parameter_versie"].drop_nulls().unique().to_list())
    if versions != [params.version]:
        raise ReleaseError(
            f"de MKBA-resultaten zijn berekend met parameterset {', '.join(versions)}, de huidige "
            f"set is {params.version}: draai eerst de pijplijn opnieuw"
        )

    rules = wh.rules
    prior = frozen.published if frozen is not None else None
    closed_years = sorted(prior.closed) if prior is not None else []
    bench = build_benchmarks(
        projects, rules, vastgesteld=prior.cells if prior is not None else None
    )
    cells = bench.cells.filter(pl.col("jaar") <= jaar)
    open_years = sorted(y for y in cells["jaar"].unique().to_list() if y not in closed_years)
    outcomes = wh.outcomes
    stake = stakeholder_cells(projects, outcomes, open_years, list(params.baathebbers), rules)
    inter = interval_cells(projects, open_years, rules)
    factors = published_ratios(
        group_ratios(projects, wh.outcomes, wh.kosten, params), cells, frozenset(closed_years)
    ).filter(pl.col("jaar") <= jaar)
    if prior is not None:
        stake = pl.concat([prior.stakeholders, stake])
        inter = pl.concat([prior.intervals, inter])
        factors = pl.concat([frozen.factors, factors])

    years_info = dict(frozen.manifests[-1]["jaren"]) if frozen is not None else {}
    for y in open_years:
        years_info[str(y)] = {
            "release": rid,
            "parameterversie": params.version,
            "onthullingsregels": rules.as_dict(),
        }
    all_years = sorted(int(y) for y in years_info)
    manifest = {
        "formaat": FORMAT_VERSION,
        "release": rid,
        "verslagjaar": jaar,
        "peildatum": peildatum.isoformat(),
        "gepubliceerd_op": now.replace(microsecond=0).isoformat(),
        "dataperiode": {"van": all_years[0], "tot_en_met": all_years[-1]},
        "jaren": {str(y): years_info[str(y)] for y in all_years},
        "parameterversie": params.version,
        # the version names the set; the checksum pins its content (a version edited in place
        # would otherwise go unnoticed)
        "parameterbestand_sha256": sha256(params.pad) if getattr(params, "pad", None) else None,
        "prijsjaar": params.price_year,
        "discontovoet": params.discount_rate,
        "onthullingsregels": rules.as_dict(),
        "buiten_release": {
            "projectjaren_na_peildatum": excluded,
            "projectjaren_onvolledig": _incomplete_years(home, wh.projects, jaar),
            "organisaties_geblokkeerd": len(
                blocked_organisations(home, wh.projects["organisatie_id"].unique().to_list())
            ),
        },
    }
    published = Published(
        cells,
        stake,
        inter,
        rules,
        {y: years_info[str(y)]["release"] for y in all_years},
        {y: years_info[str(y)]["onthullingsregels"] for y in all_years},
    )

    root = releases_dir(home)
    root.mkdir(parents=True, exist_ok=True)
    # atomic: a release exists completely or not at all
    with atomic_path(store) as tmp:
        (tmp / "site").mkdir(parents=True)
        frames = {
            "cellen.parquet": cells,
            "baathebbers.parquet": stake,
            "intervallen.parquet": inter,
            "rendementsfactor.parquet": factors,
        }
        for name, frame in frames.items():
            _write_frame(
                frame.select([pl.col(c).cast(t) for c, t in DATA_FILES[name].items()]), tmp / name
            )
        pages = render_release(published, manifest, params, now.date(), factors=factors)
        for name, html in pages.items():
            (tmp / "site" / name).write_text(html, "utf-8")
        files = sorted([*DATA_FILES, *(f"site/{p.name}" for p in (tmp / "site").iterdir())])
        manifest["bestanden"] = {name: sha256(tmp / name) for name in files}
        (tmp / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=False) + "\n", "utf-8"
        )
    restore_release_pages(home)
    return ReleaseResult(manifest, True, store, release_site_dir(home, rid))


def _incomplete_years(home: Home, projects: pl.DataFrame, jaar: int) -> int:
    """Incomplete project-years up to `jaar` of organisations that are not blocked: left out
    of every figure of the release (recorded in the manifest)."""
    blocked = blocked_organisations(home, projects["organisatie_id"].unique().to_list())
    return projects.filter(
        (pl.col("jaar") <= jaar)
        & ~pl.col("organisatie_id").is_in(blocked)
        & (pl.col(STATUS_COLUMN) != COMPLETE)
    ).height


def release_for_schedule(scheduled: dt.datetime) -> tuple[int, dt.date]:
    """The reporting year and peildatum for a scheduled run: the year before the run date, with
    everything accepted up to and including the day before the run."""
    local = (
        scheduled.astimezone(TIMEZONE) if scheduled.tzinfo else scheduled.replace(tzinfo=TIMEZONE)
    )
    return local.year - 1, local.date() - dt.timedelta(days=1)

"""Releases: the annual sector overview, published once and then frozen.

A release for reporting year Y is built from the MKBA results of the data accepted up to a
cut-off date (peildatum), for every year up to and including Y. Its published tables are
stored in the data home and never recomputed:

    RENDEMENT_HOME/releases/<id>/
        manifest.json        date, period, parameter version, disclosure rules, SHA-256 of
                             every file below
        cellen.parquet       the benchmark cells of every year in the release
        baathebbers.parquet  benefits per stakeholder (rendement.benchmark.aggregates)
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
import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from rendement.benchmark.published import (
    CELLS,
    FACTORS,
    INTERVALS,
    PUBLISHED_TABLES,
    STAKEHOLDERS,
    Frozen,
    Published,
    Sector,
    benchmark_cells,
    blocked_organisations,
    countable_projects,
    published_tables,
    sector_projects,
)
from rendement.benchmark.releases import (
    frozen_cells,
    list_releases,
    load_frozen,
    release_site_dir,
    releases_dir,
    restore_release_pages,
    sha256,
    verify_release,
)
from rendement.core.files import atomic_path
from rendement.core.formatting import LOCAL_TIME
from rendement.core.home import Home
from rendement.mkba.status import COMPLETE, STATUS_COLUMN
from rendement.reports.data import read_warehouse
from rendement.reports.public import build_public
from rendement.reports.release_pages import render_release

FORMAT_VERSION = 1
ACCEPTED = ("geaccepteerd", "deels_geaccepteerd")
# The store's reading side is rendement.benchmark.releases (the assets and the reports read
# it too); these names stay importable from here.
__all__ = [
    "Frozen",
    "ReleaseError",
    "ReleaseResult",
    "frozen_cells",
    "late_project_years",
    "list_releases",
    "load_frozen",
    "parse_peildatum",
    "publish_release",
    "release_for_schedule",
    "release_site_dir",
    "releases_dir",
    "restore_release_pages",
    "sha256",
    "verify_release",
]


class ReleaseError(ValueError):
    """A release cannot be made (Dutch message for the analyst)."""


@dataclass(frozen=True)
class ReleaseResult:
    manifest: dict
    created: bool
    folder: Path
    site_folder: Path

    @property
    def release_id(self) -> str:
        return self.manifest["release"]


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
    return dt.datetime.combine(peildatum + dt.timedelta(days=1), dt.time(0), LOCAL_TIME)


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
    now = (now or dt.datetime.now(LOCAL_TIME)).astimezone(LOCAL_TIME)
    peildatum = peildatum or now.date()
    rid = str(jaar)
    store = releases_dir(home) / rid
    if (store / "manifest.json").is_file():
        manifest = json.loads((store / "manifest.json").read_text("utf-8"))
        restore_release_pages(home)
        build_public(home)
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
        last = max(frozen.closed)
        if jaar <= last:
            raise ReleaseError(
                f"{jaar} is al vastgesteld in release {frozen.closed.get(jaar, last)}; "
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

    # The published tables of the release's project set, by the functions the benchmark
    # assets call (rendement.benchmark.published); closed years are the previous release's.
    rules = wh.rules
    bench = benchmark_cells(projects, rules, frozen)
    sector = Sector(
        projects,
        bench.cells.filter(pl.col("jaar") <= jaar),
        rules,
        params,
        outcomes=wh.outcomes,
        kosten=wh.kosten,
    )
    tables = {
        name: frame.filter(pl.col("jaar") <= jaar)
        for name, frame in published_tables(sector, frozen).items()
    }
    closed_years = sorted(frozen.closed) if frozen is not None else []
    open_years = [
        y for y in tables[CELLS]["jaar"].unique().sort().to_list() if y not in closed_years
    ]

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
        tables[CELLS],
        tables[STAKEHOLDERS],
        tables[INTERVALS],
        rules,
        {y: years_info[str(y)]["release"] for y in all_years},
        {y: years_info[str(y)]["onthullingsregels"] for y in all_years},
    )

    root = releases_dir(home)
    root.mkdir(parents=True, exist_ok=True)
    # atomic: a release exists completely or not at all
    with atomic_path(store) as tmp:
        (tmp / "site").mkdir(parents=True)
        for table in PUBLISHED_TABLES:
            _write_frame(tables[table.name], tmp / table.file)
        pages = render_release(published, manifest, params, now.date(), factors=tables[FACTORS])
        for name, html in pages.items():
            (tmp / "site" / name).write_text(html, "utf-8")
        files = sorted(
            [
                *(t.file for t in PUBLISHED_TABLES),
                *(f"site/{p.name}" for p in (tmp / "site").iterdir()),
            ]
        )
        manifest["bestanden"] = {name: sha256(tmp / name) for name in files}
        (tmp / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=False) + "\n", "utf-8"
        )
    restore_release_pages(home)
    build_public(home)
    return ReleaseResult(manifest, True, store, release_site_dir(home, rid))


def _incomplete_years(home: Home, projects: pl.DataFrame, jaar: int) -> int:
    """Incomplete project-years up to `jaar` of organisations that are not blocked: left out
    of every figure of the release (recorded in the manifest)."""
    return (
        countable_projects(home, projects)
        .filter((pl.col("jaar") <= jaar) & (pl.col(STATUS_COLUMN) != COMPLETE))
        .height
    )


def release_for_schedule(scheduled: dt.datetime) -> tuple[int, dt.date]:
    """The reporting year and peildatum for a scheduled run: the year before the run date, with
    everything accepted up to and including the day before the run."""
    local = (
        scheduled.astimezone(LOCAL_TIME)
        if scheduled.tzinfo
        else scheduled.replace(tzinfo=LOCAL_TIME)
    )
    return local.year - 1, local.date() - dt.timedelta(days=1)

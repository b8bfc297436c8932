"""Every organisation's own report (`site/org/<ORG>/index.html`), with its projects'
Impactkaarten (`impactkaart/<PROJECT>.html`) and its results as an Excel file
(`resultaten.xlsx`), rendered only when something they show changed, and then in a pool of
processes.

A page with its cards costs a quarter of a second (about 27 great-tables); the sector has
hundreds of organisations, and one organisation's re-upload changes few pages. So each page has
a fingerprint of everything it is made from (its version, `rendement.core.versions`), kept
beside it in `site/org/<ORG>/.invoer` (hex SHA-256s and nothing else: they tell nobody
anything about the data; the upload service does not serve hidden names). A page is rendered
again only when its fingerprint differs or it is missing. The fingerprint covers:

* the organisation's own rows of every warehouse table the page reads (`ORG_TABLES`), as a set
  of row hashes (the page sorts what it shows, so the order rows come out of DuckDB does not
  matter), and those tables' column names and types;
* its own MKBA variant and overrides from the lake (the Parquet files' bytes), and which
  validation reports exist in its folder of them (`Home.org_validation`; the page links only
  to those);
* the provisional sector figures of open years in the organisation's own domains (a change in
  one domain's figures renders only the pages of organisations with projects in it);
* what every page shares: the published figures of closed years it compares with, the
  parameter set's version and stakeholders, and the version of the code
  that renders it (the source of `rendement.reports`, `rendement.core.formatting`
  and the vocabulary, and the versions of great-tables, htmltools and polars; row hashes are
  only stable within one polars version), the municipality names and the public address of
  the method page the Impactkaarten link to (`RENDEMENT_PUBLIEKE_URL`).

Not the date: a page, its cards and its workbook say the day they were made (`Gemaakt op`),
and a new day alone renders none of them again.

The Impactkaarten, the Excel file and the page's kept parts (`organisation.own_part`:
everything above its position against the sector, all its tables but two, kept beside the page
in `OWN_PART_FILE`; `organisation.uploads_part`: its uploads with their validation reports,
below the position, in `UPLOADS_PART_FILE`) are part of the page's render job, with a
fingerprint of their own (`Fingerprint.own`): they read only the organisation's own rows, its
validation reports and the parameter set, never the sector's figures, so a change in
a domain's provisional median renders the position of that domain's pages (≈ 0,018 CPU s a
page), not their cards, workbooks and kept parts (≈ 0,22 s with them). They are written before the page and the fingerprint file
(both parts, two lines), so an interrupted build renders them again.
Their PDFs are made only on request (`rendement.reports.pdf`): a rebuild of the sector prints
nothing.

Rendering pages worth more than starting the workers (`POOL_MIN_SECONDS`) uses
`rendement.core.workers.per_organisation` (spawned
workers, `RENDEMENT_WORKERS`). The workers do not open the warehouse: each page's rows are
written to a private temporary folder as one pickle per organisation, plus one with what the
pages share, and a worker renders from those. Pages are written atomically (temporary file + rename), the
fingerprint after the page, so an interrupted build renders the page again next time.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import pickle
import shutil
import tempfile
from dataclasses import dataclass, fields, replace
from pathlib import Path

import polars as pl

from rendement.core import versions
from rendement.core.files import write_atomic
from rendement.core.home import VALIDATION_IN_SITE, Home
from rendement.core.lake import Lake
from rendement.core.templates import Markup
from rendement.core.versions import (
    file_version,
    frame_version,
    package_files,
    versions_per_organisation,
)
from rendement.core.workers import per_organisation, workers
from rendement.reports.data import Published, Warehouse, own_results
from rendement.reports.impactkaart import PUBLIC_URL_ENV, method_href, write_impactkaarten
from rendement.reports.organisation import organisation_page, own_part, uploads_part
from rendement.reports.resultaten import FILE as RESULTS_FILE
from rendement.reports.resultaten import write_results

FINGERPRINT_FILE = ".invoer"
PAGE_FILE = "index.html"
# The page's own part (`organisation.own_part`) and its uploads (`organisation.uploads_part`),
# kept for the next render of the page: hidden, like the fingerprint, so the portal never
# serves them.
OWN_PART_FILE = ".eigen.html"
UPLOADS_PART_FILE = ".aanleveringen.html"
# The warehouse tables an organisation page reads, by `Warehouse` field; it reads only the
# rows of its own organisation (`organisatie_id`).
ORG_TABLES = (
    "projects",
    "project_info",
    "organisations",
    "outcomes",
    "positie",
    "uploads",
    "looptijd",
    "schakelwaarden",
    "raming",
    "arbeidsmarkt",
    "opgave",
)
# The table of ORG_TABLES only the page shows: the position among the sector (`positie`, it
# moves with every other organisation's results). The Impactkaarten, the Excel workbook and
# the page's kept parts are made from the others (`CARD_TABLES`) and get only those
# (`_for_cards`), so their fingerprint (`Fingerprint.own`) covers what they read by
# construction.
PAGE_ONLY_TABLES = ("positie",)
CARD_TABLES = tuple(t for t in ORG_TABLES if t not in PAGE_ONLY_TABLES)
# Own results the MKBA stage writes to the lake per organisation (`data.own_results`).
OWN_RESULTS = ("project_eigen", "overrides", "afwijkingen")
_LIBRARIES = ("great-tables", "htmltools", "polars")
# CPU seconds to render a page with its cards, workbook and kept parts, and a page whose parts
# are kept (its position only), measured on 20 pages of the 300k/150 and 10M benchmark sectors
# with one polars thread: 0,20–0,22 s and 0,017–0,018 s (0,024–0,026 s with its uploads).
RENDER_SECONDS = {"whole": 0.22, "sector": 0.018}
# Pages estimated to take less than this are rendered in this process: starting the workers
# takes ≈ 1,5 s before they render anything (spawning, importing polars, pandera and the
# project), and two workers then halve the rest: the pool breaks even at about twice that.
# With a margin, so that a small sector (the demo's 14 organisations) stays in one process.
POOL_MIN_SECONDS = 4.0
# Bump to render every page again after a change the source hash cannot see.
_FORMAT = "1"


# ------------------------------------------------------------------------------ fingerprints


@functools.cache
def code_version() -> str:
    """The version of the code that turns the inputs into a page (the report modules, their
    templates, the formatter and the template environment): a change in it renders every
    page again."""
    import rendement
    import schemas.vocabulary

    package = Path(rendement.__file__).parent
    files = [
        *package_files(package / "reports"),
        package / "core" / "formatting.py",
        package / "core" / "templates.py",
        package / "data" / "gemeenten.csv",  # municipality names on the Impactkaarten
        Path(schemas.vocabulary.__file__),
        Path(schemas.vocabulary.__file__).parent / "outputs.py",  # the Excel file's columns
    ]
    return versions.code_version(files, _LIBRARIES, _FORMAT)


def shared_version(warehouse: Warehouse, params) -> str:
    """The version of what every organisation's render job shares besides the sector figures:
    the code, the parameter set and the columns of the tables it reads. Not the date: a page
    says the day it was made (`Gemaakt op`), and a new day changes nothing it shows (with the
    date in it, the first run of a day rendered every organisation's page, ≈ 50 s at 540
    organisations, also when one organisation re-uploaded)."""
    return versions.digest(
        code_version(),
        str(params.version),
        repr(list(dict(params.baathebbers).items())),
        f"{PUBLIC_URL_ENV}={method_href()}",
        # the columns the pages read (the rows are per organisation)
        *(f"{name}:{list(getattr(warehouse, name).schema.items())!r}" for name in ORG_TABLES),
    )


def closed_sector_version(comparison: Published) -> str:
    """The version of the closed years' sector figures every organisation page compares with
    (the open years' provisional ones are per domain, `provisional_versions`)."""
    closed = comparison.for_years(sorted(comparison.closed))
    return versions.digest(
        repr(sorted(closed.closed.items())),
        repr(sorted(closed.rules_by_year.items(), key=lambda kv: kv[0])),
        repr(closed.rules),
        *(frame_version(f) for f in (closed.cells, closed.stakeholders, closed.intervals)),
    )


def provisional_versions(comparison: Published) -> dict[str, str]:
    """{domein: version of the open years' provisional cells of that domain}."""
    cells = comparison.cells.filter(~pl.col("jaar").is_in(sorted(comparison.closed)))
    if not cells.height:
        return {}
    return {
        key[0]: frame_version(part)
        for key, part in cells.partition_by("domein", as_dict=True).items()
    }


def organisation_domains(projects: pl.DataFrame) -> dict[str, list[str]]:
    """{organisatie_id: the domains of its projects, sorted}."""
    if not projects.height or not {"organisatie_id", "domein"} <= set(projects.columns):
        return {}
    pairs = projects.select("organisatie_id", "domein").unique().drop_nulls()
    out: dict[str, list[str]] = {}
    for org, domain in pairs.sort("organisatie_id", "domein").iter_rows():
        out.setdefault(org, []).append(domain)
    return out


def _validation_reports(folder: Path) -> list[str]:
    try:
        return sorted(os.listdir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return []


@dataclass(frozen=True)
class Fingerprint:
    """The versions of an organisation's render job: `own` covers what its Impactkaarten and
    Excel file are made from (its own rows and results, the parameter set, the code), `page`
    covers its page: `own` and the sector figures it compares with. A change in
    the sector's figures alone renders the page, not the cards and the workbook."""

    page: str
    own: str | None  # None: the cards and the workbook must be written (again)

    def text(self) -> str:
        return f"{self.page}\n{self.own}\n"


def fingerprints(
    home: Home,
    warehouse: Warehouse,
    comparison: Published,
    params,
    organisations: list[str],
) -> dict[str, Fingerprint]:
    """{organisatie_id: versions of everything its page, cards and workbook are made from}."""
    shared = shared_version(warehouse, params)
    closed = closed_sector_version(comparison)
    provisional = provisional_versions(comparison)
    domains = organisation_domains(warehouse.projects)
    tables = {name: versions_per_organisation(getattr(warehouse, name)) for name in ORG_TABLES}
    lake = Lake(home.lake)
    out = {}
    for org in organisations:
        own = versions.digest(
            shared,
            org,
            *(f"{name}:{tables[name].get(org, '-')}" for name in CARD_TABLES),
            *(f"{r}:{file_version(lake.mkba_path(r, org))}" for r in OWN_RESULTS),
            repr(_validation_reports(home.org_validation(org))),  # the uploads part links them
        )
        page = versions.digest(
            own,
            closed,
            *(f"{name}:{tables[name].get(org, '-')}" for name in PAGE_ONLY_TABLES),
            *(f"{d}:{provisional.get(d, '-')}" for d in domains.get(org, [])),
        )
        out[org] = Fingerprint(page, own)
    return out


def stored_fingerprint(folder: Path) -> Fingerprint | None:
    """The fingerprint of the render job in `folder`, if its page is there; its `own` part only
    if the Excel file and the page's kept parts are there too (a missing one renders the cards,
    the workbook and the kept parts again). A fingerprint of one line (written before the two
    parts) renders everything."""
    if not (folder / PAGE_FILE).is_file():
        return None
    try:
        lines = (folder / FINGERPRINT_FILE).read_text("ascii").split()
    except (FileNotFoundError, UnicodeDecodeError):
        return None
    if len(lines) != 2:
        return None
    page, own = lines
    kept = all((folder / f).is_file() for f in (RESULTS_FILE, OWN_PART_FILE, UPLOADS_PART_FILE))
    return Fingerprint(page, own if kept else None)


# ------------------------------------------------------------------------------ rendering


@dataclass(frozen=True)
class Shared:
    """What every page of one build gets (pickled once for the workers)."""

    home: Home  # the build's: `site` is the new version of the site
    comparison: Published
    params: object
    today: dt.date


@dataclass(frozen=True)
class OrgInput:
    """One page's input: the organisation's own rows only (pickled per organisation)."""

    org: str
    warehouse: Warehouse
    eigen: pl.DataFrame
    overrides: pl.DataFrame
    fingerprint: Fingerprint
    # the own inputs changed: write the Impactkaarten, the Excel file and the page's kept parts
    # (else they are read from the page's folder)
    cards: bool = True


def _own_warehouse(warehouse: Warehouse, parts: dict[str, dict[str, pl.DataFrame]], org: str):
    """The warehouse with only `org`'s rows in the tables its page reads (the page filters
    on `organisatie_id` itself, so it renders the same), and no rows elsewhere."""
    values = {}
    for f in fields(Warehouse):
        frame = getattr(warehouse, f.name)
        if f.name in ORG_TABLES:
            values[f.name] = parts[f.name].get(org, frame.clear()) if frame.height else frame
        elif isinstance(frame, pl.DataFrame):
            values[f.name] = frame.clear()
        else:
            values[f.name] = frame
    return Warehouse(**values)


def _for_cards(warehouse: Warehouse) -> Warehouse:
    """The organisation's rows of `CARD_TABLES` only: what its cards and workbook may read."""
    return replace(
        warehouse,
        **{name: getattr(warehouse, name).clear() for name in PAGE_ONLY_TABLES},
    )


def _partitions(frame: pl.DataFrame, organisations: list[str]) -> dict[str, pl.DataFrame]:
    """{org: its rows} for `organisations` only: after one re-upload a few pages are stale,
    and splitting every table into all 540 organisations' parts would cost more than
    rendering them (filtering keeps the rows' order, so the parts are the same)."""
    if not frame.height or "organisatie_id" not in frame.columns:
        return {}
    wanted = frame.filter(pl.col("organisatie_id").is_in(organisations))
    return {k[0]: v for k, v in wanted.partition_by("organisatie_id", as_dict=True).items()}


def render_one(shared: Shared, job: OrgInput) -> Path:
    """Render, write and fingerprint one organisation's page, with its Impactkaarten, its
    Excel file and the page's kept parts (its own part and its uploads) when their own inputs
    changed (written first: the fingerprint is written last, after everything it covers); else
    the kept parts are read back, and only its position against the sector is rendered."""
    folder = shared.home.org_site(job.org)
    reports = shared.home.org_validation(job.org)
    if job.cards:
        rows = _for_cards(job.warehouse)
        write_impactkaarten(folder, job.org, rows, shared.params, shared.today)
        write_results(folder, job.org, _org_name(job), rows, shared.today)
        own = own_part(job.org, rows, job.eigen, job.overrides, shared.params)
        uploads = uploads_part(job.org, rows, reports)
        write_atomic(folder / OWN_PART_FILE, own)
        write_atomic(folder / UPLOADS_PART_FILE, uploads)
    else:
        own = Markup((folder / OWN_PART_FILE).read_text("utf-8"))
        uploads = Markup((folder / UPLOADS_PART_FILE).read_text("utf-8"))
    html = organisation_page(
        job.org,
        job.warehouse,
        shared.comparison,
        job.eigen,
        job.overrides,
        shared.params,
        reports,
        generated=shared.today,
        own=own,
        uploads=uploads,
    )
    page = folder / PAGE_FILE
    write_atomic(page, html)
    link_validation(folder, reports)
    write_atomic(folder / FINGERPRINT_FILE, job.fingerprint.text())
    return page


def _org_name(job: OrgInput) -> str:
    orgs = job.warehouse.organisations
    if orgs.height and "naam" in orgs.columns:
        names = orgs.filter(pl.col("organisatie_id") == job.org)["naam"].drop_nulls()
        if names.len():
            return names[0]
    return job.org


@functools.lru_cache(maxsize=2)
def _load_shared(job_dir: str) -> Shared:
    with open(Path(job_dir) / "gedeeld.pickle", "rb") as f:
        return pickle.load(f)


def _render_from_job(job_dir: str, org: str) -> str:
    """Worker side of the pool: one page from the files `render_pages` wrote."""
    with open(Path(job_dir) / f"{org}.pickle", "rb") as f:
        job: OrgInput = pickle.load(f)
    return str(render_one(_load_shared(job_dir), job))


def render_seconds(jobs: list[OrgInput]) -> float:
    """The estimated CPU seconds of rendering `jobs` in this process (`RENDER_SECONDS`): a
    re-upload's pages are mostly of the other organisations whose sector figures moved, about
    twelve times cheaper than a whole page."""
    return sum(RENDER_SECONDS["whole" if job.cards else "sector"] for job in jobs)


def render_pages(shared: Shared, jobs: list[OrgInput]) -> list[Path]:
    """Render `jobs`, in a pool of processes when there are enough of them."""
    if render_seconds(jobs) < POOL_MIN_SECONDS or workers(len(jobs)) <= 1:
        return [render_one(shared, job) for job in jobs]
    with tempfile.TemporaryDirectory(prefix="rendement-rapporten-") as job_dir:
        with open(Path(job_dir) / "gedeeld.pickle", "wb") as f:
            pickle.dump(shared, f, protocol=pickle.HIGHEST_PROTOCOL)
        for job in jobs:
            with open(Path(job_dir) / f"{job.org}.pickle", "wb") as f:
                pickle.dump(job, f, protocol=pickle.HIGHEST_PROTOCOL)
        done = per_organisation(
            functools.partial(_render_from_job, job_dir), [job.org for job in jobs]
        )
    return [Path(p) for p in done]


@dataclass(frozen=True)
class OrgPages:
    rendered: list[Path]
    unchanged: list[Path]
    versions: dict[str, str]  # {organisatie_id: the fingerprint its page now has}

    @property
    def pages(self) -> list[Path]:
        return sorted([*self.rendered, *self.unchanged])


def build_organisation_pages(
    home: Home,
    warehouse: Warehouse,
    comparison: Published,
    params,
    today: dt.date,
    organisations: list[str],
) -> OrgPages:
    """Bring every organisation's page up to date; render only those whose inputs changed.
    `comparison` is what an organisation page may show of the sector
    (`rendement.reports.data.organisation_comparison`)."""
    for org in organisations:  # hand over reports still in the site before they are listed
        link_validation(home.org_site(org), home.org_validation(org))
    wanted = fingerprints(home, warehouse, comparison, params, organisations)
    recorded = {org: stored_fingerprint(home.org_site(org)) for org in organisations}
    pages = {org: fp.page for org, fp in wanted.items()}
    cards = set(  # whose Impactkaarten and workbook are out of date
        versions.stale(
            {org: fp.own for org, fp in wanted.items()},
            {org: fp.own for org, fp in recorded.items() if fp},
        )
    )
    stale = sorted(
        {*versions.stale(pages, {org: fp.page for org, fp in recorded.items() if fp}), *cards}
    )
    skip = set(organisations) - set(stale)
    unchanged = [home.org_site(org) / PAGE_FILE for org in organisations if org in skip]
    parts = {name: _partitions(getattr(warehouse, name), stale) for name in ORG_TABLES}
    jobs = []
    for org in stale:
        eigen, overrides = own_results(home, org)
        own_rows = _own_warehouse(warehouse, parts, org)
        jobs.append(OrgInput(org, own_rows, eigen, overrides, wanted[org], org in cards))
    rendered = render_pages(Shared(home, comparison, params, today), jobs)
    return OrgPages(rendered, unchanged, pages)


def link_validation(folder: Path, reports: Path) -> None:
    """Give an organisation's folder in the site a link to its validation reports
    (`folder/validatie` → `Home.org_validation`, relative, so the data home can be moved),
    so that its page's links work as files too, and the portal serves them from `reports`
    (`rendement.service.reports`). Made with each page (`render_one`), and for every
    organisation before the pages are fingerprinted: a real folder there, from a home whose
    reports were still in the site, hands its reports over first, so that they are listed
    where the page looks (each file is a hard link of the new site version: the version in use
    keeps its own until it is replaced)."""
    link = folder / VALIDATION_IN_SITE
    if not folder.is_dir() or link.is_symlink():
        return
    if link.is_dir():
        reports.mkdir(parents=True, exist_ok=True)
        for old in link.iterdir():
            if not (reports / old.name).exists():
                os.replace(old, reports / old.name)
        shutil.rmtree(link)
    elif not reports.is_dir():
        return  # no reports yet: linked by the first build after its first report
    tmp = folder / f".{VALIDATION_IN_SITE}.nieuw"
    tmp.unlink(missing_ok=True)
    os.symlink(os.path.relpath(reports.resolve(), folder.resolve()), tmp)
    os.replace(tmp, link)


# Pin the code version when the code is loaded: a process renders with the code it imported,
# even if the files change on disk while it runs.
code_version()

"""Every organisation's own report (`site/org/<ORG>/index.html`), rendered only when something
it shows changed, and then in a pool of processes.

A page costs tens of milliseconds (seven great-tables); the sector has hundreds of
organisations, and one organisation's re-upload changes few pages. So each page has a
fingerprint of everything it is made from, kept beside it in `site/org/<ORG>/.invoer` (a hex
SHA-256 and nothing else: it tells nobody anything about the data; the upload service does not
serve hidden names). A page is rendered again only when its fingerprint differs or it is
missing. The fingerprint covers:

* the organisation's own rows of every warehouse table the page reads (`ORG_TABLES`), as a set
  of row hashes (the page sorts what it shows, so the order rows come out of DuckDB does not
  matter), and those tables' column names and types;
* its own MKBA variant and overrides from the lake (the Parquet files' bytes), and which
  validation reports exist in its folder (the page links only to those);
* the provisional sector figures of open years in the organisation's own domains (a change in
  one domain's figures renders only the pages of organisations with projects in it);
* what every page shares: the published figures of closed years it compares with, the
  parameter set's version and stakeholders, the date on the page, and the version of the code
  that renders it (the source of `rendement.reports`, `rendement.core.formatting`
  and the vocabulary, and the versions of great-tables, htmltools and polars; row hashes are
  only stable within one polars version).

Rendering many pages (`POOL_MIN_PAGES`) uses `rendement.core.lake.per_organisation` (spawned
workers, `RENDEMENT_WORKERS`). The workers do not open the warehouse: each page's rows are
written to a private temporary folder as one pickle per organisation, plus one with what the
pages share, and a worker renders from those. Pages are written atomically (temporary file + rename), the
fingerprint after the page, so an interrupted build renders the page again next time.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import pickle
import tempfile
from dataclasses import dataclass, fields
from pathlib import Path

import polars as pl

from rendement.core.files import write_atomic
from rendement.core.home import Home
from rendement.core.lake import Lake, per_organisation, workers
from rendement.reports.data import Published, Warehouse, own_results
from rendement.reports.digest import code_digest, row_hashes
from rendement.reports.organisation import organisation_page

FINGERPRINT_FILE = ".invoer"
PAGE_FILE = "index.html"
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
)
# Own results the MKBA stage writes to the lake per organisation (`data.own_results`).
OWN_RESULTS = ("project_eigen", "overrides")
_LIBRARIES = ("great-tables", "htmltools", "polars")
# Fewer pages than this are rendered in this process: starting the pool's workers (imports,
# ≈ 2 s of CPU each) costs more than rendering a few dozen pages (≈ 45 ms each).
POOL_MIN_PAGES = 40
# Bump to render every page again after a change the source hash cannot see.
_FORMAT = "1"


# ------------------------------------------------------------------------------ fingerprints


@functools.cache
def code_version() -> str:
    """A hash of the code that turns the inputs into a page (the report modules, their
    templates, the formatter and the template environment): a change in it renders every
    page again."""
    import rendement
    import schemas.vocabulary

    package = Path(rendement.__file__).parent
    files = [
        *sorted((package / "reports").glob("*.py")),
        *sorted(p for p in (package / "reports" / "templates").iterdir() if p.is_file()),
        package / "core" / "formatting.py",
        package / "core" / "templates.py",
        Path(schemas.vocabulary.__file__),
    ]
    return code_digest(files, _LIBRARIES, _FORMAT)


def _set_digest(hashes: pl.DataFrame) -> bytes:
    """The digest of a set of rows given their hashes: independent of the rows' order."""
    ordered = hashes.sort("a", "b")
    return hashlib.sha256(
        ordered["a"].to_numpy().tobytes() + ordered["b"].to_numpy().tobytes()
    ).digest()


def frame_digest(frame: pl.DataFrame) -> bytes:
    """The digest of a whole frame: its columns and types, and its rows as a set."""
    h = hashlib.sha256(repr(list(frame.schema.items())).encode())
    h.update(_set_digest(row_hashes(frame)) if frame.height else b"")
    return h.digest()


def digests_per_organisation(frame: pl.DataFrame) -> dict[str, bytes]:
    """{organisatie_id: digest of that organisation's rows as a set}, in one pass."""
    if not frame.height or "organisatie_id" not in frame.columns:
        return {}
    hashes = (
        row_hashes(frame)
        .with_columns(org=frame["organisatie_id"])
        .filter(pl.col("org").is_not_null())
        .sort("org", "a", "b")
    )
    # One sort for all organisations; each one's rows are then a contiguous run, in the order
    # `_set_digest` would put them.
    orgs = hashes["org"].to_list()
    a, b = hashes["a"].to_numpy(), hashes["b"].to_numpy()
    out, start = {}, 0
    for end in range(1, len(orgs) + 1):
        if end == len(orgs) or orgs[end] != orgs[start]:
            out[orgs[start]] = hashlib.sha256(
                a[start:end].tobytes() + b[start:end].tobytes()
            ).digest()
            start = end
    return out


def shared_digest(warehouse: Warehouse, comparison: Published, params, today: dt.date) -> bytes:
    """The digest of what every organisation page shares (the closed years' figures; the open
    years' provisional ones are per domain, `provisional_digests`)."""
    closed = comparison.for_years(sorted(comparison.closed))
    h = hashlib.sha256()
    for part in (
        code_version(),
        today.isoformat(),
        str(params.version),
        repr(list(dict(params.baathebbers).items())),
        repr(sorted(closed.closed.items())),
        repr(sorted(closed.rules_by_year.items(), key=lambda kv: kv[0])),
        repr(closed.rules),
    ):
        h.update(part.encode() + b"\x00")
    for frame in (closed.cells, closed.stakeholders, closed.intervals):
        h.update(frame_digest(frame))
    for name in ORG_TABLES:  # the columns the pages read (the rows are per organisation)
        h.update(f"{name}:{list(getattr(warehouse, name).schema.items())!r}".encode())
    return h.digest()


def provisional_digests(comparison: Published) -> dict[str, bytes]:
    """{domein: digest of the open years' provisional cells of that domain}."""
    cells = comparison.cells.filter(~pl.col("jaar").is_in(sorted(comparison.closed)))
    if not cells.height:
        return {}
    return {
        key[0]: frame_digest(part)
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


def _file_digest(path: Path) -> bytes:
    try:
        return hashlib.sha256(path.read_bytes()).digest()
    except FileNotFoundError:
        return b"-"


def _validation_reports(folder: Path) -> list[str]:
    try:
        return sorted(os.listdir(folder / "validatie"))
    except (FileNotFoundError, NotADirectoryError):
        return []


def fingerprints(
    home: Home,
    warehouse: Warehouse,
    comparison: Published,
    params,
    today: dt.date,
    organisations: list[str],
) -> dict[str, str]:
    """{organisatie_id: hex fingerprint of everything its page is made from}."""
    shared = shared_digest(warehouse, comparison, params, today)
    provisional = provisional_digests(comparison)
    domains = organisation_domains(warehouse.projects)
    tables = {name: digests_per_organisation(getattr(warehouse, name)) for name in ORG_TABLES}
    lake = Lake(home.lake)
    out = {}
    for org in organisations:
        h = hashlib.sha256(shared)
        h.update(org.encode() + b"\x00")
        for domain in domains.get(org, []):
            h.update(domain.encode() + provisional.get(domain, b"-"))
        for name in ORG_TABLES:
            h.update(name.encode() + tables[name].get(org, b"-"))
        for result in OWN_RESULTS:
            h.update(result.encode() + _file_digest(lake.mkba_path(result, org)))
        h.update(repr(_validation_reports(home.org_site(org))).encode())
        out[org] = h.hexdigest()
    return out


def stored_fingerprint(folder: Path) -> str | None:
    """The fingerprint of the page in `folder`, if both are there."""
    if not (folder / PAGE_FILE).is_file():
        return None
    try:
        return (folder / FINGERPRINT_FILE).read_text("ascii").strip()
    except (FileNotFoundError, UnicodeDecodeError):
        return None


# ------------------------------------------------------------------------------ rendering


@dataclass(frozen=True)
class Shared:
    """What every page of one build gets (pickled once for the workers)."""

    site: Path
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
    fingerprint: str


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


def _partitions(frame: pl.DataFrame, organisations: list[str]) -> dict[str, pl.DataFrame]:
    """{org: its rows} for `organisations` only: after one re-upload a few pages are stale,
    and splitting every table into all 540 organisations' parts would cost more than
    rendering them (filtering keeps the rows' order, so the parts are the same)."""
    if not frame.height or "organisatie_id" not in frame.columns:
        return {}
    wanted = frame.filter(pl.col("organisatie_id").is_in(organisations))
    return {k[0]: v for k, v in wanted.partition_by("organisatie_id", as_dict=True).items()}


def render_one(shared: Shared, job: OrgInput) -> Path:
    """Render, write and fingerprint one organisation's page."""
    folder = shared.site / "org" / job.org
    html = organisation_page(
        job.org,
        job.warehouse,
        shared.comparison,
        job.eigen,
        job.overrides,
        shared.params,
        folder,
        generated=shared.today,
    )
    page = folder / PAGE_FILE
    write_atomic(page, html)
    write_atomic(folder / FINGERPRINT_FILE, job.fingerprint + "\n")
    return page


@functools.lru_cache(maxsize=2)
def _load_shared(job_dir: str) -> Shared:
    with open(Path(job_dir) / "gedeeld.pickle", "rb") as f:
        return pickle.load(f)


def _render_from_job(job_dir: str, org: str) -> str:
    """Worker side of the pool: one page from the files `render_pages` wrote."""
    with open(Path(job_dir) / f"{org}.pickle", "rb") as f:
        job: OrgInput = pickle.load(f)
    return str(render_one(_load_shared(job_dir), job))


def render_pages(shared: Shared, jobs: list[OrgInput]) -> list[Path]:
    """Render `jobs`, in a pool of processes when there are enough of them."""
    if len(jobs) < POOL_MIN_PAGES or workers(len(jobs)) <= 1:
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
    wanted = fingerprints(home, warehouse, comparison, params, today, organisations)
    stale = [org for org in organisations if stored_fingerprint(home.org_site(org)) != wanted[org]]
    skip = set(organisations) - set(stale)
    unchanged = [home.org_site(org) / PAGE_FILE for org in organisations if org in skip]
    if not stale:
        return OrgPages([], unchanged)
    parts = {name: _partitions(getattr(warehouse, name), stale) for name in ORG_TABLES}
    jobs = []
    for org in stale:
        eigen, overrides = own_results(home, org)
        jobs.append(
            OrgInput(org, _own_warehouse(warehouse, parts, org), eigen, overrides, wanted[org])
        )
    shared = Shared(home.site, comparison, params, today)
    return OrgPages(render_pages(shared, jobs), unchanged)


# Pin the code version when the code is loaded: a process renders with the code it imported,
# even if the files change on disk while it runs.
code_version()

"""Where a run keeps everything it produces: the data home (`RENDEMENT_HOME`, default `./data`).

One folder so that an analyst can copy, back up or delete a whole installation at once, and so
that every part of the code (CLI, Dagster, upload service, tests) agrees on the paths.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ENV_VAR = "RENDEMENT_HOME"
DEFAULT_HOME = "data"
# Where an organisation's validation reports appear beside its page (`site/org/<ORG>/validatie`,
# a link to `Home.org_validation`), in the page's links and in the portal's paths.
VALIDATION_IN_SITE = "validatie"


@dataclass(frozen=True)
class Home:
    """Paths inside one data home. Create folders with `ensure()` before writing.

    `site_folder`: where `site` points while the reports build a new version of the site
    (`rendement.core.files.switched_folder`); None everywhere else."""

    root: Path
    site_folder: Path | None = None

    @classmethod
    def from_env(cls, override: str | os.PathLike | None = None) -> Home:
        raw = override if override is not None else os.environ.get(ENV_VAR, DEFAULT_HOME)
        return cls(Path(raw).expanduser().resolve())

    @property
    def inbox(self) -> Path:
        """Uploads waiting for intake, one folder per organisation."""
        return self.root / "inbox"

    @property
    def archive(self) -> Path:
        """Every upload ever received, unchanged, named by its SHA-256."""
        return self.root / "archive"

    @property
    def quarantine(self) -> Path:
        """Uploads that could not be accepted at all, with a reason file beside each."""
        return self.root / "quarantine"

    @property
    def lake(self) -> Path:
        """Parquet files written per organisation by the partitioned assets."""
        return self.root / "lake"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def warehouse_read(self) -> Path:
        """The read copy of the warehouse that analysts and the CLI open, so that a reader
        never blocks a run (`rendement.core.readcopy`)."""
        return self.root / "warehouse-lezen.duckdb"

    @property
    def site(self) -> Path:
        """Published HTML; `site/org/<id>/` is each organisation's private part. A symbolic
        link to the current version of the site once the reports have built one (switched
        in one rename: `rendement.core.files.switched_folder`)."""
        return self.site_folder if self.site_folder is not None else self.root / "site"

    @property
    def validation(self) -> Path:
        """Every upload's validation report, JSON and HTML, per organisation
        (`validatie/<ORG>/<kenmerk>.json|html`), written once by intake and never changed.
        Outside the versioned site: hard-linked into every new version of the site they were
        three quarters of its files at 540 organisations (more with every year of uploads), and
        most of the cost of its switch. Each organisation's folder in the site links to its
        reports (`site/org/<ORG>/validatie`, `rendement.reports.org_pages.link_validation`)."""
        return self.root / "validatie"

    @property
    def public(self) -> Path:
        """What may be published, and nothing else: the releases' pages and an index
        (`rendement.reports.public`). A symbolic link switched per build, like `site`."""
        return self.root / "openbaar"

    @property
    def audit_log(self) -> Path:
        """Append-only JSON lines: every intake and upload-service action."""
        return self.root / "audit.jsonl"

    @property
    def secrets(self) -> Path:
        """Key material (pseudonymisation key), owner-only permissions."""
        return self.root / "secrets"

    @property
    def dagster(self) -> Path:
        """The persistent Dagster instance (DAGSTER_HOME) used by `rendement demo` and the UI."""
        return self.root / "dagster"

    @property
    def overrides(self) -> Path:
        """The organisations' own parameter overrides (`rendement.mkba.overrides`)."""
        return self.root / "parameters" / "afwijkingen.csv"

    @property
    def proposals(self) -> Path:
        """Organisations' proposed deviations and the analysts' decisions
        (`rendement.core.proposals`)."""
        return self.root / "parameters" / "voorstellen.json"

    @property
    def releases(self) -> Path:
        """Frozen releases of the annual overview, one folder each (`rendement.release`)."""
        return self.root / "releases"

    @property
    def registry(self) -> Path:
        """The organisation register: ids, names, hashed API tokens."""
        return self.root / "organisaties.json"

    @property
    def accounts(self) -> Path:
        """The portal's personal accounts: e-mail addresses, roles, argon2 password hashes."""
        return self.root / "gebruikers.json"

    @property
    def receipts(self) -> Path:
        """The upload service's receipts, one JSON per upload under `<ORG>/`, for the portal."""
        return self.root / "ontvangstbewijzen"

    def org_inbox(self, org_id: str) -> Path:
        return self.inbox / org_id

    def org_site(self, org_id: str) -> Path:
        return self.site / "org" / org_id

    def org_validation(self, org_id: str) -> Path:
        return self.validation / org_id

    def ensure(self) -> Home:
        for path in (self.inbox, self.archive, self.quarantine, self.lake, self.site, self.dagster):
            path.mkdir(parents=True, exist_ok=True)
        self.secrets.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self

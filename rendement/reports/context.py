"""How a page is placed: in the working version of the site or inside a frozen release."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rendement.core.formatting import nl_date, nl_number
from rendement.core.templates import Markup, fragment
from rendement.reports.page import page

DOMAIN_TOTAL_LABEL = "Hele sector"


@dataclass(frozen=True)
class Context:
    """Where a page lives and what frames it.

    `root`: relative path from the page to the root of its site (the working site or the
    release folder). `release`: the manifest when the page belongs to a release.
    """

    root: str = "."
    generated: dt.date | None = None
    release: dict | None = None
    nav: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    parameter_version: str = ""

    def href(self, name: str) -> str:
        return name if self.root == "." else f"{self.root}/{name}"

    def render(
        self,
        title: str,
        body: Markup,
        *,
        current: str,
        subtitle: str | None = None,
        banner: Markup | None = None,
    ) -> str:
        """The complete page: `body` (a rendered template) in the shell, with this context's
        navigation, banner and footer."""
        nav = tuple((self.href(h), label) for h, label in self.nav)
        return page(
            title,
            body,
            root=self.root,
            subtitle=subtitle,
            generated=self.generated,
            nav=nav,
            current=self.href(current),
            banner=banner if banner is not None else self.banner(),
            footer=self.footer(),
            brand="Sociaal rendement"
            + (f" — release {self.release['release']}" if self.release else ""),
        )

    def banner(self) -> Markup:
        r = self.release or {}
        return fragment(
            "rendement.reports",
            "parts.html",
            "banner",
            r.get("release"),
            r.get("gepubliceerd_op"),
            r.get("peildatum"),
            period_text(r) if r else None,
            r.get("parameterversie"),
        )

    def footer(self) -> Markup:
        r = self.release or {}
        return fragment(
            "rendement.reports",
            "parts.html",
            "footer",
            r.get("release"),
            r.get("parameterversie", self.parameter_version),
            self.href("manifest.json"),
        )


def _date(iso: str) -> str:
    return nl_date(iso)


def period_text(manifest: dict) -> str:
    p = manifest["dataperiode"]
    return str(p["van"]) if p["van"] == p["tot_en_met"] else f"{p['van']}–{p['tot_en_met']}"


def date_text(iso: str) -> str:
    return _date(iso)


def count_text(n: int, one: str, many: str) -> str:
    return f"{nl_number(n)} {one if n == 1 else many}"

"""The analysts' delivery page, `site/leveringen.html`: per organisation whether it delivered
for a reporting year, from the audit log (`rendement.intake.delivery.delivery_status`), as
cards and a great-tables table in the template `templates/deliveries.html`.

Written by the warehouse asset after each load and by `rendement org leveringen`; served live
by the upload service. Not in the page registry: it is no report of the figures, and it is
written from the audit log at other moments than the site.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
from great_tables import GT

from rendement.core import audit
from rendement.core.files import write_atomic
from rendement.core.formatting import nl_local_datetime, nl_today
from rendement.core.home import Home
from rendement.core.registry import Registry
from rendement.core.templates import Markup, render
from rendement.intake.delivery import STATUS_LABELS, STATUSES, delivery_status
from rendement.reports.page import page
from rendement.reports.registry import site_nav

DELIVERY_PAGE = "leveringen.html"


def delivery_page_html(registry_orgs, audit_frame: pl.DataFrame, year: int) -> str:
    """The delivery page of `year` for the registered organisations `registry_orgs`."""
    return delivery_page_of(delivery_status(registry_orgs, audit_frame, year), year)


def delivery_page_of(df: pl.DataFrame, year: int) -> str:
    """The delivery page of `year` from its `delivery_status` rows."""
    cards = [(STATUS_LABELS[s], df.filter(pl.col("status") == s).height, None) for s in STATUSES]
    shown = df.with_columns(
        pl.col("status").replace_strict(STATUS_LABELS, return_dtype=pl.String),
        pl.col("naam").fill_null("(niet in het register)"),
        pl.col("laatste_levering").map_elements(nl_local_datetime, return_dtype=pl.String),
        pl.col("laatste_reden").fill_null(""),
    ).drop("jaar", "geregistreerd", "eerste_levering", "in_behandeling")
    table = (
        GT(shown, id="leveringsstatus", locale="nl")
        .tab_header(
            title=f"Leveringen over verslagjaar {year}",
            subtitle=f"{df.height} organisaties, stand van het auditlogboek",
        )
        .cols_label(
            organisatie_id="Code",
            naam="Organisatie",
            status="Status",
            bestanden="Bestanden",
            geaccepteerd="Aangenomen",
            deels_geaccepteerd="Deels aangenomen",
            geweigerd="Geweigerd",
            laatste_levering="Laatste levering (Nederlandse tijd)",
            laatste_reden="Laatste weigering",
        )
        .tab_spanner(
            label="Bestanden per uitkomst",
            columns=["bestanden", "geaccepteerd", "deels_geaccepteerd", "geweigerd"],
        )
        .sub_missing(missing_text="")
        .tab_source_note(
            "Bron: auditlogboek (inname en uploadservice). Een bestand telt voor het "
            "verslagjaar dat de inname erin las."
        )
        .as_raw_html()
    )
    body = render(
        "rendement.reports", "deliveries.html", cards=cards, table=Markup(table)
    )  # the table is made by great-tables, which escapes the cells
    return page(
        f"Leveringen {year}",
        body,
        subtitle="Wie heeft geleverd, wie niet, en wiens bestanden zijn afgekeurd",
        generated=nl_today(),
        nav=site_nav(),
        current=DELIVERY_PAGE,
    )


def write_delivery_page(home: Home, year: int, status: pl.DataFrame | None = None) -> Path:
    """Write `site/leveringen.html` for `year` from the register and the audit log, or from
    `status` (`delivery_status_all_years` of them, as the warehouse asset has it already)."""
    if status is None:
        orgs = Registry.load(home.registry).organisations()
        status = delivery_status(orgs, audit.read(home.audit_log), year)
    html = delivery_page_of(status.filter(pl.col("jaar") == year), year)
    return write_atomic(home.site / DELIVERY_PAGE, html)

"""Index pages: the site's entry page (releases, the working version, the organisation
reports) and the landing page of one release (its date, data period, parameter version and
disclosure rules)."""

from __future__ import annotations

import polars as pl

from rendement.core.formatting import nl_number
from rendement.core.templates import Markup, fragment, render
from rendement.reports.context import Context, date_text, period_text
from rendement.reports.data import Published
from rendement.reports.tables import gt_markup


def _part(macro: str, *args: object) -> Markup:
    return fragment("rendement.reports", "parts.html", macro, *args)


def releases_table(manifests: list[dict], href_prefix: str = "releases/") -> Markup:
    if not manifests:
        return render("rendement.reports", "no_release.html")
    rows = [
        {
            "release": m["release"],
            "jaar": str(m["verslagjaar"]),
            "jaren": period_text(m),
            "peildatum": date_text(m["peildatum"]),
            "vastgesteld": date_text(m["gepubliceerd_op"]),
            "parameters": m["parameterversie"],
            "link": _part("link", href_prefix + m["release"] + "/index.html", "openen"),
        }
        for m in sorted(manifests, key=lambda m: m["verslagjaar"], reverse=True)
    ]
    return gt_markup(
        pl.DataFrame(rows),
        "index-releases",
        labels={
            "release": "Release",
            "jaar": "Verslagjaar",
            "jaren": "Jaren",
            "peildatum": "Gegevens tot en met",
            "vastgesteld": "Vastgesteld op",
            "parameters": "Parameterset",
            "link": "",
        },
        raw=["link"],
        title="Releases",
        subtitle="Vastgestelde jaaroverzichten; elk blijft ongewijzigd op zijn eigen adres",
    )


def site_index(
    ctx: Context,
    manifests: list[dict],
    pub: Published,
    *,
    organisations: list[str],
    parameter_version: str,
    data_received: str | None,
    links: list[tuple[str, str]],
    title: str = "Sociaal rendement",
) -> str:
    """The working site's entry page; `links`: (href, label) of its pages (from the page
    registry, plus any extra such as the delivery page)."""
    years = pub.years
    open_years = [y for y in years if not pub.is_closed(y)]
    facts = [
        ("Jaren met gegevens", ", ".join(map(str, years)) or "geen"),
        (
            "Vastgesteld",
            ", ".join(f"{y} (release {pub.closed[y]})" for y in sorted(pub.closed)) or "nog niets",
        ),
        ("Voorlopig", ", ".join(map(str, open_years)) or "geen"),
        ("Parameterset", parameter_version),
        ("Laatste aanlevering ontvangen", data_received or "onbekend"),
    ]
    facts_table = gt_markup(
        pl.DataFrame({"wat": [f for f, _ in facts], "waarde": [v for _, v in facts]}),
        "index-stand",
        labels={"wat": "", "waarde": ""},
        title="Stand van de gegevens",
        width=None,
    )
    orgs = None
    if organisations:
        orgs_df = pl.DataFrame(
            {
                "organisatie": organisations,
                "rapport": [
                    _part("link", f"org/{o}/index.html", "eigen rapport") for o in organisations
                ],
            }
        )
        orgs = gt_markup(
            orgs_df,
            "index-organisaties",
            labels={"organisatie": "Organisatie", "rapport": ""},
            raw=["rapport"],
            width=None,
        )
    body = render(
        "rendement.reports",
        "index.html",
        releases=releases_table(manifests),
        work=links,
        facts=facts_table,
        organisations=orgs,
    )
    return ctx.render(title, body, current="index.html", subtitle="Rapporten en releases")


def release_index(
    ctx: Context, manifest: dict, pub: Published, links: list[tuple[str, str]]
) -> str:
    """A release's landing page; `links`: (href, label) of its pages (from the registry)."""
    m = manifest
    rules = m["onthullingsregels"]
    facts = [
        ("Verslagjaar", str(m["verslagjaar"])),
        ("Jaren in deze release", period_text(m)),
        ("Gegevens aangenomen tot en met", date_text(m["peildatum"])),
        ("Vastgesteld op", date_text(m["gepubliceerd_op"])),
        ("Parameterset", m["parameterversie"]),
        ("Prijsjaar", str(m["prijsjaar"])),
        ("Discontovoet", f"{nl_number(100 * m['discontovoet'], 2)} % reëel"),
        (
            "Publicatieregels",
            f"minimaal {rules['min_orgs']} organisaties; dominantie ({rules['dominance_n']}, "
            f"{nl_number(100 * rules['dominance_k'])} %); aantallen < {rules['min_count']} "
            f"verborgen, afgerond op {rules['round_to']}-tallen; percentielen ≥ "
            f"{rules['min_tail']} waarden aan elke kant",
        ),
    ]
    excluded = m.get("buiten_release", {})
    if excluded.get("projectjaren_na_peildatum"):
        facts.append(
            (
                "Na de peildatum aangeleverd",
                f"{nl_number(excluded['projectjaren_na_peildatum'])} projectjaren (niet in deze release)",
            )
        )
    facts_table = gt_markup(
        pl.DataFrame({"wat": [f for f, _ in facts], "waarde": [v for _, v in facts]}),
        "release-gegevens",
        labels={"wat": "", "waarde": ""},
        title=f"Release {m['release']}",
        width=None,
    )
    year_rows = [
        {
            "jaar": y,
            "release": info["release"],
            "parameters": info["parameterversie"],
        }
        for y, info in sorted(m["jaren"].items())
    ]
    years_table = gt_markup(
        pl.DataFrame(year_rows),
        "release-jaren",
        labels={"jaar": "Jaar", "release": "Vastgesteld in release", "parameters": "Parameterset"},
        title="Jaren in deze release",
        subtitle="Een jaar dat al in een eerdere release stond, is ongewijzigd overgenomen",
        width=None,
    )
    links = [*links, ("manifest.json", "Manifest met controlegetallen (SHA-256) van alle pagina's")]
    body = render(
        "rendement.reports", "release_index.html", links=links, facts=facts_table, years=years_table
    )
    return ctx.render(
        f"Jaaroverzicht sociaal rendement {m['verslagjaar']}",
        body,
        current="index.html",
        subtitle=f"Release {m['release']}",
    )

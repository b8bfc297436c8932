"""The sector overview (jaaroverzicht) for branch analysts: per domain the key figures, the
distribution of benefit/cost ratios, trends over the years, who gains, and the intervention
types side by side. Only published cells and aggregates, suppressed cells with their symbol.
"""

from __future__ import annotations

import math

import polars as pl

from rendement.benchmark.disclosure import legend
from rendement.core.formatting import nl_euro, nl_number, nl_percent
from rendement.core.templates import Markup, escape, render
from rendement.reports import charts
from rendement.reports.context import DOMAIN_TOTAL_LABEL, Context
from rendement.reports.data import Published
from rendement.reports.tables import CellIndex, empty_text, gt_markup, symbol_html
from rendement.reports.words import DEFINITION, RATIO
from schemas.outputs import TOTAL
from schemas.vocabulary import DOMAINS, INTERVENTIONS

ROWS = [*DOMAINS, TOTAL]

KEY_COLUMNS = [
    ("organisaties", "aantal", "Organisaties"),
    ("projecten", "aantal", "Projecten"),
    ("deelnemers", "aantal", "Deelnemers"),
    ("fte", "som", "Fte"),
    ("vrijwilligers", "som", "Vrijwilligers"),
    ("kosten", "som", "Kosten"),
    ("kosten_per_deelnemer", "mediaan", "Kosten per deelnemer (mediaan, gemeten)"),
    ("aandeel_verbeterd", "aandeel", "Aandeel verbeterd"),
    ("bkr", "mediaan", "Rendementsfactor (mediaan, gemeten)"),
]

# What the measured part of the sector is a share of (`benchmark.cellen`, basis gemeten / alle).
SHARE_MEASURES = [
    ("projecten", "aantal", "Projecten"),
    ("deelnemers", "aantal", "Deelnemers"),
    ("kosten", "som", "Kosten"),
]
BASIS_NOTE = (
    "Gemeten: projectjaren waarvan de uitkomsten uit trajecten en metingen van deelnemers "
    "komen. Referentie: projectjaren van organisaties zonder registratie per cliënt, waarvan "
    "de uitkomsten op hun eigen telling of op een referentie-effect rusten (het gemiddelde "
    "effect bij gemeten projecten met dezelfde interventie, of een bronwaarde) maal het "
    "aantal bereikte personen. Percentielen gaan altijd over één van de twee, nooit over "
    "beide samen; aantallen en sommen zonder vermelding over alle projecten."
)

TREND_MEASURES = [
    ("bkr", "mediaan", "Rendementsfactor (mediaan over gemeten projecten)", 1.0),
    ("aandeel_verbeterd", "aandeel", "Aandeel gemeten deelnemers met verbetering", None),
    ("deelnemers", "aantal", "Bereikte deelnemers", None),
    ("kosten", "som", "Kosten (contante waarde)", None),
]


def domain_label(code: str) -> str:
    return DOMAIN_TOTAL_LABEL if code == TOTAL else DOMAINS.get(code, code)


def year_label(pub: Published, year: int) -> str:
    return str(year) if pub.is_closed(year) else f"{year}*"


def _concept_note(pub: Published, years: list[int]) -> list[str]:
    open_years = [y for y in years if not pub.is_closed(y)]
    if not open_years:
        return []
    return [
        "* voorlopig: " + ", ".join(map(str, open_years)) + " is nog niet vastgesteld in een "
        "release en verandert met elke aanlevering."
    ]


def key_figures_table(pub: Published, year: int) -> Markup:
    idx = CellIndex.of(pub.cells)
    rows = []
    for d in ROWS:
        row = {"domein": domain_label(d)}
        for maat, stat, _label in KEY_COLUMNS:
            row[maat] = idx.get(year, d, maat, stat).html()
        rows.append(row)
    df = pl.DataFrame(rows)
    cols = [m for m, _, _ in KEY_COLUMNS]
    return gt_markup(
        df,
        "sector-kerncijfers",
        stub="domein",
        labels={m: label for m, _, label in KEY_COLUMNS},
        raw=cols,
        right=cols,
        title=f"Kerncijfers per domein, {year_label(pub, year)}",
        subtitle="Kosten in contante waarde (euro's van het prijsjaar); deelnemers afgerond op "
        f"{pub.rules.round_to}-tallen",
        notes=[
            "Aandeel verbeterd: van de deelnemers met een begin- en eindmeting het deel dat op "
            "minstens één instrument vooruitging. Rendementsfactor: baten/kosten, mediaan over "
            "gemeten projecten (de projecten op referentie staan apart in Gemeten en "
            "referentie).",
            *_concept_note(pub, [year]),
        ],
    )


def ratio_distribution_table(pub: Published, year: int) -> Markup:
    idx = CellIndex.of(pub.cells)
    stats = ["p10", "p25", "mediaan", "p75", "p90"]
    values = [idx.value(year, d, "bkr", s) for d in ROWS for s in stats]
    ax = charts.axis(values, include=[0.0, 1.0])
    rows = []
    for d in ROWS:
        cells = {s: idx.get(year, d, "bkr", s) for s in stats}
        width = idx.get(year, d, "bkr_mc_breedte", "mediaan")
        label = (
            "Rendementsfactor "
            + domain_label(d)
            + ": "
            + "; ".join(
                f"{'mediaan' if s == 'mediaan' else s.upper()} {c.text()}" for s, c in cells.items()
            )
        )
        rows.append(
            {
                "domein": domain_label(d),
                "projecten": idx.get(year, d, "projecten", "aantal").html(),
                **{s: c.html() for s, c in cells.items()},
                "grafiek": charts.distribution(
                    *(cells[s].waarde for s in stats), ax=ax, ref=1.0, label=label
                ),
                "mc": width.html(),
            }
        )
    df = pl.DataFrame(rows)
    raw = ["projecten", *stats, "grafiek", "mc"]
    return gt_markup(
        df,
        "sector-bkr-verdeling",
        stub="domein",
        labels={
            "projecten": "Projecten",
            "p10": "P10",
            "p25": "P25",
            "mediaan": "Mediaan",
            "p75": "P75",
            "p90": "P90",
            "grafiek": f"P10–P90 (schaal {ax.caption()})",
            "mc": "Modelonzekerheid",
        },
        raw=raw,
        right=["projecten", *stats, "mc"],
        center=["grafiek"],
        spanners=[("Verdeling over projecten", stats)],
        title=f"Rendementsfactor per domein, gemeten projecten, {year_label(pub, year)}",
        subtitle="Hoe de verhouding tussen projecten verschilt: de helft van de projecten ligt "
        "tussen P25 en P75, vier op de vijf tussen P10 en P90",
        notes=[
            "Grafiek: lijn P10–P90, blok P25–P75, streep mediaan; de rode stippellijn is 1 "
            "(baten even groot als kosten). " + _tail_note(pub),
            "Modelonzekerheid: mediaan over projecten van de breedte van het 90 %-interval uit de "
            "Monte Carlo-analyse (P95 − P5 van de rendementsfactor van één project).",
            *(
                [
                    "Grafiek: een waarde buiten de schaal (na de onderbreking //) staat aan de "
                    "rand met een driehoek en haar getal."
                ]
                if ax.clipped
                else []
            ),
            *_concept_note(pub, [year]),
        ],
    )


def trend_table(pub: Published, years: list[int]) -> Markup:
    idx = CellIndex.of(pub.cells)
    rows = []
    for maat, stat, title, ref in TREND_MEASURES:
        for d in ROWS:
            cells = [idx.get(y, d, maat, stat) for y in years]
            row = {"groep": title, "domein": domain_label(d)}
            for y, c in zip(years, cells, strict=True):
                row[str(y)] = c.html()
            row["trend"] = charts.sparkline(
                [c.waarde for c in cells],
                ref=ref,
                label=f"{title}, {domain_label(d)}: "
                + ", ".join(f"{y} {c.text()}" for y, c in zip(years, cells, strict=True)),
            )
            rows.append(row)
    df = pl.DataFrame(rows)
    ycols = [str(y) for y in years]
    return gt_markup(
        df,
        "sector-trend",
        stub="domein",
        group="groep",
        labels={**{str(y): year_label(pub, y) for y in years}, "trend": "Verloop"},
        raw=[*ycols, "trend"],
        right=ycols,
        center=["trend"],
        title="Ontwikkeling over de jaren",
        subtitle="Elk jaar op zichzelf berekend (geen totalen over jaren heen)",
        notes=_concept_note(pub, years)
        + ["Verloop: de rode stippellijn bij de rendementsfactor is 1."],
    )


NOTHING_ALLOCATED = "Geen bedrag: deze partij krijgt in dit domein niets toegedeeld"


def stakeholder_table(pub: Published, year: int, stakeholders: dict[str, str]) -> Markup:
    frame = pub.stakeholders.filter(pl.col("jaar") == year)
    if not frame.height:
        return empty_text("Voor dit jaar zijn geen cijfers per baathebber vastgesteld.")
    look = {(r["maat"], r["domein"], r["baathebber"]): r for r in frame.iter_rows(named=True)}

    def cell(maat: str, d: str, s: str) -> tuple[str, float | None]:
        r = look.get((maat, d, s))
        if r is None:
            return symbol_html("x", "Geen cel gepubliceerd"), None
        if r["status"] == "gepubliceerd" and r["waarde"] == 0:  # nothing, as an empty cell
            return symbol_html(".", NOTHING_ALLOCATED), 0.0
        if r["waarde"] is None or r["status"] == "leeg":
            return symbol_html(r["symbool"], r["toelichting"]), None
        return escape(nl_euro(r["waarde"])), r["waarde"]

    def empty_row(maat: str, s: str) -> bool:
        """Nothing for this party anywhere (every cell empty or zero): left out."""
        found = [look.get((maat, d, s)) for d in ROWS]
        return all(
            r is not None
            and (r["status"] == "leeg" or (r["status"] == "gepubliceerd" and r["waarde"] == 0))
            for r in found
        )

    total_all = cell("baten", TOTAL, TOTAL)[1]
    rows = []
    for code, label in [*stakeholders.items(), (TOTAL, "Totaal baten")]:
        if code != TOTAL and empty_row("baten", code):
            continue
        row = {"baathebber": label}
        for d in ROWS:
            row[d], value = cell("baten", d, code)
        share = (
            value / total_all
            if code != TOTAL and value is not None and total_all not in (None, 0)
            else None
        )
        row["aandeel"] = escape(nl_percent(share, 0)) if share is not None else ""
        row["balk"] = (
            charts.bar(share, maximum=1.0, label=f"{label}: {nl_percent(share, 0)} van de baten")
            if share is not None
            else ""
        )
        rows.append(row)
    transfer = {"baathebber": "Overdrachten (apart)"}
    for d in ROWS:
        transfer[d] = cell("overdrachten", d, TOTAL)[0]
    transfer["aandeel"] = ""
    transfer["balk"] = ""
    rows.append(transfer)
    df = pl.DataFrame(rows)
    return gt_markup(
        df,
        "sector-baathebbers",
        stub="baathebber",
        labels={**{d: domain_label(d) for d in ROWS}, "aandeel": "Aandeel", "balk": ""},
        raw=[*ROWS, "aandeel", "balk"],
        right=[*ROWS, "aandeel"],
        title=f"Wie profiteert: baten per baathebber, {year_label(pub, year)}",
        subtitle="Contante waarde van de maatschappelijke baten na correcties (euro's van het "
        "prijsjaar)",
        notes=[
            "Alleen baten met een onderbouwde waarde; uitkomsten zonder waarde worden geteld, "
            "niet in euro's uitgedrukt. Overdrachten (een uitkering die stopt) zijn winst voor de "
            "een en even groot verlies voor de ander: de rij Overdrachten toont het bruto "
            "verschoven bedrag en telt niet mee in de baten. Aandeel: deel van de totale baten "
            "van de sector. Een punt (.): deze partij krijgt in dit domein geen baten toegedeeld "
            "(of er is niets overgedragen). Een partij zonder baten in enig domein staat er niet "
            "in.",
            "Per cel gelden dezelfde regels als voor de sectorcijfers (minimum aantal "
            "organisaties, dominantie) en aanvullende onderdrukking over rijen en kolommen.",
            *_concept_note(pub, [year]),
        ],
    )


def intervention_table(pub: Published, year: int) -> Markup:
    idx = CellIndex.of(pub.cells)
    cols = [
        ("organisaties", "aantal", "Organisaties"),
        ("projecten", "aantal", "Projecten"),
        ("deelnemers", "aantal", "Deelnemers"),
        ("kosten", "som", "Kosten"),
        ("aandeel_verbeterd", "aandeel", "Aandeel verbeterd"),
        ("bkr", "mediaan", "Rendementsfactor (mediaan, gemeten)"),
        ("kosten_per_deelnemer", "mediaan", "Kosten per deelnemer (mediaan, gemeten)"),
    ]
    rows = []
    for d, per in INTERVENTIONS.items():
        for code, label in sorted(per.items(), key=lambda kv: kv[1]):
            row = {"domein": DOMAINS[d], "interventie": label}
            for maat, stat, _ in cols:
                row[maat] = idx.get(year, d, maat, stat, interventie=code).html()
            rows.append(row)
    df = pl.DataFrame(rows)
    keys = [m for m, _, _ in cols]
    return gt_markup(
        df,
        "sector-interventies",
        stub="interventie",
        group="domein",
        labels={m: label for m, _, label in cols},
        raw=keys,
        right=keys,
        title=f"Interventies naast elkaar, {year_label(pub, year)}",
        subtitle="Alfabetisch per domein: de volgorde is geen rangorde",
        notes=[
            "De onzekerheid rond deze cijfers en welke verschillen er echt toe doen staan in de "
            "interventievergelijking.",
            *_concept_note(pub, [year]),
        ],
    )


def _tail_note(pub: Published) -> str:
    """When a percentile is published, in the legend's own terms (symbol p) and as the number
    of projects that takes."""
    tail = pub.rules.min_tail
    need = {q: math.ceil(tail / min(f, 1 - f) - 1e-9) for q, f in (("m", 0.5), ("q", 0.25))}
    need["d"] = math.ceil(tail / 0.1 - 1e-9)
    return (
        f"Een percentiel wordt alleen gepubliceerd met minstens {tail} projecten aan elke kant "
        f"(anders symbool p): voor de mediaan zijn dus minstens {need['m']} projecten nodig, voor "
        f"P25 en P75 {need['q']}, voor P10 en P90 {need['d']}."
    )


def legend_table(pub: Published, table_id: str = "sector-legenda") -> Markup:
    df = legend(pub.rules).select(
        pl.col("symbool").alias("Symbool"),
        pl.col("toelichting").alias("Betekenis"),
        pl.col("status")
        .replace_strict(
            {"onderdrukt": "niet gepubliceerd", "leeg": "leeg (0)"}, default=pl.col("status")
        )
        .alias("Status"),
    )
    return gt_markup(
        df,
        table_id,
        center=["Symbool"],
        title="Legenda",
        subtitle="Waarom een cel geen getal toont (onthullingscontrole)",
        width=None,
        notes=[
            "Een cel wordt alleen gepubliceerd met minstens "
            f"{pub.rules.min_orgs} organisaties; de {pub.rules.dominance_n} grootste mogen samen "
            f"niet meer dan {nl_number(100 * pub.rules.dominance_k)} % van het totaal leveren. "
            "Beweeg de muis over een symbool voor de reden."
        ],
    )


def cards(pub: Published, year: int) -> list[tuple[str, Markup, str | None]]:
    """The key figures of the year as (label, value, note) for the cards on top."""
    idx = CellIndex.of(pub.cells)
    stake = pub.stakeholders.filter(
        (pl.col("jaar") == year)
        & (pl.col("maat") == "baten")
        & (pl.col("domein") == TOTAL)
        & (pl.col("baathebber") == TOTAL)
    )
    benefits = stake["waarde"][0] if stake.height else None
    items = [
        ("Organisaties", idx.get(year, TOTAL, "organisaties", "aantal").html(), None),
        ("Projecten", idx.get(year, TOTAL, "projecten", "aantal").html(), None),
        ("Bereikte deelnemers", idx.get(year, TOTAL, "deelnemers", "aantal").html(), None),
        ("Kosten", idx.get(year, TOTAL, "kosten", "som").html(), "contante waarde"),
        (
            "Baten",
            escape(nl_euro(benefits))
            if benefits is not None
            else symbol_html("x", "Niet gepubliceerd"),
            "na correcties, zonder overdrachten",
        ),
        (
            "Rendementsfactor",
            idx.get(year, TOTAL, "bkr", "mediaan").html(),
            "baten/kosten, mediaan over gemeten projecten",
        ),
        (
            "Deelnemers verbeterd",
            idx.get(year, TOTAL, "aandeel_verbeterd", "aandeel").html(),
            "van de gemeten deelnemers",
        ),
        (
            "Gemeten",
            measured_share(idx, year, TOTAL, "projecten", "aantal"),
            "deel van de projecten met metingen",
        ),
    ]
    return items


def headline(pub: Published, year: int) -> dict | None:
    """The figures of the one plain sentence for a policy officer (published figures only;
    None when one is not published): the template `sector.html` writes it."""
    idx = CellIndex.of(pub.cells)
    ratio = idx.get(year, TOTAL, "bkr", "mediaan")
    orgs = idx.get(year, TOTAL, "organisaties", "aantal")
    projects = idx.get(year, TOTAL, "projecten", "aantal")
    if not (ratio.published and orgs.published and projects.published):
        return None
    share = _share(idx, year, TOTAL, "projecten", "aantal")
    return {
        "orgs": orgs.text(),
        "projects": projects.text(),
        "ratio": ratio.waarde,
        "measured": nl_percent(share, 0) if share is not None else None,
    }


def _share(idx: CellIndex, year: int, domein: str, maat: str, stat: str) -> float | None:
    """The measured part of a published total (None unless both cells are published)."""
    whole = idx.get(year, domein, maat, stat, basis="alle")
    part = idx.get(year, domein, maat, stat, basis="gemeten")
    if not (whole.published and part.published) or not whole.waarde:
        return None
    return min(1.0, part.waarde / whole.waarde)


def measured_share(idx: CellIndex, year: int, domein: str, maat: str, stat: str) -> Markup:
    """The measured share as a percentage, or the symbol of the cell that is not published."""
    share = _share(idx, year, domein, maat, stat)
    if share is not None:
        return escape(nl_percent(share, 0))
    whole = idx.get(year, domein, maat, stat, basis="alle")
    part = idx.get(year, domein, maat, stat, basis="gemeten")
    if whole.published and not whole.waarde:
        return symbol_html(".", "Geen projecten in deze cel (aantallen zijn 0)")
    hidden = part if whole.published else whole
    return hidden.html()


def basis_table(pub: Published, year: int) -> Markup:
    """Measured and reference-based apart: per domain the measured share of the projects,
    participants and costs, and the median rendementsfactor of each kind."""
    idx = CellIndex.of(pub.cells)
    rows = []
    for d in ROWS:
        row = {"domein": domain_label(d)}
        for maat, stat, _ in SHARE_MEASURES:
            row[f"g_{maat}"] = measured_share(idx, year, d, maat, stat)
        row["ref_projecten"] = idx.get(year, d, "projecten", "aantal", basis="referentie").html()
        row["bkr_g"] = idx.get(year, d, "bkr", "mediaan", basis="gemeten").html()
        row["bkr_r"] = idx.get(year, d, "bkr", "mediaan", basis="referentie").html()
        rows.append(row)
    shares = [f"g_{m}" for m, _, _ in SHARE_MEASURES]
    cols = [*shares, "ref_projecten", "bkr_g", "bkr_r"]
    return gt_markup(
        pl.DataFrame(rows),
        "sector-basis",
        stub="domein",
        labels={
            **{f"g_{m}": label for m, _, label in SHARE_MEASURES},
            "ref_projecten": "Projecten op referentie",
            "bkr_g": "Gemeten",
            "bkr_r": "Referentie",
        },
        raw=cols,
        right=cols,
        spanners=[
            ("Aandeel gemeten", shares),
            ("Rendementsfactor (mediaan)", ["bkr_g", "bkr_r"]),
        ],
        title=f"Gemeten en referentie, {year_label(pub, year)}",
        subtitle="Welk deel van de sector gemeten is, en de rendementsfactor van beide apart",
        notes=[
            BASIS_NOTE,
            "Aandeel gemeten: gemeten projecten, deelnemers en kosten als deel van het "
            "gepubliceerde totaal (deelnemers afgerond). Een cel zonder getal is onderdrukt "
            "zoals elke sectorcel (zie de legenda).",
            *_concept_note(pub, [year]),
        ],
    )


def sector_page(
    pub: Published,
    year: int,
    params,
    ctx: Context,
    *,
    other_years: list[tuple[int, str]] = (),
    title: str = "Jaaroverzicht sociaal rendement",
) -> str:
    """The complete jaaroverzicht for `year` (trends over every year in `pub` up to it)."""
    years = [y for y in pub.years if y <= year]
    body = render(
        "rendement.reports",
        "sector.html",
        year=year,
        closed_in=pub.closed[year] if pub.is_closed(year) else None,
        other_years=other_years,
        headline=headline(pub, year),
        ratio_term=RATIO,
        ratio_definition=DEFINITION,
        cards=cards(pub, year),
        key_figures=key_figures_table(pub, year),
        ratio_distribution=ratio_distribution_table(pub, year),
        basis=basis_table(pub, year),
        trend=trend_table(pub, years),
        stakeholders=stakeholder_table(pub, year, dict(params.baathebbers)),
        interventions=intervention_table(pub, year),
        vergelijking=ctx.href("vergelijking.html"),
        verantwoording=ctx.href("verantwoording.html"),
        legend=legend_table(pub),
    )
    return ctx.render(
        f"{title} {year}",
        body,
        current="sector.html",
        subtitle="Maatschappelijke kosten en baten van sociaal werk per domein",
    )

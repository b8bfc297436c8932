"""The intervention comparison for learning teams: per domain, which intervention types reach
most improvement and the best benefit/cost ratio, with the organisations and projects behind
each figure and a 90 % interval, so that nobody reads a ranking into noise.

Rows are alphabetical within a domain (never sorted by result); each domain ends with a plain
verdict that says which differences are larger than the uncertainty and which are not.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from rendement.reports import charts
from rendement.reports.context import Context
from rendement.reports.data import Published
from rendement.reports.page import esc
from rendement.reports.sector import legend_table, year_label
from rendement.reports.tables import (
    Cell,
    CellIndex,
    gt_html,
    nl_number,
    nl_percent,
    nl_ratio,
    symbol_html,
)
from schemas.vocabulary import DOMAINS, INTERVENTIONS

TOTAL_ROW = "Heel het domein"


@dataclass(frozen=True)
class Estimate:
    """A published point estimate with its published interval (None where not published)."""

    label: str
    point: Cell
    low: float | None
    high: float | None
    interval_symbol: str | None
    interval_reason: str | None

    @property
    def complete(self) -> bool:
        return self.point.published and self.low is not None and self.high is not None


def _interval_lookup(pub: Published) -> dict[tuple, dict]:
    return {
        (r["jaar"], r["domein"], r["interventie"], r["maat"]): r
        for r in pub.intervals.iter_rows(named=True)
    }


def estimate(
    pub: Published,
    idx: CellIndex,
    intervals: dict,
    year: int,
    domain: str,
    intervention: str | None,
    maat: str,
    label: str,
) -> Estimate:
    stat = "aandeel" if maat == "aandeel_verbeterd" else "mediaan"
    point = idx.get(year, domain, maat, stat, interventie=intervention)
    r = intervals.get((year, domain, intervention, maat))
    if r is None:
        return Estimate(label, point, None, None, "x", "Geen interval vastgesteld")
    return Estimate(label, point, r["onder"], r["boven"], r["symbool"], r["toelichting"])


def _interval_text(e: Estimate, fmt) -> str:
    if e.low is not None and e.high is not None:
        return esc(f"{fmt(e.low)} – {fmt(e.high)}")
    if not e.point.published:
        return ""
    return symbol_html(e.interval_symbol, e.interval_reason)


def verdict(estimates: list[Estimate], what: str, fmt) -> str:
    """Plain Dutch: which published intervals do not overlap, or that none can be told apart."""
    usable = [e for e in estimates if e.complete]
    if len(usable) < 2:
        return (
            f'<p class="verdict"><strong>{esc(what.capitalize())}:</strong> te weinig '
            "interventies met een gepubliceerd interval om ze te vergelijken. Dat zegt niets over "
            "hun werking, alleen dat er (nog) te weinig organisaties en projecten achter zitten.</p>"
        )
    apart = []
    for a in usable:
        for b in usable:
            if a is not b and a.low > b.high:
                apart.append(
                    f"{esc(a.label)} ({esc(fmt(a.point.waarde))}) ligt hoger dan {esc(b.label)} "
                    f"({esc(fmt(b.point.waarde))}); de intervallen overlappen niet"
                )
    names = ", ".join(esc(e.label) for e in usable)
    if not apart:
        return (
            f'<p class="verdict"><strong>{esc(what.capitalize())}:</strong> de verschillen tussen '
            f"{names} vallen binnen de onzekerheid (de 90 %-intervallen overlappen). Uit deze "
            "cijfers volgt geen volgorde.</p>"
        )
    return (
        f'<p class="verdict"><strong>{esc(what.capitalize())}:</strong> '
        + "; ".join(apart)
        + ". Alle andere verschillen tussen "
        + names
        + " vallen binnen de onzekerheid.</p>"
    )


def domain_table(pub: Published, year: int, domain: str) -> tuple[str, str]:
    idx = CellIndex.of(pub.cells)
    intervals = _interval_lookup(pub)
    interventions = sorted(INTERVENTIONS[domain].items(), key=lambda kv: kv[1])
    entries = [(None, TOTAL_ROW)] + [(code, label) for code, label in interventions]
    share_est = {
        code: estimate(pub, idx, intervals, year, domain, code, "aandeel_verbeterd", label)
        for code, label in entries
    }
    ratio_est = {
        code: estimate(pub, idx, intervals, year, domain, code, "bkr", label)
        for code, label in entries
    }
    ratio_lo, ratio_hi = charts.nice_range(
        [v for e in ratio_est.values() for v in (e.low, e.high, e.point.waarde)], include=[0.0, 1.0]
    )
    rows = []
    for code, label in entries:
        s, r = share_est[code], ratio_est[code]
        rows.append(
            {
                "interventie": label,
                "organisaties": idx.get(
                    year, domain, "organisaties", "aantal", interventie=code
                ).html(),
                "projecten": idx.get(year, domain, "projecten", "aantal", interventie=code).html(),
                "aandeel": s.point.html(),
                "aandeel_interval": _interval_text(s, lambda v: nl_percent(v, 1)),
                "aandeel_grafiek": charts.interval(
                    s.low if s.complete else None,
                    s.point.waarde,
                    s.high if s.complete else None,
                    lo=0.0,
                    hi=1.0,
                    label=f"{label}: aandeel verbeterd {s.point.text()}"
                    + (
                        f", 90 %-interval {nl_percent(s.low)}–{nl_percent(s.high)}"
                        if s.complete
                        else ""
                    ),
                ),
                "bkr": r.point.html(),
                "bkr_interval": _interval_text(r, nl_ratio),
                "bkr_grafiek": charts.interval(
                    r.low if r.complete else None,
                    r.point.waarde,
                    r.high if r.complete else None,
                    lo=ratio_lo,
                    hi=ratio_hi,
                    ref=1.0,
                    label=f"{label}: baten/kosten {r.point.text()}"
                    + (
                        f", 90 %-interval {nl_ratio(r.low)}–{nl_ratio(r.high)}"
                        if r.complete
                        else ""
                    ),
                ),
            }
        )
    df = pl.DataFrame(rows)
    raw = [c for c in df.columns if c != "interventie"]
    table = gt_html(
        df,
        f"vergelijking-{domain}",
        stub="interventie",
        labels={
            "organisaties": "Organisaties",
            "projecten": "Projecten",
            "aandeel": "Aandeel",
            "aandeel_interval": "90 %-interval",
            "aandeel_grafiek": "0–100 %",
            "bkr": "Mediaan",
            "bkr_interval": "90 %-interval",
            "bkr_grafiek": f"{nl_number(ratio_lo, 1)}–{nl_number(ratio_hi, 1)}",
        },
        raw=raw,
        right=["organisaties", "projecten", "aandeel", "aandeel_interval", "bkr", "bkr_interval"],
        center=["aandeel_grafiek", "bkr_grafiek"],
        spanners=[
            ("Gemeten deelnemers verbeterd", ["aandeel", "aandeel_interval", "aandeel_grafiek"]),
            ("Baten-kostenverhouding", ["bkr", "bkr_interval", "bkr_grafiek"]),
        ],
        title=f"{DOMAINS[domain]}, {year_label(pub, year)}",
        subtitle="Interventies in alfabetische volgorde; de bovenste rij is het hele domein",
    )
    interventions_only = [e for c, e in share_est.items() if c is not None]
    ratios_only = [e for c, e in ratio_est.items() if c is not None]
    if sum(e.complete for e in interventions_only) < 2 and sum(e.complete for e in ratios_only) < 2:
        text = (
            '<p class="verdict"><strong>Vergelijking:</strong> te weinig interventies met een '
            "gepubliceerd interval om ze te vergelijken, voor verbetering en voor de "
            "baten-kostenverhouding. Dat zegt niets over hun werking, alleen dat er (nog) te "
            "weinig organisaties en projecten achter zitten.</p>"
        )
    else:
        text = verdict(interventions_only, "verbetering", lambda v: nl_percent(v, 1)) + verdict(
            ratios_only, "baten-kostenverhouding", nl_ratio
        )
    return table, text


def comparison_page(pub: Published, year: int, ctx: Context) -> str:
    parts = [
        f'<p class="meta">{year}: '
        + (
            f"vastgesteld in release {esc(pub.closed[year])}."
            if pub.is_closed(year)
            else '<span class="concept">voorlopig</span>, nog niet vastgesteld in een release.'
        )
        + "</p>",
        "<p>Welke interventies leveren de meeste verbetering en de beste verhouding tussen "
        "baten en kosten op? Deze pagina zet ze per domein naast elkaar, met bij elk cijfer hoeveel "
        "organisaties en projecten erachter zitten en hoe zeker het is.</p>",
        "<ul>"
        "<li><strong>Geen ranglijst.</strong> Interventies staan alfabetisch. Een hoger getal "
        "betekent pas iets als de intervallen niet overlappen; onder elke tabel staat welke "
        "verschillen dat zijn.</li>"
        "<li><strong>Verbetering:</strong> het deel van de deelnemers met een begin- en "
        "eindmeting dat op minstens één instrument vooruitging. Interval: 90 %, met "
        "organisaties als eenheid (projecten van één organisatie lijken op elkaar).</li>"
        "<li><strong>Baten-kostenverhouding:</strong> de mediaan over projecten. Interval: 90 %, "
        "bootstrap over organisaties. Dit interval gaat over de steekproef van organisaties; "
        "de onzekerheid in de kengetallen zelf (Monte Carlo) komt daar nog bij.</li>"
        "<li>Een symbool in plaats van een getal betekent dat de cel niet gepubliceerd mag "
        "worden (zie de legenda): meestal te weinig organisaties.</li>"
        "</ul>",
    ]
    for domain in DOMAINS:
        table, text = domain_table(pub, year, domain)
        parts.append(f"<h2>{esc(DOMAINS[domain])}</h2>{table}{text}")
    parts.append("<h2>Legenda</h2>" + legend_table(pub, "vergelijking-legenda"))
    return ctx.render(
        f"Interventies vergeleken, {year}",
        "".join(parts),
        current="vergelijking.html",
        subtitle="Voor lerende teams: wat werkt, en hoe zeker weten we dat",
    )

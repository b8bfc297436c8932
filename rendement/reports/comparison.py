"""The intervention comparison for learning teams: per domain, which intervention types reach
most improvement and the best benefit/cost ratio, with the organisations and projects behind
each figure and a 90 % interval, so that nobody reads a ranking into noise.

Rows are alphabetical within a domain (never sorted by result); each domain ends with a plain
verdict that says which differences are larger than the uncertainty and which are not.

Per domain and intervention also the aggregate rendementsfactor (Σ baten / Σ kosten) with its
Monte Carlo 90 % interval and switching values, from `benchmark.rendementsfactor`: only rows
with status `gepubliceerd` show figures; any other row shows its legend symbol with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from rendement.benchmark.disclosure import PUBLISHED, REASONS
from rendement.core.formatting import nl_number, nl_percent, nl_ratio
from rendement.core.templates import Markup, escape, fragment, render
from rendement.reports import charts
from rendement.reports.context import Context
from rendement.reports.data import Published
from rendement.reports.sector import legend_table, year_label
from rendement.reports.tables import Cell, CellIndex, gt_markup, symbol_html
from rendement.reports.words import (
    DEFINITION,
    RATIO,
    RATIO_HEADER,
    SWITCH_NOTE,
    switch_factor_text,
    switch_share_text,
)
from schemas.outputs import ALL_BASES
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


def _interval_text(e: Estimate, fmt) -> Markup | str:
    if e.low is not None and e.high is not None:
        return escape(f"{fmt(e.low)} – {fmt(e.high)}")
    if not e.point.published:
        return ""
    return symbol_html(e.interval_symbol, e.interval_reason)


def verdict(estimates: list[Estimate], what: str, fmt) -> Markup:
    """Plain, short Dutch: per intervention whose published interval lies wholly above others',
    which ones; or that every difference is within the uncertainty."""
    usable = [e for e in estimates if e.complete]
    higher = [
        (a.label, fmt(a.point.waarde), lower)
        for a in usable
        if (lower := [b.label for b in usable if b is not a and a.low > b.high])
    ]
    names = [e.label for e in usable] if len(usable) >= 2 else None
    return _part("verdict", what.capitalize(), names, higher)


def _part(macro: str, *args: object) -> Markup:
    return fragment("rendement.reports", "comparison_parts.html", macro, *args)


def domain_table(pub: Published, year: int, domain: str) -> tuple[Markup, Markup]:
    """The table of a domain (made by great-tables) and the verdicts under it."""
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
    ratio_ax = charts.axis(
        [v for e in ratio_est.values() for v in (e.low, e.high, e.point.waarde)],
        include=[0.0, 1.0],
        centre=[e.point.waarde for e in ratio_est.values()],
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
                    ax=ratio_ax,
                    ref=1.0,
                    label=f"{label}: mediane rendementsfactor {r.point.text()}"
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
    table = gt_markup(
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
            "bkr_grafiek": ratio_ax.caption(),
        },
        raw=raw,
        right=["organisaties", "projecten", "aandeel", "aandeel_interval", "bkr", "bkr_interval"],
        center=["aandeel_grafiek", "bkr_grafiek"],
        spanners=[
            ("Gemeten deelnemers verbeterd", ["aandeel", "aandeel_interval", "aandeel_grafiek"]),
            (f"{RATIO} (mediaan over gemeten projecten)", ["bkr", "bkr_interval", "bkr_grafiek"]),
        ],
        title=f"{DOMAINS[domain]}, {year_label(pub, year)}",
        subtitle="Interventies in alfabetische volgorde; de bovenste rij is het hele domein",
    )
    interventions_only = [e for c, e in share_est.items() if c is not None]
    ratios_only = [e for c, e in ratio_est.items() if c is not None]
    if sum(e.complete for e in interventions_only) < 2 and sum(e.complete for e in ratios_only) < 2:
        text = _part("too_few")
    else:
        text = verdict(interventions_only, "verbetering", lambda v: nl_percent(v, 1)) + verdict(
            ratios_only, "rendementsfactor", nl_ratio
        )
    return table, text


def _factor_lookup(factors: pl.DataFrame | None, year: int) -> dict[tuple, dict]:
    """{(domein, interventie): row} of `benchmark.rendementsfactor` for `year`: the rows over
    all project-years of the group (`basis` alle; a release from before the column has only
    those). A sum ratio, not a percentile: its parts per basis are mostly withheld, because a
    part next to the whole would give the other part away (docs/benchmarks.md)."""
    if factors is None or not factors.height:
        return {}
    if "basis" in factors.columns:
        factors = factors.filter(pl.col("basis") == ALL_BASES)
    return {
        (r["domein"], r["interventie"]): r
        for r in factors.filter(pl.col("jaar") == year).iter_rows(named=True)
    }


def _withheld(r: dict | None, rules) -> Markup:
    """The legend symbol of a row that is not published, with its reason as a tooltip."""
    if r is None:
        return symbol_html("x", "Geen rendementsfactor berekend")
    reason = REASONS.get(r.get("reden") or "")
    if reason is not None:
        return symbol_html(reason.symbol, reason.text(rules))
    return symbol_html("x", r.get("reden") or "Niet gepubliceerd")


def factor_table(
    factors: pl.DataFrame | None, year: int, domain: str, rules, year_text: str | None = None
) -> Markup:
    """The aggregate rendementsfactor of a domain and of each of its interventions, with its
    Monte Carlo interval and switching values (published rows only)."""
    look = _factor_lookup(factors, year)
    if not look:
        return _part("no_factors", domain, year_text or year)
    interventions = sorted(INTERVENTIONS[domain].items(), key=lambda kv: kv[1])
    entries = [(None, TOTAL_ROW)] + [(code, name) for code, name in interventions]
    shown = {
        code: r
        for code, _ in entries
        if (r := look.get((domain, code))) is not None and r["status"] == PUBLISHED
    }
    ax = charts.axis(
        [v for r in shown.values() for v in (r["bkr_p05"], r["bkr"], r["bkr_p95"])],
        include=[0.0, 1.0],
        centre=[r["bkr"] for r in shown.values()],
    )
    columns = [
        "organisaties",
        "projecten",
        "bkr",
        "interval",
        "grafiek",
        "deadweight",
        "attributie",
        "factor",
    ]
    rows = []
    for code, name in entries:
        r = shown.get(code)
        if r is None:
            symbol = _withheld(look.get((domain, code)), rules)
            rows.append({"interventie": name, **{c: symbol for c in columns}, "grafiek": ""})
            continue

        def share(v: float | None, what: str) -> Markup | str:
            return escape(switch_share_text(v, what)) if v is not None else "–"

        rows.append(
            {
                "interventie": name,
                "organisaties": escape(nl_number(r["organisaties"])),
                "projecten": escape(nl_number(r["projecten"])),
                "bkr": escape(nl_ratio(r["bkr"])),
                "interval": escape(f"{nl_ratio(r['bkr_p05'])} – {nl_ratio(r['bkr_p95'])}")
                if r["bkr_p05"] is not None and r["bkr_p95"] is not None
                else "–",
                "grafiek": charts.ratio_interval(
                    r["bkr_p05"], r["bkr"], r["bkr_p95"], ax=ax, name=name
                ),
                "deadweight": share(r["deadweight_bij_bkr_1"], "deadweight"),
                "attributie": share(r["attributie_bij_bkr_1"], "attributie"),
                "factor": escape(switch_factor_text(r["eenheidswaarden_factor_bij_bkr_1"]))
                if r["eenheidswaarden_factor_bij_bkr_1"] is not None
                else "–",
            }
        )
    notes = [
        f"{RATIO} van de groep: som van de baten / som van de kosten; 90 %-interval uit de "
        "Monte Carlo-analyse (onzekerheid in de kengetallen); de rendementsfactor wordt 1 bij: "
        "de schakelwaarden (uitleg bovenaan de pagina). Alleen gepubliceerd waar de kostencel "
        "van de groep gepubliceerd is; anders een symbool uit de legenda. Over alle volledige "
        "projectjaren van de groep, gemeten en op referentie samen (een verhouding van sommen, "
        "geen percentiel); welk deel gemeten is, staat op de sectorpagina onder Gemeten en "
        "referentie.",
    ]
    if ax.clipped:
        notes.append(
            "Grafiek: een waarde buiten de schaal (na de onderbreking //) staat aan de rand "
            "met een driehoek en haar getal."
        )
    table = gt_markup(
        pl.DataFrame(rows),
        f"vergelijking-{domain}-rendementsfactor",
        stub="interventie",
        labels={
            "organisaties": "Organisaties",
            "projecten": "Projecten",
            "bkr": RATIO_HEADER,
            "interval": "90 %-interval",
            "grafiek": ax.caption(),
            "deadweight": "Deadweight",
            "attributie": "Attributie",
            "factor": "Alle eenheids\u00adwaarden",
        },
        raw=columns,
        right=["organisaties", "projecten", "bkr", "interval"],
        center=["grafiek"],
        spanners=[
            (f"{RATIO} van de groep", ["bkr", "interval", "grafiek"]),
            ("De rendementsfactor wordt 1 bij", ["deadweight", "attributie", "factor"]),
        ],
        title=f"{RATIO} per interventie: {DOMAINS[domain]}, {year_text or year}",
        subtitle="Alle projecten van de groep samen (Σ baten / Σ kosten); interventies in "
        "alfabetische volgorde",
        notes=notes,
    )
    return table


def comparison_page(
    pub: Published,
    year: int,
    ctx: Context,
    factors: pl.DataFrame | None = None,
    *,
    title: str = "Interventies vergeleken",
) -> str:
    """The comparison of `year`. `factors`: `benchmark.rendementsfactor` (or None: the
    section on the aggregate rendementsfactor is left out, as on releases made before it
    existed)."""
    domains = []
    for domain in DOMAINS:
        table, verdicts = domain_table(pub, year, domain)
        group = (
            factor_table(factors, year, domain, pub.rules, year_label(pub, year))
            if factors is not None
            else None
        )
        domains.append((DOMAINS[domain], table, verdicts, group))
    body = render(
        "rendement.reports",
        "comparison.html",
        year=year,
        closed_in=pub.closed[year] if pub.is_closed(year) else None,
        ratio_term=RATIO,
        ratio_definition=DEFINITION,
        switch_note=SWITCH_NOTE if factors is not None else None,
        domains=domains,
        legend=legend_table(pub, "vergelijking-legenda"),
    )
    return ctx.render(
        f"{title}, {year}",
        body,
        current="vergelijking.html",
        subtitle="Voor lerende teams: wat werkt, en hoe zeker weten we dat",
    )

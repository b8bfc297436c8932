"""An organisation's own report (`site/org/<ORG>/index.html`): its projects' MKBA, the
corrections and any parameters it overrode (with its justification), its position against the
sector, and links to its validation reports.

PRIVATE: only this organisation's rows go in (filtered here, by organisatie_id); the only
sector figures are published cells of closed years. The page links only inside the
organisation's own folder, so it works the same as a file and behind the upload service.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from rendement.reports import charts
from rendement.reports.data import Published, Warehouse
from rendement.reports.page import esc, page
from rendement.reports.tables import (
    DASH,
    CellIndex,
    gt_html,
    nl_euro,
    nl_number,
    nl_percent,
    nl_ratio,
    symbol_html,
)
from schemas.vocabulary import DOMAINS, INTERVENTIONS

TOTAL = "totaal"


def _intervention_label(domein: str, interventie: str) -> str:
    return INTERVENTIONS.get(domein, {}).get(interventie, interventie)


def _project_label(project_id: str, names: dict[str, str]) -> str:
    name = names.get(project_id)
    return f"{project_id} · {name}" if name else project_id


def _fraction(v: float | None) -> str:
    return DASH if v is None else nl_percent(v, 0)


def _cards(own: pl.DataFrame, year: int) -> str:
    rows = own.filter(pl.col("jaar") == year)
    kosten = rows["kosten"].sum()
    baten = rows["baten"].sum()
    ratio = baten / kosten if kosten else None
    items = [
        ("Projecten", nl_number(rows.height), None),
        ("Deelnemers", nl_number(rows["deelnemers"].sum()), "bereikt, per project geteld"),
        ("Kosten", nl_euro(kosten), "contante waarde"),
        ("Baten", nl_euro(baten), "na correcties, zonder overdrachten"),
        ("Netto contante waarde", nl_euro(rows["ncw"].sum()), "baten − kosten"),
        ("Baten/kosten", nl_ratio(ratio), "alle projecten samen"),
    ]
    return (
        '<div class="cards" id="org-cards">'
        + "".join(
            f'<div class="card"><div class="num">{esc(v)}</div><div class="lbl">{esc(label)}</div>'
            + (f'<div class="sub">{esc(sub)}</div>' if sub else "")
            + "</div>"
            for label, v, sub in items
        )
        + "</div>"
    )


def projects_table(own: pl.DataFrame, names: dict[str, str]) -> str:
    values = [*own["bkr_p05"].to_list(), *own["bkr_p95"].to_list(), *own["bkr"].to_list()]
    lo, hi = charts.nice_range(values, include=[0.0, 1.0])
    rows = []
    for r in own.sort(["jaar", "project_id"], descending=[True, False]).iter_rows(named=True):
        label = _project_label(r["project_id"], names)
        rows.append(
            {
                "jaar": str(r["jaar"]),
                "project": label,
                "deelnemers": esc(nl_number(r["deelnemers"])),
                "kosten": esc(nl_euro(r["kosten"])),
                "baten": esc(nl_euro(r["baten"])),
                "ncw": esc(nl_euro(r["ncw"])),
                "bkr": esc(nl_ratio(r["bkr"])),
                "interval": esc(f"{nl_ratio(r['bkr_p05'])} – {nl_ratio(r['bkr_p95'])}"),
                "grafiek": charts.interval(
                    r["bkr_p05"],
                    r["bkr"],
                    r["bkr_p95"],
                    lo=lo,
                    hi=hi,
                    ref=1.0,
                    label=f"Baten/kosten {nl_ratio(r['bkr'])}, 90 %-interval "
                    f"{nl_ratio(r['bkr_p05'])}–{nl_ratio(r['bkr_p95'])}",
                ),
                "scenario": esc(f"{nl_ratio(r['bkr_laag'])} – {nl_ratio(r['bkr_hoog'])}"),
            }
        )
    df = pl.DataFrame(rows)
    raw = ["deelnemers", "kosten", "baten", "ncw", "bkr", "interval", "grafiek", "scenario"]
    return gt_html(
        df,
        "org-projecten",
        stub="project",
        group="jaar",
        labels={
            "deelnemers": "Deelnemers",
            "kosten": "Kosten",
            "baten": "Baten",
            "ncw": "NCW",
            "bkr": "Baten/kosten",
            "interval": "90 %-interval",
            "grafiek": f"Interval ({nl_number(lo, 1)}–{nl_number(hi, 1)})",
            "scenario": "Laag – hoog scenario",
        },
        raw=raw,
        right=["deelnemers", "kosten", "baten", "ncw", "bkr", "interval", "scenario"],
        center=["grafiek"],
        title="De MKBA van uw projecten",
        subtitle="Standaardparameters van de sector; kosten en baten in contante waarde",
        notes=[
            "NCW: netto contante waarde (baten − kosten). 90 %-interval: P5–P95 van de "
            "Monte Carlo-analyse over alle kengetallen. Laag/hoog scenario: alle kengetallen "
            "tegelijk aan de ongunstige of de gunstige kant. De rode stippellijn is 1.",
        ],
    )


def stakeholder_table(
    outcomes: pl.DataFrame, names: dict[str, str], stakeholders: dict[str, str]
) -> str:
    if not outcomes.height:
        return '<p class="note">Geen uitkomsten berekend.</p>'
    valued = outcomes.filter(pl.col("gewaardeerd") & pl.col("pv").is_not_null())
    welfare = (
        valued.filter(~pl.col("is_transfer"))
        .group_by("jaar", "project_id", "baathebber")
        .agg(pl.col("pv").sum())
    )
    transfers = (
        valued.filter(pl.col("is_transfer"))
        .group_by("jaar", "project_id", "baathebber")
        .agg(pl.col("pv").sum())
    )
    present = [s for s in stakeholders if s in set(welfare["baathebber"].to_list())]
    keys = (
        outcomes.select("jaar", "project_id")
        .unique()
        .sort(["jaar", "project_id"], descending=[True, False])
    )
    look = {
        (r["jaar"], r["project_id"], r["baathebber"]): r["pv"]
        for r in welfare.iter_rows(named=True)
    }
    tlook = {
        (r["jaar"], r["project_id"]): r["pv"]
        for r in transfers.filter(pl.col("pv") > 0)
        .group_by("jaar", "project_id")
        .agg(pl.col("pv").sum())
        .iter_rows(named=True)
    }
    gainers = sorted(set(transfers.filter(pl.col("pv") > 0)["baathebber"].to_list()))
    losers = sorted(set(transfers.filter(pl.col("pv") < 0)["baathebber"].to_list()))
    rows = []
    for jaar, pid in keys.iter_rows():
        row = {"jaar": str(jaar), "project": _project_label(pid, names)}
        total = 0.0
        for s in present:
            v = look.get((jaar, pid, s))
            total += v or 0.0
            row[s] = esc(nl_euro(v)) if v is not None else DASH
        row["totaal"] = esc(nl_euro(total))
        shifted = tlook.get((jaar, pid))
        row["overdrachten"] = esc(nl_euro(shifted)) if shifted else DASH
        rows.append(row)
    df = pl.DataFrame(rows)
    return gt_html(
        df,
        "org-baathebbers",
        stub="project",
        group="jaar",
        labels={
            **{s: stakeholders[s] for s in present},
            "totaal": "Totaal baten",
            "overdrachten": "Overdrachten",
        },
        raw=[*present, "totaal", "overdrachten"],
        right=[*present, "totaal", "overdrachten"],
        title="Wie profiteert van uw projecten",
        subtitle="Contante waarde van de baten per baathebber",
        notes=[
            "Overdrachten (zoals een uitkering die stopt) zijn winst voor de een en even groot "
            "verlies voor de ander; ze tellen niet mee in de baten."
            + (
                f" Hier: van {', '.join(stakeholders.get(x, x) for x in losers)} naar "
                f"{', '.join(stakeholders.get(x, x) for x in gainers)}."
                if gainers and losers
                else ""
            )
        ],
    )


def overview_table(own: pl.DataFrame, info: pl.DataFrame) -> str:
    """One row per project: its name, domain, intervention and recognition level."""
    from schemas.vocabulary import RECOGNITION_LEVELS

    latest = (
        own.sort("jaar")
        .group_by("project_id")
        .agg(pl.col("domein").last(), pl.col("interventie").last(), pl.col("jaar").unique().sort())
    )
    extra = {r["project_id"]: r for r in info.iter_rows(named=True)} if info.height else {}
    rows = []
    for r in latest.sort("project_id").iter_rows(named=True):
        e = extra.get(r["project_id"], {})
        rows.append(
            {
                "project_id": r["project_id"],
                "naam": e.get("naam") or "",
                "domein": DOMAINS.get(r["domein"], r["domein"]),
                "interventie": _intervention_label(r["domein"], r["interventie"]),
                "erkenning": RECOGNITION_LEVELS.get(e.get("erkenning"), e.get("erkenning") or ""),
                "jaren": ", ".join(map(str, r["jaar"])),
            }
        )
    return gt_html(
        pl.DataFrame(rows),
        "org-overzicht",
        labels={
            "project_id": "Project",
            "naam": "Naam",
            "domein": "Domein",
            "interventie": "Interventie",
            "erkenning": "Erkenning (Movisie)",
            "jaren": "Jaren",
        },
        title="Uw projecten",
        subtitle="Zoals aangeleverd; de interventie bepaalt met welke projecten u wordt vergeleken",
    )


def corrections_table(outcomes: pl.DataFrame) -> str:
    """The value and the four corrections per outcome (the sector's standard set: the same
    for every project; a range where they differ)."""
    valued = outcomes.filter(pl.col("gewaardeerd")) if outcomes.height else outcomes
    if not valued.height:
        return '<p class="note">Geen gewaardeerde uitkomsten.</p>'

    def spread(values: list, fmt) -> str:
        vals = sorted({v for v in values if v is not None})
        if not vals:
            return DASH
        return fmt(vals[0]) if len(vals) == 1 else f"{fmt(vals[0])} – {fmt(vals[-1])}"

    rows = []
    per = valued.group_by("uitkomst").agg(
        pl.col("uitkomst_naam").first(),
        pl.col("eenheid").first(),
        pl.col("is_transfer").first(),
        *(
            pl.col(c).unique()
            for c in (
                "eenheidswaarde",
                "deadweight",
                "displacement",
                "attributie",
                "drop_off",
                "duur",
            )
        ),
    )
    for r in per.sort("uitkomst_naam").iter_rows(named=True):
        rows.append(
            {
                "uitkomst": r["uitkomst_naam"] + (" (overdracht)" if r["is_transfer"] else ""),
                "waarde": esc(spread(r["eenheidswaarde"], nl_euro)),
                "eenheid": r["eenheid"] or "",
                "deadweight": esc(spread(r["deadweight"], _fraction)),
                "displacement": esc(spread(r["displacement"], _fraction)),
                "attributie": esc(spread(r["attributie"], _fraction)),
                "drop_off": esc(spread(r["drop_off"], _fraction)),
                "duur": esc(spread(r["duur"], nl_number)),
            }
        )
    raw = ["waarde", "deadweight", "displacement", "attributie", "drop_off", "duur"]
    return gt_html(
        pl.DataFrame(rows),
        "org-correcties",
        stub="uitkomst",
        labels={
            "waarde": "Eenheidswaarde",
            "eenheid": "Per",
            "deadweight": "Deadweight",
            "displacement": "Displacement",
            "attributie": "Attributie",
            "drop_off": "Drop-off per jaar",
            "duur": "Duur (jaar)",
        },
        raw=raw,
        right=raw,
        spanners=[("Correcties", ["deadweight", "displacement", "attributie", "drop_off", "duur"])],
        title="Waarden en correcties per uitkomst",
        subtitle="Standaardparameters van de sector, in euro's van het prijsjaar",
        notes=[
            "Deadweight: wat ook zonder het project was gebeurd. Displacement: verdringing "
            "elders. Attributie: het aandeel van anderen. Drop-off: hoeveel van het effect elk "
            "jaar wegvalt; duur: hoeveel jaar het effect meetelt. Uw eigen afwijkingen staan "
            "hieronder apart."
        ],
    )


def outcomes_table(outcomes: pl.DataFrame, names: dict[str, str], year: int) -> str:
    """Quantities and present values per project and outcome, for one year."""
    rows_in = outcomes.filter(pl.col("jaar") == year) if outcomes.height else outcomes
    if not rows_in.height:
        return '<p class="note">Geen uitkomsten berekend.</p>'
    per = (
        rows_in.group_by("project_id", "uitkomst")
        .agg(
            pl.col("uitkomst_naam").first(),
            pl.col("hoeveelheid").first(),
            pl.col("eenheid").first(),
            pl.col("is_transfer").first(),
            pl.col("gewaardeerd").first(),
            pl.col("pv").filter(pl.col("pv") > 0).sum().alias("pv"),
        )
        .sort("project_id", "uitkomst_naam")
    )
    rows = []
    for r in per.iter_rows(named=True):
        qty = r["hoeveelheid"]
        if not r["gewaardeerd"]:
            pv = "geteld"
        elif r["is_transfer"]:
            pv = nl_euro(r["pv"]) + " (overdracht)"
        else:
            pv = nl_euro(r["pv"])
        rows.append(
            {
                "project": _project_label(r["project_id"], names),
                "uitkomst": r["uitkomst_naam"],
                "hoeveelheid": esc(nl_number(qty, 0 if float(qty or 0).is_integer() else 1)),
                "eenheid": r["eenheid"] or "",
                "cw": esc(pv),
            }
        )
    return gt_html(
        pl.DataFrame(rows),
        "org-uitkomsten",
        stub="uitkomst",
        group="project",
        labels={"hoeveelheid": "Hoeveelheid", "eenheid": "Eenheid", "cw": "Contante waarde"},
        raw=["hoeveelheid", "cw"],
        right=["hoeveelheid", "cw"],
        title=f"Uitkomsten per project, {year}",
        subtitle="Hoeveel er bereikt is en wat dat waard is na correcties",
        width=None,
        notes=[
            "Geteld: een uitkomst zonder onderbouwde waarde wordt niet in euro's uitgedrukt. "
            "Overdrachten tellen niet mee in de baten."
        ],
    )


def overrides_section(
    own: pl.DataFrame, eigen: pl.DataFrame, overrides: pl.DataFrame, names: dict[str, str]
) -> str:
    if not overrides.height:
        return (
            '<p id="org-geen-afwijkingen">Geen afwijkingen: alle projecten zijn met de '
            "standaardparameters van de sector berekend.</p>"
        )
    rows = []
    for r in overrides.sort("parameter", "project_id", nulls_last=False).iter_rows(named=True):
        rows.append(
            {
                "project": _project_label(r["project_id"], names)
                if r["project_id"]
                else "Alle projecten",
                "parameter": r["parameter"],
                "standaard": esc(_param_value(r["parameter"], r["waarde_standaard"])),
                "eigen": esc(_param_value(r["parameter"], r["waarde"])),
                "toelichting": r["toelichting"] or "",
            }
        )
    table = gt_html(
        pl.DataFrame(rows),
        "org-afwijkingen",
        labels={
            "project": "Project",
            "parameter": "Parameter",
            "standaard": "Standaard",
            "eigen": "Uw waarde",
            "toelichting": "Uw toelichting",
        },
        raw=["standaard", "eigen"],
        right=["standaard", "eigen"],
        title="Afwijkende parameters",
        subtitle="Door uw organisatie opgegeven, met toelichting",
    )
    effect = ""
    if eigen.height:
        both = own.select("jaar", "project_id", "bkr", "ncw").join(
            eigen.select(
                "jaar",
                "project_id",
                pl.col("bkr").alias("bkr_eigen"),
                pl.col("ncw").alias("ncw_eigen"),
            ),
            on=["jaar", "project_id"],
            how="inner",
        )
        changed = both.filter(
            ((pl.col("bkr") - pl.col("bkr_eigen")).abs() > 1e-9)
            | ((pl.col("ncw") - pl.col("ncw_eigen")).abs() > 1e-6)
        ).sort(["jaar", "project_id"], descending=[True, False])
        if changed.height:
            rows = [
                {
                    "jaar": str(r["jaar"]),
                    "project": _project_label(r["project_id"], names),
                    "bkr": esc(nl_ratio(r["bkr"])),
                    "bkr_eigen": esc(nl_ratio(r["bkr_eigen"])),
                    "ncw": esc(nl_euro(r["ncw"])),
                    "ncw_eigen": esc(nl_euro(r["ncw_eigen"])),
                }
                for r in changed.iter_rows(named=True)
            ]
            effect = gt_html(
                pl.DataFrame(rows),
                "org-eigen-resultaat",
                stub="project",
                group="jaar",
                labels={
                    "bkr": "Standaard",
                    "bkr_eigen": "Met uw waarden",
                    "ncw": "Standaard",
                    "ncw_eigen": "Met uw waarden",
                },
                raw=["bkr", "bkr_eigen", "ncw", "ncw_eigen"],
                right=["bkr", "bkr_eigen", "ncw", "ncw_eigen"],
                spanners=[("Baten/kosten", ["bkr", "bkr_eigen"]), ("NCW", ["ncw", "ncw_eigen"])],
                title="Wat uw afwijkingen veranderen",
                notes=[
                    "Sectorvergelijkingen en de positie hieronder gebruiken altijd de "
                    "standaardparameters, zodat alle organisaties op dezelfde manier zijn berekend."
                ],
            )
    return table + effect


def _param_value(parameter: str, value: float | None) -> str:
    if value is None:
        return DASH
    kind = parameter.split(".")[-1]
    if kind in ("laag", "basis", "hoog"):
        kind = parameter.split(".")[-2]
    if kind in ("deadweight", "displacement", "attributie", "drop_off"):
        return nl_percent(value, 1)
    if kind == "duur":
        return f"{nl_number(value)} jaar"
    if kind == "factor":
        return nl_number(value, 2)
    return nl_euro(value, 0 if abs(value) >= 100 else 2)


def position_table(positie: pl.DataFrame, pub: Published, names: dict[str, str]) -> str:
    if not positie.height:
        return '<p class="note">Nog geen positie berekend.</p>'
    idx = CellIndex.of(pub.cells)
    stats_of = {}
    for jaar, d in positie.select("jaar", "domein").unique().iter_rows():
        if pub.is_closed(jaar):
            stats_of[(jaar, d)] = [
                idx.value(jaar, d, "bkr", s) for s in ("p10", "p25", "mediaan", "p75", "p90")
            ]
    lo, hi = charts.nice_range(
        [*positie["bkr"].to_list(), *(v for vals in stats_of.values() for v in vals)],
        include=[0.0, 1.0],
    )
    rows = []
    for r in positie.sort(["jaar", "project_id"], descending=[True, False]).iter_rows(named=True):
        jaar, d, i = r["jaar"], r["domein"], r["interventie"]
        closed = pub.is_closed(jaar)
        if r["status"] == "gepubliceerd":
            pct = f"{nl_number(r['bkr_percentiel'])}e" if r["bkr_percentiel"] is not None else DASH
            cost_pct = (
                f"{nl_number(r['kosten_per_deelnemer_percentiel'])}e"
                if r["kosten_per_deelnemer_percentiel"] is not None
                else DASH
            )
            group = (
                f"{nl_number(r['vergelijking_organisaties'])} / "
                f"{nl_number(r['vergelijking_projecten'])}"
            )
            pct_html, cost_html, group_html = esc(pct), esc(cost_pct), esc(group)
        else:
            why = "Te weinig organisaties in de vergelijkingsgroep"
            pct_html = cost_html = symbol_html("x", why)
            group_html = esc("te klein")
        if closed:
            med_i = idx.get(jaar, d, "bkr", "mediaan", interventie=i).html()
            med_d = idx.get(jaar, d, "bkr", "mediaan").html()
            stats = {
                s: idx.value(jaar, d, "bkr", s) for s in ("p10", "p25", "mediaan", "p75", "p90")
            }
            chart = charts.distribution(
                *stats.values(),
                lo=0.0,
                hi=max([3.0, *(v for v in (*stats.values(), r["bkr"]) if v is not None)]),
                ref=1.0,
                mark=r["bkr"],
                label=f"Uw baten/kosten {nl_ratio(r['bkr'])} (ruit) tegen de verdeling in het domein",
            )
        else:
            med_i = med_d = (
                '<span class="concept" title="Sectorcijfers van een jaar verschijnen met de release van dat jaar">volgt</span>'
            )
            chart = ""
        rows.append(
            {
                "jaar": str(jaar),
                "project": _project_label(r["project_id"], names),
                "bkr": esc(nl_ratio(r["bkr"])),
                "pct": pct_html,
                "kpd": esc(nl_euro(r["kosten_per_deelnemer"])),
                "kpd_pct": cost_html,
                "groep_n": group_html,
                "med_i": med_i,
                "med_d": med_d,
                "grafiek": chart,
            }
        )
    df = pl.DataFrame(rows)
    raw = ["bkr", "pct", "kpd", "kpd_pct", "groep_n", "med_i", "med_d", "grafiek"]
    return gt_html(
        df,
        "org-positie",
        stub="project",
        group="jaar",
        labels={
            "bkr": "Uw baten/kosten",
            "pct": "Percentiel",
            "kpd": "Uw kosten per deelnemer",
            "kpd_pct": "Percentiel",
            "groep_n": "Groep (org. / proj.)",
            "med_i": "Mediaan interventie",
            "med_d": "Mediaan domein",
            "grafiek": f"Uw plek in het domein ({nl_number(lo, 1)}–{nl_number(hi, 1)})",
        },
        raw=raw,
        right=["bkr", "pct", "kpd", "kpd_pct", "groep_n", "med_i", "med_d"],
        center=["grafiek"],
        spanners=[
            (
                "Sector (gepubliceerd)",
                ["med_i", "med_d", "grafiek"] if stats_of else ["med_i", "med_d"],
            )
        ],
        hide=[] if stats_of else ["grafiek"],
        title="Uw positie ten opzichte van de sector",
        subtitle="Vergeleken met projecten van dezelfde interventie in hetzelfde jaar",
        notes=[
            "Percentiel: welk deel van de vergelijkbare projecten lager scoort (een hoog "
            "percentiel bij baten/kosten is gunstig; bij kosten per deelnemer betekent een laag "
            "percentiel goedkoper dan de meeste). Alleen met genoeg organisaties in de groep.",
            "Sectorcijfers (mediaan, grafiek) staan er alleen voor jaren die in een release zijn "
            "vastgesteld; voor latere jaren volgen ze met de release. Grafiek: lijn P10–P90, blok "
            "P25–P75, streep mediaan van het domein; de ruit is uw project.",
        ],
    )


def validation_table(uploads: pl.DataFrame, folder: Path) -> str:
    if not uploads.height:
        return '<p class="note">Geen aanleveringen gevonden.</p>'
    labels = {
        "geaccepteerd": "aangenomen",
        "deels_geaccepteerd": "deels aangenomen",
        "geweigerd": "geweigerd",
    }
    rows = []
    for r in uploads.sort("ontvangen_op", "bestand", descending=[True, False]).iter_rows(
        named=True
    ):
        stem = (r["checksum"] or "")[:16]
        target = folder / "validatie" / f"{stem}.html"
        link = (
            f'<a href="validatie/{esc(stem)}.html">rapport</a>'
            if stem and target.exists()
            else DASH
        )
        received = r["ontvangen_op"]
        rows.append(
            {
                "bestand": r["bestand"] or "",
                "periode": "" if r["periode"] is None else str(r["periode"]),
                "ontvangen": dt.datetime.fromisoformat(received).strftime("%d-%m-%Y %H:%M")
                if received
                else "",
                "uitkomst": labels.get(r["uitkomst"], r["uitkomst"] or "")
                + (" (vervangen)" if r.get("vervangen") else ""),
                "rapport": link,
            }
        )
    return gt_html(
        pl.DataFrame(rows),
        "org-validatie",
        labels={
            "bestand": "Bestand",
            "periode": "Periode",
            "ontvangen": "Ontvangen (UTC)",
            "uitkomst": "Uitkomst",
            "rapport": "Validatierapport",
        },
        raw=["rapport"],
        title="Uw aanleveringen",
        subtitle="Per bestand het validatierapport: wat is aangenomen en wat niet, met rij en kolom",
    )


def organisation_page(
    org: str,
    wh: Warehouse,
    pub: Published,
    eigen: pl.DataFrame,
    overrides: pl.DataFrame,
    params,
    folder: Path,
    generated: dt.date | None = None,
) -> str:
    """The whole report of one organisation. `pub` must hold closed years only."""
    own = wh.projects.filter(pl.col("organisatie_id") == org)
    info = (
        wh.project_info.filter(pl.col("organisatie_id") == org)
        if wh.project_info.height
        else pl.DataFrame()
    )
    names = (
        {r["project_id"]: r["naam"] for r in info.iter_rows(named=True) if r.get("naam")}
        if info.height
        else {}
    )
    org_rows = (
        wh.organisations.filter(pl.col("organisatie_id") == org)
        if wh.organisations.height
        else pl.DataFrame()
    )
    org_name = org_rows["naam"][0] if org_rows.height and org_rows["naam"][0] else org
    outcomes = (
        wh.outcomes.filter(pl.col("organisatie_id") == org)
        if wh.outcomes.height
        else pl.DataFrame()
    )
    positie = (
        wh.positie.filter(pl.col("organisatie_id") == org) if wh.positie.height else pl.DataFrame()
    )
    uploads = (
        wh.uploads.filter(pl.col("organisatie_id") == org) if wh.uploads.height else pl.DataFrame()
    )
    years = sorted(own["jaar"].unique().to_list())
    if not years:
        body = "<p>Er zijn nog geen projectresultaten voor uw organisatie.</p>" + (
            "<h2>Uw aanleveringen</h2>" + validation_table(uploads, folder)
        )
    else:
        latest = years[-1]
        domains = sorted({DOMAINS.get(d, d) for d in own["domein"].unique().to_list()})
        body = (
            f'<p class="meta">Organisatie {esc(org)} · jaren {esc(", ".join(map(str, years)))} · '
            f"parameterset {esc(', '.join(sorted(own['parameter_versie'].drop_nulls().unique().to_list())))}"
            f" · domeinen: {esc(', '.join(domains))}</p>"
            '<div class="banner"><strong>Vertrouwelijk.</strong> Dit rapport is alleen voor '
            f"{esc(org_name)}. Het toont de cijfers van uw eigen projecten; sectorcijfers gaan "
            "altijd over groepen van meerdere organisaties en noemen niemand.</div>"
            f"<h2>In het kort, {latest}</h2>"
            + _cards(own, latest)
            + "<h2>Uw projecten</h2>"
            + overview_table(own, info)
            + projects_table(own, names)
            + "<h2>Wie profiteert</h2>"
            + stakeholder_table(outcomes, names, dict(params.baathebbers))
            + "<h2>Uitkomsten en correcties</h2>"
            + corrections_table(outcomes)
            + outcomes_table(outcomes, names, latest)
            + "<h2>Afwijkende parameters</h2>"
            + overrides_section(own, eigen, overrides, names)
            + "<h2>Positie ten opzichte van de sector</h2>"
            + position_table(positie, pub, names)
            + "<h2>Uw aanleveringen</h2>"
            + validation_table(uploads, folder)
            + '<p class="note">De methode en alle kengetallen met bron staan in de '
            "verantwoording bij het jaaroverzicht van de sector.</p>"
        )
    return page(
        f"Eigen rapport {org_name}",
        body,
        subtitle="Maatschappelijke kosten-batenanalyse van uw projecten",
        generated=generated,
        home_href="index.html",
        footer=f"Parameterset {esc(params.version)}. Alleen voor {esc(org_name)}.",
    )

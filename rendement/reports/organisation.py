"""An organisation's own report (`site/org/<ORG>/index.html`): its projects' MKBA, the
corrections and any parameters it overrode (with its justification), its position against the
sector, and links to its validation reports. Made in two parts: `own_part`, from the
organisation's own rows and the parameter set alone, and the rest (its position and uploads),
which `organisation_page` puts after it.

PRIVATE: only this organisation's rows go in (filtered here, by organisatie_id); the only
sector figures are published cells of closed years and, for open years, the current
distribution of the rendementsfactor (percentiles and medians under the same disclosure rules,
labelled voorlopig; `rendement.reports.data.organisation_comparison`). The page links only inside the
organisation's own folder, so it works the same as a file and behind the upload service.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from rendement.core.formatting import (
    DASH,
    nl_euro,
    nl_local_datetime,
    nl_number,
    nl_percent,
    nl_ratio,
)
from rendement.core.home import VALIDATION_IN_SITE
from rendement.core.templates import Markup, escape, fragment, render
from rendement.reports import charts, deviations, estimates, evidence
from rendement.reports.data import Published, Warehouse
from rendement.reports.impactkaart import file_stem, impactkaart_links
from rendement.reports.page import page
from rendement.reports.resultaten import FILE as RESULTS_FILE
from rendement.reports.tables import CellIndex, gt_markup, symbol_html
from rendement.reports.words import (
    DEFINITION,
    INCOMPLETE,
    RATIO,
    RATIO_HEADER,
    RATIO_LABEL,
    SWITCH_NOTE,
    TRANSFER,
    WHOLE_PERIOD,
    missing_ratio_reason,
    outcome_label,
    project_label,
    status_text,
    switch_factor_text,
    switch_share_text,
    unit_for,
)
from schemas.vocabulary import DOMAINS, INTERVENTIONS, RECOGNITION_LEVELS

KEYS = ["jaar", "project_id"]


def with_status(frame: pl.DataFrame) -> pl.DataFrame:
    """`status` and `reden` on MKBA rows (`volledig` and null where the engine has not written
    them), so that a missing ratio always has a reason to show."""
    if not frame.height and not frame.columns:
        return frame
    extra = []
    if "status" not in frame.columns:
        extra.append(pl.lit("volledig", pl.String).alias("status"))
    if "reden" not in frame.columns:
        extra.append(pl.lit(None, pl.String).alias("reden"))
    return frame.with_columns(extra) if extra else frame


def _part(macro: str, *args: object) -> Markup:
    return fragment("rendement.reports", "org_parts.html", macro, *args)


def _note(message: str, id: str | None = None) -> Markup:
    return fragment("rendement.reports", "parts.html", "note", message, id)


def _reason_html(text: str) -> Markup:
    """A reason in a table cell, visible (also in print) and wrapping within its column:
    `onvolledig:` marked, then why."""
    head, sep, rest = text.partition(": ")
    if head == INCOMPLETE and sep:
        return _part("reason", rest, INCOMPLETE)
    return _part("reason", text)


def _ratio_html(value: float | None, row: dict) -> Markup:
    """A ratio, or where it is missing why: `onvolledig: geen kosten over 2024 aangeleverd`."""
    if value is not None:
        return escape(nl_ratio(value))
    return _reason_html(status_text({**row, "bkr": None}))


def _dash(row: dict) -> Markup:
    """A missing figure next to a missing ratio (whose cell says why): a dash, the reason as
    a tooltip."""
    return _part("dash", missing_ratio_reason(row))


def _range_html(low: float | None, high: float | None, row: dict, what: str) -> Markup:
    """`low – high`; when missing next to a ratio that is there, the reason in words."""
    if low is not None and high is not None:
        return escape(f"{nl_ratio(low)} – {nl_ratio(high)}")
    if row.get("bkr") is None:
        return _dash(row)
    return _reason_html(f"geen {what}: {missing_ratio_reason(row)}")


def _intervention_label(domein: str, interventie: str) -> str:
    return INTERVENTIONS.get(domein, {}).get(interventie, interventie)


def _fraction(v: float | None) -> str:
    return DASH if v is None else nl_percent(v, 0)


def _cards(own: pl.DataFrame, year: int, names: dict[str, str]) -> Markup:
    """The headline figures of `year`. Money and the rendementsfactor over complete
    project-years only; an incomplete one is named below the cards, with its reason."""
    rows = own.filter(pl.col("jaar") == year)
    done = rows.filter(pl.col("status").fill_null("") != INCOMPLETE)
    left_out = rows.filter(pl.col("status") == INCOMPLETE).sort("project_id")
    n_out = left_out.height
    n_ref = (
        int((rows["basis"].fill_null(evidence.MEASURED) != evidence.MEASURED).sum())
        if "basis" in rows.columns
        else 0
    )
    kosten = done["kosten"].sum()
    baten = done["baten"].sum()
    ratio = baten / kosten if kosten else None
    scope = "volledige projecten" if n_out else "alle projecten"
    items = [
        (
            "Projecten",
            nl_number(rows.height),
            "; ".join(
                [
                    *([f"waarvan {nl_number(n_out)} {INCOMPLETE}"] if n_out else []),
                    *([f"{nl_number(n_ref)} op opgave of referentie"] if n_ref else []),
                ]
            )
            or None,
        ),
        ("Deelnemers", nl_number(rows["deelnemers"].sum()), "bereikt, per project geteld"),
        ("Kosten", nl_euro(kosten), f"contante waarde, {scope}"),
        ("Baten", nl_euro(baten), "na correcties, zonder overdrachten"),
        ("Netto contante waarde", nl_euro(done["ncw"].sum()), "baten − kosten"),
        (
            RATIO,
            nl_ratio(ratio),
            f"baten/kosten, {scope} samen" if ratio is not None else "geen volledige projecten",
        ),
    ]
    cards = fragment("rendement.reports", "parts.html", "cards", "org-cards", items)
    if not n_out:
        return cards
    listed = "; ".join(
        f"{project_label(r['project_id'], names)} ({missing_ratio_reason(r)})"
        for r in left_out.iter_rows(named=True)
    )
    count, verb = (
        ("1 project is", "telt") if n_out == 1 else (f"{nl_number(n_out)} projecten zijn", "tellen")
    )
    return cards + _part("left_out", INCOMPLETE, count, year, verb, listed)


def _interval_rows(
    frame: pl.DataFrame, names: dict[str, str], ax: charts.Axis
) -> list[dict[str, str]]:
    """The MKBA columns shared by the per-year and the whole-period table."""
    rows = []
    for r in frame.iter_rows(named=True):
        rows.append(
            {
                "project": project_label(r["project_id"], names),
                "deelnemers": escape(nl_number(r["deelnemers"])),
                "kosten": escape(nl_euro(r["kosten"])) if r["kosten"] is not None else DASH,
                "baten": escape(nl_euro(r["baten"])),
                "ncw": escape(nl_euro(r["ncw"])),
                "bkr": _ratio_html(r["bkr"], r),
                "interval": _range_html(r["bkr_p05"], r["bkr_p95"], r, "interval"),
                "grafiek": charts.ratio_interval(r["bkr_p05"], r["bkr"], r["bkr_p95"], ax=ax),
                "scenario": _range_html(r["bkr_laag"], r["bkr_hoog"], r, "scenario's"),
            }
        )
    return rows


def _ratio_axis(frame: pl.DataFrame) -> charts.Axis:
    values = [*frame["bkr_p05"].to_list(), *frame["bkr_p95"].to_list(), *frame["bkr"].to_list()]
    return charts.axis(values, include=[0.0, 1.0], centre=frame["bkr"].to_list())


_MKBA_LABELS = {
    "deelnemers": "Deelnemers",
    "kosten": "Kosten",
    "baten": "Baten",
    "ncw": "NCW",
    "bkr": RATIO_HEADER,
    "interval": "90 %-interval",
    "scenario": "Laag – hoog scenario",
}
_MKBA_RAW = ["deelnemers", "kosten", "baten", "ncw", "bkr", "interval", "grafiek", "scenario"]
_MKBA_NOTE = (
    "NCW: netto contante waarde (baten − kosten). 90 %-interval: P5–P95 van de Monte "
    "Carlo-analyse over alle kengetallen. Laag/hoog scenario: alle kengetallen tegelijk aan de "
    "ongunstige of de gunstige kant. De rode stippellijn is 1."
)


def _clip_note(ax: charts.Axis) -> list[str]:
    if not ax.clipped:
        return []
    return [
        "Grafiek: een waarde buiten de schaal (na de onderbreking //) staat aan de rand met een "
        "driehoek en haar getal, zodat één uitschieter de andere projecten niet platdrukt."
    ]


def projects_table(own: pl.DataFrame, names: dict[str, str]) -> Markup:
    ax = _ratio_axis(own)
    ordered = own.sort(KEYS, descending=[True, False])
    rows = [
        {"jaar": str(r["jaar"]), **shown, "basis": evidence.label(r.get("basis"))}
        for r, shown in zip(
            ordered.iter_rows(named=True), _interval_rows(ordered, names, ax), strict=True
        )
    ]
    df = pl.DataFrame(rows)
    incomplete = (own["status"] == INCOMPLETE).any()
    by_reference = "basis" in own.columns and bool(
        (own["basis"].fill_null(evidence.MEASURED) != evidence.MEASURED).any()
    )
    return gt_markup(
        df,
        "org-projecten",
        stub="project",
        group="jaar",
        labels={**_MKBA_LABELS, "grafiek": f"Interval ({ax.caption()})", "basis": "Basis"},
        raw=_MKBA_RAW,
        right=["deelnemers", "kosten", "baten", "ncw", "bkr", "interval", "scenario"],
        center=["grafiek"],
        title="De MKBA van uw projecten per jaar",
        subtitle="Standaardparameters van de sector; kosten en baten in contante waarde van "
        "elk jaar",
        notes=[
            _MKBA_NOTE,
            *(
                [
                    "Onvolledig: het projectjaar mist gegevens (de cel zegt welke); het heeft "
                    "geen rendementsfactor en telt in geen enkel sectorcijfer mee."
                ]
                if incomplete
                else []
            ),
            *(
                [
                    "Basis: waar de cijfers van het projectjaar op rusten. "
                    + "; ".join(evidence.EXPLAINED[b] for b in evidence.LABELS if b != "gemeten")
                    + ". Zulke projectjaren zijn niet bij de deelnemers zelf gemeten: ze zijn "
                    "een zwakkere onderbouwing en worden apart van gemeten projecten "
                    "vergeleken."
                ]
                if by_reference
                else ["Basis: gemeten, uit de trajecten en metingen van uw organisatie."]
            ),
            *_clip_note(ax),
        ],
    )


def _period(first: int | None, last: int | None) -> str:
    if first is None:
        return ""
    return str(first) if last in (None, first) else f"{first}–{last}"


def whole_period_section(looptijd: pl.DataFrame, names: dict[str, str]) -> Markup:
    """Per project over its whole delivered period (`mkba.project_looptijd`): the
    rendementsfactor with its interval and scenarios, costs, benefits, NPV and the period."""
    intro = _part("whole_period", WHOLE_PERIOD)
    if not looptijd.height:
        return intro + _note(
            "De berekening over de hele looptijd is nog niet beschikbaar; zij verschijnt na de "
            "volgende verwerking.",
            "org-looptijd-ontbreekt",
        )
    frame = with_status(looptijd).sort("project_id")
    ax = _ratio_axis(frame)
    rows = []
    for r, shown in zip(frame.iter_rows(named=True), _interval_rows(frame, names, ax), strict=True):
        rows.append(
            {
                **shown,
                "periode": _period(r["eerste_jaar"], r["laatste_jaar"]),
                "basis": evidence.label(r.get("basis")),
            }
        )
    df = pl.DataFrame(rows).select(
        "project",
        "periode",
        "deelnemers",
        "kosten",
        "baten",
        "ncw",
        "bkr",
        "interval",
        "grafiek",
        "scenario",
        "basis",
    )
    rates = sorted({v for v in frame["discontovoet"].to_list() if v is not None})
    rate = (
        f" Discontovoet {nl_number(100 * rates[0], 2)} % reëel; bedragen in euro's van het "
        f"prijsjaar {frame['prijsjaar'][0]}."
        if len(rates) == 1 and "prijsjaar" in frame.columns
        else ""
    )
    return intro + gt_markup(
        df,
        "org-looptijd",
        stub="project",
        labels={
            **_MKBA_LABELS,
            "periode": "Jaren",
            "deelnemers": "Deelnemers (uniek)",
            "grafiek": f"Interval ({ax.caption()})",
            "basis": "Basis",
        },
        raw=_MKBA_RAW,
        right=["deelnemers", "kosten", "baten", "ncw", "bkr", "interval", "scenario"],
        center=["grafiek", "periode"],
        title="Uw projecten over de hele looptijd",
        subtitle="Contante waarde naar het eerste jaar van elk project; dezelfde correcties en "
        "onzekerheid als per jaar",
        notes=[
            WHOLE_PERIOD
            + " Daarom is de som van de jaren in de tabel per jaar niet precies gelijk aan "
            "deze bedragen." + rate,
            "Deelnemers (uniek): elke deelnemer één keer, ook als hij in meer jaren meedeed.",
            "Basis: de zwakste van de jaren (gemeten, opgegeven of referentie; zie de tabel "
            "per jaar).",
            _MKBA_NOTE,
            *_clip_note(ax),
        ],
    )


def stakeholder_table(
    outcomes: pl.DataFrame, names: dict[str, str], stakeholders: dict[str, str]
) -> Markup:
    if not outcomes.height:
        return _note("Geen uitkomsten berekend.")
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
        row = {"jaar": str(jaar), "project": project_label(pid, names)}
        total = 0.0
        for s in present:
            v = look.get((jaar, pid, s))
            total += v or 0.0
            row[s] = escape(nl_euro(v)) if v else DASH  # none and zero read the same
        row["totaal"] = escape(nl_euro(total))
        shifted = tlook.get((jaar, pid))
        row["overdrachten"] = escape(nl_euro(shifted)) if shifted else DASH
        rows.append(row)
    df = pl.DataFrame(rows)
    return gt_markup(
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
            "Een streepje: deze partij krijgt van dit project in dat jaar geen baten. "
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


def overview_table(own: pl.DataFrame, info: pl.DataFrame) -> Markup:
    """One row per project: its name, domain, intervention and recognition level."""
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
    return gt_markup(
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


def corrections_table(outcomes: pl.DataFrame) -> Markup:
    """The value and the four corrections per outcome (the sector's standard set: the same
    for every project; a range where they differ)."""
    valued = outcomes.filter(pl.col("gewaardeerd")) if outcomes.height else outcomes
    if not valued.height:
        return _note("Geen gewaardeerde uitkomsten.")

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
                "uitkomst": outcome_label(r["uitkomst_naam"], r["is_transfer"]),
                "waarde": escape(spread(r["eenheidswaarde"], nl_euro)),
                "eenheid": r["eenheid"] or "",
                "deadweight": escape(spread(r["deadweight"], _fraction)),
                "displacement": escape(spread(r["displacement"], _fraction)),
                "attributie": escape(spread(r["attributie"], _fraction)),
                "drop_off": escape(spread(r["drop_off"], _fraction)),
                "duur": escape(spread(r["duur"], nl_number)),
            }
        )
    raw = ["waarde", "deadweight", "displacement", "attributie", "drop_off", "duur"]
    return gt_markup(
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


def outcomes_table(outcomes: pl.DataFrame, names: dict[str, str], year: int, params=None) -> Markup:
    """Quantities and present values per project and outcome, for one year, with the basis of
    each quantity and the grade it is shown with (`evidence`: lower for a reference)."""
    rows_in = outcomes.filter(pl.col("jaar") == year) if outcomes.height else outcomes
    if not rows_in.height:
        return _note("Geen uitkomsten berekend.")
    per = (
        rows_in.group_by("project_id", "uitkomst")
        .agg(
            pl.col("uitkomst_naam").first(),
            pl.col("hoeveelheid").first(),
            pl.col("eenheid").first(),
            pl.col("is_transfer").first(),
            pl.col("gewaardeerd").first(),
            pl.col("pv").filter(pl.col("pv") > 0).sum().alias("pv"),
            (pl.col("basis") if "basis" in rows_in.columns else pl.lit(None, pl.String))
            .first()
            .alias("basis"),
        )
        .sort("project_id", "uitkomst_naam")
    )
    rows = []
    for r in per.iter_rows(named=True):
        qty = r["hoeveelheid"]
        if not r["gewaardeerd"]:
            pv = "geteld"
        elif r["is_transfer"]:
            pv = nl_euro(r["pv"]) + f" ({TRANSFER})"
        else:
            pv = nl_euro(r["pv"])
        rows.append(
            {
                "project": project_label(r["project_id"], names),
                "uitkomst": r["uitkomst_naam"],
                "hoeveelheid": escape(nl_number(qty, 0 if float(qty or 0).is_integer() else 1)),
                "eenheid": unit_for(qty, r["eenheid"]),
                "cw": escape(pv),
                "basis": evidence.label(r["basis"]),
                "graad": evidence.grade_text(
                    evidence.source_grade(params, r["uitkomst"]) if params else None, r["basis"]
                )
                if r["gewaardeerd"]
                else "",
            }
        )
    return gt_markup(
        pl.DataFrame(rows),
        "org-uitkomsten",
        stub="uitkomst",
        group="project",
        labels={
            "hoeveelheid": "Hoeveelheid",
            "eenheid": "Eenheid",
            "cw": "Contante waarde",
            "basis": "Basis",
            "graad": "Graad",
        },
        raw=["hoeveelheid", "cw"],
        right=["hoeveelheid", "cw"],
        title=f"Uitkomsten per project, {year}",
        subtitle="Hoeveel er bereikt is en wat dat waard is na correcties",
        width=None,
        notes=[
            "Geteld: een uitkomst zonder onderbouwde waarde wordt niet in euro's uitgedrukt. "
            "Overdrachten tellen niet mee in de baten.",
            "Basis: waar de hoeveelheid op rust (gemeten, opgegeven, referentie). " + evidence.RULE,
        ],
    )


def _now_range(values: list) -> str:
    vals = sorted({v for v in values if v is not None})
    if not vals:
        return ""
    if len(vals) == 1:
        return _fraction(vals[0])
    return f"{nl_number(100 * vals[0])}–{nl_percent(vals[-1], 0)}"


def _switch_share(value: float | None, now: str, what: str, row: dict) -> Markup:
    """A correction at which the rendementsfactor becomes 1, in words."""
    if value is None:
        return _no_switch(row)
    return escape(switch_share_text(value, what, now))


def _no_switch(row: dict) -> Markup:
    """A missing switching value: a dash next to a missing ratio (whose cell says why), else
    the reason in words."""
    if row.get("bkr") is None:
        return _dash(row)
    return _reason_html(f"geen schakelwaarde: {missing_ratio_reason(row)}")


def _switch_factor(value: float | None, row: dict) -> Markup:
    if value is None:
        return _no_switch(row)
    return escape(switch_factor_text(value))


def switching_table(
    own: pl.DataFrame, schakel: pl.DataFrame, outcomes: pl.DataFrame, names: dict[str, str]
) -> Markup:
    """Per project-year: which deadweight, attribution or factor on all unit values would
    bring the rendementsfactor to exactly 1 (`mkba.schakelwaarden`), in words."""
    if not schakel.height:
        return _note("Nog geen schakelwaarden berekend.", "org-schakelwaarden-ontbreekt")
    now: dict[tuple, dict[str, str]] = {}
    if outcomes.height:
        valued = outcomes.filter(pl.col("gewaardeerd"))
        per = valued.group_by(KEYS).agg(
            pl.col("deadweight").unique(), pl.col("attributie").unique()
        )
        for r in per.iter_rows(named=True):
            now[(r["jaar"], r["project_id"])] = {
                "deadweight": _now_range(r["deadweight"]),
                "attributie": _now_range(r["attributie"]),
            }
    base = own.select(*KEYS, "kosten", "baten", "bkr", "status", "reden")
    extra = [c for c in ("reden",) if c in schakel.columns]
    frame = (
        schakel.select(
            *KEYS,
            "deadweight_bij_bkr_1",
            "attributie_bij_bkr_1",
            "eenheidswaarden_factor_bij_bkr_1",
            *(pl.col(c).alias("reden_schakel") for c in extra),
        )
        .join(base, on=KEYS, how="left")
        .sort(KEYS, descending=[True, False])
    )
    rows, example = [], None
    for r in frame.iter_rows(named=True):
        # The ratio's reason is the project-year's; a switching value's its own.
        switch_row = {**r, "reden": r.get("reden_schakel") or r.get("reden")}
        n = now.get((r["jaar"], r["project_id"]), {})
        dw = r["deadweight_bij_bkr_1"]
        rows.append(
            {
                "jaar": str(r["jaar"]),
                "project": project_label(r["project_id"], names),
                "bkr": _ratio_html(r["bkr"], r),
                "deadweight": _switch_share(dw, n.get("deadweight", ""), "deadweight", switch_row),
                "attributie": _switch_share(
                    r["attributie_bij_bkr_1"], n.get("attributie", ""), "attributie", switch_row
                ),
                "factor": _switch_factor(r["eenheidswaarden_factor_bij_bkr_1"], switch_row),
            }
        )
        if example is None and dw is not None and 0 <= dw < 1 and r["bkr"] is not None:
            verb = "daalt tot" if r["bkr"] > 1 else "stijgt tot" if r["bkr"] < 1 else "blijft"
            current = n.get("deadweight")
            example = (
                f"Voorbeeld: de rendementsfactor van {project_label(r['project_id'], names)} in "
                f"{r['jaar']} (nu {nl_ratio(r['bkr'])}) {verb} 1 als de deadweight bij alle "
                f"uitkomsten {nl_percent(dw, 0)} is" + (f" (nu {current})." if current else ".")
            )
    return gt_markup(
        pl.DataFrame(rows),
        "org-schakelwaarden",
        stub="project",
        group="jaar",
        labels={
            "bkr": "Rendementsfactor nu",
            "deadweight": "Deadweight bij alle uitkomsten",
            "attributie": "Attributie bij alle uitkomsten",
            "factor": "Alle eenheidswaarden",
        },
        raw=["bkr", "deadweight", "attributie", "factor"],
        right=["bkr"],
        spanners=[("De rendementsfactor wordt 1 bij", ["deadweight", "attributie", "factor"])],
        title="Schakelwaarden per project en jaar",
        subtitle="De waarde waarbij de baten precies gelijk zijn aan de "
        "kosten, als al het andere gelijk blijft",
        notes=[
            *([example] if example else []),
            SWITCH_NOTE + " Nu: de huidige waarden in de parameterset (zie de correcties "
            "hieronder).",
        ],
    )


def overrides_section(
    own: pl.DataFrame, eigen: pl.DataFrame, overrides: pl.DataFrame, names: dict[str, str]
) -> Markup:
    """`overrides`: the organisation's deviations, applied and refused
    (`rendement.mkba.overrides.records`; `rendement.reports.deviations`)."""
    if not deviations.has_deviations(overrides):
        return _part("no_overrides")
    table = deviations.refused_part(overrides, names) + deviations.applied_table(overrides, names)
    if not deviations.has_applied(overrides):
        return table + _part("no_overrides")
    effect = Markup()
    if eigen.height:
        mine = with_status(eigen)
        both = own.select(*KEYS, "kosten", "baten", "bkr", "ncw", "status", "reden").join(
            mine.select(
                *KEYS,
                pl.col("kosten").alias("kosten_eigen"),
                pl.col("baten").alias("baten_eigen"),
                pl.col("bkr").alias("bkr_eigen"),
                pl.col("ncw").alias("ncw_eigen"),
                pl.col("status").alias("status_eigen"),
                pl.col("reden").alias("reden_eigen"),
            ),
            on=KEYS,
            how="inner",
        )
        changed = both.filter(
            ((pl.col("bkr") - pl.col("bkr_eigen")).abs() > 1e-9)
            | ((pl.col("ncw") - pl.col("ncw_eigen")).abs() > 1e-6)
            | (pl.col("bkr").is_null() != pl.col("bkr_eigen").is_null())
        ).sort(KEYS, descending=[True, False])
        if changed.height:
            rows = []
            for r in changed.iter_rows(named=True):
                theirs = {
                    "jaar": r["jaar"],
                    "kosten": r["kosten_eigen"],
                    "baten": r["baten_eigen"],
                    "bkr": r["bkr_eigen"],
                    "status": r["status_eigen"],
                    "reden": r["reden_eigen"],
                }
                rows.append(
                    {
                        "jaar": str(r["jaar"]),
                        "project": project_label(r["project_id"], names),
                        "bkr": _ratio_html(r["bkr"], r),
                        "bkr_eigen": _ratio_html(r["bkr_eigen"], theirs),
                        "ncw": escape(nl_euro(r["ncw"])),
                        "ncw_eigen": escape(nl_euro(r["ncw_eigen"])),
                    }
                )
            effect = gt_markup(
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
                spanners=[(RATIO_LABEL, ["bkr", "bkr_eigen"]), ("NCW", ["ncw", "ncw_eigen"])],
                title="Wat uw afwijkingen veranderen",
                notes=[
                    "Sectorvergelijkingen en de positie hieronder gebruiken altijd de "
                    "standaardparameters, zodat alle organisaties op dezelfde manier zijn berekend."
                ],
            )
    return table + effect


def position_table(
    positie: pl.DataFrame, pub: Published, names: dict[str, str], own: pl.DataFrame
) -> Markup:
    if not positie.height:
        return _note("Nog geen positie berekend.")
    idx = CellIndex.of(pub.cells)
    # Why a project-year has no ratio: the project row's status and reason (the position
    # table may carry its own).
    own_rows = {
        (r["jaar"], r["project_id"]): r
        for r in own.select(*KEYS, "kosten", "baten", "bkr", "status", "reden").iter_rows(
            named=True
        )
    }
    # An incomplete project-year has no position (it is compared with nothing): list it
    # anyway, so that the organisation reads why it is missing.
    missing = own.filter(pl.col("status") == INCOMPLETE).join(
        positie.select(pl.col("jaar").cast(own.schema["jaar"]), "project_id"), on=KEYS, how="anti"
    )
    if missing.height:
        extra = missing.select(
            *(
                pl.col(c) if c in missing.columns else pl.lit(None, dtype).alias(c)
                for c, dtype in positie.schema.items()
            )
        ).with_columns(pl.lit(None, positie.schema["bkr"]).alias("bkr"))
        positie = pl.concat([positie, extra.cast(positie.schema)])
    if "basis" not in positie.columns:
        positie = positie.with_columns(pl.lit("gemeten").alias("basis"))
    positie = positie.with_columns(  # an incomplete year's row carries the project's basis
        pl.when(pl.col("basis").fill_null("gemeten") == "gemeten")
        .then(pl.lit("gemeten"))
        .otherwise(pl.lit("referentie"))
        .alias("basis")
    )
    stats_of = {}
    for jaar, d, b in positie.select("jaar", "domein", "basis").unique().iter_rows():
        stats_of[(jaar, d, b)] = [
            idx.value(jaar, d, "bkr", s, basis=b) for s in ("p10", "p25", "mediaan", "p75", "p90")
        ]
    stat_values = [v for vals in stats_of.values() for v in vals]
    ax = charts.axis(
        [*positie["bkr"].to_list(), *stat_values],
        include=[0.0, 1.0],
        centre=[*positie["bkr"].to_list(), *stat_values],
    )
    rows = []
    for r in positie.sort(KEYS, descending=[True, False]).iter_rows(named=True):
        jaar, d, i = r["jaar"], r["domein"], r["interventie"]
        closed = pub.is_closed(jaar)
        project = own_rows.get((jaar, r["project_id"]), {})
        reason_row = {
            **project,
            "jaar": jaar,
            "bkr": r["bkr"],
            "status": INCOMPLETE
            if INCOMPLETE in (r.get("status"), project.get("status"))
            else project.get("status"),
            "reden": project.get("reden") or r.get("reden"),
        }
        if reason_row["status"] == INCOMPLETE:
            r = {**r, "bkr": None, "kosten_per_deelnemer": None}  # compared with nothing
            reason_row["bkr"] = None
            pct_html = cost_html = _part("incomplete", INCOMPLETE)
            group_html = escape("geen vergelijking")
        elif r["status"] == "gepubliceerd":
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
            pct_html, cost_html, group_html = escape(pct), escape(cost_pct), escape(group)
        else:
            why = "Te weinig organisaties in de vergelijkingsgroep"
            pct_html = cost_html = symbol_html("x", why)
            group_html = escape("te klein")
        b = r["basis"]  # compared with project-years of the same basis only
        med_i = idx.get(jaar, d, "bkr", "mediaan", interventie=i, basis=b)
        med_d = idx.get(jaar, d, "bkr", "mediaan", basis=b)
        stats = {
            s: idx.value(jaar, d, "bkr", s, basis=b)
            for s in ("p10", "p25", "mediaan", "p75", "p90")
        }
        chart = charts.distribution(
            *stats.values(),
            ax=ax,
            ref=1.0,
            mark=r["bkr"],
            label=f"Uw rendementsfactor {nl_ratio(r['bkr'])} (ruit) tegen de "
            + ("" if closed else "voorlopige ")
            + "verdeling in het domein",
        )
        if closed:
            med_i, med_d = med_i.html(), med_d.html()
        else:  # marked, whether a value or a suppression symbol
            med_i, med_d = (
                _part("provisional", c.html()) if c.published else c.html() for c in (med_i, med_d)
            )
        rows.append(
            {
                "jaar": str(jaar),
                "project": project_label(r["project_id"], names),
                "vergelijking": "gemeten" if b == "gemeten" else "referentie",
                "bkr": _ratio_html(r["bkr"], reason_row),
                "pct": pct_html,
                "kpd": escape(nl_euro(r["kosten_per_deelnemer"]))
                if r["kosten_per_deelnemer"] is not None
                else _dash(reason_row),
                "kpd_pct": cost_html,
                "groep_n": group_html,
                "med_i": med_i,
                "med_d": med_d,
                "grafiek": chart,
            }
        )
    df = pl.DataFrame(rows)
    raw = ["bkr", "pct", "kpd", "kpd_pct", "groep_n", "med_i", "med_d", "grafiek"]
    return gt_markup(
        df,
        "org-positie",
        stub="project",
        group="jaar",
        labels={
            "vergelijking": "Vergeleken met",
            "bkr": f"Uw {RATIO.lower()}",
            "pct": "Percentiel",
            "kpd": "Uw kosten per deelnemer",
            "kpd_pct": "Percentiel",
            "groep_n": "Groep (org. / proj.)",
            "med_i": "Mediaan interventie",
            "med_d": "Mediaan domein",
            "grafiek": f"Uw plek in het domein ({ax.caption()})",
        },
        raw=raw,
        right=["bkr", "pct", "kpd", "kpd_pct", "groep_n", "med_i", "med_d"],
        center=["grafiek"],
        spanners=[("Sector", ["med_i", "med_d", "grafiek"])],
        title="Uw positie ten opzichte van de sector",
        subtitle="Vergeleken met projecten van dezelfde interventie in hetzelfde jaar",
        notes=[
            "Percentiel: welk deel van de vergelijkbare projecten lager scoort (een hoog "
            "percentiel bij de rendementsfactor is gunstig; bij kosten per deelnemer betekent een laag "
            "percentiel goedkoper dan de meeste). Alleen met genoeg organisaties in de groep.",
            "Sectorcijfers (mediaan, grafiek): voor jaren die in een release zijn vastgesteld de "
            "gepubliceerde cijfers; voor latere jaren de huidige cijfers van de sector, gemarkeerd "
            "als voorlopig: ze veranderen nog met nieuwe aanleveringen tot de release. Voorlopige "
            "cijfers volgen dezelfde regels als gepubliceerde (te kleine groepen blijven "
            "verborgen). Grafiek: lijn P10–P90, blok P25–P75, streep mediaan van het domein; de "
            "ruit is uw project.",
            "Een onvolledig projectjaar wordt niet met de sector vergeleken en telt in geen "
            "enkel sectorcijfer mee.",
            "Vergeleken met: een gemeten projectjaar alleen met gemeten projecten, een "
            "projectjaar op opgave of referentie alleen met zulke projecten (referentie); de "
            "twee worden nooit in één verdeling gemengd.",
            *_clip_note(ax),
        ],
    )


def validation_table(uploads: pl.DataFrame, reports: Path) -> Markup:
    """The organisation's uploads, each with a link to its validation report when `reports`
    (its folder of validation reports, `Home.org_validation`) holds it; the page links to it
    as `validatie/<kenmerk>.html`, its folder's link to `reports`."""
    if not uploads.height:
        return _note("Geen aanleveringen gevonden.")
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
        target = reports / f"{stem}.html"
        link = (
            fragment(
                "rendement.reports",
                "parts.html",
                "link",
                f"{VALIDATION_IN_SITE}/{stem}.html",
                "rapport",
            )
            if stem and target.exists()
            else DASH
        )
        received = r["ontvangen_op"]
        rows.append(
            {
                "bestand": r["bestand"] or "",
                "periode": "" if r["periode"] is None else str(r["periode"]),
                "ontvangen": nl_local_datetime(received) if received else "",
                "uitkomst": labels.get(r["uitkomst"], r["uitkomst"] or "")
                + (" (vervangen)" if r.get("vervangen") else ""),
                "rapport": link,
            }
        )
    return gt_markup(
        pl.DataFrame(rows),
        "org-validatie",
        labels={
            "bestand": "Bestand",
            "periode": "Jaren",
            "ontvangen": "Ontvangen",
            "uitkomst": "Uitkomst",
            "rapport": "Validatierapport",
        },
        raw=["rapport"],
        title="Uw aanleveringen",
        subtitle="Per bestand het validatierapport: wat is aangenomen en wat niet, met rij en kolom",
    )


def _own_rows(wh: Warehouse, org: str, table: str) -> pl.DataFrame:
    """`org`'s rows of a warehouse table (an empty frame when the table is empty)."""
    frame = getattr(wh, table)
    return frame.filter(pl.col("organisatie_id") == org) if frame.height else pl.DataFrame()


def _project_names(info: pl.DataFrame) -> dict[str, str]:
    """{project_id: name} from an organisation's rows of `mkba.project_info`."""
    if not info.height:
        return {}
    return {r["project_id"]: r["naam"] for r in info.iter_rows(named=True) if r.get("naam")}


def _organisation_name(wh: Warehouse, org: str) -> str:
    rows = _own_rows(wh, org, "organisations")
    return rows["naam"][0] if rows.height and rows["naam"][0] else org


def own_part(
    org: str, wh: Warehouse, eigen: pl.DataFrame, overrides: pl.DataFrame, params
) -> Markup:
    """The part of the report made from the organisation's own rows and the parameter set
    alone: everything above its position against the sector. It is most of the page (all its
    tables but two), and a change in another organisation's results does not touch it, so
    `rendement.reports.org_pages` keeps it beside the page and renders it only when these
    inputs changed."""
    own = with_status(wh.projects.filter(pl.col("organisatie_id") == org))
    info = _own_rows(wh, org, "project_info")
    names = _project_names(info)
    outcomes = _own_rows(wh, org, "outcomes")
    years = sorted(own["jaar"].unique().to_list())
    sections = {}
    if years:
        sections = {
            "org": org,
            "parameter_versions": ", ".join(
                sorted(own["parameter_versie"].drop_nulls().unique().to_list())
            ),
            "domains": ", ".join(sorted({DOMAINS.get(d, d) for d in own["domein"].unique()})),
            "org_name": _organisation_name(wh, org),
            "latest": years[-1],
            "whole_period": whole_period_section(_own_rows(wh, org, "looptijd"), names),
            "overview": overview_table(own, info),
            "impactkaarten": impactkaart_links(own, names, RESULTS_FILE),
            "cards": _cards(own, years[-1], names),
            "projects": projects_table(own, names),
            "switching": switching_table(
                own, _own_rows(wh, org, "schakelwaarden"), outcomes, names
            ),
            "stakeholders": stakeholder_table(outcomes, names, dict(params.baathebbers)),
            "corrections": corrections_table(outcomes),
            "outcomes": outcomes_table(outcomes, names, years[-1], params),
            "overrides": overrides_section(own, eigen, overrides, names),
        }
    return render(
        "rendement.reports",
        "organisation_own.html",
        years=years,
        ratio_term=RATIO,
        ratio_definition=DEFINITION,
        estimates=estimates.organisation_sections(org, wh, params, names, file_stem),
        **sections,
    )


def uploads_part(org: str, wh: Warehouse, reports: Path) -> Markup:
    """The organisation's uploads with links to their validation reports in `reports` (its
    folder of them, `Home.org_validation`): from its own rows and reports alone, so
    `rendement.reports.org_pages` keeps it with the own part."""
    return validation_table(_own_rows(wh, org, "uploads"), reports)


def organisation_page(
    org: str,
    wh: Warehouse,
    pub: Published,
    eigen: pl.DataFrame,
    overrides: pl.DataFrame,
    params,
    reports: Path,
    generated: dt.date | None = None,
    own: Markup | None = None,
    uploads: Markup | None = None,
) -> str:
    """The whole report of one organisation. `pub`: what it may show of the sector
    (`rendement.reports.data.organisation_comparison`); `reports`: its folder of validation
    reports (`Home.org_validation`); `own`, `uploads`: its `own_part` and `uploads_part` if
    already rendered from the same inputs (else they are rendered here)."""
    if own is None:
        own = own_part(org, wh, eigen, overrides, params)
    if uploads is None:
        uploads = uploads_part(org, wh, reports)
    projects = with_status(wh.projects.filter(pl.col("organisatie_id") == org))
    years = sorted(projects["jaar"].unique().to_list())
    position = (
        position_table(
            _own_rows(wh, org, "positie"),
            pub,
            _project_names(_own_rows(wh, org, "project_info")),
            projects,
        )
        if years
        else None
    )
    body = render(
        "rendement.reports",
        "organisation.html",
        own=own,
        years=years,
        position=position,
        uploads=uploads,
    )
    org_name = _organisation_name(wh, org)
    return page(
        f"Eigen rapport {org_name}",
        body,
        subtitle="Maatschappelijke kosten-batenanalyse van uw projecten",
        generated=generated,
        home_href="index.html",
        footer=render(
            "rendement.reports", "org_footer.html", version=params.version, org_name=org_name
        ),
    )

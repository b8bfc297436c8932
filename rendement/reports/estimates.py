"""What an organisation's report and its Impactkaarten show beside the realised MKBA: its plans
(`mkba.raming`, an expected MKBA, always labelled raming), its labour-market effects
(`mkba.arbeidsmarkt`: people into paid work, avoided professional care in hours and FTE) and
its qualitative effects (`kwalitatieve_effecten` of `canoniek.projectopgave`, its own words).

PRIVATE, like the rest of the organisation's report: only its own rows, filtered here on
`organisatie_id`. None of this is read by a sector page, a benchmark or a release: a plan is
an expectation, the labour-market figures restate outcomes already in the benefits, and the
words are the organisation's own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import polars as pl

from rendement.core.files import write_atomic
from rendement.core.formatting import nl_date, nl_euro, nl_number, nl_ratio
from rendement.core.templates import Markup, fragment, render
from rendement.reports.data import Warehouse, own_rows
from rendement.reports.tables import gt_markup
from rendement.reports.words import RATIO, project_label
from schemas.vocabulary import DOMAINS, INTERVENTIONS, OUTCOMES, SHEET_KINDS

TEMPLATE = "estimates.html"
PLAN_TEMPLATE = "impactkaart_raming.html"  # a plan-only project's card page
FOLDER = "impactkaart"
PLAN_SUFFIX = "-raming"
_ALL_INTERVENTIONS = {c: label for per in INTERVENTIONS.values() for c, label in per.items()}


def _part(macro: str, *args: object) -> Markup:
    return fragment("rendement.reports", TEMPLATE, macro, *args)


def _range(low: float | None, high: float | None, fmt) -> str:
    if low is None or high is None:
        return "–"
    return f"{fmt(low)} – {fmt(high)}"


# ------------------------------------------------------------------------------ plans


def plans_table(raming: pl.DataFrame, names: dict[str, str]) -> Markup:
    """The organisation's plans: expected reach, costs, benefits and rendementsfactor."""
    rows = []
    for r in raming.sort("jaar", "project_id").iter_rows(named=True):
        rows.append(
            {
                "project": project_label(r["project_id"], names),
                "jaar": str(r["jaar"]),
                "bereikt": nl_number(r["bereikt"]),
                "kosten": f"{nl_euro(r['kosten'])} ({r['kostenbron']})",
                "baten": nl_euro(r["baten"]),
                "ncw": nl_euro(r["ncw"]),
                "bkr": nl_ratio(r["bkr"]) if r["bkr"] is not None else f"– ({r['reden']})",
                "interval": _range(r["bkr_p05"], r["bkr_p95"], nl_ratio),
                "basis": r["basis"] or "geen uitkomst te ramen",
            }
        )
    return gt_markup(
        pl.DataFrame(rows),
        "org-ramingen-tabel",
        labels={
            "project": "Project",
            "jaar": "Jaar",
            "bereikt": "Verwacht bereik",
            "kosten": "Verwachte kosten (bron)",
            "baten": "Verwachte baten",
            "ncw": "Verwachte netto contante waarde",
            "bkr": f"Verwachte {RATIO.lower()}",
            "interval": "90 %-interval",
            "basis": "Op basis van",
        },
        right=["bereikt", "kosten", "baten", "ncw", "bkr", "interval"],
        title="Ramingen (verwachting vooraf)",
        subtitle="Op referentie, met de standaardparameters van de sector; niet in sectorcijfers",
        notes=[
            "Kosten: uit de begroting van de raming, anders de inzet en kosten van het laatste "
            "gerealiseerde jaar van het project (eerder jaar). Zonder kosten is er geen "
            "verwachte rendementsfactor.",
        ],
    )


def plan_only_projects(wh: Warehouse, org: str) -> list[str]:
    """Projects of `org` with a plan but no realised MKBA: they get a card of their own."""
    plans = own_rows(wh.raming, org)
    if not plans.height:
        return []
    realised = (
        set(own_rows(wh.projects, org)["project_id"].to_list()) if wh.projects.height else set()
    )
    return sorted(set(plans["project_id"].to_list()) - realised)


def plan_page_name(stem: str) -> str:
    """The file of a plan-only project's card, from the card file stem of its project
    (`impactkaart.file_stem`)."""
    return f"{stem}{PLAN_SUFFIX}.html"


# ------------------------------------------------------------------------------ labour market


def labour_table(arbeidsmarkt: pl.DataFrame, names: dict[str, str]) -> Markup:
    rows = []
    for r in arbeidsmarkt.sort("jaar", "project_id", descending=[True, False]).iter_rows(
        named=True
    ):
        work = r["naar_betaald_werk"]
        rows.append(
            {
                "jaar": str(r["jaar"]),
                "project": project_label(r["project_id"], names),
                "werk": "–"
                if work is None
                else f"{nl_number(work, 0)} ({r['basis_betaald_werk']})",
                "zorg": nl_euro(r["vermeden_zorg"]) if r["vermeden_zorg"] is not None else "–",
                "uren": "–"
                if r["zorguren"] is None
                else f"{nl_number(r['zorguren'])} ({_range(r['zorguren_laag'], r['zorguren_hoog'], nl_number)})",
                "fte": "–"
                if r["zorg_fte"] is None
                else f"{nl_number(r['zorg_fte'], 2)} ({_range(r['zorg_fte_laag'], r['zorg_fte_hoog'], lambda v: nl_number(v, 2))})",
            }
        )
    return gt_markup(
        pl.DataFrame(rows),
        "org-arbeidsmarkt-tabel",
        stub="project",
        group="jaar",
        labels={
            "werk": "Naar betaald werk (basis)",
            "zorg": "Vermeden zorg, eerste jaar",
            "uren": "Uren zorg (laag – hoog)",
            "fte": "Fte zorgmedewerkers (laag – hoog)",
        },
        right=["werk", "zorg", "uren", "fte"],
        title="Arbeidsmarkteffecten per project en jaar",
        subtitle="Uitkomsten van de MKBA in andere eenheden; niet opnieuw bij de baten opgeteld",
    )


def labour_note(params) -> str:
    care = getattr(params, "arbeidsmarkt", None)
    if care is None:
        return ""
    price = params.in_price_year(care.uurprijs)
    return (
        "Naar betaald werk: deelnemers die naar betaald werk gingen (gemeten, door u opgegeven "
        "of op referentie). Vermeden zorg: de waarde van vermeden zorgkosten in het eerste jaar "
        f"na alle correcties, gedeeld door {nl_euro(price.basis, 2)} per uur zorg "
        f"({nl_euro(price.laag, 2)} – {nl_euro(price.hoog, 2)}; graad {care.uurprijs.graad}: "
        f"{care.uurprijs.bron}) en door {nl_number(care.uren_per_fte.basis)} uur per fte per "
        f"jaar (graad {care.uren_per_fte.graad}: {care.uren_per_fte.bron}). Een indicatie: "
        "vermeden zorgkosten zijn niet alleen uren van zorgmedewerkers, dus de uren zijn een "
        "bovengrens."
    )


def _card_labour(org: str, project_id: str, wh: Warehouse, first: int, last: int) -> Markup:
    rows = own_rows(wh.arbeidsmarkt, org, project_id)
    if not rows.height:
        return Markup("")
    rows = rows.filter(pl.col("jaar").is_between(first, last))
    work = rows["naar_betaald_werk"].drop_nulls()
    fte = rows["zorg_fte"].drop_nulls()
    if not work.len() and not fte.len():
        return Markup("")
    work_text = f"Naar betaald werk: {nl_number(work.sum())} personen" if work.len() else None
    care_text = None
    if fte.len():
        care_text = (
            f"Vermeden zorg ≈ {nl_number(rows['zorguren'].drop_nulls().sum())} uur, "
            f"{nl_number(fte.sum(), 2)} fte zorgmedewerkers (indicatief, "
            f"{nl_number(rows['zorg_fte_laag'].drop_nulls().sum(), 2)} – "
            f"{nl_number(rows['zorg_fte_hoog'].drop_nulls().sum(), 2)})"
        )
    return _part("card_labour", work_text, care_text)


# ------------------------------------------------------------------------------ words


def _word_items(opgave: pl.DataFrame, names: dict[str, str] | None) -> list[tuple[str, str]]:
    if not opgave.height or "kwalitatieve_effecten" not in opgave.columns:
        return []
    rows = opgave.filter(
        pl.col("kwalitatieve_effecten").is_not_null()
        & (pl.col("kwalitatieve_effecten").str.strip_chars() != "")
    ).sort("project_id", "jaar", "soort", "uitkomst", descending=[False, True, False, False])
    items = []
    for r in rows.iter_rows(named=True):
        kind = SHEET_KINDS.get(r["soort"], r["soort"]).split(" (")[0].lower()
        head = f"{r['jaar']}, {kind}"
        if names is not None:
            head = f"{project_label(r['project_id'], names)} · {head}"
        if r.get("uitkomst"):
            head += f" · {OUTCOMES.get(r['uitkomst'], r['uitkomst'])}"
        items.append((head, r["kwalitatieve_effecten"].strip()))
    return items


CARD_WORDS_CHARS = 280  # a card is one A4: the latest words, shortened; all of them in the report


def card_words(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The words an Impactkaart shows: the latest year's (items come latest first), cut at a
    word boundary to `CARD_WORDS_CHARS` with a pointer to the report, which shows them all."""
    if not items:
        return []
    head, text = items[0]
    if len(text) > CARD_WORDS_CHARS:
        text = text[:CARD_WORDS_CHARS].rsplit(" ", 1)[0] + " … (volledig in het eigen rapport)"
    return [(head, text)]


# ------------------------------------------------------------------------------ the page


def organisation_sections(
    org: str, wh: Warehouse, params, names: dict[str, str], stem: Callable[[str], str]
) -> Markup:
    """The sections of the organisation's report about plans, labour market and words (empty
    markup when it has none of them). `stem`: a project's card file stem."""
    plans = own_rows(wh.raming, org)
    labour = own_rows(wh.arbeidsmarkt, org)
    words = _word_items(own_rows(wh.opgave, org), names)
    if not plans.height and not labour.height and not words:
        return Markup("")
    links = [
        (f"{FOLDER}/{plan_page_name(stem(p))}", project_label(p, names))
        for p in plan_only_projects(wh, org)
    ]
    return _part(
        "org_sections",
        plans_table(plans, names) if plans.height else None,
        links,
        labour_table(labour, names) if labour.height else None,
        labour_note(params),
        _part("words", words) if words else None,
    )


def card_sections(
    org: str, project_id: str, wh: Warehouse, first: int, last: int
) -> tuple[Markup, Markup]:
    """What an Impactkaart of a realised project adds: its latest plan, its labour-market
    effects over the card's years, and the organisation's words of the card's years."""
    parts = []
    plans = own_rows(wh.raming, org, project_id)
    if plans.height:
        parts.append(_part("card_plan", plans.sort("jaar").row(-1, named=True), RATIO))
    parts.append(_card_labour(org, project_id, wh, first, last))
    words = own_rows(wh.opgave, org, project_id)
    if words.height:
        words = words.filter(pl.col("jaar") >= first)
    items = card_words(_word_items(words, None))
    said = _part("card_words", items) if items else Markup("")
    # (beside who gains, beside what is counted): the card's two columns stay about as tall
    return said, Markup("").join(parts)


def write_plan_cards(
    folder: Path,
    org: str,
    wh: Warehouse,
    params,
    generated: dt.date,
    method_href: str,
    stem: Callable[[str], str],
) -> list[Path]:
    """The Impactkaart (raming) of every project of `org` that has only a plan."""
    written = []
    info = own_rows(wh.project_info, org)
    org_rows = own_rows(wh.organisations, org)
    org_name = org_rows["naam"][0] if org_rows.height and org_rows["naam"][0] else org
    for project_id in plan_only_projects(wh, org):
        plans = own_rows(wh.raming, org, project_id).sort("jaar")
        p = plans.row(-1, named=True)
        own_info = info.filter(pl.col("project_id") == project_id) if info.height else info
        name = own_info["naam"][0] if own_info.height and "naam" in own_info.columns else None
        card = {
            "org_name": org_name,
            "project_id": project_id,
            "project_name": name,
            "domain": DOMAINS.get(p["domein"], p["domein"]),
            "intervention": _ALL_INTERVENTIONS.get(p["interventie"], p["interventie"]),
        }
        items = card_words(_word_items(own_rows(wh.opgave, org, project_id), None))
        html = render(
            "rendement.reports",
            PLAN_TEMPLATE,
            card=card,
            plan=_part("card_plan", p, RATIO),
            words=_part("card_words", items) if items else None,
            method_href=method_href,
            stamp=nl_date(generated),
            version=params.version,
        )
        path = folder / FOLDER / plan_page_name(stem(project_id))
        write_atomic(path, str(html))
        written.append(path)
    return written


__all__ = [
    "card_sections",
    "labour_note",
    "organisation_sections",
    "plan_only_projects",
    "plan_page_name",
    "write_plan_cards",
]

"""The Impactkaart: for each project of an organisation one printable A4 page it can hand to its
municipality (`site/org/<ORG>/impactkaart/<PROJECT>.html`).

It shows the project over its whole delivered period (`mkba.project_looptijd`, the figure the
organisation's report leads with): the rendementsfactor with its 90 % interval, costs,
benefits, reach, the main outcomes with the source of their value, who gains, what is counted
but not priced, each year's figures in a small table, and the method in three sentences with a
link to the verantwoording. An incomplete project says so, with its reason, instead of a ratio.

Made from the organisation's own rows only (filtered here on `organisatie_id`), in the same
render job as its report (`org_pages.render_one`), so the pages follow that report's
fingerprint: they are rendered when it is, never on their own. The outcomes over the whole
period are the project-years' present values discounted to the first year exactly as the
engine discounts the period's benefits (`(1 + r)^−(jaar − eerste_jaar)`), so they add up to
the period's benefits on the card.

The PDF of a page is made only on request (`rendement.reports.pdf`), never by a rebuild.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

import polars as pl

from rendement.benchmark.regions import municipalities
from rendement.core.files import write_atomic
from rendement.core.formatting import nl_date, nl_euro, nl_number, nl_percent, nl_ratio
from rendement.core.templates import Markup, escape, fragment, render
from rendement.mkba.status import COMPLETE, INCOMPLETE
from rendement.reports import charts, estimates, evidence
from rendement.reports.data import Warehouse, own_rows
from rendement.reports.tables import gt_markup
from rendement.reports.words import DEFINITION, RATIO, missing_ratio_reason, project_label
from schemas.vocabulary import DOMAINS, INTERVENTIONS, RECOGNITION_LEVELS

FOLDER = "impactkaart"
# The public address of the sector's site (where `verantwoording.html` lives), for the method
# link on a card that leaves the organisation; without it the link is relative to the site.
PUBLIC_URL_ENV = "RENDEMENT_PUBLIEKE_URL"
METHOD_PAGE = "verantwoording.html"
# What fits on one A4 page: the largest outcomes (the rest summed in one line) and the latest
# years.
MAX_OUTCOMES = 5
MAX_YEARS = 4
GRADES = {
    "A": "A: officiële bron of peer-reviewed",
    "B": "B: studie in opdracht",
    "C": "C: secundaire bron of aanname",
}
_SAFE_STEM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


# ------------------------------------------------------------------------------ names


def file_stem(project_id: str) -> str:
    """The file name (without suffix) of a project's Impactkaart: the project id itself when
    it is a plain name (letters, digits, '-', '_'; what the upload service serves), else a
    readable ASCII form of it with a short hash of the id, so two ids never share a file."""
    if _SAFE_STEM.fullmatch(project_id):
        return project_id
    ascii_id = unicodedata.normalize("NFKD", project_id).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_id).strip("-")[:40] or "project"
    digest = hashlib.sha256(project_id.encode("utf-8")).hexdigest()[:10]
    return f"{slug}-{digest}"


def page_name(project_id: str) -> str:
    return f"{file_stem(project_id)}.html"


def method_href(depth: int = 3) -> str:
    """Where the method page is: the public site when `RENDEMENT_PUBLIEKE_URL` is set, else
    the working site's page relative to a card (`site/org/<ORG>/impactkaart/`)."""
    base = os.environ.get(PUBLIC_URL_ENV, "").strip().rstrip("/")
    return f"{base}/{METHOD_PAGE}" if base else "../" * depth + METHOD_PAGE


# ------------------------------------------------------------------------------ content


@dataclass(frozen=True)
class Headline:
    """The project's figures over the period the card is about."""

    period: str
    first_year: int
    last_year: int
    deelnemers: int
    kosten: float | None
    baten: float | None
    ncw: float | None
    bkr: float | None
    bkr_p05: float | None
    bkr_p95: float | None
    bkr_laag: float | None
    bkr_hoog: float | None
    transfers: float | None
    status: str
    reden: str | None
    whole_period: bool  # from mkba.project_looptijd (else the latest year of mkba.project)

    @property
    def complete(self) -> bool:
        return self.status != INCOMPLETE and self.bkr is not None


@dataclass(frozen=True)
class YearRow:
    jaar: int
    deelnemers: int
    kosten: float | None
    baten: float | None
    bkr: float | None
    bkr_p05: float | None
    bkr_p95: float | None
    status: str
    reden: str | None


@dataclass(frozen=True)
class Outcome:
    """A priced outcome over the card's period: its quantity, its value for society (present
    value after corrections, discounted to the first year) and the basis of its unit value."""

    code: str
    naam: str
    hoeveelheid: float
    waarde: float
    bron: str
    graad: str | None
    basis: str = "gemeten"  # what its quantity rests on (`evidence`)


@dataclass(frozen=True)
class Gain:
    baathebber: str  # the label from the parameter set
    waarde: float
    aandeel: float | None


@dataclass(frozen=True)
class Counted:
    naam: str
    hoeveelheid: float


@dataclass(frozen=True)
class Impactkaart:
    org: str
    org_name: str
    project_id: str
    project_name: str | None
    domain: str
    intervention: str
    municipality: str | None
    recognition: str | None
    parameter_version: str
    price_year: int | None
    discount_rate: float | None
    headline: Headline
    years: list[YearRow]
    outcomes: list[Outcome]
    other_outcomes: tuple[int, float]  # (how many more priced outcomes, their value)
    gains: list[Gain]
    transfers: float
    transfer_from: list[str] = field(default_factory=list)
    transfer_to: list[str] = field(default_factory=list)
    counted: list[Counted] = field(default_factory=list)
    years_total: int = 0  # how many project-years there are (`years` holds the latest)
    basis: str = "gemeten"  # the weakest basis of its project-years (`mkba.project.basis`)


def _period(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def _status(row: dict) -> str:
    return row.get("status") or COMPLETE


def _headline(looptijd: pl.DataFrame, years: pl.DataFrame) -> Headline:
    if looptijd.height:
        r = looptijd.row(0, named=True)
        first, last, whole = r["eerste_jaar"], r["laatste_jaar"], True
    else:  # a warehouse without the whole-period table: the latest year
        r = years.sort("jaar").row(-1, named=True)
        first = last = r["jaar"]
        whole = False
    return Headline(
        period=_period(first, last),
        first_year=first,
        last_year=last,
        deelnemers=int(r["deelnemers"] or 0),
        kosten=r["kosten"],
        baten=r["baten"],
        ncw=r["ncw"],
        bkr=r["bkr"],
        bkr_p05=r["bkr_p05"],
        bkr_p95=r["bkr_p95"],
        bkr_laag=r["bkr_laag"],
        bkr_hoog=r["bkr_hoog"],
        transfers=r.get("transfers"),
        status=_status(r),
        reden=r.get("reden"),
        whole_period=whole,
    )


def _weighted(outcomes: pl.DataFrame, first: int, last: int, rate: float) -> pl.DataFrame:
    """The outcome rows of the card's years with `w`: their present value discounted to the
    first year (the engine's whole-period convention)."""
    rows = outcomes.filter(pl.col("jaar").is_between(first, last))
    return rows.with_columns(
        (pl.col("pv") * (1.0 + rate) ** -(pl.col("jaar") - first).cast(pl.Float64)).alias("w")
    )


def _quantities(rows: pl.DataFrame) -> dict[str, float]:
    """Per outcome its quantity summed over the years (one row per stakeholder repeats it)."""
    per_year = rows.group_by("jaar", "uitkomst").agg(pl.col("hoeveelheid").first())
    return {
        r["uitkomst"]: float(r["hoeveelheid"] or 0.0)
        for r in per_year.group_by("uitkomst")
        .agg(pl.col("hoeveelheid").sum())
        .iter_rows(named=True)
    }


def _basis(params, code: str) -> tuple[str, str | None]:
    try:
        value = params.pathway(code).eenheidswaarde
    except KeyError:  # an outcome of another parameter version: its source is in the method
        return "zie de verantwoording", None
    return value.bron, value.graad


def build_impactkaart(org: str, project_id: str, wh: Warehouse, params) -> Impactkaart:
    """The content of one project's card from the organisation's own warehouse rows."""
    years = own_rows(wh.projects, org, project_id)
    if not years.height:
        raise KeyError(f"project {project_id} van {org} heeft geen MKBA-resultaten")
    looptijd = own_rows(wh.looptijd, org, project_id)
    head = _headline(looptijd, years)
    latest = years.sort("jaar").row(-1, named=True)
    rate = (looptijd if looptijd.height else years)["discontovoet"][0]
    info = own_rows(wh.project_info, org, project_id)
    info_row = info.row(0, named=True) if info.height else {}
    orgs = own_rows(wh.organisations, org)
    org_name = orgs["naam"][0] if orgs.height and orgs["naam"][0] else org
    gemeente_code = (looptijd.height and looptijd["gemeente_code"][0]) or latest.get(
        "gemeente_code"
    )
    municipality = None
    if gemeente_code:
        hit = municipalities().filter(pl.col("gemeente_code") == gemeente_code)
        municipality = hit["gemeente"][0] if hit.height else gemeente_code

    year_rows = [
        YearRow(
            jaar=r["jaar"],
            deelnemers=int(r["deelnemers"] or 0),
            kosten=r["kosten"],
            baten=r["baten"],
            bkr=r["bkr"],
            bkr_p05=r["bkr_p05"],
            bkr_p95=r["bkr_p95"],
            status=_status(r),
            reden=r.get("reden"),
        )
        for r in years.sort("jaar").tail(MAX_YEARS).iter_rows(named=True)
    ]

    outcomes = own_rows(wh.outcomes, org, project_id)
    priced: list[Outcome] = []
    gains: list[Gain] = []
    counted: list[Counted] = []
    transfers, t_from, t_to = 0.0, [], []
    stakeholders = dict(params.baathebbers)
    if outcomes.height:
        rows = _weighted(outcomes, head.first_year, head.last_year, rate)
        qty = _quantities(rows)
        welfare = rows.filter(pl.col("gewaardeerd") & ~pl.col("is_transfer"))
        per_outcome = (
            welfare.group_by("uitkomst")
            .agg(
                pl.col("uitkomst_naam").first(),
                pl.col("w").sum(),
                (pl.col("basis") if "basis" in welfare.columns else pl.lit("gemeten"))
                .unique()
                .alias("bases"),
            )
            .filter(pl.col("w") != 0)
            .sort(["w", "uitkomst_naam"], descending=[True, False])
        )
        for r in per_outcome.iter_rows(named=True):
            bron, graad = _basis(params, r["uitkomst"])
            priced.append(
                Outcome(
                    r["uitkomst"],
                    r["uitkomst_naam"],
                    qty.get(r["uitkomst"], 0.0),
                    r["w"],
                    bron,
                    graad,
                    evidence.weakest(r["bases"]),
                )
            )
        total = float(welfare["w"].sum()) if welfare.height else 0.0
        per_holder = (
            welfare.group_by("baathebber")
            .agg(pl.col("w").sum())
            .filter(pl.col("w") != 0)
            .sort(["w", "baathebber"], descending=[True, False])
        )
        gains = [
            Gain(
                stakeholders.get(r["baathebber"], r["baathebber"]),
                r["w"],
                r["w"] / total if total else None,
            )
            for r in per_holder.iter_rows(named=True)
        ]
        shifted = (
            rows.filter(pl.col("gewaardeerd") & pl.col("is_transfer"))
            .group_by("baathebber")
            .agg(pl.col("w").sum())
            .sort("baathebber")
        )
        transfers = float(shifted.filter(pl.col("w") > 0)["w"].sum()) if shifted.height else 0.0
        t_to = [stakeholders.get(b, b) for b in shifted.filter(pl.col("w") > 0)["baathebber"]]
        t_from = [stakeholders.get(b, b) for b in shifted.filter(pl.col("w") < 0)["baathebber"]]
        not_priced = (
            rows.filter(~pl.col("gewaardeerd"))
            .group_by("uitkomst")
            .agg(pl.col("uitkomst_naam").first())
            .sort("uitkomst_naam")
        )
        counted = [
            Counted(r["uitkomst_naam"], qty.get(r["uitkomst"], 0.0))
            for r in not_priced.iter_rows(named=True)
            if qty.get(r["uitkomst"], 0.0) > 0
        ]
    shown, rest = priced[:MAX_OUTCOMES], priced[MAX_OUTCOMES:]
    domein, interventie = latest["domein"], latest["interventie"]
    return Impactkaart(
        org=org,
        org_name=org_name,
        project_id=project_id,
        project_name=info_row.get("naam") or None,
        domain=DOMAINS.get(domein, domein),
        intervention=INTERVENTIONS.get(domein, {}).get(interventie, interventie),
        municipality=municipality,
        recognition=RECOGNITION_LEVELS.get(info_row.get("erkenning"), info_row.get("erkenning"))
        if info_row.get("erkenning")
        else None,
        parameter_version=str(latest.get("parameter_versie") or params.version),
        price_year=latest.get("prijsjaar"),
        discount_rate=rate,
        headline=head,
        years=year_rows,
        outcomes=shown,
        other_outcomes=(len(rest), sum(o.waarde for o in rest)),
        gains=gains,
        transfers=transfers,
        transfer_from=t_from,
        transfer_to=t_to,
        counted=counted,
        years_total=years.height,
        basis=evidence.weakest(years["basis"].to_list() if "basis" in years.columns else []),
    )


# ------------------------------------------------------------------------------ rendering


def _quantity(value: float) -> str:
    return nl_number(value, 0 if float(value).is_integer() else 1)


def _ratio_cell(row: YearRow) -> Markup:
    if row.status == INCOMPLETE or row.bkr is None:
        return fragment("rendement.reports", "impactkaart_parts.html", "reason", _reason(row))
    return escape(nl_ratio(row.bkr))


def _reason(row: YearRow | Headline) -> str:
    """`onvolledig: geen kosten over 2024 aangeleverd` (the words of the organisation's report)."""
    why = missing_ratio_reason(asdict(row))
    return f"{INCOMPLETE}: {why}" if row.status == INCOMPLETE else f"geen rendementsfactor: {why}"


def _years_table(card: Impactkaart) -> Markup:
    rows = []
    for r in card.years:
        interval = (
            f"{nl_ratio(r.bkr_p05)} – {nl_ratio(r.bkr_p95)}"
            if r.bkr is not None and r.bkr_p05 is not None and r.bkr_p95 is not None
            else "–"
        )
        rows.append(
            {
                "jaar": str(r.jaar),
                "deelnemers": nl_number(r.deelnemers),
                # a year without costs has none to show (its ratio cell says why), not € 0
                "kosten": nl_euro(r.kosten) if r.status != INCOMPLETE or r.kosten else "–",
                "baten": nl_euro(r.baten),
                "bkr": _ratio_cell(r),
                "interval": interval,
            }
        )
    return gt_markup(
        pl.DataFrame(rows),
        "ik-jaren",
        stub="jaar",
        labels={
            "deelnemers": "Deelnemers",
            "kosten": "Kosten",
            "baten": "Baten",
            "bkr": RATIO,
            "interval": "90 %-interval",
        },
        raw=["bkr"],
        right=["deelnemers", "kosten", "baten", "bkr", "interval"],
        width=None,
    )


def _outcomes_table(card: Impactkaart) -> Markup:
    rows = [
        {
            "uitkomst": o.naam,
            "aantal": _quantity(o.hoeveelheid),
            "waarde": nl_euro(o.waarde),
            "basis": o.bron
            + (f" ({evidence.grade_text(o.graad, o.basis)})" if o.graad or o.basis else ""),
        }
        for o in card.outcomes
    ]
    n_rest, rest = card.other_outcomes
    if n_rest:
        rows.append(
            {
                "uitkomst": "Overige uitkomsten" + (f" ({nl_number(n_rest)})"),
                "aantal": "",
                "waarde": nl_euro(rest),
                "basis": "zie de verantwoording",
            }
        )
    # what a quantity rests on is in its grade ("graad C, referentie") and the card's heading;
    # a column of its own narrowed the names so far that a card no longer fitted one A4
    return gt_markup(
        pl.DataFrame(rows),
        "ik-uitkomsten",
        stub="uitkomst",
        labels={
            "aantal": "Aantal",
            "waarde": "Waarde"
            if card.headline.first_year == card.headline.last_year
            else f"Waarde {card.headline.period}",
            "basis": "Onderbouwing van de waarde",
        },
        right=["aantal", "waarde"],
    )


def _gains_table(card: Impactkaart) -> Markup:
    rows = [
        {
            "baathebber": g.baathebber,
            "waarde": nl_euro(g.waarde),
            "aandeel": nl_percent(g.aandeel, 0) if g.aandeel is not None else "–",
        }
        for g in card.gains
    ]
    return gt_markup(
        pl.DataFrame(rows),
        "ik-baathebbers",
        stub="baathebber",
        labels={"waarde": "Baten", "aandeel": "Aandeel"},
        right=["waarde", "aandeel"],
        width=None,
    )


def impactkaart_page(
    card: Impactkaart,
    *,
    generated: dt.date,
    depth: int = 3,
    extra: tuple[Markup | str, Markup | str] = ("", ""),
) -> str:
    """The card as a complete, self-contained HTML document (one A4 page in print). `extra`:
    the organisation's words, and its plan and labour-market effects
    (`estimates.card_sections`), one under each column."""
    h = card.headline
    chart = ""
    if h.complete and h.bkr_p05 is not None and h.bkr_p95 is not None:
        ax = charts.axis([h.bkr_p05, h.bkr, h.bkr_p95], include=[0.0, 1.0])
        chart = charts.ratio_interval(h.bkr_p05, h.bkr, h.bkr_p95, ax=ax)
    document = render(
        "rendement.reports",
        "impactkaart.html",
        card=card,
        h=h,
        reason=None if h.complete else _reason(h),
        chart=chart,
        ratio_term=RATIO,
        definition=DEFINITION,
        years=_years_table(card),
        outcomes=_outcomes_table(card) if card.outcomes else None,
        gains=_gains_table(card) if card.gains else None,
        counted=", ".join(f"{c.naam} ({_quantity(c.hoeveelheid)})" for c in card.counted),
        transfers=nl_euro(card.transfers) if card.transfers else None,
        grades=[GRADES[g] for g in sorted({o.graad for o in card.outcomes if o.graad in GRADES})],
        basis=evidence.label(card.basis),
        by_reference=evidence.is_reference(card.basis),
        grade_rule=evidence.CARD_RULE,
        rate=nl_number(100 * card.discount_rate, 2) if card.discount_rate is not None else None,
        method_href=method_href(depth),
        pdf_href=f"{file_stem(card.project_id)}.pdf",
        stamp=nl_date(generated),
        **_columns(card, *extra),
    )
    return str(document)


def _columns(card: Impactkaart, said: Markup | str, rest: Markup | str) -> dict:
    """Where the organisation's words go: under the shorter of the card's two columns (who
    gains, with its transfers; what is counted, with the plan and labour market), so that the
    card stays one A4. Lengths in lines of text, roughly."""
    left = 2 + len(card.gains) + (3 if card.transfers else 0)
    right = 3 + (len(card.counted) + 1) // 2 + (5 if rest else 0)
    if left <= right:
        return {"extra_left": said, "extra": rest}
    return {"extra_left": "", "extra": Markup("").join([Markup(rest), Markup(said)])}


# ------------------------------------------------------------------------------ the org's cards


def project_ids(wh: Warehouse, org: str) -> list[str]:
    """The organisation's projects with results, in order."""
    own = own_rows(wh.projects, org)
    return sorted(own["project_id"].unique().to_list()) if own.height else []


def write_impactkaarten(
    folder: Path, org: str, wh: Warehouse, params, generated: dt.date
) -> list[Path]:
    """Write the card of every project of `org` into `folder/impactkaart/` and remove cards
    of projects that no longer have results."""
    target = folder / FOLDER
    written = []
    for project_id in project_ids(wh, org):
        card = build_impactkaart(org, project_id, wh, params)
        h = card.headline
        extra = estimates.card_sections(org, project_id, wh, h.first_year, h.last_year)
        path = target / page_name(project_id)
        write_atomic(path, impactkaart_page(card, generated=generated, extra=extra))
        written.append(path)
    written += estimates.write_plan_cards(
        folder, org, wh, params, generated, method_href(), file_stem
    )
    if target.is_dir():
        keep = {p.name for p in written}
        for old in target.glob("*.html"):
            if old.name not in keep:
                old.unlink()
    return written


def impactkaart_links(own: pl.DataFrame, names: dict[str, str], results: str | None) -> Markup:
    """The organisation page's list of its projects' cards (and its Excel file)."""
    ids = sorted(own["project_id"].unique().to_list()) if own.height else []
    items = [(f"{FOLDER}/{page_name(p)}", project_label(p, names)) for p in ids]
    return fragment("rendement.reports", "impactkaart_parts.html", "links", items, results)

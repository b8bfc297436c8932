"""Generate the calibration section of docs/mkba.md from the demo sector.

`python -m rendement.docsgen.kalibratie` runs `rendement demo` with its defaults (40
organisations, seed 7) in a temporary data home, reads `mkba.project`, `mkba.uitkomst` and the
canonical tables from its warehouse, and rewrites the part of docs/mkba.md between
`BEGIN` and `END`. Every number in that part comes from the data or the parameter set; the
published references it is compared with are the constants in `REFERENCES`. A test
(tests/integration/test_docs.py) fails when the committed text is stale.

The text is English (docs/mkba.md is written for engineers and analysts), with decimal points.
"""

from __future__ import annotations

import os
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from rendement.cli.main import main as rendement_cli
from rendement.core.home import Home
from rendement.demo import profiles as DEMO
from rendement.mkba import compute_mkba, load_parameters
from rendement.mkba.aggregate import group_ratios
from rendement.mkba.engine import INPUT_TABLES
from rendement.mkba.params import STANDARD_PREFIX
from rendement.mkba.reference import (
    LITERATURE,
    MEASURED,
    MIN_ORGANISATIONS,
    REPORTED,
    SECTOR,
    sector_rates,
)
from rendement.mkba.status import COMPLETE
from rendement.mkba.voorbeeld import generate
from schemas.outputs import TOTAL
from schemas.vocabulary import INTERVENTIONS

BEGIN = "<!-- kalibratie:begin -->"
END = "<!-- kalibratie:end -->"
TARGET = Path(__file__).resolve().parents[2] / "docs" / "mkba.md"
DEMO_ARGS = ["demo"]  # the defaults of `rendement demo`: 40 organisations, seed 7
KEYS = ["organisatie_id", "project_id", "jaar"]
CORRECTIONS = ("deadweight", "displacement", "attributie")

# Published references the demo is compared with (DOMAIN.md; grades as in the parameter set).
REFERENCES = {
    "seor": 1.6,  # SEOR: 32 business cases of social work, euro per euro, grade B
    "regioplan": 2.0,  # Regioplan 2011, MKBA schuldhulpverlening: "a little over 2", grade B
    "panteia": (2.46, 4.22),  # Panteia, vroegsignalering: society, euro per euro, grade B
    "panteia_gemeente": (1.57, 2.91),  # the same, for the municipality
}
# English names of the interventions, in the order of the text.
INTERVENTION_NAMES = {
    "schuldhulpverlening": "debt counselling",
    "vroegsignalering": "early signalling",
    "thuisadministratie": "home administration",
    "huisbezoek": "home visits",
    "maatjesproject": "buddy projects",
    "ontmoetingsgroep": "meeting groups",
    "vrijwilligerswerk_toeleiding": "volunteer work",
    "werkervaringsplek": "work placements",
    "maatschappelijke_activering": "activation",
    "ambulant_jongerenwerk": "street work",
    "schoolmaatschappelijk_werk": "school social work",
    "jongerencoaching": "coaching",
}
DOMAIN_ORDER = ["activering", "jongerenwerk", "ouderen_eenzaamheid", "schulden_armoede"]


# ------------------------------------------------------------------------------ formatting


def r2(x: float | None) -> str:
    """A ratio with two decimals (English decimal point), '–' when there is none."""
    return "–" if x is None else f"{x:.2f}"


def count(n: float) -> str:
    return f"{round(n):,}"


def pct(x: float) -> str:
    return f"{round(100 * x)} %"


def euro(x: float) -> str:
    return f"€ {x:,.0f}"


# ------------------------------------------------------------------------------ the demo


def run_demo(root: Path) -> Home:
    """`rendement demo` with its defaults into the data home `root` (a real Dagster run)."""

    saved = {k: os.environ.get(k) for k in ("RENDEMENT_HOME", "DAGSTER_HOME")}
    try:
        code = rendement_cli([*DEMO_ARGS, "--home", str(root)])
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    if code != 0:
        raise RuntimeError(f"rendement demo ended with code {code}")
    return Home(Path(root).resolve())


@dataclass(frozen=True)
class Sector:
    """What the text is made of: the warehouse's results and the same data recomputed with
    a modified copy of the parameter set (no deadweight, displacement or attribution)."""

    project: pl.DataFrame  # mkba.project
    outcome: pl.DataFrame  # mkba.uitkomst
    groups: dict  # (tabel, group) → (bkr, bkr_p05, bkr_p95) over all years, joint draws
    uncorrected: pl.DataFrame  # project-years without the three corrections
    measured_share: float  # trajectories with a T0 that also have a T1
    eviction_risk: float  # debt-counselling clients with ZRM huisvesting <= 2 at T0
    params: object  # the ParameterSet the results were computed with
    reference: Reference  # the project-years by reference, apart from the measured ones


@dataclass(frozen=True)
class Reference:
    """The organisations without client registrations in the demo and their MKBA by
    reference (`rendement.mkba.reference`)."""

    project: pl.DataFrame  # mkba.project of the project-years with a quantity not `gemeten`
    outcome: pl.DataFrame  # their mkba.uitkomst
    rates: pl.DataFrame  # the sector's pooled rates, from the measured results
    systems: dict  # organisatie_id → the systems its accepted files were read as
    plans: pl.DataFrame  # canoniek.projectopgave rows of soort raming


def uncorrected_params(params):
    """The parameter set with deadweight, displacement and attribution 0 for every priced
    outcome (drop-off stays): the convention of most published SROI figures."""
    items = [
        (f"uitkomsten.{pw.code}.{kind}", 0.0)
        for pw in params.uitkomsten
        if pw.gewaardeerd
        for kind in CORRECTIONS
    ]
    return params.with_overrides(items)


def read_sector(warehouse: Path) -> Sector:

    with duckdb.connect(str(warehouse), read_only=True) as con:
        project = con.sql("SELECT * FROM mkba.project").pl()
        outcome = con.sql("SELECT * FROM mkba.uitkomst").pl()
        kosten = con.sql("SELECT * FROM mkba.kosten").pl()
        tables = {t: con.sql(f"SELECT * FROM canoniek.{t}").pl() for t in INPUT_TABLES}
        systems = con.sql(
            """SELECT organisatie_id, list(DISTINCT systeem ORDER BY systeem) AS systemen
               FROM intake.leveringen WHERE uitkomst = 'geaccepteerd' GROUP BY ALL"""
        ).pl()
        plans = con.sql(
            "SELECT * FROM canoniek.projectopgave WHERE soort = 'raming' ORDER BY ALL"
        ).pl()
        (measured_share,) = con.execute(
            """SELECT avg(CASE WHEN t1 THEN 1 ELSE 0 END) FROM (
                   SELECT organisatie_id, traject_id, bool_or(moment = 'T1') AS t1
                   FROM canoniek.meting GROUP BY ALL HAVING bool_or(moment = 'T0'))"""
        ).fetchone()
        (eviction_risk,) = con.execute(
            """SELECT avg(CASE WHEN m.score <= 2 THEN 1 ELSE 0 END)
               FROM canoniek.meting m
               JOIN canoniek.traject t USING (organisatie_id, traject_id)
               JOIN canoniek.project p USING (organisatie_id, project_id)
               WHERE p.interventie = 'schuldhulpverlening' AND m.instrument = 'zrm'
                 AND m.onderdeel = 'huisvesting' AND m.moment = 'T0'"""
        ).fetchone()
    # the calibration is about measured results: project-years with a quantity on another
    # basis (organisations without client registrations) are described apart
    by_ref = outcome.filter(pl.col("basis") != MEASURED).select(KEYS).unique()
    reference = Reference(
        project=project.join(by_ref, on=KEYS, how="semi"),
        outcome=outcome.join(by_ref, on=KEYS, how="semi"),
        rates=sector_rates(project, outcome),
        systems={r["organisatie_id"]: r["systemen"] for r in systems.iter_rows(named=True)},
        plans=plans,
    )
    project = project.join(by_ref, on=KEYS, how="anti")
    outcome = outcome.join(by_ref, on=KEYS, how="anti")
    kosten = kosten.join(by_ref, on=KEYS, how="anti")
    versions = project["parameter_versie"].unique().to_list()
    if len(versions) != 1:
        raise ValueError(f"mkba.project holds several parameter versions: {versions}")
    params = load_parameters(
        Path(__file__).resolve().parents[1] / "params" / f"{STANDARD_PREFIX}{versions[0]}.yaml"
    )
    uncorrected = compute_mkba(
        tables, uncorrected_params(params), apply_overrides=False, draws=1
    ).project
    groups = group_intervals(project, outcome, kosten, params)
    return Sector(
        project, outcome, groups, uncorrected, measured_share, eviction_risk, params, reference
    )


def group_intervals(project, outcome, kosten, params) -> dict:
    """The 90 % interval of Σ baten / Σ kosten per domain, intervention and the sector over
    all years, with each parameter drawn once per iteration for all projects of the group
    (`aggregate.group_ratios`, which groups per year: here every project-year is its own
    project in one year, so a group takes all its years at once)."""

    def one_year(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(
            pl.concat_str("project_id", pl.col("jaar").cast(pl.String), separator="/"),
            pl.lit(0, pl.Int64).alias("jaar"),
        )

    ratios = group_ratios(one_year(project), one_year(outcome), one_year(kosten), params)
    out = {}
    for r in ratios.iter_rows(named=True):
        if r["tabel"] == "domein":
            key = ("domein", None if r["domein"] == TOTAL else r["domein"])
        else:
            key = ("interventie", r["interventie"])
        out[key] = (r["bkr"], r["bkr_p05"], r["bkr_p95"])
    return out


# ------------------------------------------------------------------------------ figures


def _complete(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col("status") == COMPLETE)


def _sums(frame: pl.DataFrame, by: str | None) -> dict:
    """Per value of `by` (None: the whole sector): Σ kosten, Σ baten, Σ transfers."""
    agg = [pl.col(c).sum() for c in ("kosten", "baten", "transfers")]
    if by is None:
        return {None: frame.select(agg).row(0, named=True)}
    return {r[by]: r for r in frame.group_by(by).agg(agg).iter_rows(named=True)}


def _ratio(s: dict, transfers: bool = False) -> float | None:
    benefits = s["baten"] + (s["transfers"] if transfers else 0.0)
    return benefits / s["kosten"] if s["kosten"] else None


def _medians(frame: pl.DataFrame, by: str | None) -> dict:
    cols = ["bkr", "bkr_p05", "bkr_p95", "bkr_laag", "bkr_hoog"]
    agg = [pl.len().alias("n"), *(pl.col(c).median() for c in cols)]
    if by is None:
        return {None: frame.select(agg).row(0, named=True)}
    return {r[by]: r for r in frame.group_by(by).agg(agg).iter_rows(named=True)}


def _outcome_sum(outcome: pl.DataFrame, code: str, keep: pl.Expr | None = None) -> float:
    """Σ quantity of a pathway (its quantity is repeated per stakeholder: once per row)."""
    rows = outcome.filter(pl.col("uitkomst") == code)
    if keep is not None:
        rows = rows.filter(keep)
    return rows.unique([*KEYS, "uitkomst"])["hoeveelheid"].sum()


def _pv(outcome: pl.DataFrame, keep: pl.Expr) -> float:
    return outcome.filter(keep)["pv"].fill_null(0.0).sum()


def _with_interval(s: Sector, tabel: str, group: str | None) -> str:
    bkr, lo, hi = s.groups[(tabel, group)]
    return f"{r2(bkr)} [{r2(lo)}–{r2(hi)}]"


# ------------------------------------------------------------------------------ text


def synthetic_text() -> str:
    """The subsection on `voorbeeld.generate`, with the ratios computed now."""

    params = load_parameters()
    res = _complete(
        compute_mkba(generate(n_orgs=8, projects_per_org=8, seed=7), params, draws=1).project
    )
    per = _sums(res, "domein")
    total = _sums(res, None)[None]
    paragraph = " ".join(
        [
            "`python -m rendement.mkba.voorbeeld` runs the engine on synthetic tables",
            "(`voorbeeld.generate`, 8 organisations × 8 projects, seed 7) and prints the ratio",
            f"per domain and the Monte Carlo timing. With the standard set {params.version}",
            "the base-case ratios (Σ baten / Σ kosten) come out at",
            f"{r2(_ratio(per['schulden_armoede']))} for debt help,",
            f"{r2(_ratio(per['ouderen_eenzaamheid']))} for loneliness,",
            f"{r2(_ratio(per['activering']))} for activation and",
            f"{r2(_ratio(per['jongerenwerk']))} for youth work (sector total",
            f"{r2(_ratio(total))}), against published references of {REFERENCES['seor']}",
            f"(SEOR, 32 business cases) and about {REFERENCES['regioplan']:.0f} for debt help",
            "(Regioplan 2011). The differences are by design:",
        ]
    )
    reasons = [
        '- **Transfers are not benefits.** Regioplan\'s "a little over 2" rests on four months '
        "less bijstand, which is a transfer; here it shows under `transfers` (adding it back "
        f"gives {r2(_ratio(per['schulden_armoede'], transfers=True))} for debt help).",
        "- **All four corrections are applied** (deadweight, displacement, attribution, "
        "drop-off); only 5 % of published SROI reports do so.",
        "- **Unsourced outcomes are counted, not priced.** Youth work has a sourced value only "
        "for wellbeing (with a grade-C conversion); school continuation, youth care and police "
        "contacts are counted. Its ratio is therefore a floor, not an estimate.",
        "- **Productivity is valued at the minimum wage without employer charges** (activation).",
    ]
    closing = (
        "These numbers come from the small synthetic generator in this package. The demo "
        "sector below is the larger, calibrated test."
    )
    return "\n".join(["### On synthetic input", "", paragraph, "", *reasons, "", closing, ""])


def demo_text(s: Sector) -> str:
    ps = s.params
    project = s.project
    complete = _complete(project)
    incomplete = project.filter(pl.col("status") != COMPLETE).sort(KEYS)
    keys = complete.select(KEYS)
    uncorrected = s.uncorrected.join(keys, on=KEYS, how="semi")
    outcome = s.outcome.join(keys, on=KEYS, how="semi").join(
        complete.select(*KEYS, "interventie"), on=KEYS, how="left"
    )
    sums = _sums(complete, "domein") | _sums(complete, None)
    med = _medians(complete, "domein") | _medians(complete, None)
    nc = _sums(uncorrected, "domein") | _sums(uncorrected, None)
    per_iv = _sums(complete, "interventie")
    nc_iv = _sums(uncorrected, "interventie")

    lines = [
        "### On the demo sector",
        "",
        f"`rendement demo` with its defaults (40 organisations with client registrations and "
        f"{len(s.reference.systems) - project['organisatie_id'].n_unique()} without, seed 7; "
        f"parameter set {ps.version}), read from `mkba.project` and `mkba.uitkomst` in the "
        f"warehouse: {count(project.height)} measured project-years, of which "
        f"{count(complete.height)} complete (`status = volledig`) and "
        f"{count(incomplete.height)} incomplete. The figures below are over the complete "
        "measured project-years only; the project-years by reference follow in the next "
        "subsection.",
    ]
    if incomplete.height:
        lines += ["", "Incomplete:", ""]
        lines += [
            f"- {r['organisatie_id']}/{r['project_id']}/{r['jaar']}: {r['reden']}"
            for r in incomplete.iter_rows(named=True)
        ]
    lines += [
        "",
        "Columns:",
        "",
        "- **n**: complete project-years;",
        "- **sum [p05–p95]**: Σ baten / Σ kosten, with the 90 % Monte Carlo interval of that "
        "ratio (each parameter drawn once per iteration for all project-years of the group, "
        "`rendement.mkba.aggregate`);",
        "- **median**: the median `bkr` of the project-years;",
        "- **[p05–p95]**: the medians of `bkr_p05` and `bkr_p95`, the 90 % Monte Carlo interval;",
        "- **laag / hoog**: the medians of `bkr_laag` and `bkr_hoog`, the scenarios;",
        "- **transfers added**: (Σ baten + Σ transfers) / Σ kosten;",
        "- **without corrections**: Σ baten / Σ kosten with deadweight, displacement and "
        "attribution set to 0 in every priced outcome (drop-off kept), in brackets with "
        "transfers added.",
        "",
        "| domain | n | sum [p05–p95] | median [p05–p95] | laag / hoog | transfers added "
        "| without corrections |",
        "|---|---|---|---|---|---|---|",
    ]
    for d in [*DOMAIN_ORDER, None]:
        if d not in sums:
            continue
        m = med[d]
        lines.append(
            f"| {d or 'sector'} | {count(m['n'])} | {_with_interval(s, 'domein', d)} "
            f"| {r2(m['bkr'])} [{r2(m['bkr_p05'])}–{r2(m['bkr_p95'])}] "
            f"| {r2(m['bkr_laag'])} / {r2(m['bkr_hoog'])} "
            f"| {r2(_ratio(sums[d], transfers=True))} "
            f"| {r2(_ratio(nc[d]))} ({r2(_ratio(nc[d], transfers=True))}) |"
        )
    lines += [
        "",
        "The last two columns are not results of the method. They show how far the demo lies "
        "from the published figures once their conventions are applied: transfers counted as "
        "benefits, and no corrections. The generator computes them by re-running the engine "
        "on the warehouse's canonical tables with a modified copy of the parameter set.",
        "",
        "Per intervention (Σ baten / Σ kosten [90 % interval]; without corrections in brackets):",
        "",
    ]
    for domain in ("schulden_armoede", "ouderen_eenzaamheid", "activering", "jongerenwerk"):
        items = [
            f"{INTERVENTION_NAMES[iv]} {_with_interval(s, 'interventie', iv)} "
            f"({r2(_ratio(nc_iv[iv]))})"
            for iv in INTERVENTIONS[domain]
            if iv in per_iv
        ]
        if items:
            lines.append(f"- {domain}: " + "; ".join(items) + ".")
    lines += ["", *_interpretation(s, complete, outcome, sums, nc, per_iv, nc_iv)]
    return "\n".join(lines) + "\n"


def _interpretation(s, complete, outcome, sums, nc, per_iv, nc_iv) -> list[str]:
    ps = s.params
    seor, regioplan = REFERENCES["seor"], REFERENCES["regioplan"]
    pan_lo, pan_hi = REFERENCES["panteia"]
    gem_lo, gem_hi = REFERENCES["panteia_gemeente"]
    debt = sums["schulden_armoede"]
    dc, dc_nc = per_iv.get("schuldhulpverlening"), nc_iv.get("schuldhulpverlening")
    es, es_nc = per_iv.get("vroegsignalering"), nc_iv.get("vroegsignalering")
    is_dc = pl.col("interventie") == "schuldhulpverlening"
    is_es = pl.col("interventie") == "vroegsignalering"
    evictions = _outcome_sum(outcome, "huisuitzetting_voorkomen")
    eviction_add = _pv(outcome, (pl.col("uitkomst") == "huisuitzetting_voorkomen") & is_dc)
    stabilised = ps.pathway("schulden_gestabiliseerd")
    eviction = ps.pathway("huisuitzetting_voorkomen")
    debt_stab = _pv(outcome, pl.col("uitkomst") == "schulden_gestabiliseerd")
    gemeente = _pv(outcome, is_es & (pl.col("baathebber") == "gemeente") & ~pl.col("is_transfer"))
    lonely = ps.pathway("eenzaamheid_welzijn")
    care = ps.pathway("eenzaamheid_zorgkosten")
    isolation = ps.pathway("isolement_naar_participatie")
    activation = sums["activering"]
    isolation_pv = _pv(outcome, pl.col("uitkomst") == "isolement_naar_participatie")
    work = outcome.filter(pl.col("uitkomst") == "betaald_werk").unique([*KEYS, "uitkomst"])
    work_by_iv = (
        work.group_by("interventie")
        .agg(pl.col("hoeveelheid").sum())
        .sort("hoeveelheid", descending=True)
    )
    paid_work = work["hoeveelheid"].sum()
    youth_pw = ps.pathway("psychisch_welzijn_jongeren")

    def where(x: float, lo: float, hi: float) -> str:
        return "below" if x < lo else ("above" if x > hi else "within")

    out = [
        "Where and why the results differ from the references (ratios with their 90 % "
        "interval, as in the table):",
        "",
        f"- **Sector, {_with_interval(s, 'domein', None)} against SEOR's {seor}** (32 business cases, grade B). "
        f"Without deadweight, displacement and attribution the same data give "
        f"{r2(_ratio(nc[None]))}, or {r2(_ratio(nc[None], transfers=True))} with transfers "
        "counted. Two more rules keep the ratio down:",
        "  - Only measured changes count. A participant without a T1 (still running, dropped "
        "out, or simply not measured) adds costs but no benefits. In the demo, "
        f"{pct(s.measured_share)} of the trajectories with a T0 have a T1.",
        "  - Outcomes without a sourced value are counted, not priced.",
        f"- **Debt help, {_with_interval(s, 'domein', 'schulden_armoede')} against Regioplan's \"a little over "
        f"{regioplan:.0f}\"** (grade B). Regioplan's figure rests on "
        f"{ps.pathway('kortere_bijstand_schulden').hoeveelheid.factor.basis:.0f} months less "
        "bijstand, "
        f"which is a transfer here: it adds {r2(debt['transfers'] / debt['kosten'])} for the "
        f"domain and lifts debt counselling from {r2(_ratio(dc))} to "
        f"{r2(_ratio(dc, transfers=True))}. With that transfer counted and without the "
        f"corrections, debt counselling comes to {r2(_ratio(dc_nc, transfers=True))}.",
        f"  - Avoided evictions (ZRM huisvesting ≤ 2 → ≥ 3): {count(evictions)} in the demo. "
        f"They add {r2(eviction_add / dc['kosten'])} to the ratio of debt counselling: "
        f"{pct(s.eviction_risk)} of the debt-counselling clients measured on ZRM huisvesting "
        f"face eviction at T0, the Eropaf! value is grade {eviction.eenheidswaarde.graad}, "
        f"and the deadweight is {pct(eviction.deadweight.basis)}.",
        f"  - {pct(debt_stab / debt['baten'])} of the domain's benefits is the IBO value of a "
        f"stabilised debt ({euro(stabilised.eenheidswaarde.basis)} a year in "
        f"{stabilised.eenheidswaarde.prijsjaar} euros).",
    ]
    if es is not None:
        es_ratio = _ratio(es)
        out.append(
            f"- **Early signalling, {_with_interval(s, 'interventie', 'vroegsignalering')} against Panteia's € {pan_lo}–{pan_hi} per "
            f"€ 1** for society (grade B): {where(es_ratio, pan_lo, pan_hi)} the range, and "
            f"{r2(_ratio(es_nc))} without corrections. Per euro, the municipality receives "
            f"{r2(gemeente / es['kosten'])} against Panteia's € {gem_lo}–{gem_hi}. That split "
            "comes from the indicative stakeholder shares of the IBO value "
            f"({pct(stabilised.baathebbers['gemeente'])} municipality, grade C), not from a "
            "sourced municipal saving."
        )
    out += [
        f"- **Loneliness, {_with_interval(s, 'domein', 'ouderen_eenzaamheid')}.** DOMAIN.md has no domain "
        f"reference; it lies {'below' if _ratio(sums['ouderen_eenzaamheid']) < seor else 'above'}"
        f" the sector's {seor}.",
        f"  - The benefits are WELLBYs: {lonely.hoeveelheid.factor.basis} per person going "
        f"from lonely to not lonely, for {lonely.duur.basis:.0f} years with "
        f"{pct(lonely.drop_off.basis)} drop-off, less {pct(lonely.deadweight.basis)} "
        f"deadweight and {pct(lonely.attributie.basis)} attribution.",
        f"  - The health care saving is small: {euro(care.eenheidswaarde.basis)} a year (in "
        f"{care.eenheidswaarde.prijsjaar} euros) per person no longer severely lonely.",
        f"- **Activation, {_with_interval(s, 'domein', 'activering')}.** No domain reference. "
        f"{count(paid_work)} participants found paid work (participatieladder ≤ 4 at T0, "
        f"≥ 5 at T1), most of them in "
        f"{INTERVENTION_NAMES.get(work_by_iv['interventie'][0], '–') if work_by_iv.height else '–'}"
        ".",
        f"  - {pct(isolation_pv / activation['baten'])} of the benefits is the WELLBY of "
        f"leaving isolation (factor {isolation.hoeveelheid.factor.basis}, grade "
        f"{isolation.hoeveelheid.factor.graad}).",
        "  - Productivity is valued at the minimum wage without employer charges.",
        "  - Bijstand is a transfer, and the steps up the ladder are counted, not priced.",
        f"- **Youth work, {_with_interval(s, 'domein', 'jongerenwerk')}, is a floor.** Only psychological "
        f"wellbeing is priced, with a grade-{youth_pw.hoeveelheid.factor.graad} WELLBY factor. "
        "Four pathways are counted, not priced (sums over the project-years):",
        f"  - school or work back on track: {count(_outcome_sum(outcome, 'schoolcontinuering'))};",
        f"  - less police contact: {count(_outcome_sum(outcome, 'minder_politiecontact'))};",
        "  - completed without referral to youth care: "
        f"{count(_outcome_sum(outcome, 'minder_jeugdzorg'))};",
        f"  - reach: {count(_outcome_sum(outcome, 'bereik_jongeren'))}.",
        "",
        "  A sourced value for an avoided youth-care trajectory or early school leaving would "
        "be the next parameter version. Business cases that price these outcomes will come "
        "out higher.",
        "",
        "These ratios come from invented data. They show that the method and the demo meet, "
        "not what social work returns.",
    ]
    return out


def reference_text(s: Sector) -> str:
    """The subsection on the organisations without client registrations: which kinds, the
    sector rates their quantities come from, and their results beside the measured ones."""
    ref = s.reference
    measured_orgs = set(s.project["organisatie_id"].to_list())
    others = sorted(set(ref.systems) - measured_orgs)
    planned = set(ref.plans["organisatie_id"].to_list())
    by_ref = set(ref.project["organisatie_id"].to_list())
    attendance = [o for o in others if "presentielijst" in ref.systems[o]]
    template = [o for o in others if "sjabloon" in ref.systems[o] and o in by_ref]
    sheet = [o for o in others if o not in attendance and o not in template and o in by_ref]
    plan_only = [o for o in others if o in planned and o not in by_ref]
    rates = ref.rates
    quantities = ref.outcome.unique([*KEYS, "uitkomst"])
    per_basis = {b: quantities.filter(pl.col("basis") == b).height for b in
                 (SECTOR, REPORTED, LITERATURE, MEASURED)}  # fmt: skip
    complete = _complete(ref.project)
    measured = _complete(s.project)
    half_width = rates.filter(pl.col("rate") > 0).select(
        ((pl.col("rate_hoog") - pl.col("rate_laag")) / 2 / pl.col("rate")).median()
    )[0, 0]

    def width(frame: pl.DataFrame) -> float:
        return frame.select(((pl.col("bkr_p95") - pl.col("bkr_p05")) / pl.col("bkr")).median())[
            0, 0
        ]

    lines = [
        "### By reference in the demo",
        "",
        f"The demo adds {count(len(others))} organisations without client registrations "
        "(`rendement.demo.kinds`, `docs/demo.md`): "
        f"{count(len(attendance))} deliver attendance lists (`presentielijst`) with project, "
        f"inzet and kosten, {count(len(sheet))} a project sheet as CSV in the contract layout, "
        f"{count(len(template))} the filled-in Excel template, and {count(len(plan_only))} "
        "only a plan in the template.",
        "",
        f"- **Sector rates.** The measured results give {count(rates.height)} rates "
        f"(intervention × outcome), each from {count(rates['organisaties'].min())} to "
        f"{count(rates['organisaties'].max())} organisations (at least {MIN_ORGANISATIONS}).",
        f"- **Quantities.** The {count(ref.project.height)} project-years by reference "
        f"({count(complete.height)} complete) carry {count(quantities.height)} quantities: "
        f"{count(per_basis[SECTOR])} from a sector rate, {count(per_basis[REPORTED])} counted "
        f"by the organisation itself and {count(per_basis[LITERATURE])} from a literature value "
        "(the standard set has none).",
        f"- **Intervals.** The 90 % interval of a project-year by reference is "
        f"{pct(width(complete))} of its ratio wide (median), against {pct(width(measured))} for "
        "a measured project-year. The rate's own interval adds little here: its half-width is "
        f"{pct(half_width)} of the rate (median over the rates), because the demo's "
        f"organisations differ little in effect (quality spread {pct(DEMO.ORG_QUALITY_SD)}). "
        "In a real sector the "
        "rates will spread more, and so will these intervals.",
        f"- **Plans.** {count(ref.plans.height)} "
        + ("row" if ref.plans.height == 1 else "rows")
        + " of soort raming, for "
        + ", ".join(str(y) for y in sorted(set(ref.plans["jaar"].to_list())))
        + (", is" if ref.plans.height == 1 else ", are")
        + " accepted into `canoniek.projectopgave`; a plan never enters a benchmark.",
        "",
        "Per intervention, Σ baten / Σ kosten over the complete project-years by reference "
        "and, for comparison, over the measured ones:",
        "",
        "| intervention | project-years | by reference | median [p05–p95] | measured |",
        "|---|---|---|---|---|",
    ]
    ref_iv = _sums(complete, "interventie")
    ref_med = _medians(complete, "interventie")
    measured_iv = _sums(measured, "interventie")
    for iv in sorted(ref_iv):
        m = ref_med[iv]
        lines.append(
            f"| {INTERVENTION_NAMES.get(iv, iv)} | {count(m['n'])} | {r2(_ratio(ref_iv[iv]))} "
            f"| {r2(m['bkr'])} [{r2(m['bkr_p05'])}–{r2(m['bkr_p95'])}] "
            f"| {r2(_ratio(measured_iv[iv])) if iv in measured_iv else '–'} |"
        )
    lines += [
        "",
        "A ratio by reference differs from the measured one of its intervention only through "
        "the cost per person reached, the number counted as reached (for attendance lists an "
        "upper bound: the sum of the activities' unique participants) and the organisation's "
        "own counts. It is the sector's measured average effect carried over, not a "
        "measurement of this project.",
        "",
    ]
    return "\n".join(lines)


WIDTH = 100


def wrap(text: str) -> str:
    """Paragraphs and list items wrapped at `WIDTH` (as the rest of docs/mkba.md); tables,
    headings and comments as they are."""
    out = []
    for line in text.split("\n"):
        if not line.strip() or line.startswith(("|", "#", "<!--")) or len(line) <= WIDTH:
            out.append(line)
            continue
        stripped = line.lstrip(" ")
        indent = " " * (len(line) - len(stripped))
        hang = indent + ("  " if stripped.startswith("- ") else "")
        out.append(
            textwrap.fill(
                stripped,
                WIDTH,
                initial_indent=indent,
                subsequent_indent=hang,
                break_long_words=False,
                break_on_hyphens=False,
            )
        )
    return "\n".join(out)


def render(warehouse: Path) -> str:
    """The generated part of docs/mkba.md (between the markers, markers excluded)."""
    sector = read_sector(warehouse)
    text = "\n".join(
        [
            "",
            "<!-- Generated by `python -m rendement.docsgen.kalibratie` from the demo warehouse; "
            "do not edit by hand. -->",
            "",
            synthetic_text(),
            demo_text(sector),
            reference_text(sector),
        ]
    )
    return wrap(text)


def section(text: str) -> str:
    """The part of `text` between the markers."""
    start = text.index(BEGIN) + len(BEGIN)
    return text[start : text.index(END, start)]


def rewrite(text: str, generated: str) -> str:
    start = text.index(BEGIN) + len(BEGIN)
    return text[:start] + generated + text[text.index(END, start) :]


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="kalibratie-") as tmp:
        print("rendement demo draaien (40 organisaties, seed 7) …", file=sys.stderr)
        home = run_demo(Path(tmp) / "demo")
        generated = render(home.warehouse)
    TARGET.write_text(rewrite(TARGET.read_text("utf-8"), generated), "utf-8")
    print(f"geschreven: {TARGET}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The output tables: one pandera model (polars backend) per table the pipeline writes to the
warehouse, each column declared and described once.

These models are the single declaration of the MKBA results (`mkba.*`), the sector benchmark
(`benchmark.*`) and the private positions (`prive.positie`):

- the code that builds a table takes its column order and dtypes from here
  (`columns(table)`, `polars_schema(table)`), so a column is added in one place;
- `assets/checks.py` turns every model into a blocking Dagster asset check on the asset that
  writes the table (the failing rows go into the check's metadata);
- `python -m rendement.docsgen.warehouse` writes the tables and their columns into
  `docs/warehouse.md`.

Column names are Dutch, like the tables; descriptions are Dutch (what users read). Every check
states an invariant of the table as a vectorised polars expression (none is element-wise); a
check that relates nulls to other columns says so itself (`ignore_na=False`). Column order and
dtypes are part of the contract (`ordered`, `strict`): the warehouse tables are compared byte
for byte by `tests/integration/test_outputs_unchanged.py`.

Adding an output table: a model here, an entry in `OUTPUTS` (which asset writes it), and the
code that writes it. Its check and its documentation follow from the entry.

This module is the bottom layer: it imports nothing of `rendement`. The few value domains the
checks need (statuses, scenarios, disclosure reasons) are stated here; a unit test holds them
equal to the constants of the code that sets them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pandera.polars as pa
import polars as pl

from schemas.vocabulary import ALL_INTERVENTIONS, COST_TYPES, DOMAINS, INTERVENTIONS

# ------------------------------------------------------------------------------------------
# Value domains of the output tables (held equal to the code's constants by a unit test).

# `mkba.*.status` (rendement.mkba.status): a project-year without costs is incomplete.
COMPLETE = "volledig"
INCOMPLETE = "onvolledig"
MKBA_STATUSES = (COMPLETE, INCOMPLETE)
# `mkba.scenario.scenario` (rendement.mkba.montecarlo.SCENARIOS)
SCENARIOS = ("laag", "basis", "hoog")
# `mkba.kosten.herkomst`
COST_ORIGINS = ("eigen opgave", "standaard")
# `mkba.uitkomst.waardering`
VALUATIONS = ("gewaardeerd", "geteld")
# What an outcome quantity rests on (rendement.mkba.reference), from strongest to weakest.
QUANTITY_BASES = ("gemeten", "opgegeven", "referentie sector", "referentie literatuur")
# What a project-year's figures rest on (`mkba.project.basis`): the weakest basis of its
# quantities (rendement.mkba.reference.project_basis), so the same four values.
PROJECT_BASES = QUANTITY_BASES
# The benchmark's split by basis (rendement.benchmark.basis): `gemeten` project-years (client
# trajectories and measurements) and `referentie` ones (the organisation's own counts or a
# reference rate), never mixed in one percentile; `alle` holds the sums and counts of both.
ALL_BASES = "alle"
MEASURED_BASIS = "gemeten"
REFERENCE_BASIS = "referentie"
BENCHMARK_BASES = (ALL_BASES, MEASURED_BASIS, REFERENCE_BASIS)
# Disclosure control (rendement.benchmark.disclosure): status and reason of a cell.
PUBLISHED = "gepubliceerd"
SUPPRESSED = "onderdrukt"
EMPTY = "leeg"
DISCLOSURE_STATUSES = (PUBLISHED, SUPPRESSED, EMPTY)
DISCLOSURE_REASONS = (
    "te_weinig_organisaties",
    "dominantie",
    "klein_aantal",
    "te_weinig_waarden",
    "secundair",
    "geen_projecten",
)
TOO_FEW_ORGS = "te_weinig_organisaties"
# The benchmark's tables, groups, statistics and units (rendement.benchmark.cells).
TOTAL = "totaal"
CELL_TABLES = ("domein", "interventie", "regio")
RATIO_TABLES = ("domein", "interventie")
STATISTICS = ("aantal", "som", "aandeel", "p10", "p25", "mediaan", "p75", "p90")
UNITS = ("aantal", "personen", "fte", "euro", "fractie", "verhouding")
# The published aggregates (rendement.benchmark.aggregates): measures and interval methods.
STAKEHOLDER_MEASURES = ("baten", "overdrachten")
INTERVAL_MEASURES = ("aandeel_verbeterd", "bkr")
INTERVAL_METHODS = ("cluster_t", "cluster_bootstrap")


def group_memberships(
    frame: pl.DataFrame, tables: tuple[str, ...], *, empty: str | None
) -> pl.DataFrame:
    """Every row once per group of the published tables it belongs to, in this order: the
    sector total (``tabel`` domein, ``domein`` totaal), its domain, then per name in `tables`
    (``interventie``, ``regio``: columns of `frame`) its group of that table. In a row of
    another table those columns hold `empty` (None, or "" where a key must not be null)."""
    blank = {c: pl.lit(empty, pl.String).alias(c) for c in tables}
    parts = [
        frame.with_columns(
            pl.lit("domein").alias("tabel"), pl.lit(TOTAL).alias("domein"), *blank.values()
        ),
        frame.with_columns(pl.lit("domein").alias("tabel"), *blank.values()),
    ]
    for table in tables:
        others = [v for c, v in blank.items() if c != table]
        parts.append(frame.with_columns(pl.lit(table).alias("tabel"), *others))
    return pl.concat(parts, how="vertical")


MUNICIPALITY_PATTERN = r"^GM\d{4}$"
# Relative tolerance of the checks on sums (ncw = baten − kosten, bkr = baten / kosten).
TOLERANCE = 1e-6


# ------------------------------------------------------------------------------------------
# Building blocks


# Rule name → the columns its expression reads (shown next to a failing row by the checks).
RULE_COLUMNS: dict[str, set[str]] = {}


def rule(column: str, name: str, expr: pl.Expr, description: str) -> classmethod:
    """A check of `column` (its failures are reported there) that holds where `expr` is True,
    row by row; `expr` handles nulls itself. `description` is the rule in Dutch (docs)."""
    RULE_COLUMNS.setdefault(name, set()).update(expr.meta.root_names())

    def check(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(expr.fill_null(False).alias(column))

    check.__name__ = name
    return pa.check(column, name=name, ignore_na=False, description=description)(check)


def ncw_rule() -> classmethod:
    """The net present value is benefits minus costs: one declaration for every table with
    both (each model needs its own check object)."""
    return rule(
        "ncw",
        "ncw_is_baten_min_kosten",
        _close(pl.col("ncw"), pl.col("baten") - pl.col("kosten")),
        "ncw = baten − kosten (op 1e-6 relatief).",
    )


def bkr_without_costs_rule() -> classmethod:
    """A ratio is empty exactly where there are no costs to divide by."""
    return rule(
        "bkr",
        "bkr_leeg_precies_zonder_kosten",
        pl.col("bkr").is_null() == ~(pl.col("kosten") > 0),
        "bkr is leeg precies als er geen kosten zijn.",
    )


def _close(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """a ≈ b within `TOLERANCE` relative to their size (true where either is null)."""
    return ((a - b).abs() <= TOLERANCE * (1.0 + a.abs() + b.abs())).fill_null(True)


def _implies(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    return ~a.fill_null(False) | b.fill_null(False)


def _all_null(columns: list[str]) -> pl.Expr:
    return pl.all_horizontal(pl.col(c).is_null() for c in columns)


def _not_after(low: str, high: str) -> pl.Expr:
    """low ≤ high where both are known."""
    return (pl.col(low) <= pl.col(high)).fill_null(True)


_INTERVENTION_DOMAIN = {code: domain for domain, per in INTERVENTIONS.items() for code in per}


def _intervention_in_domain() -> pl.Expr:
    home = pl.col("interventie").replace_strict(_INTERVENTION_DOMAIN, default=None)
    return pl.col("interventie").is_null() | (home == pl.col("domein"))


def _code(description: str, **kw) -> object:
    return pa.Field(str_length={"min_value": 1}, description=description, **kw)


def _domain(**kw) -> object:
    return pa.Field(isin=list(DOMAINS), description="Domein (zie het exportcontract).", **kw)


def _intervention(**kw) -> object:
    return pa.Field(
        isin=ALL_INTERVENTIONS, description="Type interventie (zie het exportcontract).", **kw
    )


def _year(description: str = "Kalenderjaar (het projectjaar).", **kw) -> object:
    return pa.Field(ge=2000, le=2100, description=description, **kw)


def _euro(description: str, **kw) -> object:
    return pa.Field(description=description, **kw)


class _Output(pa.DataFrameModel):
    class Config:
        strict = True  # exactly these columns …
        ordered = True  # … in this order
        coerce = False  # the writers deliver typed frames; a wrong dtype is an error


# ------------------------------------------------------------------------------------------
# MKBA results (per organisation in the lake, `lake/mkba/<tabel>/<organisatie_id>.parquet`)

_PROJECT_RATIOS = ["bkr", "bkr_p05", "bkr_p95", "bkr_laag", "bkr_hoog"]
_PER_PARTICIPANT = ["kosten_per_deelnemer", "ncw_per_deelnemer"]
_COMPLETE = pl.col("status") == COMPLETE
_INCOMPLETE = pl.col("status") == INCOMPLETE


class MkbaProject(_Output):
    """organisation × project × year: costs, benefits, transfers, NPV, ratio (rendementsfactor),
    intervals, parameter version, `status` (`volledig`/`onvolledig`) and `reden` (why a figure
    is empty)."""

    class Config:
        unique = ["organisatie_id", "project_id", "jaar"]

    organisatie_id: str = _code("Sectorcode van de organisatie.")
    project_id: str = _code("Eigen code van het project bij de organisatie.")
    jaar: int = _year()
    domein: str = _domain()
    interventie: str = _intervention()
    gemeente_code: str = pa.Field(
        nullable=True,
        str_matches=MUNICIPALITY_PATTERN,
        description="Gemeente waar het project vooral loopt (CBS-code); leeg als onbekend.",
    )
    deelnemers: int = pa.Field(
        ge=0, description="Unieke cliënten met een traject dat in het jaar liep."
    )
    deelnemers_gemeten: int = pa.Field(
        ge=0,
        description="Deelnemers met een begin- en eindmeting (eindmeting in het jaar).",
    )
    deelnemers_verbeterd: int = pa.Field(
        ge=0,
        description="Gemeten deelnemers van wie de gemiddelde score op minstens één "
        "instrument verbeterde.",
    )
    trajecten_afgerond: int = pa.Field(
        ge=0, description="Trajecten die in het jaar volgens plan zijn afgerond."
    )
    fte: float = pa.Field(ge=0, description="Betaalde formatie in fte (uit `inzet`).")
    vrijwilligers: int = pa.Field(ge=0, description="Actieve vrijwilligers (uit `inzet`).")
    uren_vrijwilligers: float = pa.Field(ge=0, description="Uren van vrijwilligers.")
    kosten: float = _euro(
        "Kosten van het jaar in euro van het prijsjaar: eigen opgave, aangevuld met "
        "standaardkosten voor personeel en vrijwilligers waar die ontbreken.",
        ge=0,
    )
    baten: float = _euro(
        "Contante waarde van de maatschappelijke baten van de uitkomsten van het jaar "
        "(welvaart; zonder transfers)."
    )
    transfers: float = _euro(
        "Contante waarde van de transfers (bijv. bijstand die stopt): apart getoond, nooit "
        "in de baten."
    )
    ncw: float = _euro("Netto contante waarde: baten − kosten.")
    bkr: float = pa.Field(
        nullable=True,
        description="Rendementsfactor (baten/kosten-verhouding): baten / kosten; leeg als "
        "het jaar onvolledig is.",
    )
    kosten_per_deelnemer: float = _euro(
        "Kosten / deelnemers; leeg bij geen deelnemers of een onvolledig jaar.", nullable=True
    )
    ncw_per_deelnemer: float = _euro(
        "Netto contante waarde / deelnemers; leeg bij geen deelnemers of een onvolledig jaar.",
        nullable=True,
    )
    ncw_p05: float = _euro("Ondergrens (5e percentiel) van de ncw over de Monte Carlo-trekkingen.")
    ncw_p95: float = _euro("Bovengrens (95e percentiel) van de ncw over de trekkingen.")
    bkr_p05: float = pa.Field(
        nullable=True,
        description="Ondergrens (5e percentiel) van de rendementsfactor over de Monte "
        "Carlo-trekkingen; leeg als het jaar onvolledig is.",
    )
    bkr_p95: float = pa.Field(
        nullable=True,
        description="Bovengrens (95e percentiel) van de rendementsfactor; leeg als het jaar "
        "onvolledig is.",
    )
    bkr_laag: float = pa.Field(
        nullable=True,
        description="Rendementsfactor in het lage scenario (alle parameters op hun lage "
        "waarde); leeg als het jaar onvolledig is.",
    )
    bkr_hoog: float = pa.Field(
        nullable=True,
        description="Rendementsfactor in het hoge scenario; leeg als het jaar onvolledig is.",
    )
    parameter_versie: str = _code("Versie van de parameterset waarmee gerekend is.")
    prijsjaar: int = _year("Prijsjaar van alle bedragen (euro's van dat jaar).")
    discontovoet: float = pa.Field(
        ge=0, lt=1, description="Reële discontovoet van de parameterset (fractie)."
    )
    status: str = pa.Field(
        isin=list(MKBA_STATUSES),
        description="`volledig`, of `onvolledig` als over het jaar geen kosten zijn "
        "aangeleverd: dan zijn alle verhoudingen en bedragen per deelnemer leeg en telt het "
        "jaar in geen enkele benchmark mee.",
    )
    reden: str = pa.Field(
        nullable=True,
        description="Waarom een cijfer leeg is of het jaar onvolledig, bijv. 'geen kosten "
        "over 2024 aangeleverd'; leeg als er niets ontbreekt.",
    )
    basis: str = pa.Field(
        isin=list(PROJECT_BASES),
        description="Waar de cijfers van het projectjaar op rusten: `gemeten` (trajecten en "
        "metingen), anders de zwakste basis van zijn uitkomsten (`opgegeven`, `referentie "
        "sector`, `referentie literatuur`; `opgegeven` ook als alleen het bereik is opgegeven). "
        "Benchmarks tonen gemeten projectjaren en de andere apart.",
    )

    _domein = rule(
        "interventie",
        "interventie_hoort_bij_domein",
        _intervention_in_domain(),
        "De interventie hoort bij het domein.",
    )
    _verbeterd = rule(
        "deelnemers_verbeterd",
        "verbeterd_niet_meer_dan_gemeten",
        pl.col("deelnemers_verbeterd") <= pl.col("deelnemers_gemeten"),
        "deelnemers_verbeterd ≤ deelnemers_gemeten.",
    )
    _ncw = ncw_rule()
    _status = rule(
        "status",
        "onvolledig_precies_zonder_kosten",
        _INCOMPLETE == ~(pl.col("kosten") > 0),
        "status is `onvolledig` precies als kosten 0 is.",
    )
    _bkr = rule(
        "bkr",
        "bkr_leeg_precies_bij_onvolledig",
        pl.col("bkr").is_null() == _INCOMPLETE,
        "bkr is leeg precies als het jaar onvolledig is.",
    )
    _bkr_value = rule(
        "bkr",
        "bkr_is_baten_gedeeld_door_kosten",
        _close(pl.col("bkr") * pl.col("kosten"), pl.col("baten")),
        "bkr × kosten = baten (op 1e-6 relatief).",
    )
    _ratios = rule(
        "bkr_p05",
        "onvolledig_zonder_verhoudingen",
        _implies(_INCOMPLETE, _all_null(_PROJECT_RATIOS + _PER_PARTICIPANT)),
        "Een onvolledig jaar heeft geen verhoudingen en geen bedragen per deelnemer.",
    )
    _per_participant = rule(
        "kosten_per_deelnemer",
        "per_deelnemer_precies_bij_deelnemers",
        pl.col("kosten_per_deelnemer").is_not_null() == (_COMPLETE & (pl.col("deelnemers") > 0)),
        "Bedragen per deelnemer zijn er precies voor een volledig jaar met deelnemers.",
    )
    _kpd = rule(
        "kosten_per_deelnemer",
        "kosten_per_deelnemer_klopt",
        _close(pl.col("kosten_per_deelnemer") * pl.col("deelnemers"), pl.col("kosten")),
        "kosten_per_deelnemer × deelnemers = kosten.",
    )
    _ncw_interval = rule(
        "ncw_p05", "ncw_p05_niet_boven_p95", _not_after("ncw_p05", "ncw_p95"), "ncw_p05 ≤ ncw_p95."
    )
    _bkr_interval = rule(
        "bkr_p05", "bkr_p05_niet_boven_p95", _not_after("bkr_p05", "bkr_p95"), "bkr_p05 ≤ bkr_p95."
    )
    _scenarios = rule(
        "bkr_laag",
        "bkr_laag_niet_boven_hoog",
        _not_after("bkr_laag", "bkr_hoog"),
        "bkr_laag ≤ bkr_hoog.",
    )
    _reden = rule(
        "reden",
        "reden_bij_onvolledig",
        _implies(_INCOMPLETE | (pl.col("deelnemers") == 0), pl.col("reden").is_not_null()),
        "Een onvolledig jaar of een jaar zonder deelnemers heeft een reden.",
    )


class MkbaLooptijd(_Output):
    """organisation × project over its whole delivered period: costs of every year and
    benefits booked in every year, discounted to the first year; ratio with interval and
    scenarios; `status`, `reden`."""

    class Config:
        unique = ["organisatie_id", "project_id"]

    organisatie_id: str = _code("Sectorcode van de organisatie.")
    project_id: str = _code("Eigen code van het project bij de organisatie.")
    domein: str = _domain()
    interventie: str = _intervention()
    gemeente_code: str = pa.Field(
        nullable=True,
        str_matches=MUNICIPALITY_PATTERN,
        description="Gemeente waar het project vooral loopt (CBS-code); leeg als onbekend.",
    )
    eerste_jaar: int = _year("Eerste projectjaar.")
    laatste_jaar: int = _year("Laatste projectjaar.")
    jaren: int = pa.Field(ge=1, description="Aantal projectjaren.")
    deelnemers: int = pa.Field(
        ge=0, description="Unieke cliënten over de hele periode (één cliënt telt één keer)."
    )
    kosten: float = _euro("Kosten van alle jaren, verdisconteerd naar eerste_jaar.", ge=0)
    baten: float = _euro("Baten van alle jaren, verdisconteerd naar eerste_jaar.")
    transfers: float = _euro("Transfers van alle jaren, verdisconteerd naar eerste_jaar.")
    ncw: float = _euro("Netto contante waarde over de periode: baten − kosten.")
    bkr: float = pa.Field(
        nullable=True,
        description="Rendementsfactor over de periode; leeg als een van de jaren onvolledig is.",
    )
    ncw_p05: float = _euro("Ondergrens (5e percentiel) van de ncw over de trekkingen.")
    ncw_p95: float = _euro("Bovengrens (95e percentiel) van de ncw over de trekkingen.")
    bkr_p05: float = pa.Field(
        nullable=True, description="Ondergrens (5e percentiel) van de rendementsfactor."
    )
    bkr_p95: float = pa.Field(
        nullable=True, description="Bovengrens (95e percentiel) van de rendementsfactor."
    )
    bkr_laag: float = pa.Field(nullable=True, description="Rendementsfactor, laag scenario.")
    bkr_hoog: float = pa.Field(nullable=True, description="Rendementsfactor, hoog scenario.")
    parameter_versie: str = _code("Versie van de parameterset waarmee gerekend is.")
    prijsjaar: int = _year("Prijsjaar van alle bedragen.")
    discontovoet: float = pa.Field(ge=0, lt=1, description="Reële discontovoet (fractie).")
    status: str = pa.Field(
        isin=list(MKBA_STATUSES),
        description="`onvolledig` als een van de jaren onvolledig is (of er geen kosten zijn).",
    )
    reden: str = pa.Field(
        nullable=True,
        description="Waarom de periode onvolledig is, bijv. 'geen kosten over 2023, 2024 "
        "aangeleverd'; leeg als ze volledig is.",
    )
    basis: str = pa.Field(
        isin=list(PROJECT_BASES),
        description="De zwakste basis van de projectjaren (zie `mkba.project.basis`).",
    )

    _domein = rule(
        "interventie",
        "interventie_hoort_bij_domein",
        _intervention_in_domain(),
        "De interventie hoort bij het domein.",
    )
    _period = rule(
        "jaren",
        "jaren_binnen_periode",
        (pl.col("eerste_jaar") <= pl.col("laatste_jaar"))
        & (pl.col("jaren") <= pl.col("laatste_jaar") - pl.col("eerste_jaar") + 1),
        "eerste_jaar ≤ laatste_jaar en jaren ≤ laatste_jaar − eerste_jaar + 1.",
    )
    _ncw = ncw_rule()
    _bkr = rule(
        "bkr",
        "bkr_leeg_precies_bij_onvolledig",
        pl.col("bkr").is_null() == _INCOMPLETE,
        "bkr is leeg precies als de periode onvolledig is.",
    )
    _ratios = rule(
        "bkr_p05",
        "onvolledig_zonder_verhoudingen",
        _implies(_INCOMPLETE, _all_null(_PROJECT_RATIOS)),
        "Een onvolledige periode heeft geen verhoudingen.",
    )
    _ncw_interval = rule(
        "ncw_p05", "ncw_p05_niet_boven_p95", _not_after("ncw_p05", "ncw_p95"), "ncw_p05 ≤ ncw_p95."
    )
    _bkr_interval = rule(
        "bkr_p05", "bkr_p05_niet_boven_p95", _not_after("bkr_p05", "bkr_p95"), "bkr_p05 ≤ bkr_p95."
    )
    _reden = rule(
        "reden",
        "reden_precies_bij_onvolledig",
        pl.col("reden").is_not_null() == _INCOMPLETE,
        "reden is gevuld precies als de periode onvolledig is.",
    )


_KEYS = ["organisatie_id", "project_id", "jaar"]


class MkbaUitkomst(_Output):
    """project × year × outcome × stakeholder: quantity, unit value, corrections, present
    value, transfer or not, priced or counted (the benefit side of `mkba.project`, itemised)."""

    class Config:
        unique = [*_KEYS, "uitkomst", "baathebber"]

    organisatie_id: str = _code("Sectorcode van de organisatie.")
    project_id: str = _code("Eigen code van het project.")
    jaar: int = _year()
    uitkomst: str = _code("Code van de uitkomst (het effectpad) in de parameterset.")
    uitkomst_naam: str = _code("Naam van de uitkomst.")
    baathebber: str = _code("Wie de baat ontvangt (bijv. gemeente, cliënt, zorgverzekeraar).")
    aandeel: float = pa.Field(
        ge=-1,
        le=1,
        description="Aandeel van de baathebber in de uitkomst (negatief bij een transfer: "
        "wat de een wint, verliest de ander).",
    )
    hoeveelheid: float = pa.Field(description="Aantal keren dat de uitkomst is opgetreden.")
    factor: float = pa.Field(ge=0, description="Factor van het effectpad op de hoeveelheid.")
    hoeveelheid_x_factor: float = pa.Field(description="hoeveelheid × factor.")
    eenheid: str = pa.Field(description="Eenheid van de eenheidswaarde.")
    eenheidswaarde: float = pa.Field(
        nullable=True,
        description="Waarde van één eenheid in euro van het prijsjaar; leeg als de uitkomst "
        "alleen geteld wordt.",
    )
    deadweight: float = pa.Field(
        ge=0, le=1, description="Deel dat ook zonder de interventie was gebeurd."
    )
    displacement: float = pa.Field(ge=0, le=1, description="Deel dat elders verdwijnt.")
    attributie: float = pa.Field(ge=0, le=1, description="Deel dat aan anderen toe te rekenen is.")
    drop_off: float = pa.Field(ge=0, le=1, description="Jaarlijkse afname van het effect.")
    duur: int = pa.Field(ge=0, description="Aantal jaren dat het effect meetelt.")
    impact_jaar1: float = _euro(
        "Waarde in het eerste jaar na alle correcties; leeg als de uitkomst alleen geteld wordt.",
        nullable=True,
    )
    pv: float = _euro(
        "Contante waarde voor deze baathebber; leeg als de uitkomst alleen geteld wordt.",
        nullable=True,
    )
    is_transfer: bool = pa.Field(description="Een transfer: apart getoond, niet in de baten.")
    gewaardeerd: bool = pa.Field(description="De uitkomst heeft een waarde in euro.")
    waardering: str = pa.Field(
        isin=list(VALUATIONS), description="`gewaardeerd` of `geteld` (zonder eurowaarde)."
    )
    basis: str = pa.Field(
        isin=list(QUANTITY_BASES),
        description="Waar de hoeveelheid op rust: `gemeten` (trajecten en metingen), "
        "`opgegeven` (de telling van de organisatie in de projectopgave), `referentie sector` "
        "(het gepoolde effect van gemeten projecten met dezelfde interventie, minstens vijf "
        "organisaties) of `referentie literatuur` (een bronwaarde uit de parameterset), "
        "keer het aantal bereikte personen.",
    )

    _valued = rule(
        "pv",
        "bedragen_precies_bij_gewaardeerd",
        pl.all_horizontal(
            pl.col(c).is_not_null() == pl.col("gewaardeerd")
            for c in ("eenheidswaarde", "impact_jaar1", "pv")
        ),
        "eenheidswaarde, impact_jaar1 en pv zijn gevuld precies als de uitkomst gewaardeerd is.",
    )
    _waardering = rule(
        "waardering",
        "waardering_volgt_gewaardeerd",
        (pl.col("waardering") == "gewaardeerd") == pl.col("gewaardeerd"),
        "waardering is `gewaardeerd` precies als gewaardeerd waar is.",
    )
    _product = rule(
        "hoeveelheid_x_factor",
        "hoeveelheid_x_factor_klopt",
        _close(pl.col("hoeveelheid_x_factor"), pl.col("hoeveelheid") * pl.col("factor")),
        "hoeveelheid_x_factor = hoeveelheid × factor.",
    )


class MkbaScenario(_Output):
    """project × year × scenario (`laag`, `basis`, `hoog`): every parameter at its low, base or
    high value."""

    class Config:
        unique = [*_KEYS, "scenario"]

    organisatie_id: str = _code("Sectorcode van de organisatie.")
    project_id: str = _code("Eigen code van het project.")
    jaar: int = _year()
    scenario: str = pa.Field(isin=list(SCENARIOS), description="`laag`, `basis` of `hoog`.")
    kosten: float = _euro("Kosten in dit scenario.", ge=0)
    baten: float = _euro("Baten in dit scenario (zonder transfers).")
    transfers: float = _euro("Transfers in dit scenario.")
    ncw: float = _euro("baten − kosten.")
    bkr: float = pa.Field(
        nullable=True, description="baten / kosten; leeg als er geen kosten zijn."
    )
    reden: str = pa.Field(
        nullable=True, description="Waarom bkr leeg is (de reden van het projectjaar)."
    )

    _ncw = ncw_rule()
    _bkr = bkr_without_costs_rule()
    _reden = rule(
        "reden",
        "reden_alleen_zonder_bkr",
        _implies(pl.col("reden").is_not_null(), pl.col("bkr").is_null()),
        "Een reden staat er alleen als bkr leeg is.",
    )


class MkbaKosten(_Output):
    """project × year × kostensoort: bedrag in price-year euros, `eigen opgave` or
    `standaard` (the cost side of `mkba.project`, itemised)."""

    class Config:
        unique = [*_KEYS, "kostensoort"]

    organisatie_id: str = _code("Sectorcode van de organisatie.")
    project_id: str = _code("Eigen code van het project.")
    jaar: int = _year()
    kostensoort: str = pa.Field(isin=list(COST_TYPES), description="Soort kosten.")
    bedrag: float = _euro("Bedrag in euro van het prijsjaar.", ge=0)
    herkomst: str = pa.Field(
        isin=list(COST_ORIGINS),
        description="`eigen opgave` (uit `kosten`) of `standaard` (fte of vrijwilligers × "
        "standaardtarief, waar de eigen opgave voor die soort ontbreekt).",
    )

    _standard = rule(
        "herkomst",
        "standaard_alleen_personeel_en_vrijwilligers",
        _implies(
            pl.col("herkomst") == "standaard",
            pl.col("kostensoort").is_in(["personeel", "vrijwilligers"]),
        ),
        "Standaardkosten bestaan alleen voor personeel en vrijwilligers.",
    )


_SWITCHING = ["deadweight_bij_bkr_1", "attributie_bij_bkr_1", "eenheidswaarden_factor_bij_bkr_1"]


class MkbaSchakelwaarden(_Output):
    """project × year: the deadweight, the attribution and the factor on all unit values at
    which the benefit/cost ratio would be exactly 1 (switching values); `reden` where there
    is none."""

    class Config:
        unique = _KEYS

    organisatie_id: str = _code("Sectorcode van de organisatie.")
    project_id: str = _code("Eigen code van het project.")
    jaar: int = _year()
    deadweight_bij_bkr_1: float = pa.Field(
        nullable=True,
        le=1,
        description="Deadweight (voor alle uitkomsten tegelijk) waarbij de rendementsfactor "
        "precies 1 is; onder 0: ook zonder deadweight blijft hij onder 1.",
    )
    attributie_bij_bkr_1: float = pa.Field(
        nullable=True, le=1, description="Attributie waarbij de rendementsfactor precies 1 is."
    )
    eenheidswaarden_factor_bij_bkr_1: float = pa.Field(
        nullable=True,
        gt=0,
        description="Factor op alle eenheidswaarden waarbij de rendementsfactor precies 1 is "
        "(kosten / baten).",
    )
    reden: str = pa.Field(
        nullable=True,
        description="Waarom er geen schakelwaarde is (onvolledig jaar, geen gewaardeerde baten).",
    )

    _reden = rule(
        "reden",
        "reden_als_schakelwaarde_ontbreekt",
        _implies(
            pl.col("eenheidswaarden_factor_bij_bkr_1").is_null(), pl.col("reden").is_not_null()
        ),
        "Zonder schakelwaarde staat er een reden.",
    )


class MkbaOverrides(_Output):
    """organisation × project × parameter: an organisation's own parameter value that applied,
    with the standard value and the justification (only when organisations override)."""

    class Config:
        unique = ["organisatie_id", "project_id", "parameter"]

    organisatie_id: str = _code("Sectorcode van de organisatie.")
    project_id: str = _code("Project waarvoor de afwijking gold.")
    parameter: str = _code("Pad van de parameter in de parameterset.")
    waarde_standaard: float = pa.Field(description="Waarde in de standaardset.")
    waarde: float = pa.Field(description="Eigen waarde van de organisatie.")
    toelichting: str = _code("Onderbouwing van de afwijking (verplicht).")
    parameter_versie: str = _code("Versie van de standaardset.")


# How the costs of a plan (`mkba.raming`) were found (rendement.mkba.plans).
PLAN_COST_SOURCES = ("begroting", "eerder jaar", "geen")


class MkbaRaming(_Output):
    """organisation × project × year of a plan (`projectopgave` soort raming): the expected
    MKBA on the same reference basis as a realisation, kept apart from every realised figure
    and never in a benchmark, published table or release."""

    class Config:
        unique = ["organisatie_id", "project_id", "jaar"]

    organisatie_id: str = _code("Sectorcode van de organisatie.")
    project_id: str = _code("Eigen code van het project.")
    jaar: int = _year("Het jaar waarover de raming gaat.")
    domein: str = _domain()
    interventie: str = _intervention()
    bereikt: int = pa.Field(ge=0, description="Verwacht aantal bereikte personen (de raming).")
    kosten: float = _euro(
        "Verwachte kosten in euro van het prijsjaar: de begroting van de raming, anders de "
        "kosten van het laatste gerealiseerde jaar van het project (geïndexeerd).",
        ge=0,
    )
    kostenbron: str = pa.Field(
        isin=list(PLAN_COST_SOURCES),
        description="`begroting` (uit de raming), `eerder jaar` (de inzet en kosten van het "
        "laatste gerealiseerde jaar) of `geen`.",
    )
    baten: float = _euro("Verwachte contante waarde van de baten (zonder transfers).")
    transfers: float = _euro("Verwachte contante waarde van de transfers, apart getoond.")
    ncw: float = _euro("Verwachte netto contante waarde: baten − kosten.")
    bkr: float = pa.Field(
        nullable=True, description="Verwachte rendementsfactor; leeg zonder kosten."
    )
    ncw_p05: float = _euro("Ondergrens (5e percentiel) van de verwachte ncw.")
    ncw_p95: float = _euro("Bovengrens (95e percentiel) van de verwachte ncw.")
    bkr_p05: float = pa.Field(
        nullable=True, description="Ondergrens (5e percentiel) van de verwachte rendementsfactor."
    )
    bkr_p95: float = pa.Field(
        nullable=True, description="Bovengrens (95e percentiel) van de verwachte rendementsfactor."
    )
    basis: str = pa.Field(
        nullable=True,
        description="Waar de verwachte uitkomsten op rusten (de bases van "
        "`mkba.uitkomst`, sterkste eerst); leeg als geen uitkomst te ramen was.",
    )
    parameter_versie: str = _code("Versie van de parameterset waarmee gerekend is.")
    prijsjaar: int = _year("Prijsjaar van alle bedragen (euro's van dat jaar).")
    status: str = pa.Field(
        isin=list(MKBA_STATUSES),
        description="`volledig`, of `onvolledig` als er geen kosten te ramen zijn.",
    )
    reden: str = pa.Field(nullable=True, description="Waarom de rendementsfactor leeg is.")

    _ncw = ncw_rule()
    _bkr = bkr_without_costs_rule()
    _reden = rule(
        "reden",
        "reden_precies_bij_onvolledig",
        pl.col("reden").is_not_null() == _INCOMPLETE,
        "reden is gevuld precies als de raming onvolledig is.",
    )


class MkbaArbeidsmarkt(_Output):
    """project × year: labour-market effects, the outcomes of `mkba.uitkomst` in other units
    (people into paid work; avoided professional care as hours and FTE of care staff); never
    priced again and never added to the benefits."""

    class Config:
        unique = _KEYS

    organisatie_id: str = _code("Sectorcode van de organisatie.")
    project_id: str = _code("Eigen code van het project.")
    jaar: int = _year()
    naar_betaald_werk: float = pa.Field(
        nullable=True,
        ge=0,
        description="Personen naar betaald werk (de hoeveelheid van de uitkomsten onder "
        "`arbeidsmarkt.betaald_werk` in de parameterset).",
    )
    basis_betaald_werk: str = pa.Field(
        nullable=True, description="Waar dat aantal op rust (zie `mkba.uitkomst.basis`)."
    )
    vermeden_zorg: float = _euro(
        "Vermeden professionele zorg in het eerste jaar na alle correcties, in euro van het "
        "prijsjaar (de uitkomsten onder `arbeidsmarkt.vermeden_zorg`; al in de baten).",
        nullable=True,
    )
    basis_vermeden_zorg: str = pa.Field(nullable=True, description="Waar de vermeden zorg op rust.")
    zorguren: float = pa.Field(
        nullable=True, ge=0, description="Uren zorg: vermeden_zorg / prijs van een uur zorg."
    )
    zorguren_laag: float = pa.Field(nullable=True, ge=0, description="Idem, bij de hoge uurprijs.")
    zorguren_hoog: float = pa.Field(nullable=True, ge=0, description="Idem, bij de lage uurprijs.")
    zorg_fte: float = pa.Field(
        nullable=True, ge=0, description="Fte zorgmedewerkers: zorguren / uren per fte per jaar."
    )
    zorg_fte_laag: float = pa.Field(nullable=True, ge=0, description="Idem, van zorguren_laag.")
    zorg_fte_hoog: float = pa.Field(nullable=True, ge=0, description="Idem, van zorguren_hoog.")

    _order = rule(
        "zorg_fte",
        "fte_tussen_laag_en_hoog",
        _not_after("zorg_fte_laag", "zorg_fte") & _not_after("zorg_fte", "zorg_fte_hoog"),
        "zorg_fte_laag ≤ zorg_fte ≤ zorg_fte_hoog.",
    )


# ------------------------------------------------------------------------------------------
# Benchmark (written by the asset `sector_benchmark`)

_CELL_KEYS = ["tabel", "jaar", "domein", "interventie", "regio", "maat", "statistiek", "basis"]


def _basis(values: tuple[str, ...], description: str) -> object:
    return pa.Field(isin=list(values), description=description)


def _group_keys() -> list[pl.Expr]:
    return [
        pl.col("domein").is_in([TOTAL, *DOMAINS]),
        pl.col("interventie").is_not_null() == (pl.col("tabel") == "interventie"),
        _intervention_in_domain(),
    ]


class BenchmarkCellen(_Output):
    """published cell × measure with its disclosure status and symbol (suppressed cells are
    present, without a value)."""

    class Config:
        unique = _CELL_KEYS

    tabel: str = pa.Field(
        isin=list(CELL_TABLES),
        description="`domein` (per domein en de sector, `totaal`), `interventie` (domein × "
        "interventie) of `regio` (domein × provincie).",
    )
    jaar: int = _year()
    domein: str = pa.Field(description="Domein, of `totaal` voor de hele sector.")
    interventie: str = pa.Field(
        nullable=True, description="Type interventie; alleen in tabel `interventie`."
    )
    regio: str = pa.Field(
        nullable=True,
        description="Provincie (of `onbekend`); alleen in tabel `regio`.",
    )
    maat: str = _code("Wat er gemeten is (bijv. kosten, bkr, deelnemers).")
    statistiek: str = pa.Field(
        isin=list(STATISTICS), description="aantal, som, aandeel of een percentiel."
    )
    waarde: float = pa.Field(
        nullable=True,
        description="De gepubliceerde (afgeronde) waarde; leeg als de cel onderdrukt is, 0 "
        "voor aantallen en sommen van een lege cel.",
    )
    eenheid: str = pa.Field(isin=list(UNITS), description="Eenheid van de waarde.")
    status: str = pa.Field(
        isin=list(DISCLOSURE_STATUSES),
        description="`gepubliceerd`, `onderdrukt` (onthullingscontrole) of `leeg` (geen "
        "projecten).",
    )
    reden: str = pa.Field(
        nullable=True,
        isin=list(DISCLOSURE_REASONS),
        description="Code van de reden dat de cel niet als gewoon getal verschijnt; leeg "
        "als ze gepubliceerd is.",
    )
    symbool: str = pa.Field(nullable=True, description="Symbool in de tabellen (legenda).")
    toelichting: str = pa.Field(nullable=True, description="De reden in een zin.")
    basis: str = _basis(
        BENCHMARK_BASES,
        "Welke projectjaren: `gemeten` (trajecten en metingen), `referentie` (eigen telling "
        "of referentie-effect) of `alle` (beide samen; alleen aantallen, sommen en het "
        "aandeel verbeterd, nooit een percentiel, behalve in jaren van een release van vóór "
        "deze kolom).",
    )

    _group = rule(
        "domein",
        "groep_past_bij_tabel",
        pl.all_horizontal(
            *_group_keys(), pl.col("regio").is_not_null() == (pl.col("tabel") == "regio")
        ),
        "domein is een domein of `totaal`; interventie alleen (en altijd) in tabel "
        "`interventie`, bij haar domein; regio alleen (en altijd) in tabel `regio`.",
    )
    _value = rule(
        "waarde",
        "waarde_alleen_als_gepubliceerd",
        pl.col("waarde").is_null()
        | (pl.col("status") == PUBLISHED)
        | ((pl.col("status") == EMPTY) & (pl.col("waarde") == 0)),
        "Een waarde staat er alleen als de cel gepubliceerd is (of 0 in een lege cel).",
    )
    _published = rule(
        "waarde",
        "gepubliceerd_met_waarde",
        _implies(pl.col("status") == PUBLISHED, pl.col("waarde").is_not_null()),
        "Een gepubliceerde cel heeft een waarde.",
    )
    _reden = rule(
        "reden",
        "reden_precies_als_niet_gepubliceerd",
        pl.all_horizontal(
            pl.col(c).is_null() == (pl.col("status") == PUBLISHED)
            for c in ("reden", "symbool", "toelichting")
        ),
        "reden, symbool en toelichting zijn leeg precies als de cel gepubliceerd is.",
    )


_RATIO_VALUES = [
    "projecten",
    "organisaties",
    "kosten",
    "baten",
    "bkr",
    "bkr_p05",
    "bkr_p95",
    *_SWITCHING,
]


class BenchmarkRendementsfactor(_Output):
    """year × domain (and the sector, `totaal`) and year × domain × intervention: Σ baten /
    Σ kosten of the complete project-years with its joint Monte Carlo interval and switching
    values; values only where the group's cost cell in `benchmark.cellen` is published
    (`status`, `reden` as that cell)."""

    class Config:
        unique = ["tabel", "jaar", "domein", "interventie", "basis"]

    tabel: str = pa.Field(
        isin=list(RATIO_TABLES), description="`domein` (met `totaal`) of `interventie`."
    )
    jaar: int = _year()
    domein: str = pa.Field(description="Domein, of `totaal` voor de hele sector.")
    interventie: str = pa.Field(
        nullable=True, description="Type interventie; alleen in tabel `interventie`."
    )
    projecten: int = pa.Field(
        nullable=True, ge=1, description="Volledige projectjaren in de groep."
    )
    organisaties: int = pa.Field(nullable=True, ge=1, description="Organisaties in de groep.")
    kosten: float = _euro("Σ kosten van de groep.", nullable=True, ge=0)
    baten: float = _euro("Σ baten van de groep.", nullable=True)
    bkr: float = pa.Field(nullable=True, description="Σ baten / Σ kosten.")
    bkr_p05: float = pa.Field(
        nullable=True,
        description="5e percentiel van Σ baten / Σ kosten over de trekkingen, elke parameter "
        "één keer per trekking voor alle projecten van de groep.",
    )
    bkr_p95: float = pa.Field(nullable=True, description="95e percentiel, idem.")
    deadweight_bij_bkr_1: float = pa.Field(
        nullable=True, le=1, description="Schakelwaarde van de deadweight voor de groep."
    )
    attributie_bij_bkr_1: float = pa.Field(
        nullable=True, le=1, description="Schakelwaarde van de attributie voor de groep."
    )
    eenheidswaarden_factor_bij_bkr_1: float = pa.Field(
        nullable=True, gt=0, description="Schakelfactor op de eenheidswaarden voor de groep."
    )
    status: str = pa.Field(
        isin=list(DISCLOSURE_STATUSES),
        description="Status van de kostencel van de groep in `benchmark.cellen`.",
    )
    reden: str = pa.Field(
        nullable=True,
        isin=list(DISCLOSURE_REASONS),
        description="Reden van die cel; leeg als ze gepubliceerd is.",
    )
    basis: str = _basis(
        BENCHMARK_BASES,
        "Welke projectjaren: `alle`, `gemeten` of `referentie` (de kostencel van dezelfde "
        "basis beslist; een deel staat er alleen als het andere deel niet onderdrukt is).",
    )

    _group = rule(
        "domein",
        "groep_past_bij_tabel",
        pl.all_horizontal(_group_keys()),
        "domein is een domein of `totaal`; interventie alleen (en altijd) in tabel "
        "`interventie`, bij haar domein.",
    )
    _values = rule(
        "bkr",
        "waarden_alleen_als_gepubliceerd",
        _implies(pl.col("status") != PUBLISHED, _all_null(_RATIO_VALUES)),
        "Een groep waarvan de kostencel niet gepubliceerd is, heeft geen waarden.",
    )
    _interval = rule(
        "bkr_p05", "bkr_p05_niet_boven_p95", _not_after("bkr_p05", "bkr_p95"), "bkr_p05 ≤ bkr_p95."
    )
    _reden = rule(
        "reden",
        "reden_precies_als_niet_gepubliceerd",
        pl.col("reden").is_null() == (pl.col("status") == PUBLISHED),
        "reden is leeg precies als de groep gepubliceerd is.",
    )


class BenchmarkBaathebbers(_Output):
    """year × domain (and the sector, `totaal`) × stakeholder (and all, `totaal`): the present
    value of the welfare benefits of the complete project-years (`maat` baten), and per domain
    the gross transfers (`maat` overdrachten, stakeholder `totaal`); published under the rules
    of the benchmark cells, with complementary suppression over the table and its margins
    (`docs/rapporten.md`, "Published aggregates")."""

    class Config:
        unique = ["jaar", "domein", "baathebber", "maat"]

    jaar: int = _year()
    domein: str = pa.Field(
        isin=[*DOMAINS, TOTAL], description="Domein, of `totaal` voor de hele sector."
    )
    baathebber: str = _code(
        "Baathebber (code uit de parameterset), of `totaal` voor alle baathebbers samen."
    )
    maat: str = pa.Field(
        isin=list(STAKEHOLDER_MEASURES),
        description="`baten` (maatschappelijke baten, contante waarde) of `overdrachten` "
        "(bruto, per domein).",
    )
    waarde: float = _euro(
        "Het bedrag, afgerond op hele euro's; leeg als de cel onderdrukt is, 0 als ze leeg is.",
        nullable=True,
    )
    eenheid: str = pa.Field(isin=["euro"], description="Altijd `euro`.")
    organisaties: int = pa.Field(
        nullable=True,
        ge=0,
        description="Bijdragende organisaties; leeg als de cel onderdrukt is.",
    )
    status: str = pa.Field(isin=list(DISCLOSURE_STATUSES), description="Status van de cel.")
    reden: str = pa.Field(
        nullable=True,
        isin=list(DISCLOSURE_REASONS),
        description="Reden van onderdrukking of leegte; leeg als de cel gepubliceerd is.",
    )
    symbool: str = pa.Field(nullable=True, description="Symbool van de reden (legenda).")
    toelichting: str = pa.Field(
        nullable=True, description="Uitleg van de reden, in het Nederlands."
    )
    basis: str = _basis(
        (ALL_BASES,),
        "Altijd `alle`: de baten van gemeten en referentieprojecten samen (een som; de "
        "splitsing staat in `benchmark.rendementsfactor`).",
    )

    _domain_total = rule(
        "baathebber",
        "overdrachten_alleen_in_totaal",
        _implies(pl.col("maat") == "overdrachten", pl.col("baathebber") == TOTAL),
        "Overdrachten staan alleen bij baathebber `totaal`.",
    )
    _value = rule(
        "waarde",
        "waarde_leeg_precies_als_onderdrukt",
        pl.col("waarde").is_null() == (pl.col("status") == SUPPRESSED),
        "waarde (en organisaties) zijn leeg precies als de cel onderdrukt is.",
    )
    _reden = rule(
        "reden",
        "reden_precies_als_niet_gepubliceerd",
        pl.col("reden").is_null() == (pl.col("status") == PUBLISHED),
        "reden is leeg precies als de cel gepubliceerd is.",
    )


class BenchmarkIntervallen(_Output):
    """year × domain (and the sector, `totaal`) and year × domain × intervention, per measure:
    the 90 % interval of the share of measured participants who improved (cluster-robust, t)
    and of the median benefit/cost ratio over projects (cluster bootstrap), published under the
    rules of the point estimate (`docs/rapporten.md`, "Published aggregates")."""

    class Config:
        unique = ["tabel", "jaar", "domein", "interventie", "maat"]

    tabel: str = pa.Field(
        isin=list(RATIO_TABLES), description="`domein` (met `totaal`) of `interventie`."
    )
    jaar: int = _year()
    domein: str = pa.Field(description="Domein, of `totaal` voor de hele sector.")
    interventie: str = pa.Field(
        nullable=True, description="Type interventie; alleen in tabel `interventie`."
    )
    maat: str = pa.Field(
        isin=list(INTERVAL_MEASURES),
        description="`aandeel_verbeterd` (aandeel verbeterde gemeten deelnemers) of `bkr` "
        "(mediane baten/kostenverhouding).",
    )
    onder: float = pa.Field(nullable=True, description="Ondergrens van het 90%-interval.")
    boven: float = pa.Field(nullable=True, description="Bovengrens van het 90%-interval.")
    methode: str = pa.Field(
        isin=list(INTERVAL_METHODS),
        description="`cluster_t` (aandeel) of `cluster_bootstrap` (mediaan).",
    )
    status: str = pa.Field(isin=list(DISCLOSURE_STATUSES), description="Status van het interval.")
    reden: str = pa.Field(
        nullable=True,
        isin=list(DISCLOSURE_REASONS),
        description="Reden van onderdrukking of leegte; leeg als het interval gepubliceerd is.",
    )
    symbool: str = pa.Field(nullable=True, description="Symbool van de reden (legenda).")
    toelichting: str = pa.Field(
        nullable=True, description="Uitleg van de reden, in het Nederlands."
    )
    basis: str = _basis(
        (ALL_BASES, MEASURED_BASIS),
        "`gemeten`: alleen gemeten projectjaren (`alle` in jaren van een release van vóór "
        "deze kolom).",
    )

    _group = rule(
        "domein",
        "groep_past_bij_tabel",
        pl.all_horizontal(_group_keys()),
        "domein is een domein of `totaal`; interventie alleen (en altijd) in tabel "
        "`interventie`, bij haar domein.",
    )
    _bounds = rule(
        "onder",
        "grenzen_precies_als_gepubliceerd",
        (pl.col("onder").is_not_null() & pl.col("boven").is_not_null())
        == (pl.col("status") == PUBLISHED),
        "onder en boven zijn bekend precies als het interval gepubliceerd is.",
    )
    _order = rule("onder", "onder_niet_boven_boven", _not_after("onder", "boven"), "onder ≤ boven.")
    _reden = rule(
        "reden",
        "reden_precies_als_niet_gepubliceerd",
        pl.col("reden").is_null() == (pl.col("status") == PUBLISHED),
        "reden is leeg precies als het interval gepubliceerd is.",
    )


class BenchmarkRegels(_Output):
    """the disclosure rules the cells were made with (one row; `docs/benchmarks.md`)."""

    min_orgs: int = pa.Field(ge=1, description="Minimum aantal organisaties in een cel.")
    dominance_n: int = pa.Field(
        ge=1, description="Dominantieregel: het aantal grootste organisaties (n)."
    )
    dominance_k: float = pa.Field(
        gt=0, le=1, description="Dominantieregel: hun maximale aandeel in het totaal (k)."
    )
    min_count: int = pa.Field(ge=1, description="Minimum aantal personen in een telling.")
    round_to: int = pa.Field(ge=1, description="Tellingen van personen afgerond op een veelvoud.")
    min_tail: int = pa.Field(
        ge=1, description="Minimum aantal waarden aan elke kant van een percentiel."
    )

    _dominance = rule(
        "dominance_n",
        "dominantie_kleiner_dan_minimum",
        pl.col("dominance_n") < pl.col("min_orgs"),
        "dominance_n < min_orgs.",
    )


class PrivePositie(_Output):
    """an organisation's complete project-year: its percentile in its domain and intervention
    type. Never published; feeds only that organisation's own report."""

    class Config:
        unique = _KEYS

    organisatie_id: str = _code("Sectorcode van de organisatie (privé: alleen eigen rapport).")
    project_id: str = _code("Eigen code van het project.")
    jaar: int = _year()
    domein: str = _domain()
    interventie: str = _intervention()
    bkr: float = pa.Field(nullable=True, description="Rendementsfactor van het projectjaar.")
    bkr_percentiel: float = pa.Field(
        nullable=True,
        ge=0,
        le=100,
        description="Percentiel (0–100, middenrang) van bkr in de vergelijkingsgroep; hoog "
        "is gunstig.",
    )
    kosten_per_deelnemer: float = _euro("Kosten per deelnemer.", nullable=True, ge=0)
    kosten_per_deelnemer_percentiel: float = pa.Field(
        nullable=True,
        ge=0,
        le=100,
        description="Percentiel (0–100) van de kosten per deelnemer; laag is goedkoper dan "
        "de meeste.",
    )
    vergelijking_organisaties: int = pa.Field(
        nullable=True, ge=1, description="Organisaties in de vergelijkingsgroep."
    )
    vergelijking_projecten: int = pa.Field(
        nullable=True, ge=1, description="Projectjaren in de vergelijkingsgroep."
    )
    status: str = pa.Field(
        isin=[PUBLISHED, SUPPRESSED],
        description="`onderdrukt` als de vergelijkingsgroep te weinig organisaties heeft.",
    )
    reden: str = pa.Field(
        nullable=True, isin=[TOO_FEW_ORGS], description="Reden van onderdrukking."
    )
    basis: str = _basis(
        (MEASURED_BASIS, REFERENCE_BASIS),
        "`gemeten` of `referentie`: de vergelijkingsgroep heeft dezelfde basis (een "
        "referentieproject wordt nooit tussen gemeten projecten geplaatst).",
    )

    _domein = rule(
        "interventie",
        "interventie_hoort_bij_domein",
        _intervention_in_domain(),
        "De interventie hoort bij het domein.",
    )
    _suppressed = rule(
        "status",
        "onderdrukt_zonder_positie",
        _implies(
            pl.col("status") == SUPPRESSED,
            _all_null(
                [
                    "bkr_percentiel",
                    "kosten_per_deelnemer_percentiel",
                    "vergelijking_organisaties",
                    "vergelijking_projecten",
                ]
            )
            & (pl.col("reden") == TOO_FEW_ORGS),
        ),
        "Een onderdrukte positie heeft geen percentielen en geen groepsgrootte, en als reden "
        "`te_weinig_organisaties`.",
    )
    _shown = rule(
        "status",
        "positie_met_groep",
        _implies(
            pl.col("status") == PUBLISHED,
            pl.col("reden").is_null()
            & pl.col("vergelijking_organisaties").is_not_null()
            & pl.col("vergelijking_projecten").is_not_null(),
        ),
        "Een getoonde positie heeft de grootte van haar groep en geen reden.",
    )
    _percentile = rule(
        "bkr_percentiel",
        "percentiel_alleen_bij_waarde",
        _implies(pl.col("bkr").is_null(), pl.col("bkr_percentiel").is_null())
        & _implies(
            pl.col("kosten_per_deelnemer").is_null(),
            pl.col("kosten_per_deelnemer_percentiel").is_null(),
        ),
        "Een percentiel is er alleen bij een waarde.",
    )
    _groups = rule(
        "vergelijking_projecten",
        "groep_niet_kleiner_dan_organisaties",
        _not_after("vergelijking_organisaties", "vergelijking_projecten"),
        "vergelijking_organisaties ≤ vergelijking_projecten.",
    )


# ------------------------------------------------------------------------------------------
# The register


@dataclass(frozen=True)
class Output:
    """An output table: its model, the Dagster asset that writes it into the warehouse (its
    check runs on that asset), where its rows are computed if elsewhere, and whether it may be
    absent (a table that exists only when there is something to put in it)."""

    model: type[_Output]
    asset: str
    computed_by: str | None = None
    documented_in: str = "docs/mkba.md"
    optional: bool = False
    about: str | None = None  # what one row is, where the model's docstring does not say it

    @property
    def description(self) -> str:
        """What one row is: `about`, or the model's docstring as one line."""
        text = self.about or " ".join((self.model.__doc__ or "").split())
        return text.rstrip(".")


def _mkba(model: type[_Output], optional: bool = False, about: str | None = None) -> Output:
    return Output(model, "warehouse", "project_mkba", "docs/mkba.md", optional, about)


def _benchmark(model: type[_Output], docs: str = "docs/benchmarks.md") -> Output:
    return Output(model, "sector_benchmark", None, docs)


# Warehouse table → declaration, in the order of docs/warehouse.md.
OUTPUTS: dict[str, Output] = {
    "mkba.project": _mkba(MkbaProject),
    "mkba.project_looptijd": _mkba(MkbaLooptijd),
    "mkba.uitkomst": _mkba(MkbaUitkomst),
    "mkba.scenario": _mkba(MkbaScenario),
    "mkba.kosten": _mkba(MkbaKosten),
    "mkba.schakelwaarden": _mkba(MkbaSchakelwaarden),
    "mkba.project_eigen": _mkba(
        MkbaProject,
        optional=True,
        about="only when organisations override parameters: `mkba.project` of those "
        "organisations computed with their own values (for their own report only)",
    ),
    "mkba.overrides": _mkba(MkbaOverrides, optional=True),
    "mkba.raming": _mkba(
        MkbaRaming,
        optional=True,
        about="only when organisations sent a plan: the expected MKBA per project and year "
        "of a `projectopgave` of soort raming (never in a benchmark)",
    ),
    "mkba.arbeidsmarkt": _mkba(MkbaArbeidsmarkt, optional=True),
    "benchmark.cellen": _benchmark(BenchmarkCellen),
    "benchmark.rendementsfactor": _benchmark(BenchmarkRendementsfactor, "docs/mkba.md"),
    "benchmark.baathebbers": Output(
        BenchmarkBaathebbers, "sector_stakeholders", None, "docs/rapporten.md"
    ),
    "benchmark.intervallen": Output(
        BenchmarkIntervallen, "sector_intervals", None, "docs/rapporten.md"
    ),
    "benchmark.regels": _benchmark(BenchmarkRegels),
    "prive.positie": _benchmark(PrivePositie),
}


def check_name(table: str) -> str:
    """The name of a table's asset check: `mkba.project` → `mkba_project`."""
    return table.replace(".", "_")


@cache
def schema(table: str) -> pa.DataFrameSchema:
    """The pandera schema of an output table (`OUTPUTS`)."""
    return OUTPUTS[table].model.to_schema()


def columns(table: str) -> list[str]:
    """The columns of an output table, in their order."""
    return list(schema(table).columns)


def polars_schema(table: str) -> dict[str, pl.DataType]:
    """Column → polars dtype of an output table, in column order."""
    return {name: col.dtype.type for name, col in schema(table).columns.items()}

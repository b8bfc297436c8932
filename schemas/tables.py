"""The canonical tables: one pandera model (polars backend) per table, each field described once.

These models are the single declaration of the sector export contract: the readers in
`sources/` map every layout onto these columns, the docs and the DuckDB tables follow from
them, and `schemas.validate` runs them. Column names are the Dutch names of the contract.
`organisatie_id` is set at intake from the inbox folder, never trusted from the file.

Every check that can reject a row carries a name that is a rule code of `schemas.rules`
(built-in checks such as `isin`/`ge`/`le` are mapped to rule codes there), so a failure case
from pandera leads straight to the Dutch sentence the office worker reads. Checks that depend
on the upload (its reporting year, today's date) are added per call by `schema_for`.
All checks are vectorised polars expressions; none is element-wise.
"""

from __future__ import annotations

import copy
import datetime as dt
from functools import cache

import pandera.polars as pa
import polars as pl
from pandera.typing.polars import Series  # noqa: F401  (re-exported for readers of the models)

from schemas.bsn import contains_bsn
from schemas.vocabulary import (
    ACTIVITY_FORMS,
    AGE_BANDS,
    ALL_INTERVENTIONS,
    COST_TYPES,
    DOMAINS,
    END_REASONS,
    ESTABLISHED_BY,
    INSTRUMENTS,
    INTERVENTIONS,
    MOMENTS,
    OUTCOMES,
    RECOGNITION_LEVELS,
    SHEET_KINDS,
)

MUNICIPALITY_PATTERN = r"^GM\d{4}$"
PSEUDONYM_PATTERN = r"^[0-9a-f]{32}$"

# Plausible upper bounds for one project in one year. Above them a value is almost always a
# typing or unit error (hours in minutes, euros in cents); the row is rejected, not capped.
MAX_FTE_PER_PROJECT = 250.0
MAX_HOURS_PER_YEAR = 400_000.0
MAX_VOLUNTEERS = 10_000
MAX_AMOUNT = 25_000_000.0
# Counts of people and contacts of one project in one year (activities, project sheets).
MAX_PEOPLE = 1_000_000
MAX_MEETINGS = 10_000
MAX_CODE_LENGTH = 64
MAX_NAME_LENGTH = 200
# Free text an organisation writes about a project (qualitative effects): a paragraph or
# two, never a file pasted in. Screened for BSNs like every other cell (`schemas.bsn`).
MAX_TEXT_LENGTH = 2000

# Dates before this are typing errors (two-digit years, 01-01-1900 placeholders).
EARLIEST_DATE = dt.date(2000, 1, 1)

# Instruments whose scores are whole numbers (ordinal steps or item counts).
WHOLE_NUMBER_INSTRUMENTS: frozenset[str] = frozenset({"zrm", "djg11", "djg6", "participatieladder"})
# Instruments with several parts, where `onderdeel` says which part a score belongs to.
INSTRUMENTS_WITH_PARTS: frozenset[str] = frozenset({"zrm"})

# The key of each table within one upload of one organisation (duplicates: schemas.cross_table).
KEYS: dict[str, list[str]] = {
    "organisatie": ["organisatie_id"],
    "project": ["project_id"],
    "traject": ["traject_id"],
    "meting": ["traject_id", "instrument", "onderdeel", "moment"],
    "inzet": ["project_id", "jaar"],
    "kosten": ["project_id", "jaar", "kostensoort"],
    "activiteit": ["activiteit_id"],
    "projectopgave": ["project_id", "jaar", "soort", "uitkomst"],
}
# Key columns that may be empty (an empty one is part of the key, like any value).
NULLABLE_KEY_COLUMNS: frozenset[str] = frozenset({"onderdeel", "uitkomst"})

_INTERVENTION_DOMAIN: dict[str, str] = {
    code: domain for domain, per in INTERVENTIONS.items() for code in per
}


def _code(description: str, **kw) -> object:
    """A short identifying code: required, not empty, not absurdly long."""
    return pa.Field(
        str_length={"min_value": 1, "max_value": MAX_CODE_LENGTH}, description=description, **kw
    )


class _Base(pa.DataFrameModel):
    class Config:
        strict = False  # extra columns are dropped by the readers, not rejected here
        coerce = False  # readers deliver typed frames; a parse failure is its own rule


class Organisatie(_Base):
    """A social work organisation (one row per uploading organisation)."""

    organisatie_id: str = _code("Sectorcode van de organisatie, bijv. ORG001.")
    naam: str = pa.Field(
        str_length={"min_value": 1, "max_value": MAX_NAME_LENGTH},
        description="Naam van de organisatie (alleen in eigen rapport).",
    )
    gemeente_code: str = pa.Field(
        nullable=True,
        required=False,
        str_matches=MUNICIPALITY_PATTERN,
        description="CBS-gemeentecode van de vestiging, bijv. GM0363.",
    )


class Project(_Base):
    """A project: one intervention type in one domain, run by one organisation."""

    organisatie_id: str = _code("Sectorcode van de organisatie.")
    project_id: str = _code("Eigen code van het project bij de organisatie.")
    naam: str = pa.Field(
        str_length={"min_value": 1, "max_value": MAX_NAME_LENGTH},
        description="Naam van het project.",
    )
    domein: str = pa.Field(isin=list(DOMAINS), description="Een van de vier domeinen.")
    interventie: str = pa.Field(
        isin=ALL_INTERVENTIONS, description="Type interventie (zie vocabulaire)."
    )
    erkenning: str = pa.Field(
        nullable=True,
        required=False,
        isin=list(RECOGNITION_LEVELS),
        description="Erkenningsniveau in de Movisie-databank.",
    )
    startdatum: dt.date = pa.Field(description="Eerste dag van het project.")
    einddatum: dt.date = pa.Field(nullable=True, description="Laatste dag; leeg als lopend.")
    gemeente_code: str = pa.Field(
        nullable=True,
        required=False,
        str_matches=MUNICIPALITY_PATTERN,
        description="Gemeente waar het project vooral loopt.",
    )

    @pa.check("interventie", name="interventie_hoort_niet_bij_domein")
    def intervention_in_domain(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_intervention_matches_domain())

    @pa.check("startdatum", name="datum_onwaarschijnlijk")
    def start_plausible(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("startdatum") >= EARLIEST_DATE)

    @pa.check("einddatum", name="einddatum_voor_startdatum")
    def end_after_start(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_end_not_before_start())


class Traject(_Base):
    """One client's trajectory in one project. The client id is pseudonymised at intake."""

    organisatie_id: str = _code("Sectorcode van de organisatie.")
    traject_id: str = _code("Eigen code van het traject.")
    project_id: str = _code("Project waar het traject bij hoort.")
    client_pseudoniem: str = pa.Field(
        str_matches=PSEUDONYM_PATTERN,
        description="HMAC-SHA256 van organisatie en eigen cliëntnummer (ingekort).",
    )
    startdatum: dt.date = pa.Field(description="Datum van aanmelding of start.")
    einddatum: dt.date = pa.Field(
        nullable=True, description="Datum van afsluiting; leeg als lopend."
    )
    reden_einde: str = pa.Field(
        nullable=True, isin=list(END_REASONS), description="Waarom het traject stopte."
    )
    leeftijdsklasse: str = pa.Field(isin=AGE_BANDS, description="Leeftijdsklasse bij de start.")
    gemeente_code: str = pa.Field(
        nullable=True,
        required=False,
        str_matches=MUNICIPALITY_PATTERN,
        description="Woongemeente (CBS-code).",
    )

    @pa.check("startdatum", name="datum_onwaarschijnlijk")
    def start_plausible(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("startdatum") >= EARLIEST_DATE)

    @pa.check("einddatum", name="einddatum_voor_startdatum")
    def end_after_start(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_end_not_before_start())

    @pa.check("reden_einde", name="reden_einde_ontbreekt", ignore_na=False)
    def reason_when_ended(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("einddatum").is_null() | pl.col("reden_einde").is_not_null()
        )

    @pa.check("einddatum", name="einddatum_ontbreekt", ignore_na=False)
    def end_when_reason(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("reden_einde").is_null() | pl.col("einddatum").is_not_null()
        )


class Meting(_Base):
    """One outcome measurement of one trajectory at one moment."""

    organisatie_id: str = _code("Sectorcode van de organisatie.")
    traject_id: str = _code("Traject waarbij gemeten is.")
    instrument: str = pa.Field(isin=list(INSTRUMENTS), description="Meetinstrument.")
    onderdeel: str = pa.Field(
        nullable=True,
        str_length={"max_value": MAX_CODE_LENGTH},
        description="Onderdeel van het instrument, bijv. ZRM-domein 'financien'.",
    )
    moment: str = pa.Field(isin=list(MOMENTS), description="T0 (begin) of T1 (eind).")
    datum: dt.date = pa.Field(description="Datum van de meting.")
    score: float = pa.Field(description="Score op de schaal van het instrument.")

    @pa.check("score", name="score_buiten_schaal")
    def score_in_range(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(score_in_range_expr())

    @pa.check("onderdeel", name="onderdeel_ontbreekt", ignore_na=False)
    def part_when_needed(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("onderdeel").is_not_null()
            | ~pl.col("instrument").is_in(list(INSTRUMENTS_WITH_PARTS)).fill_null(False)
        )

    @pa.check("datum", name="datum_onwaarschijnlijk")
    def date_plausible(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("datum") >= EARLIEST_DATE)


class Inzet(_Base):
    """Staff and volunteer effort for one project in one year."""

    organisatie_id: str = _code("Sectorcode van de organisatie.")
    project_id: str = _code("Project.")
    jaar: int = pa.Field(ge=2000, le=2100, description="Kalenderjaar.")
    fte_betaald: float = pa.Field(
        ge=0, le=MAX_FTE_PER_PROJECT, description="Betaalde formatie in fte (jaargemiddelde)."
    )
    uren_betaald: float = pa.Field(
        ge=0, le=MAX_HOURS_PER_YEAR, description="Geschreven uren betaalde krachten."
    )
    vrijwilligers: int = pa.Field(
        ge=0, le=MAX_VOLUNTEERS, description="Aantal actieve vrijwilligers."
    )
    uren_vrijwilligers: float = pa.Field(
        ge=0, le=MAX_HOURS_PER_YEAR, description="Uren van vrijwilligers."
    )


class Kosten(_Base):
    """A cost line of one project in one year."""

    organisatie_id: str = _code("Sectorcode van de organisatie.")
    project_id: str = _code("Project.")
    jaar: int = pa.Field(ge=2000, le=2100, description="Kalenderjaar.")
    kostensoort: str = pa.Field(isin=list(COST_TYPES), description="Soort kosten.")
    bedrag: float = pa.Field(ge=0, le=MAX_AMOUNT, description="Bedrag in euro, exclusief btw.")


class Activiteit(_Base):
    """An activity or a series of activities of a project (for organisations that register
    activities and attendance instead of client trajectories)."""

    organisatie_id: str = _code("Sectorcode van de organisatie.")
    activiteit_id: str = _code("Eigen code van de activiteit of activiteitenreeks.")
    project_id: str = _code("Project waar de activiteit bij hoort.")
    naam: str = pa.Field(
        nullable=True,
        required=False,
        str_length={"max_value": MAX_NAME_LENGTH},
        description="Naam of omschrijving van de activiteit.",
    )
    vorm: str = pa.Field(
        isin=list(ACTIVITY_FORMS), description="Vorm van de activiteit (zie codelijst vorm)."
    )
    startdatum: dt.date = pa.Field(
        description="Datum van de activiteit, of eerste datum van de reeks."
    )
    einddatum: dt.date = pa.Field(
        nullable=True, description="Laatste datum van de reeks; leeg bij één datum."
    )
    bijeenkomsten: int = pa.Field(
        ge=0, le=MAX_MEETINGS, description="Aantal bijeenkomsten (1 bij een losse activiteit)."
    )
    aanwezigheden: int = pa.Field(
        ge=0,
        le=MAX_PEOPLE,
        description="Aanwezigheden opgeteld over alle bijeenkomsten (een persoon telt per keer).",
    )
    unieke_deelnemers: int = pa.Field(
        nullable=True,
        ge=0,
        le=MAX_PEOPLE,
        description="Aantal verschillende deelnemers, als dat bekend is.",
    )
    uren_vrijwilligers: float = pa.Field(
        nullable=True,
        ge=0,
        le=MAX_HOURS_PER_YEAR,
        description="Uren die vrijwilligers aan de activiteit besteedden.",
    )

    @pa.check("startdatum", name="datum_onwaarschijnlijk")
    def start_plausible(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("startdatum") >= EARLIEST_DATE)

    @pa.check("einddatum", name="einddatum_voor_startdatum")
    def end_after_start(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_end_not_before_start())

    @pa.check("unieke_deelnemers", name="aantal_groter_dan_totaal")
    def unique_within_attendance(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("unieke_deelnemers") <= pl.col("aanwezigheden")).fill_null(True)
        )


class Projectopgave(_Base):
    """What an organisation counts in aggregate for one project in one year: realised or planned.

    One row per project, year and kind without `uitkomst` holds the totals; optional further
    rows, one per outcome pathway of the MKBA parameter set, give how many people reached that
    outcome and how this was established."""

    organisatie_id: str = _code("Sectorcode van de organisatie.")
    project_id: str = _code("Project.")
    jaar: int = pa.Field(ge=2000, le=2100, description="Kalenderjaar.")
    soort: str = pa.Field(
        isin=list(SHEET_KINDS), description="realisatie (wat er gebeurde) of raming (plan)."
    )
    uitkomst: str = pa.Field(
        nullable=True,
        isin=list(OUTCOMES),
        description="Leeg op de regel met totalen; anders de uitkomst (zie codelijst uitkomst).",
    )
    bereikt: int = pa.Field(
        nullable=True,
        ge=0,
        le=MAX_PEOPLE,
        description="Aantal verschillende personen bereikt (verplicht op de regel met totalen).",
    )
    contacten: int = pa.Field(
        nullable=True,
        ge=0,
        le=MAX_PEOPLE,
        description="Aantal interventies of contacten (gesprekken, bezoeken, bijeenkomsten).",
    )
    afgerond: int = pa.Field(
        nullable=True,
        ge=0,
        le=MAX_PEOPLE,
        description="Aantal personen dat het traject of de activiteit afrondde.",
    )
    aantal: int = pa.Field(
        nullable=True,
        ge=0,
        le=MAX_PEOPLE,
        description="Bij een uitkomst: aantal personen dat die uitkomst bereikte.",
    )
    vastgesteld: str = pa.Field(
        nullable=True,
        isin=list(ESTABLISHED_BY),
        description="Bij een uitkomst: hoe het aantal is vastgesteld (zie codelijst).",
    )
    begroting: float = pa.Field(
        nullable=True,
        required=False,
        ge=0,
        le=MAX_AMOUNT,
        description="Bij een raming, op de regel met totalen: de begrote kosten van het "
        "project in dat jaar, in euro exclusief btw (de kosten van de verwachte MKBA).",
    )
    kwalitatieve_effecten: str = pa.Field(
        nullable=True,
        required=False,
        str_length={"max_value": MAX_TEXT_LENGTH},
        description="Wat het project in woorden opleverde of moet opleveren (kwalitatieve "
        "effecten); wordt getoond bij het rapport, nooit in euro's uitgedrukt. Geen namen of "
        "BSN's.",
    )

    @pa.check("bereikt", name="bereik_ontbreekt", ignore_na=False)
    def reach_on_totals_row(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("uitkomst").is_not_null() | pl.col("bereikt").is_not_null()
        )

    @pa.check("aantal", name="uitkomst_onvolledig", ignore_na=False)
    def count_with_outcome(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("uitkomst").is_null() | pl.col("aantal").is_not_null())

    @pa.check("vastgesteld", name="uitkomst_onvolledig", ignore_na=False)
    def established_with_outcome(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("uitkomst").is_null() | pl.col("vastgesteld").is_not_null()
        )

    @pa.check("kwalitatieve_effecten", name="bsn_in_tekst")
    def no_bsn_in_text(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(~contains_bsn(pl.col("kwalitatieve_effecten")))

    @pa.check("afgerond", name="aantal_groter_dan_totaal")
    def completed_within_reach(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("afgerond") <= pl.col("bereikt")).fill_null(True))

    @pa.check("aantal", name="aantal_groter_dan_totaal")
    def outcome_within_reach(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("aantal") <= pl.col("bereikt")).fill_null(True))


# Canonical table name -> model. The order is the order of intake and of the docs.
MODELS: dict[str, type[_Base]] = {
    "organisatie": Organisatie,
    "project": Project,
    "traject": Traject,
    "meting": Meting,
    "inzet": Inzet,
    "kosten": Kosten,
    "activiteit": Activiteit,
    "projectopgave": Projectopgave,
}

# polars dtype per column, derived from the models (used by readers and the warehouse).
_PY_TO_POLARS = {str: pl.String, float: pl.Float64, int: pl.Int64, dt.date: pl.Date}


def polars_schema(table: str) -> dict[str, pl.DataType]:
    """The column -> polars dtype mapping of a canonical table, in declaration order."""
    schema = _base_schema(table)
    return {name: col.dtype.type for name, col in schema.columns.items()}


def required_columns(table: str) -> list[str]:
    """Columns that must be present in an upload of this table (absent: the file is refused)."""
    return [name for name, col in _base_schema(table).columns.items() if col.required]


def upper_bound(table: str, column: str) -> float | None:
    """The plausible upper bound declared for a column (`le=`), if any."""
    for check in _base_schema(table).columns[column].checks:
        if check.name == "less_than_or_equal_to":
            return check.statistics["max_value"]
    return None


@cache
def _base_schema(table: str) -> pa.DataFrameSchema:
    return MODELS[table].to_schema()


# ------------------------------------------------------------------------------------------
# Expressions shared by the checks (vectorised; a null input never fails here: `not_nullable`
# and the value-domain checks report missing or unknown values once, under their own rule).


def _end_not_before_start() -> pl.Expr:
    return (pl.col("einddatum") >= pl.col("startdatum")).fill_null(True)


def _intervention_matches_domain() -> pl.Expr:
    """False only where both codes are known and the intervention belongs to another domain."""
    home = pl.col("interventie").replace_strict(_INTERVENTION_DOMAIN, default=None)
    known_domain = pl.col("domein").is_in(list(DOMAINS)).fill_null(False)
    return (home.is_null() | ~known_domain | (home == pl.col("domein"))).fill_null(True)


def score_in_range_expr() -> pl.Expr:
    """True where the score lies on the scale of its instrument (unknown instrument: True)."""
    low = pl.col("instrument").replace_strict(
        {c: float(v[1]) for c, v in INSTRUMENTS.items()}, default=None, return_dtype=pl.Float64
    )
    high = pl.col("instrument").replace_strict(
        {c: float(v[2]) for c, v in INSTRUMENTS.items()}, default=None, return_dtype=pl.Float64
    )
    whole = pl.col("instrument").is_in(list(WHOLE_NUMBER_INSTRUMENTS)).fill_null(False)
    score = pl.col("score")
    ok = score.is_between(low, high) & (~whole | (score == score.round(0))) & score.is_finite()
    return (low.is_null() | ok).fill_null(True)


# ------------------------------------------------------------------------------------------
# Checks that depend on the upload: its reporting year and today's date.


def _check(column: str, name: str, expr: pl.Expr) -> pa.Check:
    def fn(data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(expr.fill_null(True).alias(column))

    return pa.Check(fn, name=name)


def context_checks(table: str, *, period: int | pl.Expr | None, today: dt.date | None) -> dict:
    """Column -> extra checks for this upload: dates not in the future, rows in the period.

    `period` is the reporting year, or an expression giving it per row (a column of the frame:
    one validation over the files of several years, `schemas.validate.check_items`; a null year
    passes the period rules).

    Period rules: a project or trajectory belongs to reporting year P when it started on or
    before 31-12-P and did not end before 01-01-P (a trajectory that started earlier is fine);
    an `inzet` or `kosten` row belongs to P when its `jaar` is P; an activity like a project;
    a `projectopgave` row when its `jaar` is P, or for a plan (`raming`) P or later. The
    planned end of a project or an activity series may lie in the future; every other date
    may not.
    """
    out: dict[str, list[pa.Check]] = {}

    def add(column: str, name: str, expr: pl.Expr) -> None:
        out.setdefault(column, []).append(_check(column, name, expr))

    if today is not None:
        future_cols = {
            "project": ["startdatum"],
            "traject": ["startdatum", "einddatum"],
            "meting": ["datum"],
            "activiteit": ["startdatum"],
        }.get(table, [])
        for column in future_cols:
            add(column, "datum_in_toekomst", pl.col(column) <= today)
    if period is not None:
        if isinstance(period, pl.Expr):
            first, last = pl.date(period, 1, 1), pl.date(period, 12, 31)
        else:
            first, last = dt.date(period, 1, 1), dt.date(period, 12, 31)
        if table in ("project", "traject", "activiteit"):
            add("startdatum", "buiten_periode", pl.col("startdatum") <= last)
            add("einddatum", "buiten_periode", pl.col("einddatum") >= first)
        if table in ("inzet", "kosten"):
            # only for a plausible year: an impossible one is already `jaar_ongeldig`
            plausible = pl.col("jaar").is_between(2000, 2100)
            add("jaar", "buiten_periode", (pl.col("jaar") == period) | ~plausible)
        if table == "projectopgave":
            # a realisation is about the reporting year; a plan about that year or later ones
            plausible = pl.col("jaar").is_between(2000, 2100)
            plan = pl.col("soort") == "raming"
            in_time = (
                pl.when(plan).then(pl.col("jaar") >= period).otherwise(pl.col("jaar") == period)
            )
            add("jaar", "buiten_periode", in_time | ~plausible)
    return out


def schema_for(
    table: str, *, period: int | pl.Expr | None = None, today: dt.date | None = None
) -> pa.DataFrameSchema:
    """The model's schema plus the checks that depend on this upload (a fresh copy)."""
    schema = copy.deepcopy(_base_schema(table))
    for column, checks in context_checks(table, period=period, today=today).items():
        schema.columns[column].checks.extend(checks)
    return schema

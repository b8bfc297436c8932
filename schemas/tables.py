"""The canonical tables: one pandera model (polars backend) per table, each field described once.

These models are the single declaration of the sector export contract: the readers in
`sources/` map every layout onto these columns, the docs and the DuckDB tables follow from
them, and `schemas.validate` runs them. Column names are the Dutch names of the contract.
`organisatie_id` is set at intake from the inbox folder, never trusted from the file.
"""

from __future__ import annotations

import datetime as dt

import pandera.polars as pa
import polars as pl
from pandera.typing.polars import Series  # noqa: F401  (re-exported for readers of the models)

from schemas.vocabulary import (
    AGE_BANDS,
    ALL_INTERVENTIONS,
    COST_TYPES,
    DOMAINS,
    END_REASONS,
    INSTRUMENTS,
    MOMENTS,
    RECOGNITION_LEVELS,
)

MUNICIPALITY_PATTERN = r"^GM\d{4}$"
MAX_FTE_PER_PROJECT = 250.0
MAX_HOURS_PER_YEAR = 400_000.0
MAX_AMOUNT = 25_000_000.0


class _Base(pa.DataFrameModel):
    class Config:
        strict = False  # extra columns are dropped by the readers, not rejected here
        coerce = False  # readers deliver typed frames; a parse failure is its own rule


class Organisatie(_Base):
    """A social work organisation (one row per uploading organisation)."""

    organisatie_id: str = pa.Field(description="Sectorcode van de organisatie, bijv. ORG001.")
    naam: str = pa.Field(description="Naam van de organisatie (alleen in eigen rapport).")
    gemeente_code: str = pa.Field(
        nullable=True, str_matches=MUNICIPALITY_PATTERN,
        description="CBS-gemeentecode van de vestiging, bijv. GM0363.",
    )


class Project(_Base):
    """A project: one intervention type in one domain, run by one organisation."""

    organisatie_id: str = pa.Field(description="Sectorcode van de organisatie.")
    project_id: str = pa.Field(description="Eigen code van het project bij de organisatie.")
    naam: str = pa.Field(description="Naam van het project.")
    domein: str = pa.Field(isin=list(DOMAINS), description="Een van de vier domeinen.")
    interventie: str = pa.Field(
        isin=ALL_INTERVENTIONS, description="Type interventie (zie vocabulaire)."
    )
    erkenning: str = pa.Field(
        nullable=True, isin=list(RECOGNITION_LEVELS),
        description="Erkenningsniveau in de Movisie-databank.",
    )
    startdatum: dt.date = pa.Field(description="Eerste dag van het project.")
    einddatum: dt.date = pa.Field(nullable=True, description="Laatste dag; leeg als lopend.")
    gemeente_code: str = pa.Field(
        nullable=True, str_matches=MUNICIPALITY_PATTERN,
        description="Gemeente waar het project vooral loopt.",
    )

    @pa.dataframe_check(name="einddatum_na_startdatum")
    def end_after_start(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("einddatum").is_null() | (pl.col("einddatum") >= pl.col("startdatum"))
        )


class Traject(_Base):
    """One client's trajectory in one project. The client id is pseudonymised at intake."""

    organisatie_id: str = pa.Field(description="Sectorcode van de organisatie.")
    traject_id: str = pa.Field(description="Eigen code van het traject.")
    project_id: str = pa.Field(description="Project waar het traject bij hoort.")
    client_pseudoniem: str = pa.Field(
        str_matches=r"^[0-9a-f]{32}$",
        description="HMAC-SHA256 van organisatie en eigen cliëntnummer (ingekort).",
    )
    startdatum: dt.date = pa.Field(description="Datum van aanmelding of start.")
    einddatum: dt.date = pa.Field(nullable=True, description="Datum van afsluiting; leeg als lopend.")
    reden_einde: str = pa.Field(
        nullable=True, isin=list(END_REASONS), description="Waarom het traject stopte."
    )
    leeftijdsklasse: str = pa.Field(isin=AGE_BANDS, description="Leeftijdsklasse bij de start.")
    gemeente_code: str = pa.Field(
        nullable=True, str_matches=MUNICIPALITY_PATTERN, description="Woongemeente (CBS-code)."
    )

    @pa.dataframe_check(name="einddatum_na_startdatum")
    def end_after_start(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("einddatum").is_null() | (pl.col("einddatum") >= pl.col("startdatum"))
        )

    @pa.dataframe_check(name="reden_bij_einddatum")
    def reason_when_ended(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("einddatum").is_null() | pl.col("reden_einde").is_not_null()
        )


def _instrument_range_expr() -> pl.Expr:
    """True where the score lies within the range of its instrument."""
    expr = pl.lit(False)
    for code, (_label, low, high, _better) in INSTRUMENTS.items():
        expr = pl.when(pl.col("instrument") == code).then(
            pl.col("score").is_between(low, high)
        ).otherwise(expr)
    return expr


class Meting(_Base):
    """One outcome measurement of one trajectory at one moment."""

    organisatie_id: str = pa.Field(description="Sectorcode van de organisatie.")
    traject_id: str = pa.Field(description="Traject waarbij gemeten is.")
    instrument: str = pa.Field(isin=list(INSTRUMENTS), description="Meetinstrument.")
    onderdeel: str = pa.Field(
        nullable=True, description="Onderdeel van het instrument, bijv. ZRM-domein 'financien'."
    )
    moment: str = pa.Field(isin=list(MOMENTS), description="T0 (begin) of T1 (eind).")
    datum: dt.date = pa.Field(description="Datum van de meting.")
    score: float = pa.Field(description="Score op de schaal van het instrument.")

    @pa.dataframe_check(name="score_binnen_schaal")
    def score_in_range(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(_instrument_range_expr())


class Inzet(_Base):
    """Staff and volunteer effort for one project in one year."""

    organisatie_id: str = pa.Field(description="Sectorcode van de organisatie.")
    project_id: str = pa.Field(description="Project.")
    jaar: int = pa.Field(ge=2000, le=2100, description="Kalenderjaar.")
    fte_betaald: float = pa.Field(
        ge=0, le=MAX_FTE_PER_PROJECT, description="Betaalde formatie in fte (jaargemiddelde)."
    )
    uren_betaald: float = pa.Field(
        ge=0, le=MAX_HOURS_PER_YEAR, description="Geschreven uren betaalde krachten."
    )
    vrijwilligers: int = pa.Field(ge=0, le=10_000, description="Aantal actieve vrijwilligers.")
    uren_vrijwilligers: float = pa.Field(
        ge=0, le=MAX_HOURS_PER_YEAR, description="Uren van vrijwilligers."
    )


class Kosten(_Base):
    """A cost line of one project in one year."""

    organisatie_id: str = pa.Field(description="Sectorcode van de organisatie.")
    project_id: str = pa.Field(description="Project.")
    jaar: int = pa.Field(ge=2000, le=2100, description="Kalenderjaar.")
    kostensoort: str = pa.Field(isin=list(COST_TYPES), description="Soort kosten.")
    bedrag: float = pa.Field(ge=0, le=MAX_AMOUNT, description="Bedrag in euro, exclusief btw.")


# Canonical table name -> model. The order is the order of intake and of the docs.
MODELS: dict[str, type[_Base]] = {
    "organisatie": Organisatie,
    "project": Project,
    "traject": Traject,
    "meting": Meting,
    "inzet": Inzet,
    "kosten": Kosten,
}

# polars dtype per column, derived from the models (used by readers and the warehouse).
_PY_TO_POLARS = {str: pl.String, float: pl.Float64, int: pl.Int64, dt.date: pl.Date}


def polars_schema(table: str) -> dict[str, pl.DataType]:
    """The column -> polars dtype mapping of a canonical table, in declaration order."""
    schema = MODELS[table].to_schema()
    return {name: col.dtype.type for name, col in schema.columns.items()}

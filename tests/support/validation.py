"""A clean upload of every contract table and ways to break one cell of it, for the validation
tests; ROW_CASES lists one broken cell per row rule."""

from __future__ import annotations

import datetime as dt
import hashlib

import polars as pl

from schemas.rules import WAARSCHUWING, rule
from schemas.tables import polars_schema
from schemas.validate import validate_upload

PERIOD = 2024
TODAY = dt.date(2025, 3, 1)
D = dt.date


def pseudonym(i: int) -> str:
    return hashlib.sha256(f"client-{i}".encode()).hexdigest()[:32]


def _frame(table: str, rows: list[dict]) -> pl.DataFrame:
    schema = polars_schema(table)
    df = pl.DataFrame(
        [{"organisatie_id": "ORG001", **r} for r in rows], schema=schema, orient="row"
    )
    return df.with_columns(
        pl.int_range(2, df.height + 2, dtype=pl.Int64).alias("_rij"),
        pl.lit(f"{table}_{PERIOD}.csv").alias("_bestand"),
    )


def upload() -> dict[str, pl.DataFrame]:
    """A valid upload: every table, Excel rows from 2 (row 1 is the header)."""
    project = _frame(
        "project",
        [
            dict(
                project_id="P1",
                naam="Maatjes Oost",
                domein="ouderen_eenzaamheid",
                interventie="maatjesproject",
                erkenning="goed_onderbouwd",
                startdatum=D(2022, 1, 1),
                einddatum=None,
                gemeente_code="GM0363",
            ),
            dict(
                project_id="P2",
                naam="Schuldhulp",
                domein="schulden_armoede",
                interventie="schuldhulpverlening",
                erkenning=None,
                startdatum=D(2021, 3, 1),
                einddatum=None,
                gemeente_code="GM0363",
            ),
            dict(
                project_id="P3",
                naam="Actief",
                domein="activering",
                interventie="maatschappelijke_activering",
                erkenning="geen",
                startdatum=D(2023, 1, 1),
                einddatum=D(2024, 12, 31),
                gemeente_code=None,
            ),
            dict(
                project_id="P4",
                naam="Coach",
                domein="jongerenwerk",
                interventie="jongerencoaching",
                erkenning=None,
                startdatum=D(2024, 2, 1),
                einddatum=None,
                gemeente_code="GM0599",
            ),
        ],
    )
    t = [
        ("T1", "P1", 1, D(2023, 9, 1), D(2024, 6, 30), "afgerond", "75-84"),
        ("T2", "P1", 2, D(2024, 1, 15), None, None, "65-74"),
        ("T3", "P2", 3, D(2024, 2, 1), D(2024, 11, 1), "afgerond", "27-44"),
        ("T4", "P2", 4, D(2024, 3, 1), D(2024, 5, 1), "voortijdig", "45-64"),
        ("T5", "P3", 5, D(2024, 4, 1), None, None, "18-26"),
        ("T6", "P3", 6, D(2023, 11, 1), D(2024, 10, 1), "afgerond", "45-64"),
        ("T7", "P4", 7, D(2024, 5, 1), None, None, "12-17"),
        ("T8", "P4", 8, D(2024, 6, 1), D(2025, 1, 31), "afgerond", "18-26"),
    ]
    traject = _frame(
        "traject",
        [
            dict(
                traject_id=tid,
                project_id=pid,
                client_pseudoniem=pseudonym(c),
                startdatum=s,
                einddatum=e,
                reden_einde=r,
                leeftijdsklasse=a,
                gemeente_code="GM0363",
            )
            for tid, pid, c, s, e, r, a in t
        ],
    )
    m = [
        ("T1", "djg11", None, "T0", D(2023, 9, 5), 8.0),
        ("T1", "djg11", None, "T1", D(2024, 6, 20), 4.0),
        ("T2", "djg6", None, "T0", D(2024, 1, 20), 5.0),
        ("T3", "zrm", "financien", "T0", D(2024, 2, 3), 2.0),
        ("T3", "zrm", "financien", "T1", D(2024, 10, 30), 4.0),
        ("T3", "zrm", "huisvesting", "T0", D(2024, 2, 3), 3.0),
        ("T3", "zrm", "huisvesting", "T1", D(2024, 10, 30), 3.0),
        ("T5", "participatieladder", None, "T0", D(2024, 4, 2), 2.0),
        ("T6", "participatieladder", None, "T0", D(2023, 11, 2), 1.0),
        ("T6", "participatieladder", None, "T1", D(2024, 9, 30), 3.0),
        ("T7", "positieve_gezondheid", None, "T0", D(2024, 5, 3), 5.5),
        ("T8", "positieve_gezondheid", None, "T0", D(2024, 6, 3), 4.0),
        ("T8", "positieve_gezondheid", None, "T1", D(2025, 1, 30), 7.5),
    ]
    meting = _frame(
        "meting",
        [
            dict(traject_id=tid, instrument=i, onderdeel=o, moment=mo, datum=d, score=s)
            for tid, i, o, mo, d, s in m
        ],
    )
    inzet = _frame(
        "inzet",
        [
            dict(
                project_id=p,
                jaar=2024,
                fte_betaald=f,
                uren_betaald=u,
                vrijwilligers=v,
                uren_vrijwilligers=uv,
            )
            for p, f, u, v, uv in [
                ("P1", 1.2, 2000.0, 25, 3100.5),
                ("P2", 3.0, 5200.0, 4, 400.0),
                ("P3", 0.8, 1400.0, 10, 900.0),
                ("P4", 2.0, 3500.0, 0, 0.0),
            ]
        ],
    )
    kosten = _frame(
        "kosten",
        [
            dict(project_id=p, jaar=2024, kostensoort=k, bedrag=b)
            for p, k, b in [
                ("P1", "personeel", 84000.0),
                ("P1", "vrijwilligers", 6500.0),
                ("P2", "personeel", 210000.0),
                ("P2", "huisvesting", 12000.0),
                ("P3", "personeel", 56000.0),
                ("P4", "personeel", 140000.0),
                ("P4", "materiaal", 3250.75),
            ]
        ],
    )
    organisatie = _frame("organisatie", [dict(naam="Welzijn Oost", gemeente_code="GM0363")])
    a = [
        ("A1", "P1", "Koffieochtend", "groep", D(2024, 1, 8), D(2024, 12, 16), 48, 620, 35, 400.0),
        ("A2", "P2", "Voorlichting", "voorlichting", D(2024, 5, 14), None, 1, 40, None, None),
        ("A3", "P4", "Straatwerk", "ambulant", D(2024, 2, 1), D(2025, 6, 30), 100, 900, None, 0.0),
        ("A4", "P3", "Inloop", "inloop", D(2024, 1, 3), D(2024, 12, 18), 50, 410, 60, None),
    ]
    activiteit = _frame(
        "activiteit",
        [
            dict(
                activiteit_id=aid,
                project_id=pid,
                naam=naam,
                vorm=vorm,
                startdatum=s,
                einddatum=e,
                bijeenkomsten=b,
                aanwezigheden=aw,
                unieke_deelnemers=u,
                uren_vrijwilligers=uv,
            )
            for aid, pid, naam, vorm, s, e, b, aw, u, uv in a
        ],
    )
    o = [
        ("P1", 2024, "realisatie", None, 80, 700, 20, None, None),
        ("P1", 2024, "realisatie", "eenzaamheid_welzijn", None, None, None, 12, "zelfrapportage"),
        ("P2", 2024, "realisatie", None, 150, 900, None, None, None),
        ("P4", 2025, "raming", None, 170, 1000, None, None, None),
        ("P4", 2025, "raming", "bereik_jongeren", None, None, None, 170, "schatting"),
        ("P3", 2024, "realisatie", None, 40, 300, 25, None, None),
    ]
    projectopgave = _frame(
        "projectopgave",
        [
            dict(
                project_id=p,
                jaar=j,
                soort=s,
                uitkomst=u,
                bereikt=b,
                contacten=c,
                afgerond=af,
                aantal=n,
                vastgesteld=v,
            )
            for p, j, s, u, b, c, af, n, v in o
        ],
    )
    return {
        "organisatie": organisatie,
        "project": project,
        "traject": traject,
        "meting": meting,
        "inzet": inzet,
        "kosten": kosten,
        "activiteit": activiteit,
        "projectopgave": projectopgave,
    }


def set_cells(df: pl.DataFrame, rij: int, **values) -> pl.DataFrame:
    """Change cells of the row shown as Excel row `rij` (the column keeps its type)."""
    return df.with_columns(
        pl.when(pl.col("_rij") == rij).then(pl.lit(v, df.schema[c])).otherwise(pl.col(c)).alias(c)
        for c, v in values.items()
    )


def as_delivery(tables: dict[str, pl.DataFrame], n: int) -> dict[str, pl.DataFrame]:
    """The upload as delivery `n`: file names of its own (`<table>_levering<n>.csv`), so that
    the provenance of a batch of uploads can be told apart."""
    return {
        t: df.with_columns(pl.lit(f"{t}_levering{n}.csv").alias("_bestand"))
        if "_bestand" in df.columns
        else df
        for t, df in tables.items()
    }


def broken(table: str, rij: int, **values) -> dict[str, pl.DataFrame]:
    tables = upload()
    tables[table] = set_cells(tables[table], rij, **values)
    return tables


def run(tables, **kw):
    kw.setdefault("period", PERIOD)
    kw.setdefault("today", TODAY)
    return validate_upload(tables, **kw)


def assert_found(outcome, table: str, rij: int, kolom: str, regel: str) -> dict:
    hits = outcome.findings.filter(
        (pl.col("tabel") == table)
        & (pl.col("_rij") == rij)
        & (pl.col("kolom") == kolom)
        & (pl.col("regel") == regel)
    )
    assert hits.height == 1, (
        f"expected {regel} at {table} row {rij} column {kolom}; found:\n"
        f"{outcome.findings.select('tabel', '_rij', 'kolom', 'regel').rows()}"
    )
    finding = hits.row(0, named=True)
    assert finding["ernst"] == rule(regel).ernst
    assert finding["melding"] and "{" not in finding["melding"]
    assert finding["_bestand"] == f"{table}_{PERIOD}.csv"
    return finding


def accepted_keys(outcome, table: str, key: str) -> list:
    return outcome.accepted[table].get_column(key).to_list()


# ------------------------------------------------------------------------------------------


def test_the_base_upload_is_clean():
    tables = upload()
    outcome = run(tables)
    assert not outcome.file_rejected
    assert outcome.rejected.height == 0
    assert outcome.findings.filter(pl.col("ernst") != WAARSCHUWING).height == 0
    assert outcome.findings.height == 0, outcome.findings.rows()
    for table, df in tables.items():
        assert outcome.accepted[table].height == df.height
        assert outcome.accepted[table].columns == list(polars_schema(table))
        assert outcome.counts[table]["geaccepteerd"] == df.height


# (table, Excel row, changed cells, expected column, expected rule, key column, key of the row)
ROW_CASES = [
    ("traject", 3, {"leeftijdsklasse": None}, "leeftijdsklasse", "verplicht_veld_leeg"),
    ("project", 4, {"naam": ""}, "naam", "verplicht_veld_leeg"),
    ("project", 4, {"naam": "x" * 300}, "naam", "tekst_te_lang"),
    ("project", 4, {"domein": "schulden"}, "domein", "domein_onbekend"),
    ("project", 3, {"interventie": "buurtcoach"}, "interventie", "interventie_onbekend"),
    (
        "project",
        2,
        {"interventie": "jongerencoaching"},
        "interventie",
        "interventie_hoort_niet_bij_domein",
    ),
    ("project", 2, {"erkenning": "erkend"}, "erkenning", "erkenning_onbekend"),
    ("meting", 5, {"instrument": "ucla"}, "instrument", "instrument_onbekend"),
    ("meting", 9, {"moment": "T2"}, "moment", "moment_onbekend"),
    ("traject", 5, {"reden_einde": "klaar"}, "reden_einde", "reden_einde_onbekend"),
    ("traject", 6, {"leeftijdsklasse": "18-25"}, "leeftijdsklasse", "leeftijdsklasse_onbekend"),
    ("kosten", 3, {"kostensoort": "reiskosten"}, "kostensoort", "kostensoort_onbekend"),
    ("traject", 4, {"gemeente_code": "Amsterdam"}, "gemeente_code", "gemeentecode_ongeldig"),
    ("project", 5, {"gemeente_code": "599"}, "gemeente_code", "gemeentecode_ongeldig"),
    ("meting", 5, {"score": 6.0}, "score", "score_buiten_schaal"),  # zrm 1-5
    ("meting", 5, {"score": 2.5}, "score", "score_buiten_schaal"),  # zrm whole numbers
    ("meting", 3, {"score": 12.0}, "score", "score_buiten_schaal"),  # djg11 0-11
    ("meting", 4, {"score": 7.0}, "score", "score_buiten_schaal"),  # djg6 0-6
    ("meting", 12, {"score": 10.5}, "score", "score_buiten_schaal"),  # positieve gezondheid
    ("meting", 9, {"score": 0.0}, "score", "score_buiten_schaal"),  # participatieladder 1-6
    ("meting", 5, {"onderdeel": None}, "onderdeel", "onderdeel_ontbreekt"),
    ("traject", 2, {"einddatum": D(2023, 8, 1)}, "einddatum", "einddatum_voor_startdatum"),
    ("project", 5, {"einddatum": D(2024, 1, 31)}, "einddatum", "einddatum_voor_startdatum"),
    ("traject", 5, {"reden_einde": None}, "reden_einde", "reden_einde_ontbreekt"),
    ("traject", 3, {"reden_einde": "voortijdig"}, "einddatum", "einddatum_ontbreekt"),
    ("meting", 6, {"datum": D(24, 10, 30)}, "datum", "datum_onwaarschijnlijk"),
    ("traject", 7, {"startdatum": D(1900, 1, 1)}, "startdatum", "datum_onwaarschijnlijk"),
    ("traject", 9, {"einddatum": D(2025, 6, 1)}, "einddatum", "datum_in_toekomst"),
    ("meting", 14, {"datum": D(2025, 3, 2)}, "datum", "datum_in_toekomst"),
    ("project", 5, {"startdatum": D(2025, 4, 1)}, "startdatum", "datum_in_toekomst"),
    ("inzet", 3, {"jaar": 1024}, "jaar", "jaar_ongeldig"),
    (
        "traject",
        5,
        {"startdatum": D(2023, 1, 1), "einddatum": D(2023, 3, 1)},
        "einddatum",
        "buiten_periode",
    ),
    ("traject", 8, {"startdatum": D(2025, 1, 10)}, "startdatum", "buiten_periode"),
    ("project", 4, {"einddatum": D(2023, 6, 30)}, "einddatum", "buiten_periode"),
    ("inzet", 4, {"jaar": 2023}, "jaar", "buiten_periode"),
    ("kosten", 2, {"jaar": 2025}, "jaar", "buiten_periode"),
    ("inzet", 2, {"uren_betaald": -5.0}, "uren_betaald", "negatief"),
    ("inzet", 2, {"fte_betaald": -0.5}, "fte_betaald", "negatief"),
    ("inzet", 2, {"vrijwilligers": -1}, "vrijwilligers", "negatief"),
    ("kosten", 4, {"bedrag": -100.0}, "bedrag", "negatief"),
    ("inzet", 3, {"fte_betaald": 400.0}, "fte_betaald", "onwaarschijnlijk_hoog"),
    (
        "inzet",
        3,
        {"uren_vrijwilligers": 3_100_500.0},
        "uren_vrijwilligers",
        "onwaarschijnlijk_hoog",
    ),
    ("kosten", 8, {"bedrag": 325_075_000.0}, "bedrag", "onwaarschijnlijk_hoog"),
    ("traject", 6, {"project_id": "P9"}, "project_id", "project_onbekend"),
    ("inzet", 5, {"project_id": "P5"}, "project_id", "project_onbekend"),
    ("kosten", 7, {"project_id": "p4"}, "project_id", "project_onbekend"),
    ("meting", 10, {"traject_id": "T99"}, "traject_id", "traject_onbekend"),
    # activities and project sheets (organisations without client trajectories)
    ("activiteit", 2, {"vorm": None}, "vorm", "verplicht_veld_leeg"),
    ("activiteit", 3, {"vorm": "workshop"}, "vorm", "vorm_onbekend"),
    ("activiteit", 2, {"unieke_deelnemers": 700}, "unieke_deelnemers", "aantal_groter_dan_totaal"),
    ("activiteit", 2, {"einddatum": D(2023, 12, 1)}, "einddatum", "einddatum_voor_startdatum"),
    ("activiteit", 3, {"startdatum": D(2025, 2, 1)}, "startdatum", "buiten_periode"),
    ("activiteit", 4, {"startdatum": D(2025, 3, 2)}, "startdatum", "datum_in_toekomst"),
    ("activiteit", 3, {"startdatum": D(1924, 5, 14)}, "startdatum", "datum_onwaarschijnlijk"),
    ("activiteit", 4, {"aanwezigheden": -3}, "aanwezigheden", "negatief"),
    ("activiteit", 2, {"bijeenkomsten": 20_000}, "bijeenkomsten", "onwaarschijnlijk_hoog"),
    ("activiteit", 3, {"project_id": "P7"}, "project_id", "project_onbekend"),
    ("projectopgave", 2, {"soort": "begroting"}, "soort", "soort_onbekend"),
    ("projectopgave", 3, {"uitkomst": "gelukkiger"}, "uitkomst", "uitkomst_onbekend"),
    ("projectopgave", 3, {"vastgesteld": "gevoel"}, "vastgesteld", "vastgesteld_onbekend"),
    ("projectopgave", 4, {"bereikt": None}, "bereikt", "bereik_ontbreekt"),
    ("projectopgave", 3, {"aantal": None}, "aantal", "uitkomst_onvolledig"),
    ("projectopgave", 6, {"vastgesteld": None}, "vastgesteld", "uitkomst_onvolledig"),
    ("projectopgave", 2, {"afgerond": 90}, "afgerond", "aantal_groter_dan_totaal"),
    ("projectopgave", 4, {"jaar": 2023}, "jaar", "buiten_periode"),
    ("projectopgave", 5, {"jaar": 2023}, "jaar", "buiten_periode"),
    ("projectopgave", 2, {"jaar": 1999}, "jaar", "jaar_ongeldig"),
    ("projectopgave", 4, {"contacten": -1}, "contacten", "negatief"),
    ("projectopgave", 4, {"project_id": "P9"}, "project_id", "project_onbekend"),
]


# Mutations the rule corpus lacks: NaN, nulls in every kind of column, dtypes that differ,
# missing optional columns (used by the unit and the corpus tests of the pandera step).


def _nan_score(tables):
    tables["meting"] = tables["meting"].with_columns(
        pl.when(pl.col("_rij") == 4).then(float("nan")).otherwise(pl.col("score")).alias("score")
    )
    return tables


def _null_float(tables):
    tables["inzet"] = tables["inzet"].with_columns(
        pl.when(pl.col("_rij") == 3)
        .then(None)
        .otherwise(pl.col("fte_betaald"))
        .alias("fte_betaald")
    )
    return tables


def _inf_score(tables):
    tables["meting"] = tables["meting"].with_columns(
        pl.when(pl.col("_rij") == 2).then(float("inf")).otherwise(pl.col("score")).alias("score")
    )
    return tables


def _null_every_cell(tables):
    """A row of nothing but empty cells in each table."""
    for table, df in tables.items():
        cols = [c for c in df.columns if not c.startswith("_")]
        tables[table] = df.with_columns(
            pl.when(pl.col("_rij") == 2).then(None).otherwise(pl.col(c)).alias(c) for c in cols
        )
    return tables


def _optional_columns_missing(tables):
    tables["project"] = tables["project"].drop("erkenning", "gemeente_code")
    tables["traject"] = tables["traject"].drop("gemeente_code")
    return tables


def _text_dates(tables):
    """A reader that left dates as text: prepare() casts them, then the checks run."""
    tables["traject"] = tables["traject"].with_columns(
        pl.col("startdatum").dt.strftime("%d-%m-%Y"), pl.col("einddatum").dt.strftime("%d-%m-%Y")
    )
    return tables


def _int_scores(tables):
    tables["meting"] = tables["meting"].with_columns(pl.col("score").cast(pl.Int64))
    return tables


def _empty_tables(tables):
    return {t: df.head(0) for t, df in tables.items()}


def _only_inzet_and_kosten(tables):
    return {"inzet": tables["inzet"], "kosten": tables["kosten"]}


def _empty_code_and_long_name(tables):
    tables["project"] = tables["project"].with_columns(
        pl.when(pl.col("_rij") == 2)
        .then(pl.lit(""))
        .otherwise(pl.col("project_id"))
        .alias("project_id"),
        pl.when(pl.col("_rij") == 3)
        .then(pl.lit("n" * 250))
        .otherwise(pl.col("naam"))
        .alias("naam"),
    )
    return tables


MUTATIONS = {
    "nan_score": _nan_score,
    "null_float": _null_float,
    "inf_score": _inf_score,
    "null_every_cell": _null_every_cell,
    "optional_columns_missing": _optional_columns_missing,
    "text_dates": _text_dates,
    "int_scores": _int_scores,
    "empty_tables": _empty_tables,
    "only_inzet_and_kosten": _only_inzet_and_kosten,
    "empty_code_and_long_name": _empty_code_and_long_name,
}


def corpus() -> list[tuple[dict[str, pl.DataFrame], int]]:
    """Clean and broken uploads, one per row rule and per mutation, each a delivery of its own
    (`as_delivery`); every third of another reporting year (so the period rules fail there and
    only there): what the batch and round tests validate together and alone."""
    found = [upload()] + [broken(t, r, **v) for t, r, v, _k, _g in ROW_CASES]
    found += [f(upload()) for f in MUTATIONS.values()]
    return [
        (as_delivery(tables, n), PERIOD - 1 if n % 3 == 2 else PERIOD)
        for n, tables in enumerate(found)
    ]

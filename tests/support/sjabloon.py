"""A filled-in Excel template (projectblad), as an office without client registration types it."""

from __future__ import annotations

import datetime as dt

D = dt.date
YEAR = 2025


def filled_rows() -> dict[str, list[dict]]:
    """Two projects (a walk-in group, youth street work), their sheet, activities and costs."""
    return {
        "Projecten": [
            dict(
                projectcode="P01",
                naam="Inloop Zuid",
                domein="Ouderen en eenzaamheid",
                interventie="Ontmoetingsgroep",
                erkenning="Goed beschreven",
                startdatum=D(2021, 3, 1),
                gemeente="GM0363",
            ),
            dict(
                projectcode="P02",
                naam="Straatwerk Oost",
                interventie="Ambulant jongerenwerk",  # domain left empty: follows
                startdatum=D(2019, 1, 1),
            ),
        ],
        "Projectopgave": [
            dict(
                projectcode="P01",
                jaar=YEAR,
                soort="realisatie",
                bereikt=120,
                contacten=1800,
                afgerond=40,
            ),
            dict(
                projectcode="P01",
                jaar=YEAR,
                soort="realisatie",
                uitkomst="Meer welzijn doordat deelnemers niet meer eenzaam zijn (WELLBY)",
                aantal=30,
                vastgesteld="Zelfrapportage van deelnemers (vragenlijst, evaluatie)",
            ),
            dict(projectcode="P02", jaar=YEAR, soort="realisatie", bereikt=260, contacten=3100),
            dict(projectcode="P02", jaar=YEAR + 1, soort="raming", bereikt=280, contacten=3300),
        ],
        "Activiteiten": [
            dict(
                activiteitcode="A1",
                projectcode="P01",
                naam="Koffie-inloop",
                vorm="inloop",
                startdatum=D(YEAR, 1, 6),
                einddatum=D(YEAR, 12, 15),
                bijeenkomsten=96,
                aanwezigheden=1750,
                unieke_deelnemers=110,
                uren_vrijwilligers=480.5,
            ),
        ],
        "Inzet": [
            dict(
                projectcode="P01",
                jaar=YEAR,
                fte_betaald=0.6,
                uren_betaald=1000,
                vrijwilligers=12,
                uren_vrijwilligers=1500,
            ),
            dict(
                projectcode="P02",
                jaar=YEAR,
                fte_betaald=2.0,
                uren_betaald=3300,
                vrijwilligers=0,
                uren_vrijwilligers=0,
            ),
        ],
        "Kosten": [
            dict(
                projectcode="P01", jaar=YEAR, kostensoort="Personeel (loonkosten)", bedrag=45000.0
            ),
            dict(projectcode="P01", jaar=YEAR, kostensoort="Huisvesting", bedrag=9000.0),
            dict(
                projectcode="P02", jaar=YEAR, kostensoort="Personeel (loonkosten)", bedrag=150000.0
            ),
        ],
    }

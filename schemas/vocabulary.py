"""Value domains shared by the export contract, the pandera models and the MKBA parameter set.

Described once here so that a new intervention type or instrument is added in one place.
Codes are lower-case Dutch; `LABELS` gives the wording shown to people.
"""

from __future__ import annotations

DOMAINS: dict[str, str] = {
    "ouderen_eenzaamheid": "Ouderen en eenzaamheid",
    "schulden_armoede": "Schulden en armoede",
    "activering": "Maatschappelijke activering",
    "jongerenwerk": "Jongerenwerk",
}

# Intervention types per domain (the level at which learning teams compare).
INTERVENTIONS: dict[str, dict[str, str]] = {
    "ouderen_eenzaamheid": {
        "huisbezoek": "Preventief huisbezoek",
        "maatjesproject": "Maatjesproject",
        "ontmoetingsgroep": "Ontmoetingsgroep",
    },
    "schulden_armoede": {
        "schuldhulpverlening": "Schuldhulpverlening",
        "vroegsignalering": "Vroegsignalering schulden",
        "thuisadministratie": "Thuisadministratie door vrijwilligers",
    },
    "activering": {
        "maatschappelijke_activering": "Maatschappelijke activering",
        "vrijwilligerswerk_toeleiding": "Toeleiding naar vrijwilligerswerk",
        "werkervaringsplek": "Werkervaringsplek",
    },
    "jongerenwerk": {
        "ambulant_jongerenwerk": "Ambulant jongerenwerk",
        "jongerencoaching": "Jongerencoaching",
        "schoolmaatschappelijk_werk": "Schoolmaatschappelijk werk",
    },
}
ALL_INTERVENTIONS: list[str] = [code for per in INTERVENTIONS.values() for code in per]

# Movisie Databank Effectieve sociale interventies.
RECOGNITION_LEVELS: dict[str, str] = {
    "geen": "Niet beoordeeld",
    "goed_beschreven": "Goed beschreven",
    "goed_onderbouwd": "Goed onderbouwd",
    "effectief_eerste": "Effectief (eerste aanwijzingen)",
    "effectief_goede": "Effectief (goede aanwijzingen)",
    "effectief_sterke": "Effectief (sterke aanwijzingen)",
}

# Outcome instruments: (label, lowest score, highest score, higher_is_better).
INSTRUMENTS: dict[str, tuple[str, float, float, bool]] = {
    "zrm": ("Zelfredzaamheid-Matrix (per domein 1-5)", 1, 5, True),
    "djg11": ("De Jong Gierveld eenzaamheid, 11 items (0-11)", 0, 11, False),
    "djg6": ("De Jong Gierveld eenzaamheid, 6 items (0-6)", 0, 6, False),
    "positieve_gezondheid": ("Positieve Gezondheid (0-10)", 0, 10, True),
    "participatieladder": ("Participatieladder (trede 1-6)", 1, 6, True),
}

# The parts (domains) of the Zelfredzaamheid-Matrix, as the parameter set names them, in
# words (ZRM 2017 and the older dagbesteding).
ZRM_PARTS: dict[str, str] = {
    "financien": "Financiën",
    "werk_opleiding": "Werk & opleiding",
    "dagbesteding": "Dagbesteding",
    "tijdsbesteding": "Tijdsbesteding",
    "huisvesting": "Huisvesting",
    "huiselijke_relaties": "Huiselijke relaties",
    "geestelijke_gezondheid": "Geestelijke gezondheid",
    "lichamelijke_gezondheid": "Lichamelijke gezondheid",
    "middelengebruik": "Middelengebruik",
    "basale_adl": "Basale ADL",
    "instrumentele_adl": "Instrumentele ADL",
    "sociaal_netwerk": "Sociaal netwerk",
    "maatschappelijke_participatie": "Maatschappelijke participatie",
    "justitie": "Justitie",
}

MOMENTS: dict[str, str] = {"T0": "Beginmeting", "T1": "Eindmeting"}

END_REASONS: dict[str, str] = {
    "afgerond": "Afgerond volgens plan",
    "voortijdig": "Voortijdig gestopt",
    "doorverwezen": "Doorverwezen",
    "verhuisd": "Verhuisd",
    "overleden": "Overleden",
}

AGE_BANDS: list[str] = ["0-11", "12-17", "18-26", "27-44", "45-64", "65-74", "75-84", "85+"]

COST_TYPES: dict[str, str] = {
    "personeel": "Personeel (loonkosten)",
    "vrijwilligers": "Vrijwilligers (coördinatie en onkosten)",
    "materiaal": "Materiaal en activiteiten",
    "huisvesting": "Huisvesting",
    "overhead": "Overhead",
}

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

# Forms of activity an organisation registers without client trajectories (activiteit.vorm).
ACTIVITY_FORMS: dict[str, str] = {
    "groep": "Groepsactiviteit",
    "individueel": "Individuele activiteit of gesprek",
    "voorlichting": "Voorlichting, training of cursus",
    "inloop": "Inloop of spreekuur",
    "evenement": "Evenement of buurtactiviteit",
    "ambulant": "Ambulant werk of straatwerk",
}

# Whether a project sheet (projectopgave) reports what happened or what is planned.
SHEET_KINDS: dict[str, str] = {
    "realisatie": "Realisatie (wat er in het jaar is gebeurd)",
    "raming": "Raming (plan vooraf)",
}

# How an organisation established an aggregate outcome count in its project sheet.
ESTABLISHED_BY: dict[str, str] = {
    "meting": "Voor- en nameting met een meetinstrument (niet per deelnemer aangeleverd)",
    "registratie": "Telling uit de eigen registratie",
    "zelfrapportage": "Zelfrapportage van deelnemers (vragenlijst, evaluatie)",
    "oordeel_professional": "Oordeel van de professional",
    "schatting": "Schatting",
}

# The outcome pathways of the MKBA parameter set (`uitkomsten[].code` in rendement/params):
# an organisation may count them itself in projectopgave. A test keeps both lists equal.
OUTCOMES: dict[str, str] = {
    "eenzaamheid_zorgkosten": "Minder zorgkosten doordat ernstige eenzaamheid afneemt",
    "eenzaamheid_welzijn_ernstig": "Meer welzijn doordat ernstige eenzaamheid afneemt (WELLBY)",
    "eenzaamheid_welzijn": "Meer welzijn doordat deelnemers niet meer eenzaam zijn (WELLBY)",
    "schulden_gestabiliseerd": "Problematische schulden gestabiliseerd (vermeden maatschappelijke kosten)",
    "huisuitzetting_voorkomen": "Huisuitzetting voorkomen",
    "minder_incassokosten": "Minder incasso- en invorderingskosten bij schuldeisers",
    "kortere_bijstand_schulden": "Kortere bijstandsperiode na schuldhulp (overdracht)",
    "participatie_treden": "Treden omhoog op de participatieladder",
    "isolement_naar_participatie": "Van isolement naar meedoen (WELLBY)",
    "betaald_werk": "Betaald werk (productiviteit)",
    "uitstroom_bijstand": "Minder bijstand door betaald werk (overdracht)",
    "bereik_jongeren": "Bereikte jongeren (12-26 jaar)",
    "schoolcontinuering": "School of werk weer op de rails",
    "minder_jeugdzorg": "Traject afgerond zonder doorverwijzing naar jeugdhulp",
    "minder_politiecontact": "Minder contact met politie en justitie",
    "psychisch_welzijn_jongeren": "Beter psychisch welzijn van jongeren (WELLBY)",
}

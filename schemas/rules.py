"""The rule catalogue: every problem validation can report, in the words of the office worker.

The people who repair a bad export work at a social work organisation; they are not
engineers. Each rule therefore has a Dutch title, a message template that names the row's own
values, what was expected, and what to do about it. One rule code per kind of problem: the
code is stable (reports, the quarantine table and the docs refer to it), the wording may be
improved at any time.

Severity (`ernst`):
- ``fout``: the row is rejected and goes to quarantine; the other rows are accepted.
- ``waarschuwing``: the row is accepted; the problem is reported because it weakens the MKBA.
- ``bestand``: the whole upload is refused; nothing of it is accepted.

Templates use ``{name}`` fields. Available: ``tabel``, ``bestand``, ``rij``, ``kolom``,
``waarde`` (formatted, client pseudonyms masked), ``periode``, ``vandaag``, every column of the
row (dates as dd-mm-jjjj, numbers with a decimal comma), the derived fields in
`schemas.validate` (``toegestaan``, ``schaal``, ``gegevenstype``, ``maximum``, ``interventies``) and
the extra fields a cross-table rule supplies (``andere_rijen``, ``ander_traject`` ...).
A template may differ per table: give a dict with table names and ``"*"`` as the default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

FOUT = "fout"
WAARSCHUWING = "waarschuwing"
BESTAND = "bestand"

MASK = "(verborgen)"
# Columns whose values never appear in findings, reports or quarantine.
MASKED_COLUMNS = frozenset({"client_pseudoniem", "client_id", "bsn", "burgerservicenummer"})

_FIX = "Pas dit aan in uw registratiesysteem en lever het bestand opnieuw aan."


@dataclass(frozen=True)
class Rule:
    code: str
    ernst: str
    titel: str
    melding: str | Mapping[str, str]
    verwacht: str | Mapping[str, str]
    actie: str = _FIX

    def template(self, which: str, table: str | None) -> str:
        text = getattr(self, which)
        if isinstance(text, str):
            return text
        return text.get(table or "*", text["*"])


def _domain_rule(code: str, thing: str, column: str, *, het: bool = False) -> Rule:
    unknown, known = ("Onbekend", "bekend") if het else ("Onbekende", "bekende")
    return Rule(
        code,
        FOUT,
        f"{unknown} {thing}",
        f"'{{waarde}}' is geen {known} {thing} (kolom '{column}').",
        "een van: {toegestaan}",
        "Gebruik een van de codes uit de lijst. Heeft uw systeem een eigen code, vraag dan de "
        "beheerder om die aan de vertaaltabel toe te voegen.",
    )


# In catalogue order: the order of the report and of the docs. When a row breaks several
# rules, the first one in this order is the one shown in the quarantine table.
CATALOGUE: tuple[Rule, ...] = (
    # --- the whole upload ------------------------------------------------------------------
    Rule(
        "kolom_ontbreekt",
        BESTAND,
        "Verplichte kolom ontbreekt",
        "De kolom '{kolom}' ontbreekt in {bestand} (tabel {tabel}). Zonder deze kolom kunnen we "
        "de tabel niet gebruiken.",
        "een kolom met de naam '{kolom}'",
        "Zet de kolom in de export (de kolomnamen staan in de handleiding van het exportformaat) "
        "en lever het bestand opnieuw aan.",
    ),
    Rule(
        "type_onjuist",
        BESTAND,
        "Kolom niet te lezen",
        "In de kolom '{kolom}' van {bestand} is geen enkele waarde te lezen als {gegevenstype} "
        "(bijvoorbeeld '{waarde}'). Waarschijnlijk staat er iets anders in deze kolom.",
        "{gegevenstype}",
        "Controleer of de kolommen in de goede volgorde staan en de juiste gegevens bevatten.",
    ),
    Rule(
        "alle_waarden_onbekend",
        BESTAND,
        "Geen enkele waarde in de kolom is bekend",
        "In de kolom '{kolom}' van {bestand} is geen enkele waarde een bekende code "
        "(bijvoorbeeld '{waarde}'). Waarschijnlijk gebruikt uw systeem andere codes.",
        "een van: {toegestaan}",
        "Vraag de beheerder om de codes van uw systeem aan de vertaaltabel toe te voegen, of "
        "gebruik de codes uit de lijst.",
    ),
    Rule(
        "te_veel_afgekeurd",
        BESTAND,
        "Te veel rijen afgekeurd",
        "In {bestand} (tabel {tabel}) zijn {afgekeurd} van de {rijen} rijen afgekeurd "
        "({aandeel}); dat is meer dan {grens}. Meest voorkomende problemen: {top}.",
        "hoogstens {grens} afgekeurde rijen",
        "Los de meest voorkomende problemen op (zie hieronder) en lever het bestand opnieuw aan.",
    ),
    # --- one row: reading and required values -----------------------------------------------
    Rule(
        "waarde_onleesbaar",
        FOUT,
        "Waarde niet te lezen",
        "De waarde '{waarde}' in de kolom '{kolom}' is geen {gegevenstype}.",
        "{gegevenstype}",
    ),
    Rule(
        "verplicht_veld_leeg",
        FOUT,
        "Verplicht veld is leeg",
        "De kolom '{kolom}' is leeg, maar moet ingevuld zijn.",
        "een ingevulde waarde",
    ),
    Rule(
        "tekst_te_lang",
        FOUT,
        "Tekst te lang",
        {
            "*": "De waarde in de kolom '{kolom}' is te lang voor een code of naam.",
            "projectopgave": "De tekst in de kolom '{kolom}' is te lang.",
        },
        {
            "*": "hoogstens 64 tekens voor een code, 200 voor een naam",
            "projectopgave": "hoogstens 64 tekens voor een code, 2.000 voor de kwalitatieve "
            "effecten",
        },
        "Zet in deze kolom alleen de code of naam, geen toelichting; kort een beschrijving "
        "van de effecten in tot de belangrijkste punten.",
    ),
    Rule(
        "bsn_in_tekst",
        FOUT,
        "Burgerservicenummer in een tekst",
        "In de tekst in de kolom '{kolom}' staat een nummer dat aan de 11-proef voldoet, zoals "
        "een burgerservicenummer. Een sociaalwerkorganisatie mag het BSN niet verwerken "
        "(artikel 46 UAVG): deze rij nemen we niet in en het nummer bewaren we nergens.",
        "een tekst zonder burgerservicenummer, namen of andere persoonsgegevens",
        "Haal het nummer uit de tekst en lever het bestand opnieuw aan.",
    ),
    # --- one row: value domains -------------------------------------------------------------
    _domain_rule("domein_onbekend", "domein", "domein", het=True),
    _domain_rule("interventie_onbekend", "interventie", "interventie"),
    Rule(
        "interventie_hoort_niet_bij_domein",
        FOUT,
        "Interventie hoort niet bij het domein",
        "De interventie '{interventie}' hoort niet bij het domein '{domein}' van project "
        "{project_id}.",
        "bij domein {domein}: {interventies}",
        "Kies het domein dat bij de interventie past, of de interventie die bij het domein past.",
    ),
    _domain_rule("erkenning_onbekend", "erkenning", "erkenning"),
    _domain_rule("instrument_onbekend", "meetinstrument", "instrument", het=True),
    _domain_rule("moment_onbekend", "meetmoment", "moment", het=True),
    _domain_rule("reden_einde_onbekend", "reden einde", "reden_einde"),
    _domain_rule("leeftijdsklasse_onbekend", "leeftijdsklasse", "leeftijdsklasse"),
    _domain_rule("kostensoort_onbekend", "kostensoort", "kostensoort"),
    _domain_rule("vorm_onbekend", "vorm van activiteit", "vorm"),
    _domain_rule("soort_onbekend", "soort opgave", "soort"),
    _domain_rule("uitkomst_onbekend", "uitkomst", "uitkomst"),
    _domain_rule("vastgesteld_onbekend", "manier van vaststellen", "vastgesteld"),
    Rule(
        "gemeentecode_ongeldig",
        FOUT,
        "Ongeldige gemeentecode",
        "'{waarde}' is geen CBS-gemeentecode.",
        "GM gevolgd door vier cijfers, bijvoorbeeld GM0363 (Amsterdam)",
        "Gebruik de gemeentecode van het CBS (GM en vier cijfers), niet de naam of de postcode.",
    ),
    Rule(
        "pseudoniem_ongeldig",
        FOUT,
        "Cliëntpseudoniem ongeldig",
        "Het cliëntpseudoniem van traject {traject_id} heeft niet de vorm die de intake maakt.",
        "een pseudoniem gemaakt door de intake",
        "Dit is geen fout in uw registratie: neem contact op met de beheerder van het platform.",
    ),
    # --- one row: scores ----------------------------------------------------------------------
    Rule(
        "score_buiten_schaal",
        FOUT,
        "Score past niet bij het meetinstrument",
        "De score {waarde} past niet bij het meetinstrument '{instrument}' (traject "
        "{traject_id}, {moment}).",
        "{schaal}",
        "Controleer de score en het meetinstrument: staat de score op de goede schaal?",
    ),
    Rule(
        "onderdeel_ontbreekt",
        FOUT,
        "Onderdeel van de meting ontbreekt",
        "Bij een meting met '{instrument}' moet in de kolom 'onderdeel' staan om welk "
        "leefgebied het gaat (traject {traject_id}, {moment}).",
        "het leefgebied, bijvoorbeeld financien of huisvesting",
        "Lever per leefgebied een aparte regel met het leefgebied in de kolom 'onderdeel'.",
    ),
    # --- one row: counts in a project sheet or activity ----------------------------------
    Rule(
        "bereik_ontbreekt",
        FOUT,
        "Aantal bereikte personen ontbreekt",
        "Project {project_id} ({soort} {jaar}): op de regel met totalen (zonder uitkomst) "
        "ontbreekt het aantal bereikte personen.",
        "het aantal verschillende personen dat het project in dat jaar bereikte",
        "Vul het aantal bereikte personen in. Wilt u alleen een uitkomst opgeven, kies dan de "
        "uitkomst in de kolom 'uitkomst'.",
    ),
    Rule(
        "uitkomst_onvolledig",
        FOUT,
        "Uitkomst onvolledig",
        "Bij de uitkomst '{uitkomst}' van project {project_id} ({soort} {jaar}) is de kolom "
        "'{kolom}' leeg.",
        {
            "*": "een ingevulde waarde",
            "projectopgave": "bij elke uitkomst het aantal personen en hoe dat is vastgesteld",
        },
        "Vul het aantal personen met deze uitkomst in en hoe u dat heeft vastgesteld (meting, "
        "registratie, zelfrapportage, oordeel van de professional of schatting).",
    ),
    Rule(
        "aantal_groter_dan_totaal",
        FOUT,
        "Aantal groter dan het totaal",
        {
            "*": "Het aantal {waarde} in de kolom '{kolom}' is groter dan het totaal.",
            "activiteit": "Activiteit {activiteit_id} heeft {unieke_deelnemers} verschillende "
            "deelnemers, maar maar {aanwezigheden} aanwezigheden.",
            "projectopgave": "Project {project_id} ({soort} {jaar}): {waarde} in de kolom "
            "'{kolom}' is meer dan de {bereikt} bereikte personen.",
        },
        {
            "*": "hoogstens het totaal",
            "activiteit": "hoogstens zoveel deelnemers als aanwezigheden",
            "projectopgave": "hoogstens het aantal bereikte personen ({bereikt})",
        },
        "Controleer beide aantallen: staan ze in de goede kolom?",
    ),
    # --- one row: dates -----------------------------------------------------------------------
    Rule(
        "einddatum_voor_startdatum",
        FOUT,
        "Einddatum vóór startdatum",
        "De einddatum {einddatum} ligt vóór de startdatum {startdatum}.",
        "een einddatum op of na {startdatum}",
        "Controleer beide datums; misschien zijn dag en maand of start en einde verwisseld.",
    ),
    Rule(
        "reden_einde_ontbreekt",
        FOUT,
        "Reden einde ontbreekt",
        "Traject {traject_id} heeft een einddatum ({einddatum}) maar geen reden einde.",
        "een van: {toegestaan}",
        "Vul de reden in waarom het traject stopte.",
    ),
    Rule(
        "einddatum_ontbreekt",
        FOUT,
        "Einddatum ontbreekt",
        "Traject {traject_id} heeft als reden einde '{reden_einde}' maar geen einddatum.",
        "de datum waarop het traject stopte",
        "Vul de einddatum in, of maak de reden einde leeg als het traject nog loopt.",
    ),
    Rule(
        "datum_onwaarschijnlijk",
        FOUT,
        "Onwaarschijnlijke datum",
        "De datum {waarde} in de kolom '{kolom}' ligt vóór 2000; waarschijnlijk is het jaartal "
        "verkeerd getypt.",
        "een datum vanaf 01-01-2000",
    ),
    Rule(
        "datum_in_toekomst",
        FOUT,
        "Datum in de toekomst",
        "De datum {waarde} in de kolom '{kolom}' ligt in de toekomst.",
        "uiterlijk {vandaag}",
    ),
    Rule(
        "jaar_ongeldig",
        FOUT,
        "Ongeldig jaar",
        "Het jaar {waarde} is geen geldig kalenderjaar.",
        "een jaartal tussen 2000 en 2100",
    ),
    Rule(
        "buiten_periode",
        FOUT,
        "Valt buiten het verslagjaar",
        {
            "*": "Deze regel gaat over {waarde}, maar het bestand is voor het verslagjaar "
            "{periode}.",
            "traject": "Traject {traject_id} liep niet in {periode} (start {startdatum}, einde "
            "{einddatum}).",
            "project": "Project {project_id} liep niet in {periode} (start {startdatum}, einde "
            "{einddatum}).",
            "activiteit": "Activiteit {activiteit_id} viel niet in {periode} (start {startdatum}, "
            "einde {einddatum}).",
            "projectopgave": "Deze {soort} gaat over {waarde}, maar het bestand is voor het "
            "verslagjaar {periode}.",
        },
        {
            "*": "jaar {periode}",
            "traject": "een traject dat in {periode} liep: gestart uiterlijk 31-12-{periode} en "
            "niet geëindigd vóór 01-01-{periode}",
            "project": "een project dat in {periode} liep: gestart uiterlijk 31-12-{periode} en "
            "niet geëindigd vóór 01-01-{periode}",
            "activiteit": "een activiteit in {periode}: gestart uiterlijk 31-12-{periode} en "
            "niet geëindigd vóór 01-01-{periode}",
            "projectopgave": "een realisatie over {periode}, of een raming over {periode} of later",
        },
        "Lever alleen gegevens over het verslagjaar aan (filter de export op dat jaar), of zet "
        "het juiste jaar in de bestandsnaam.",
    ),
    # --- one row: amounts -------------------------------------------------------------------
    Rule(
        "negatief",
        FOUT,
        "Negatieve waarde",
        "De waarde {waarde} in de kolom '{kolom}' is negatief.",
        "0 of meer",
        "Vul een positief getal in. Verrekent u een correctie, lever dan het bedrag na "
        "verrekening aan.",
    ),
    Rule(
        "onwaarschijnlijk_hoog",
        FOUT,
        "Onwaarschijnlijk hoge waarde",
        "De waarde {waarde} in de kolom '{kolom}' is onwaarschijnlijk hoog voor één project in "
        "één jaar.",
        "hoogstens {maximum}",
        "Controleer de eenheid (uren, niet minuten; euro's, niet centen) en de decimale komma.",
    ),
    # --- between rows and tables ------------------------------------------------------------
    Rule(
        "dubbele_sleutel",
        FOUT,
        "Komt dubbel voor",
        "{sleutel} komt {aantal} keer voor met verschillende gegevens (rijen {andere_rijen}). "
        "We weten niet welke regel klopt en nemen ze geen van alle op.",
        {
            "*": "één regel per {sleutelnaam}",
        },
        "Houd één regel over met de juiste gegevens.",
    ),
    Rule(
        "project_onbekend",
        FOUT,
        "Project onbekend",
        "Het project '{project_id}' staat niet in de projectenlijst (niet in deze levering en "
        "niet eerder aangeleverd).",
        "een project_id uit uw projectenlijst",
        "Lever het project mee in de projectenlijst, of corrigeer de projectcode.",
    ),
    Rule(
        "project_afgekeurd",
        FOUT,
        "Project afgekeurd",
        "Het project '{project_id}' is in deze levering afgekeurd; daarom nemen we deze regel "
        "ook niet op.",
        "een goedgekeurd project",
        "Los eerst de fout bij het project op (zie de melding bij de projectenlijst).",
    ),
    Rule(
        "traject_onbekend",
        FOUT,
        "Traject onbekend",
        "Het traject '{traject_id}' van deze meting staat niet in de trajectenlijst (niet in "
        "deze levering en niet eerder aangeleverd).",
        "een traject_id uit uw trajectenlijst",
        "Lever het traject mee, of corrigeer de trajectcode bij de meting.",
    ),
    Rule(
        "traject_afgekeurd",
        FOUT,
        "Traject afgekeurd",
        "Het traject '{traject_id}' is in deze levering afgekeurd; daarom nemen we deze "
        "meting ook niet op.",
        "een goedgekeurd traject",
        "Los eerst de fout bij het traject op (zie de melding bij de trajectenlijst).",
    ),
    # --- warnings: accepted, but weaker -----------------------------------------------------
    Rule(
        "kolom_ontbreekt_optioneel",
        WAARSCHUWING,
        "Kolom ontbreekt (niet verplicht)",
        "De kolom '{kolom}' ontbreekt in {bestand}. We gaan verder zonder deze gegevens.",
        "een kolom met de naam '{kolom}'",
        "Zet de kolom in de export als uw systeem deze gegevens heeft.",
    ),
    Rule(
        "tabel_onbekend",
        WAARSCHUWING,
        "Onbekende tabel",
        "De tabel '{tabel}' ({bestand}) kennen we niet; we hebben haar overgeslagen.",
        "organisatie, project, traject, meting, inzet, kosten, activiteit of projectopgave",
        "Lever alleen de tabellen uit het exportformaat aan.",
    ),
    Rule(
        "dubbele_rij",
        WAARSCHUWING,
        "Regel staat er twee keer in",
        "Rij {rij} is een precieze kopie van rij {eerste_rij}; we nemen de regel één keer op.",
        "elke regel één keer",
        "Geen actie nodig; voorkom dubbele regels bij de volgende export.",
    ),
    Rule(
        "kosten_opgeteld",
        WAARSCHUWING,
        "Kostenregels opgeteld",
        "Project {project_id} heeft in {jaar} {aantal} regels voor kostensoort "
        "'{kostensoort}' (rijen {andere_rijen}); we tellen ze op tot {som}.",
        "één of meer kostenregels per kostensoort; ze worden opgeteld",
        "Geen actie nodig als de regels samen het totaal vormen. Staat een regel er per "
        "ongeluk dubbel in, verwijder die dan.",
    ),
    Rule(
        "uitkomst_zonder_bereik",
        WAARSCHUWING,
        "Uitkomst zonder aantal bereikte personen",
        "Bij project {project_id} ({soort} {jaar}) staat de uitkomst '{uitkomst}', maar geen "
        "regel met totalen (zonder uitkomst) met het aantal bereikte personen. De MKBA kan "
        "deze uitkomst zo niet gebruiken.",
        "een regel met totalen voor hetzelfde project, jaar en soort",
        "Voeg voor dit project, jaar en soort een regel toe zonder uitkomst, met het aantal "
        "bereikte personen in de kolom 'bereikt'.",
    ),
    Rule(
        "uitkomst_boven_bereik",
        WAARSCHUWING,
        "Meer personen met de uitkomst dan bereikt",
        "Bij project {project_id} ({soort} {jaar}) hebben volgens de opgave {aantal} personen "
        "de uitkomst '{uitkomst}', maar het project bereikte er {totaal}. De MKBA telt er "
        "hoogstens {totaal}.",
        "hoogstens het aantal bereikte personen op de regel met totalen",
        "Controleer beide aantallen.",
    ),
    Rule(
        "mogelijk_dubbele_client",
        WAARSCHUWING,
        "Mogelijk dubbele cliënt",
        "Traject {traject_id} en traject {ander_traject} horen bij dezelfde cliënt en lopen "
        "tegelijk in project {project_id}. Mogelijk is de cliënt twee keer ingeschreven; dan "
        "telt hij of zij dubbel mee in het bereik.",
        "één lopend traject per cliënt per project",
        "Voeg dubbele persoonskaarten samen in uw registratiesysteem, of sluit het traject af "
        "dat niet meer loopt.",
    ),
    Rule(
        "t1_zonder_t0",
        WAARSCHUWING,
        "Eindmeting zonder beginmeting",
        "Traject {traject_id} heeft een eindmeting (T1) met '{instrument}'{onderdeel_tekst}, "
        "maar geen beginmeting (T0). De MKBA kan deze meting niet gebruiken.",
        "een beginmeting (T0) met hetzelfde instrument",
        "Lever de beginmeting mee als die er is.",
    ),
    Rule(
        "afgerond_zonder_t1",
        WAARSCHUWING,
        "Afgerond traject zonder eindmeting",
        "Traject {traject_id} is afgerond, maar er is geen eindmeting (T1). De MKBA kan het "
        "effect van dit traject niet meten.",
        "een eindmeting (T1) bij elk afgerond traject",
        "Neem bij het afsluiten een eindmeting af en lever die mee.",
    ),
    Rule(
        "geen_kosten",
        WAARSCHUWING,
        "Trajecten maar geen inzet of kosten",
        "Project {project} heeft in {periode} trajecten maar geen inzet of kosten: de MKBA "
        "van dat jaar is onvolledig tot de kosten zijn aangeleverd.{bron}",
        "inzet (betaalde fte of vrijwilligers) of kostenregels over {periode} voor elk project "
        "met trajecten in dat jaar",
        "Lever de inzet en de kosten van dit project over dat jaar aan. Staan ze in een ander "
        "bestand van dezelfde levering, dan is geen actie nodig.",
    ),
    Rule(
        "kosten_per_deelnemer_laag",
        WAARSCHUWING,
        "Kosten per deelnemer onwaarschijnlijk laag",
        "Project {project} kost in {periode} volgens de aangeleverde inzet en kosten "
        "{kosten_jaar} ({fte_jaar} fte) voor {aantal_deelnemers} deelnemers: {per_deelnemer} "
        "per deelnemer. Dat is minder dan een kwart van de ondergrens in de sector voor "
        "{soort_interventie}: 10 % van de projectjaren kost minder dan {referentie} per "
        "deelnemer. Waarschijnlijk ontbreekt een deel van de inzet of de kosten.",
        "minstens {grens} per deelnemer (een kwart van de ondergrens van de sector)",
        "Controleer de inzet (fte, vrijwilligers) en de kostenregels van dit project over dat "
        "jaar. Kloppen ze, dan is geen actie nodig: de MKBA rekent met wat is aangeleverd.",
    ),
)

RULES: dict[str, Rule] = {rule.code: rule for rule in CATALOGUE}
ORDER: dict[str, int] = {rule.code: i for i, rule in enumerate(CATALOGUE)}

# A problem found by a reader in `sources/` under a code this catalogue does not know.
READER_RULE = Rule(
    "leesfout",
    FOUT,
    "Waarde niet te lezen",
    "{melding}",
    "",
    "Pas de waarde aan in uw registratiesysteem en lever het bestand opnieuw aan.",
)


# The readers' own codes (`sources/convert.py`), with a title a person reads instead of the code.
READER_TITLES: dict[str, str] = {
    "datum_onleesbaar": "Datum niet te lezen",
    "getal_onleesbaar": "Getal niet te lezen",
    "code_onbekend": "Onbekende code",
    "verplicht_leeg": "Verplicht veld is leeg",
}


def rule(code: str) -> Rule:
    """The rule for a code; unknown codes (a reader's own) are reported as reading problems,
    under their own title where the reader's code has one."""
    found = RULES.get(code)
    if found is not None:
        return found
    title = READER_TITLES.get(code, READER_RULE.titel)
    return Rule(code, READER_RULE.ernst, title, "{melding}", "", READER_RULE.actie)


# pandera's built-in checks -> rule code, by (column, check kind); column None is the default.
_BUILTIN: dict[tuple[str | None, str], str] = {
    (None, "column_in_dataframe"): "kolom_ontbreekt",
    (None, "dtype"): "type_onjuist",
    (None, "not_nullable"): "verplicht_veld_leeg",
    (None, "str_length"): "tekst_te_lang",
    (None, "greater_than_or_equal_to"): "negatief",
    (None, "less_than_or_equal_to"): "onwaarschijnlijk_hoog",
    (None, "str_matches"): "gemeentecode_ongeldig",
    ("client_pseudoniem", "str_matches"): "pseudoniem_ongeldig",
    ("jaar", "greater_than_or_equal_to"): "jaar_ongeldig",
    ("jaar", "less_than_or_equal_to"): "jaar_ongeldig",
    ("domein", "isin"): "domein_onbekend",
    ("interventie", "isin"): "interventie_onbekend",
    ("erkenning", "isin"): "erkenning_onbekend",
    ("instrument", "isin"): "instrument_onbekend",
    ("moment", "isin"): "moment_onbekend",
    ("reden_einde", "isin"): "reden_einde_onbekend",
    ("leeftijdsklasse", "isin"): "leeftijdsklasse_onbekend",
    ("kostensoort", "isin"): "kostensoort_onbekend",
    ("vorm", "isin"): "vorm_onbekend",
    ("soort", "isin"): "soort_onbekend",
    ("uitkomst", "isin"): "uitkomst_onbekend",
    ("vastgesteld", "isin"): "vastgesteld_onbekend",
}

# Value-domain rules: when one of these fails in every row, the file is refused.
DOMAIN_RULES = frozenset(code for (_col, kind), code in _BUILTIN.items() if kind == "isin")


def code_for_check(column: str | None, check: str) -> str:
    """The rule code for a pandera failure case (`check` as pandera names it).

    Named checks in `schemas.tables` already carry a rule code. Built-in checks are named like
    ``isin(['a', 'b'])`` or ``greater_than_or_equal_to(0)``: their kind and column decide.
    """
    if check in RULES:
        return check
    kind = check.split("(", 1)[0]
    if kind == "str_length" and column is not None:
        # an empty required code is "leeg", a long one "te lang": told apart by the caller
        return "tekst_te_lang"
    code = _BUILTIN.get((column, kind)) or _BUILTIN.get((None, kind))
    if code is None:
        raise KeyError(f"no rule for pandera check {check!r} on column {column!r}")
    return code

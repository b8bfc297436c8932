"""Calibration of the demo sector: every number the generator draws from, in one place.

Each figure is either a published figure (its source named beside it) or a stated modelling
assumption (marked "assumption"). `docs/demo.md` explains the choices. The generator reads these tables; it holds no numbers of its own beyond the plumbing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# --- municipalities -------------------------------------------------------------------------
# The generator draws municipalities from `rendement/data/gemeenten.csv` (shared with
# `rendement.benchmark.regions`) and falls back on these real CBS codes of large municipalities when that
# file is absent (see `generator.load_municipalities`).
BUILTIN_MUNICIPALITIES: tuple[tuple[str, str], ...] = (
    ("GM0363", "Amsterdam"),
    ("GM0599", "Rotterdam"),
    ("GM0518", "'s-Gravenhage"),
    ("GM0344", "Utrecht"),
    ("GM0772", "Eindhoven"),
    ("GM0014", "Groningen"),
    ("GM0080", "Leeuwarden"),
    ("GM0193", "Zwolle"),
    ("GM0202", "Arnhem"),
    ("GM0268", "Nijmegen"),
    ("GM0855", "Tilburg"),
    ("GM0758", "Breda"),
    ("GM0935", "Maastricht"),
    ("GM0034", "Almere"),
    ("GM0392", "Haarlem"),
)
GEMEENTEN_CSV = Path(__file__).resolve().parent.parent / "data" / "gemeenten.csv"

# Where projects and clients live (assumption): most projects in the organisation's home
# municipality, clients mostly in the project's municipality.
PROJECT_IN_HOME_MUNICIPALITY = 0.70
CLIENT_IN_PROJECT_MUNICIPALITY = 0.85
CLIENT_MUNICIPALITY_MISSING = 0.02

# --- organisations --------------------------------------------------------------------------
# Size factor ~ lognormal(0, sigma): many small organisations and a few large ones, so that the
# (2, 85) dominance rule has cases to catch. Sector: 541 member organisations (SWN 2023).
SIZE_SIGMA = 0.9
PROJECTS_MIN, PROJECTS_MAX = 3, 12
PROJECTS_BASE, PROJECTS_PER_LOG_SIZE, PROJECTS_NOISE = 5.5, 2.5, 1.3
YEARLY_GROWTH_MEAN, YEARLY_GROWTH_SD = 0.02, 0.05  # reach trend per organisation (assumption)

# Export habits of the registration systems (DOMAIN.md: Windows-1252 or UTF-8 with BOM, stray
# header rows, trailing empty lines). Shares are assumptions.
ENCODINGS: dict[str, float] = {"utf-8": 0.40, "utf-8-sig": 0.35, "cp1252": 0.25}
XLSX_SHARE = 0.12
TITLE_ROW_SHARE = 0.25
TRAILING_BLANK_LINES: dict[int, float] = {0: 0.70, 1: 0.15, 2: 0.10, 3: 0.05}
DJG6_SHARE = 0.30  # ouderen: share of organisations measuring with the 6-item CBS scale

# Costs. CAO Sociaal Werk 2024: ≈ €60–80k wage cost per FTE (DOMAIN.md, grade C).
WAGE_COST_PER_FTE = (62_000.0, 78_000.0)  # uniform per organisation
WAGE_NOISE_SD = 0.06  # per project-year, lognormal
OVERHEAD_RATE = (0.10, 0.15)  # of direct costs, uniform per organisation
HOUSING_PER_FTE = (3_500.0, 7_500.0)
VOLUNTEER_COST = (250.0, 600.0)  # per volunteer per year: expenses, training, insurance
WRITTEN_HOURS_PER_FTE = (1_400.0, 1_650.0)  # of 1,872 contract hours: leave, sickness
MIN_FTE = 0.2

# --- projects -------------------------------------------------------------------------------
DOMAIN_WEIGHTS: dict[str, float] = {
    "ouderen_eenzaamheid": 0.30,
    "schulden_armoede": 0.25,
    "activering": 0.20,
    "jongerenwerk": 0.25,
}
# Project life in the export window (assumption): running throughout, new, or stopped.
PROJECT_KIND: dict[str, float] = {"lopend": 0.72, "nieuw": 0.14, "gestopt": 0.14}
PROJECTS_EARLIEST_START = "2010-01-01"
PROJECT_REACH_SIGMA = 0.35  # lognormal spread of reach between projects of one intervention
RECOGNITION_MISSING = 0.03  # erkenning left empty in the export
JONGEREN_ZRM_SHARE = 0.40  # jongerenwerk projects measuring with the ZRM instead of Pos. Gezondheid

NEIGHBOURHOODS: tuple[str, ...] = (
    "Centrum", "Noord", "Oost", "Zuid", "West", "De Hoven", "Het Zand", "Kerkwijk",
    "Molenhoek", "Zuiderpark", "Oosterhof", "De Weiden", "Vogelbuurt", "Bloemenwijk",
    "Schildersbuurt", "Rivierenbuurt", "Stationskwartier", "Dorpskern", "Lindenhof",
    "Beekdal", "Hoogveld", "Kanaalzone",
)  # fmt: skip

# End reasons per domain (assumption; schuldhulp drop-out is high, deaths among the elderly).
END_REASON_SHARES: dict[str, dict[str, float]] = {
    "ouderen_eenzaamheid": {
        "afgerond": 0.62, "voortijdig": 0.12, "doorverwezen": 0.12, "verhuisd": 0.06,
        "overleden": 0.08,
    },
    "schulden_armoede": {
        "afgerond": 0.55, "voortijdig": 0.25, "doorverwezen": 0.15, "verhuisd": 0.04,
        "overleden": 0.01,
    },
    "activering": {
        "afgerond": 0.60, "voortijdig": 0.22, "doorverwezen": 0.14, "verhuisd": 0.03,
        "overleden": 0.01,
    },
    "jongerenwerk": {
        "afgerond": 0.65, "voortijdig": 0.20, "doorverwezen": 0.12, "verhuisd": 0.03,
        "overleden": 0.0,
    },
}  # fmt: skip
# Who stops early stops after this fraction of the planned duration (uniform).
EARLY_STOP_FRACTION = (0.15, 0.70)
REFERRED_FRACTION = (0.30, 1.00)
# Chance of a T1 measurement given the end reason; the effect reached by those who did not
# finish is damped by the factor beside it.
T1_CHANCE: dict[str, float] = {
    "afgerond": 0.88, "voortijdig": 0.15, "doorverwezen": 0.40, "verhuisd": 0.0, "overleden": 0.0,
}  # fmt: skip
EFFECT_FACTOR: dict[str, float] = {
    "afgerond": 1.0, "voortijdig": 0.3, "doorverwezen": 0.4, "verhuisd": 0.0, "overleden": 0.0,
}  # fmt: skip
T0_DELAY_DAYS = 14  # T0 within two weeks of the start
T1_LEAD_DAYS = 7  # T1 within a week before the end
CLIENT_REPEAT_SHARE = 0.07  # trajectories of a client who also has another trajectory
ORG_QUALITY_SD = 0.15  # lognormal spread of the effect between organisations
PROJECT_QUALITY_SD = 0.10  # and between projects of one organisation

# --- outcome instruments --------------------------------------------------------------------
# Loneliness, De Jong Gierveld 11 items (0-11). Gezondheidsmonitor 2020 (DOMAIN.md, grade A):
# 18+: 46.6 % lonely (score >= 3), 11 % severely (>= 9); 75+: 56 % / 12 %.
LONELINESS_POPULATION: dict[str, tuple[float, float]] = {
    "65-74": (0.466, 0.11),  # no separate figure for 65-74: the 18+ figure (assumption)
    "75+": (0.56, 0.12),
}
# Shape of the distribution within the bands 0-2, 3-8 and 9-11 (assumption: decreasing).
LONELINESS_BAND_SHAPES: tuple[tuple[float, ...], ...] = (
    (0.45, 0.32, 0.23),
    (0.24, 0.20, 0.17, 0.15, 0.13, 0.11),
    (0.45, 0.33, 0.22),
)
# Who is reached is more lonely than the population: the baseline distribution is the
# population's tilted by exp(beta * score) (assumption). Preventive home visits reach everyone
# of an age (beta 0: the population figure), buddy projects take the loneliest.
LONELINESS_SELECTION_BETA: dict[str, float] = {
    "huisbezoek": 0.0,
    "ontmoetingsgroep": 0.12,
    "maatjesproject": 0.25,
}
# Improvement on the 11-point scale is damped below a score of 4 (little room to improve).
LONELINESS_ROOM_SCORE = 4.0


@dataclass(frozen=True)
class Intervention:
    """How one intervention type behaves in the demo (all figures per project per year)."""

    reach: float  # new trajectories per project per year at organisation size factor 1
    caseload: float  # new trajectories per paid FTE per year
    duration_days: float  # median trajectory duration
    duration_sigma: float  # lognormal spread of the duration
    volunteers_per_traject: float
    hours_per_volunteer: float
    material_per_traject: float  # euro: activities, materials, travel
    extra_housing: float  # euro per project-year: a meeting place of its own
    t0_chance: float  # share of trajectories with a baseline measurement
    age: dict[str, float]  # age band -> share
    effect: dict[str, tuple[float, float]]  # instrument -> (mean improvement, sd), scale units
    baseline: dict[str, tuple[float, ...]] = field(default_factory=dict)  # instrument -> probs
    # ZRM domains the worker scores, each: (T0 probabilities of steps 1-5, mean improvement of
    # a completer on a problem domain, sd). Keys from ZRM_DOMAINS.
    zrm: dict[str, tuple[tuple[float, ...], float, float]] = field(default_factory=dict)
    paid_work_chance: float = 0.0  # participatieladder: chance of a move into paid work (5-6)
    names: tuple[str, ...] = ()  # project name templates; {wijk} is a neighbourhood
    recognition: dict[str, float] = field(default_factory=dict)


_OLD = {"65-74": 0.35, "75-84": 0.45, "85+": 0.20}
_ADULT = {"18-26": 0.10, "27-44": 0.37, "45-64": 0.45, "65-74": 0.07, "75-84": 0.01}
_YOUTH = {"12-17": 0.55, "18-26": 0.45}
_REC_COMMON = {
    "geen": 0.35, "goed_beschreven": 0.25, "goed_onderbouwd": 0.20,
    "effectief_eerste": 0.12, "effectief_goede": 0.06, "effectief_sterke": 0.02,
}  # fmt: skip
_REC_STRONG = {
    "geen": 0.15, "goed_beschreven": 0.20, "goed_onderbouwd": 0.30,
    "effectief_eerste": 0.20, "effectief_goede": 0.12, "effectief_sterke": 0.03,
}  # fmt: skip

# Baselines. ZRM (1-5) and participatieladder (1-6) as probabilities per step; Positieve
# Gezondheid as (mean, sd) on 0-10.
# fmt: off
INTERVENTIONS: dict[str, Intervention] = {
    # ouderen_eenzaamheid: instrument djg11 (some organisations djg6), lower is better.
    "huisbezoek": Intervention(
        reach=200, caseload=220, duration_days=45, duration_sigma=0.5,
        volunteers_per_traject=0.25, hours_per_volunteer=40, material_per_traject=10,
        extra_housing=0, t0_chance=0.95, age={"65-74": 0.10, "75-84": 0.65, "85+": 0.25},
        effect={"djg11": (0.5, 1.3)},
        names=("Preventief huisbezoek {wijk}", "Welzijn op bezoek {wijk}"),
        recognition=_REC_COMMON,
    ),
    "maatjesproject": Intervention(
        reach=40, caseload=60, duration_days=270, duration_sigma=0.4,
        volunteers_per_traject=0.80, hours_per_volunteer=80, material_per_traject=25,
        extra_housing=0, t0_chance=0.97, age=_OLD, effect={"djg11": (2.0, 1.5)},
        names=("Maatjes {wijk}", "Maatje voor één {wijk}", "Samen op pad {wijk}"),
        recognition=_REC_STRONG,
    ),
    "ontmoetingsgroep": Intervention(
        reach=70, caseload=90, duration_days=240, duration_sigma=0.5,
        volunteers_per_traject=0.12, hours_per_volunteer=120, material_per_traject=60,
        extra_housing=8_000, t0_chance=0.93, age={"65-74": 0.40, "75-84": 0.45, "85+": 0.15},
        effect={"djg11": (1.0, 1.5)},
        names=("Ontmoetingscafé {wijk}", "Huiskamer {wijk}", "Koffie & co {wijk}"),
        recognition=_REC_COMMON,
    ),
    # schulden_armoede: ZRM (higher is better), per domain the worker scores (ZRM_DOMAINS).
    # Debt work scores financien and huisvesting (an eviction mostly follows rent arrears);
    # debt counselling scores the wider situation, also dagbesteding.
    "schuldhulpverlening": Intervention(
        reach=80, caseload=40, duration_days=300, duration_sigma=0.6,
        volunteers_per_traject=0.05, hours_per_volunteer=60, material_per_traject=15,
        extra_housing=0, t0_chance=0.97, age=_ADULT, effect={},
        zrm={
            "financien": ((0.35, 0.45, 0.16, 0.04, 0.0), 1.0, 0.8),
            "huisvesting": ((0.03, 0.12, 0.35, 0.38, 0.12), 0.6, 0.7),
            "dagbesteding": ((0.08, 0.22, 0.35, 0.25, 0.10), 0.15, 0.6),
        },
        names=("Schuldhulp {wijk}", "Geldzaken op orde {wijk}"),
        recognition=_REC_STRONG,
    ),
    "vroegsignalering": Intervention(
        reach=180, caseload=250, duration_days=60, duration_sigma=0.5,
        volunteers_per_traject=0.0, hours_per_volunteer=0, material_per_traject=5,
        extra_housing=0, t0_chance=0.90, age=_ADULT, effect={},
        zrm={
            # a signal comes after one or two months of arrears: rarely an eviction yet
            "financien": ((0.05, 0.35, 0.45, 0.15, 0.0), 0.4, 0.7),
            "huisvesting": ((0.01, 0.05, 0.44, 0.38, 0.12), 0.4, 0.6),
        },
        names=("Vroegsignalering {wijk}", "Geldzorgen? Bel ons {wijk}"),
        recognition=_REC_COMMON,
    ),
    "thuisadministratie": Intervention(
        reach=45, caseload=90, duration_days=240, duration_sigma=0.5,
        volunteers_per_traject=0.50, hours_per_volunteer=70, material_per_traject=10,
        extra_housing=0, t0_chance=0.95, age=_ADULT, effect={},
        zrm={
            "financien": ((0.15, 0.45, 0.32, 0.08, 0.0), 0.6, 0.8),
            "huisvesting": ((0.02, 0.08, 0.35, 0.42, 0.13), 0.3, 0.6),
        },
        names=("Thuisadministratie {wijk}", "Papierwinkel {wijk}"),
        recognition=_REC_COMMON,
    ),
    # activering: participatieladder (1 isolated ... 6 paid work), higher is better. Steps up
    # reach at most step 4 (unpaid work); paid work (5-6) is the separate paid_work_chance.
    "maatschappelijke_activering": Intervention(
        reach=50, caseload=45, duration_days=270, duration_sigma=0.5,
        volunteers_per_traject=0.05, hours_per_volunteer=60, material_per_traject=40,
        extra_housing=2_000, t0_chance=0.96, age=_ADULT,
        effect={"participatieladder": (0.6, 0.75)},
        baseline={"participatieladder": (0.25, 0.38, 0.27, 0.08, 0.02, 0.0)},
        paid_work_chance=0.02, names=("Meedoen {wijk}", "Actief in {wijk}"),
        recognition=_REC_COMMON,
    ),
    "vrijwilligerswerk_toeleiding": Intervention(
        reach=40, caseload=60, duration_days=150, duration_sigma=0.5,
        volunteers_per_traject=0.02, hours_per_volunteer=60, material_per_traject=15,
        extra_housing=0, t0_chance=0.95, age=_ADULT,
        effect={"participatieladder": (0.8, 0.75)},
        baseline={"participatieladder": (0.10, 0.35, 0.40, 0.12, 0.03, 0.0)},
        paid_work_chance=0.04, names=("Vrijwilligerspunt {wijk}", "Aan de slag {wijk}"),
        recognition=_REC_COMMON,
    ),
    "werkervaringsplek": Intervention(
        reach=18, caseload=20, duration_days=240, duration_sigma=0.4,
        volunteers_per_traject=0.0, hours_per_volunteer=0, material_per_traject=150,
        extra_housing=6_000, t0_chance=0.98, age=_ADULT,
        effect={"participatieladder": (0.9, 0.75)},
        baseline={"participatieladder": (0.02, 0.13, 0.40, 0.35, 0.10, 0.0)},
        paid_work_chance=0.25, names=("Werkplaats {wijk}", "Leerwerkplek {wijk}"),
        recognition=_REC_STRONG,
    ),
    # jongerenwerk: Positieve Gezondheid (mentaal welbevinden), or in JONGEREN_ZRM_SHARE of the
    # projects the ZRM on geestelijke gezondheid, dagbesteding (school, work) and justitie.
    "ambulant_jongerenwerk": Intervention(
        reach=250, caseload=180, duration_days=90, duration_sigma=0.7,
        volunteers_per_traject=0.03, hours_per_volunteer=60, material_per_traject=30,
        extra_housing=8_000, t0_chance=0.80, age=_YOUTH,
        effect={"positieve_gezondheid": (0.3, 1.0)},
        baseline={"positieve_gezondheid": (5.6, 1.4)},
        zrm={
            "geestelijke_gezondheid": ((0.05, 0.25, 0.50, 0.20, 0.0), 0.2, 0.7),
            "dagbesteding": ((0.05, 0.15, 0.40, 0.30, 0.10), 0.2, 0.7),
            "justitie": ((0.02, 0.08, 0.15, 0.25, 0.50), 0.3, 0.7),
        },
        names=("Jongerenwerk op straat {wijk}", "Jongerencafé {wijk}"),
        recognition=_REC_COMMON,
    ),
    "jongerencoaching": Intervention(
        reach=40, caseload=35, duration_days=200, duration_sigma=0.4,
        volunteers_per_traject=0.10, hours_per_volunteer=50, material_per_traject=20,
        extra_housing=0, t0_chance=0.96, age=_YOUTH,
        effect={"positieve_gezondheid": (0.9, 1.0)},
        baseline={"positieve_gezondheid": (4.8, 1.3)},
        zrm={
            "geestelijke_gezondheid": ((0.10, 0.40, 0.40, 0.10, 0.0), 0.6, 0.7),
            "dagbesteding": ((0.08, 0.25, 0.40, 0.22, 0.05), 0.5, 0.7),
            "justitie": ((0.01, 0.05, 0.12, 0.22, 0.60), 0.4, 0.7),
        },
        names=("Jongerencoach {wijk}", "Jouw coach {wijk}"),
        recognition=_REC_STRONG,
    ),
    "schoolmaatschappelijk_werk": Intervention(
        reach=90, caseload=80, duration_days=150, duration_sigma=0.5,
        volunteers_per_traject=0.0, hours_per_volunteer=0, material_per_traject=5,
        extra_housing=0, t0_chance=0.94, age={"12-17": 0.90, "18-26": 0.10},
        effect={"positieve_gezondheid": (0.6, 1.0)},
        baseline={"positieve_gezondheid": (5.2, 1.3)},
        zrm={
            "geestelijke_gezondheid": ((0.08, 0.32, 0.45, 0.15, 0.0), 0.4, 0.7),
            "dagbesteding": ((0.03, 0.15, 0.45, 0.30, 0.07), 0.4, 0.7),
            "justitie": ((0.005, 0.02, 0.06, 0.12, 0.795), 0.2, 0.7),
        },
        names=("SMW op school {wijk}", "Schoolmaatschappelijk werk {wijk}"),
        recognition=_REC_COMMON,
    ),
}
# fmt: on

# --- what the instruments measure ------------------------------------------------------------
# Elderly: De Jong Gierveld (11 items, or 6 in DJG6_SHARE of the organisations); debt: ZRM;
# activation: participatieladder; youth: Positieve Gezondheid or ZRM (JONGEREN_ZRM_SHARE).
PG_PART = "mentaal_welbevinden"  # the Positieve Gezondheid dimension youth work scores

# ZRM domains the demo scores, as `onderdeel` codes. `dagbesteding` is the name in the ZRM of
# 2010/2013 (11 domains); the ZRM 2017 (13 domains) split it into "Werk & opleiding" and
# "Tijdsbesteding", so organisations on that version export the school/work part as
# `werk_opleiding`. The version is fixed per organisation.
ZRM_DOMAINS: tuple[str, ...] = (
    "financien", "huisvesting", "dagbesteding", "geestelijke_gezondheid", "justitie",
)  # fmt: skip
ZRM_2017_SHARE = 0.70  # organisations on the ZRM 2017 (assumption)
ZRM_2017_NAMES: dict[str, str] = {"dagbesteding": "werk_opleiding"}
# One client's domains hang together (assumption): at T0 a domain takes the client's common
# draw with this chance, and the change on a domain shares this share of its variance.
ZRM_SHARED = 0.5
# The worker works on the domains that are a problem at T0 (score 1-3): only they get the
# intervention's improvement. A domain at 4 fluctuates a step either way, one at 5 (no problem)
# stays (assumption).
ZRM_PROBLEM_MAX = 3
ZRM_STABLE_SD = 0.35

# Participatieladder: 1 isolated, 2 social contacts outside the home, 3 organised activities,
# 4 unpaid work, 5 paid work with support, 6 paid work. Activation moves people 0-2 steps up to
# at most step 4; paid work is a separate draw (paid_work_chance, times the effect factor of
# the end reason) for who is on step 3 or higher at T0 (assumption).
LADDER_UNPAID_MAX = 4
LADDER_PAID_FROM = 3
LADDER_PAID_WITHOUT_SUPPORT = 0.40  # share of moves into paid work landing on step 6

# --- invented organisation names ------------------------------------------------------------
ORG_PREFIXES: tuple[str, ...] = (
    "Welzijn", "Stichting Welzijn", "Sociaal Werk", "Welzijnsgroep", "Welzijnscoöperatie",
    "Stichting Sociaal Werk", "Buurtwerk", "Wijkwerk",
)  # fmt: skip
ORG_CORES: tuple[str, ...] = (
    "Eemvallei", "Lindestroom", "Waterweide", "Vlietstreek", "Duinrand", "Polderwaard",
    "Kempenzoom", "Heidezoom", "Beekdal", "Veenrand", "Wadkust", "Dijkzicht", "Maasoever",
    "Lindehof", "Oeverland", "Kreekrug", "Zandhove", "Broekland", "Weidegloed", "Essenveld",
    "Rijnzoom", "Brugwaard", "Hofstede", "Vaartland",
)  # fmt: skip
ORG_QUALIFIERS: tuple[str, ...] = ("Noord", "Zuid", "Oost", "West", "Midden", "Stad")


# --- organisations without client registrations ----------------------------------------------
# Much of the sector registers activities and attendance, or only yearly counts, not client
# trajectories with T0/T1 measurements (issue 18). `rendement demo` appends a handful of such
# organisations after the registering ones (`kinds.generate_demo`), one per entry below and in
# this order: kind, interventions (one project each). Kinds:
# - "activiteiten": attendance lists (`sources/mappings/presentielijst.yaml`) plus project,
#   inzet and kosten in the contract layout;
# - "projectblad": the project sheet (`projectopgave`) with project, inzet and kosten, as CSV in
#   the contract layout;
# - "sjabloon": the same, typed into the Excel template `rendement sjabloon` writes;
# - "raming": a plan, in the template: a project that has just started and its projectopgave
#   of soort raming for the next year; no realisation yet.
@dataclass(frozen=True)
class OtherOrganisation:
    kind: str
    interventions: tuple[str, ...]


OTHER_ORGANISATIONS: tuple[OtherOrganisation, ...] = (
    OtherOrganisation("activiteiten", ("ontmoetingsgroep", "ambulant_jongerenwerk")),
    OtherOrganisation("activiteiten", ("maatschappelijke_activering", "ontmoetingsgroep")),
    OtherOrganisation("projectblad", ("huisbezoek", "thuisadministratie")),
    OtherOrganisation("sjabloon", ("maatjesproject", "vroegsignalering")),
    OtherOrganisation("sjabloon", ("jongerencoaching", "schuldhulpverlening")),
    OtherOrganisation("raming", ("maatjesproject",)),
)
# Their random streams are seeded (seed, OTHER_STREAM + position): the same data whatever the
# number of registering organisations before them.
OTHER_STREAM = 100_000
OTHER_FIRST_NUMBER = 901  # their ids: ORG901 … (after the registering ones if those reach it)
OTHER_SIZE_SIGMA = 0.4  # small to medium organisations (assumption)
# Contacts (conversations, visits, meetings attended) per person reached in a year, for the
# `contacten` of a project sheet (assumption).
CONTACTS_PER_PERSON: dict[str, float] = {
    "huisbezoek": 1.5, "thuisadministratie": 14.0, "maatjesproject": 24.0,
    "vroegsignalering": 2.5, "jongerencoaching": 16.0, "schuldhulpverlening": 11.0,
}  # fmt: skip
# Outcomes an office counts itself in its project sheet (assumption): per intervention the
# outcome pathway, the share of the people reached it reports, and how it was established.
# The share is the organisation's own count, not the sector's measured rate.
OWN_OUTCOME_COUNTS: dict[str, tuple[str, float, str]] = {
    "thuisadministratie": ("schulden_gestabiliseerd", 0.15, "registratie"),
    "maatjesproject": ("eenzaamheid_welzijn", 0.20, "zelfrapportage"),
}
OWN_OUTCOME_CHANCE = 0.6  # share of project-years with such a count (assumption)
# What an office writes in words about a project's effects (`kwalitatieve_effecten`), per
# intervention, and the share of project-years that have such words (invented examples).
OWN_WORDS: dict[str, str] = {
    "huisbezoek": "Ouderen vertellen dat ze weer weten waar ze terechtkunnen; enkelen komen nu "
    "naar de buurtkamer.",
    "thuisadministratie": "Deelnemers openen hun post weer en bellen zelf met schuldeisers.",
    "maatjesproject": "Maatjes en deelnemers spreken elkaar ook buiten de afspraken; twee "
    "deelnemers zijn zelf vrijwilliger geworden.",
    "vroegsignalering": "Woningcorporaties melden eerder, zodat huisuitzettingen uitblijven.",
    "jongerencoaching": "Jongeren houden hun afspraken beter na en ouders voelen zich gehoord.",
    "schuldhulpverlening": "Minder stress in gezinnen, volgens deelnemers en hun hulpverleners.",
}
OWN_WORDS_CHANCE = 0.5


# Attendance lists (assumption): per intervention the werksoort as the registration system
# writes it, the activity kinds (as exported, first one most often), the size of one
# activity's group of participants, meetings per year (a weekly group about 44, street work
# twice a week) and the chance a member attends a meeting. One walk-in per meeting-group
# project-year is exported without participant numbers (unique participants unknown).
@dataclass(frozen=True)
class Attendance:
    werksoort: str
    forms: tuple[str, ...]
    group_size: int
    meetings: tuple[int, int]
    presence: float


ATTENDANCE: dict[str, Attendance] = {
    "ontmoetingsgroep": Attendance("Ontmoeting ouderen", ("Groepsbijeenkomst", "Inloop"), 18,
                                   (40, 48), 0.70),
    "ambulant_jongerenwerk": Attendance("Jongerenwerk", ("Straatwerk", "Groepsbijeenkomst"), 45,
                                        (80, 96), 0.25),
    "maatschappelijke_activering": Attendance("Activering", ("Groepsbijeenkomst", "Workshop"),
                                              12, (30, 40), 0.75),
}  # fmt: skip
ANONYMOUS_WALK_IN = "Inloop"
ANONYMOUS_WALK_IN_VISITS = (8, 20)  # visitors per meeting of the anonymous walk-in

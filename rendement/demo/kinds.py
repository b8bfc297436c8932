"""Demo organisations that do not register client trajectories, and the whole demo with them.

Much of the sector registers activities and attendance, or only yearly counts (issue 18). So
that `rendement demo` shows every path end to end, `generate_demo` yields the registering
sector of `generate_sector` followed by a handful of organisations of the other kinds
(`profiles.OTHER_ORGANISATIONS`):

- `activiteiten`: attendance lists as a registration system exports them (one row per person
  per meeting, `sources/mappings/presentielijst.yaml`), with project, inzet and kosten in the
  contract layout;
- `projectblad`: the project sheet (`projectopgave`: people reached, contacts, completed, now
  and then an outcome counted by the office itself) with project, inzet and kosten, as CSV;
- `sjabloon`: the same typed into the Excel template that `rendement sjabloon` writes;
- `raming`: a plan: a project that has just started and its projectopgave of soort raming for
  the next year, in the template.

Their MKBA rests on the sector's reference rates (`rendement.mkba.reference`), so they are
appended after the registering organisations whose measurements make those rates. Each draws
from its own stream, seeded with `(seed, OTHER_STREAM + position)`, and has its own block of
ids and names (ORG901 …, the names of those positions in the pool): the same organisation
whatever the number of registering ones, and ORG009 of `--orgs 8` stays free for a test that
adds a late organisation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

import numpy as np
import polars as pl

from rendement.demo import profiles as P
from rendement.demo.generator import (
    DEFAULT_YEARS,
    OrgDemo,
    effort_and_costs,
    export_schema,
    generate_sector,
    load_municipalities,
    organisation_names,
)
from schemas.vocabulary import ALL_INTERVENTIONS, COST_TYPES, INTERVENTIONS, RECOGNITION_LEVELS
from sources.mapping import VOCABULARY_LABELS

REGISTRATION, ACTIVITIES, SHEET, TEMPLATE, PLAN = (
    "registratie", "activiteiten", "projectblad", "sjabloon", "raming",
)  # fmt: skip
KINDS: tuple[str, ...] = (REGISTRATION, ACTIVITIES, SHEET, TEMPLATE, PLAN)
TEMPLATE_KINDS = frozenset({TEMPLATE, PLAN})  # delivered as the filled-in Excel template

# The attendance list's columns, as `presentielijst.yaml` knows them (its first header each).
ATTENDANCE_COLUMNS: dict[str, pl.DataType] = {
    "Activiteitnummer": pl.String,
    "Activiteitnaam": pl.String,
    "Soort activiteit": pl.String,
    "Projectcode": pl.String,
    "Projectnaam": pl.String,
    "Werksoort": pl.String,
    "Datum bijeenkomst": pl.Date,
    "Deelnemernummer": pl.String,
    "Uren vrijwilligers activiteit": pl.Float64,
}
_DOMAIN_OF = {code: d for d, per in INTERVENTIONS.items() for code in per}
_COST_TYPES = list(COST_TYPES)


def generate_demo(
    orgs: int = 40,
    seed: int = 7,
    years: tuple[int, ...] = DEFAULT_YEARS,
    *,
    gemeenten: Sequence[str] | None = None,
) -> Iterator[OrgDemo]:
    """The demo of `rendement demo`: `orgs` registering organisations (`generate_sector`),
    then one organisation per entry of `profiles.OTHER_ORGANISATIONS`."""
    municipalities = list(gemeenten) if gemeenten is not None else load_municipalities()
    yield from generate_sector(orgs, seed, years, gemeenten=municipalities)
    yield from generate_others(seed, orgs, years, municipalities)


def generate_others(
    seed: int, after: int, years: tuple[int, ...], municipalities: Sequence[str]
) -> Iterator[OrgDemo]:
    """The organisations without client registrations, after `after` registering ones:
    numbered from `profiles.OTHER_FIRST_NUMBER` (ORG901 …), or from `after` + 1 when the
    registering ones reach that number."""
    year_list = sorted({int(y) for y in years})
    first = max(P.OTHER_FIRST_NUMBER, after + 1)
    names = organisation_names(seed, first - 1 + len(P.OTHER_ORGANISATIONS))[first - 1 :]
    for k, spec in enumerate(P.OTHER_ORGANISATIONS):
        rng = np.random.default_rng([seed, P.OTHER_STREAM + k])
        yield _other(rng, f"ORG{first + k:03d}", names[k], spec, year_list, municipalities)


def _other(
    rng: np.random.Generator,
    org_id: str,
    naam: str,
    spec: P.OtherOrganisation,
    years: list[int],
    municipalities: Sequence[str],
) -> OrgDemo:
    n_mun = len(municipalities)
    home = municipalities[int(rng.integers(n_mun))]
    encoding = str(rng.choice(list(P.ENCODINGS), p=_shares(P.ENCODINGS)))
    wage = rng.uniform(*P.WAGE_COST_PER_FTE)
    overhead_rate = rng.uniform(*P.OVERHEAD_RATE)
    size = rng.lognormal(0.0, P.OTHER_SIZE_SIGMA)
    growth = rng.normal(P.YEARLY_GROWTH_MEAN, P.YEARLY_GROWTH_SD)
    plan = spec.kind == PLAN
    if plan:  # a project that started in the last year: nothing realised to report yet
        years = years[-1:]
    codes = list(spec.interventions)
    n_proj = len(codes)
    iv = np.array([ALL_INTERVENTIONS.index(c) for c in codes])
    project_ids = [f"P{j + 1:03d}" for j in range(n_proj)]
    wijk = rng.integers(len(P.NEIGHBOURHOODS), size=n_proj)
    names = [
        P.INTERVENTIONS[c]
        .names[int(rng.integers(len(P.INTERVENTIONS[c].names)))]
        .format(wijk=P.NEIGHBOURHOODS[w])
        for c, w in zip(codes, wijk, strict=True)
    ]
    recognition = [_draw(rng, P.INTERVENTIONS[c].recognition, RECOGNITION_LEVELS) for c in codes]
    first = dt.date(years[0], 1, 1)
    earliest = dt.date.fromisoformat(P.PROJECTS_EARLIEST_START)
    if plan:
        starts = [dt.date(years[-1], 9, 1) for _ in codes]
    else:
        span = (first - earliest).days
        starts = [earliest + dt.timedelta(days=int(u * span)) for u in rng.random(n_proj)]
    in_home = rng.random(n_proj) < P.PROJECT_IN_HOME_MUNICIPALITY
    places = [home if h else municipalities[int(rng.integers(n_mun))] for h in in_home]

    # people reached per project x year, and the inzet and kosten that go with them
    reach_mult = rng.lognormal(0.0, P.PROJECT_REACH_SIGMA, n_proj)
    trend = (1.0 + growth) ** (np.array(years) - years[0])
    reach_rate = np.array([P.INTERVENTIONS[c].reach for c in codes])
    expected = (reach_rate * size * reach_mult)[:, None] * trend[None, :]
    reach = np.maximum(1, rng.poisson(expected))
    days = np.array([[366 if y % 4 == 0 else 365 for y in years]] * n_proj)
    fte, hours, volunteers, volunteer_hours, costs = effort_and_costs(
        rng, reach, iv, days, wage, overhead_rate
    )

    project = pl.DataFrame(
        {
            "project_id": project_ids,
            "naam": names,
            "domein": [_DOMAIN_OF[c] for c in codes],
            "interventie": codes,
            "erkenning": recognition,
            "startdatum": starts,
            "einddatum": [None] * n_proj,
            "gemeente_code": places,
        },
        schema=export_schema("project"),
    )
    tables: dict[int, dict[str, pl.DataFrame]] = {}
    attendance: dict[int, pl.DataFrame] = {}
    for c, y in enumerate(years):
        year: dict[str, pl.DataFrame] = {}
        if spec.kind in (ACTIVITIES, SHEET):
            year["organisatie"] = pl.DataFrame({"naam": [naam], "gemeente_code": [home]})
        year["project"] = project
        if spec.kind == ACTIVITIES:
            attendance[y] = _attendance(rng, y, codes, project_ids, names, reach[:, c],
                                        volunteer_hours[:, c])  # fmt: skip
        elif plan:
            # the plan's budget: what a year of the project would cost (rounded to hundreds)
            budget = np.round(costs[:, c].sum(-1), -2)
            year["projectopgave"] = _sheet(
                rng, y + 1, "raming", codes, project_ids, reach[:, c], budget
            )
        else:
            year["projectopgave"] = _sheet(rng, y, "realisatie", codes, project_ids, reach[:, c])
        if not plan:
            year["inzet"] = pl.DataFrame(
                {
                    "project_id": project_ids,
                    "jaar": [y] * n_proj,
                    "fte_betaald": fte[:, c],
                    "uren_betaald": hours[:, c],
                    "vrijwilligers": volunteers[:, c],
                    "uren_vrijwilligers": volunteer_hours[:, c],
                },
                schema=export_schema("inzet"),
            )
            year["kosten"] = pl.DataFrame(
                {
                    "project_id": np.repeat(project_ids, len(_COST_TYPES)),
                    "jaar": [y] * (n_proj * len(_COST_TYPES)),
                    "kostensoort": _COST_TYPES * n_proj,
                    "bedrag": costs[:, c].ravel(),
                },
                schema=export_schema("kosten"),
            ).filter(pl.col("bedrag") > 0)
        tables[y] = year
    return OrgDemo(
        organisatie_id=org_id,
        naam=naam,
        encoding=encoding,
        file_format="xlsx" if spec.kind in TEMPLATE_KINDS else "csv",
        tables=tables,
        # a title row with the year: otherwise the project file of one year could be the same
        # bytes as the year before, and an unchanged file is skipped, so that the projects of
        # that year's attendance list (with fewer details) would stay the latest delivery
        titelregel=spec.kind == ACTIVITIES,
        kind=spec.kind,
        attendance=attendance,
    )


def _shares(weights: dict) -> list[float]:
    total = sum(weights.values())
    return [w / total for w in weights.values()]


def _draw(rng: np.random.Generator, weights: dict[str, float], codes) -> str | None:
    if not weights or rng.random() < P.RECOGNITION_MISSING:
        return None
    keys = [k for k in codes if k in weights]
    return str(rng.choice(keys, p=_shares({k: weights[k] for k in keys})))


def _sheet(
    rng: np.random.Generator,
    year: int,
    soort: str,
    codes: list[str],
    project_ids: list[str],
    reach: np.ndarray,
    budget: np.ndarray | None = None,
) -> pl.DataFrame:
    """The project sheet of one year: a totals row per project (a plan with its budget; now
    and then the office's own words on what changed), and an outcome the office counted itself
    now and then (realisations; a plan gives its expected count too)."""
    rows = []
    for j, (code, pid, n) in enumerate(zip(codes, project_ids, reach, strict=True)):
        n = int(n)
        done_share = P.END_REASON_SHARES[_DOMAIN_OF[code]]["afgerond"]
        contacts = P.CONTACTS_PER_PERSON.get(code, 1.0) * rng.lognormal(0.0, 0.2)
        words = P.OWN_WORDS.get(code) if rng.random() < P.OWN_WORDS_CHANCE else None
        rows.append(
            dict(project_id=pid, jaar=year, soort=soort, bereikt=n,
                 contacten=int(round(n * contacts)), afgerond=int(rng.binomial(n, done_share)),
                 begroting=None if budget is None else float(budget[j]),
                 kwalitatieve_effecten=words)
        )  # fmt: skip
        own = P.OWN_OUTCOME_COUNTS.get(code)
        if own is not None and rng.random() < P.OWN_OUTCOME_CHANCE:
            outcome, share, how = own
            rows.append(
                dict(project_id=pid, jaar=year, soort=soort, uitkomst=outcome,
                     aantal=int(rng.binomial(n, share)),
                     vastgesteld="schatting" if soort == "raming" else how)
            )  # fmt: skip
    return pl.DataFrame(rows, schema=export_schema("projectopgave"))


def _attendance(
    rng: np.random.Generator,
    year: int,
    codes: list[str],
    project_ids: list[str],
    names: list[str],
    reach: np.ndarray,
    volunteer_hours: np.ndarray,
) -> pl.DataFrame:
    """One year's attendance list: per project its people reached split into groups (one
    activity each, a series of meetings in the year), each member present at a meeting with
    the intervention's chance; a meeting group also runs a walk-in without participant
    numbers. Participant numbers are `D` and digits, unique within the year's list."""
    frames = []
    person = 0
    number = 0
    for code, pid, pname, n, vol in zip(codes, project_ids, names, reach, volunteer_hours,
                                        strict=True):  # fmt: skip
        spec = P.ATTENDANCE[code]
        n = int(n)
        groups = max(1, int(round(n / spec.group_size)))
        sizes = np.diff(np.linspace(0, n, groups + 1).round().astype(np.int64))
        activities = [(f, int(s)) for f, s in zip(
            [spec.forms[0] if rng.random() < 0.75 else spec.forms[-1] for _ in sizes], sizes,
            strict=True)]  # fmt: skip
        if code == "ontmoetingsgroep":
            activities.append((P.ANONYMOUS_WALK_IN, 0))
        hours_each = float(vol) / len(activities)
        for form, members in activities:
            number += 1
            meetings = int(rng.integers(spec.meetings[0], spec.meetings[1] + 1))
            first = int(rng.integers(0, 21))
            step = max(1, 350 // meetings)
            dates = np.datetime64(f"{year}-01-02") + first + step * np.arange(meetings)
            dates = dates[dates <= np.datetime64(f"{year}-12-31")]
            if members:
                present = rng.random((members, dates.size)) < spec.presence
                who, when = np.nonzero(present)
                ids = [f"D{person + i + 1:05d}" for i in who]
                person += members
            else:  # anonymous walk-in: visitors counted, no numbers
                visits = rng.integers(*P.ANONYMOUS_WALK_IN_VISITS, size=dates.size)
                when = np.repeat(np.arange(dates.size), visits)
                ids = [None] * when.size
            frames.append(
                pl.DataFrame(
                    {
                        "Activiteitnummer": f"A{year}-{number:03d}",
                        "Activiteitnaam": f"{form} {pname}",
                        "Soort activiteit": form,
                        "Projectcode": pid,
                        "Projectnaam": pname,
                        "Werksoort": spec.werksoort,
                        "Datum bijeenkomst": dates[when].astype("datetime64[D]"),
                        "Deelnemernummer": pl.Series(ids, dtype=pl.String),
                        "Uren vrijwilligers activiteit": round(hours_each, 1),
                    },
                    schema=ATTENDANCE_COLUMNS,
                ).sort("Datum bijeenkomst", "Deelnemernummer", maintain_order=True)
            )
    return pl.concat(frames)


def template_rows(tables: dict[str, pl.DataFrame]) -> dict[str, list[dict]]:
    """One year's tables as an office types them into the template (`rendement sjabloon`):
    sheet -> rows of field -> value, codes shown as the words of the drop-down lists."""

    def label(table: str, code: str | None) -> str | None:
        return None if code is None else VOCABULARY_LABELS[table][code]

    out: dict[str, list[dict]] = {"Projecten": [], "Projectopgave": [], "Inzet": [], "Kosten": []}
    for r in tables["project"].iter_rows(named=True):
        out["Projecten"].append(
            dict(projectcode=r["project_id"], naam=r["naam"], domein=label("domein", r["domein"]),
                 interventie=label("interventie", r["interventie"]),
                 erkenning=label("erkenning", r["erkenning"]), startdatum=r["startdatum"],
                 einddatum=r["einddatum"], gemeente=r["gemeente_code"])
        )  # fmt: skip
    for r in tables.get("projectopgave", pl.DataFrame()).iter_rows(named=True):
        out["Projectopgave"].append(
            dict(projectcode=r["project_id"], jaar=r["jaar"], soort=r["soort"],
                 uitkomst=label("uitkomst", r["uitkomst"]), bereikt=r["bereikt"],
                 contacten=r["contacten"], afgerond=r["afgerond"], aantal=r["aantal"],
                 vastgesteld=label("vastgesteld", r["vastgesteld"]), begroting=r["begroting"],
                 kwalitatieve_effecten=r["kwalitatieve_effecten"])
        )  # fmt: skip
    for r in tables.get("inzet", pl.DataFrame()).iter_rows(named=True):
        out["Inzet"].append({"projectcode": r.pop("project_id"), **r})
    for r in tables.get("kosten", pl.DataFrame()).iter_rows(named=True):
        out["Kosten"].append(
            dict(projectcode=r["project_id"], jaar=r["jaar"],
                 kostensoort=label("kostensoort", r["kostensoort"]), bedrag=r["bedrag"])
        )  # fmt: skip
    return out

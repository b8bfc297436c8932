"""The portal's deviation pages: an organisation proposes its own value for a parameter (a
local unit price, a duration, a correction) with a justification and a source; an analyst
accepts or rejects it. What the pages show and do, as plain functions; the handlers are in
`rendement.service.portal` (routes `/portaal/{org}/afwijkingen`, `/portaal/afwijkingen`).

A proposal is checked as it is made, with the rules the MKBA applies
(`rendement.mkba.overrides.check`: a number within the parameter's bounds, a delivered project,
one value per parameter), and again when an analyst accepts it. Accepted, it counts from the
organisation's next MKBA run, for its own report only. Both steps reach the audit log through
the request's record (account id, never an e-mail address).
"""

from __future__ import annotations

import functools

from rendement.core.accounts import Account
from rendement.core.home import Home
from rendement.core.lake import Lake
from rendement.core.proposals import (
    STATUS_LABELS,
    SUBMITTED,
    ProposalError,
    ProposalStore,
)
from rendement.core.registry import Registry
from rendement.core.templates import render
from rendement.mkba import overrides
from rendement.mkba.bounds import bounds_for
from rendement.mkba.params import CORRECTIONS, ParameterSet, load_parameters
from rendement.reports.deviations import value_text
from rendement.service.pages import local_time
from rendement.service.portal_pages import _page
from schemas.vocabulary import DOMAINS

FIELDS = {
    "parameter": "Parameter",
    "project_id": "Project",
    "waarde": "Waarde",
    "toelichting": "Toelichting",
    "bron": "Bron",
    "organisatie_id": "Organisatie",
}
KIND_LABELS = {
    "eenheidswaarde": "waarde per eenheid",
    "factor": "hoeveelheid per deelnemer",
    "duur": "duur in jaren",
    "drop_off": "drop-off",
    "deadweight": "deadweight",
    "displacement": "verdringing",
    "attributie": "attributie",
}
COST_LABELS = {
    "fte": "Loonkosten per fte",
    "vrijwilliger_coordinatie": "Begeleiding per vrijwilliger",
    "vrijwilliger_onkosten": "Onkostenvergoeding per vrijwilliger",
}
MAX_FIELD = 2000


@functools.cache
def parameters() -> ParameterSet:
    """The standard set the MKBA runs with (the shipped one)."""
    return load_parameters()


def options(params: ParameterSet) -> list[dict]:
    """What an organisation may propose a value for, grouped: the standard costs, then per
    domain the priced outcomes' value, quantity factor, duration and corrections."""
    groups = [{"label": "Kosten", "items": []}]
    for kind in params.kosten:
        path = f"kosten.{kind}"
        groups[0]["items"].append(_option(params, path, COST_LABELS.get(kind, kind)))
    by_domain: dict[str, list] = {}
    for pw in params.uitkomsten:
        if not pw.gewaardeerd:
            continue
        kinds = ["eenheidswaarde", "duur", *CORRECTIONS]
        if pw.hoeveelheid.factor.bron:
            kinds.insert(1, "factor")
        for kind in kinds:
            path = f"uitkomsten.{pw.code}.{kind}"
            label = f"{pw.naam}: {KIND_LABELS[kind]}"
            by_domain.setdefault(pw.domein, []).append(_option(params, path, label))
    for domain, items in by_domain.items():
        groups.append({"label": DOMAINS.get(domain, domain), "items": items})
    return groups


def _option(params: ParameterSet, path: str, label: str) -> dict:
    param = params.resolve(path)[0]  # money in euros of the price year
    bounds = bounds_for(params, path)
    standard = value_text(path, param.basis)
    return {
        "path": path,
        "label": label,
        "hint": f"standaard {standard}; toegestaan {bounds.text()}",
    }


def _labels(params: ParameterSet) -> dict[str, str]:
    return {o["path"]: o["label"] for g in options(params) for o in g["items"]}


def project_ids(home: Home, org: str) -> list[str]:
    """The organisation's delivered projects (the accepted project table)."""
    frame = Lake(home.lake).accepted_tables(org, ("project",)).get("project")
    if frame is None or not frame.height:
        return []
    return sorted(frame["project_id"].drop_nulls().unique().to_list())


def _proposal_row(p: dict, labels: dict[str, str]) -> dict:
    return {
        **p,
        "label": labels.get(p["parameter"], p["parameter"]),
        "project": p["project_id"] or "Alle projecten",
        "waarde_tekst": value_text(p["parameter"], p["waarde"]),
        "status_label": STATUS_LABELS.get(p["status"], p["status"]),
        "ingediend": local_time(p["ingediend_op"]),
        "besloten": local_time(p.get("besloten_op")),
    }


def _refused_in_run(home: Home, org: str) -> list[dict]:
    """The organisation's deviations refused at its last MKBA run, for its page."""
    return [
        {
            "plaats": r.plaats,
            "kolom": FIELDS.get(r.kolom or "", r.kolom or ""),
            "melding": r.melding,
        }
        for r in overrides.refused_at_last_run(Lake(home.lake), org)
    ]


def org_view(home: Home, org: str) -> dict:
    params = parameters()
    labels = _labels(params)
    store = ProposalStore.load(home.proposals)
    return {
        "groups": options(params),
        "projects": project_ids(home, org),
        "proposals": [_proposal_row(p, labels) for p in store.of(org)],
        "refused": _refused_in_run(home, org),
    }


def _field(form, name: str) -> str:
    return str(form.get(name) or "").strip()[:MAX_FIELD]


def _problems(home: Home, candidate: overrides.Deviation, replacing: str | None) -> list[str]:
    """Why `candidate` would be refused, next to everything else the organisation has
    (its lines in the analysts' file and its accepted proposals, except the one it replaces)."""
    params = parameters()
    org = candidate.organisatie_id
    given, _unreadable = overrides.gather(home.overrides, home.proposals)
    key = (candidate.project_id, candidate.parameter)
    others = [
        d
        for d in given
        if d.organisatie_id == org
        and d.voorstel != replacing
        and not (d.herkomst == overrides.FROM_PORTAL and (d.project_id, d.parameter) == key)
    ]
    registered = set(Registry.load(home.registry).organisations())
    checked = overrides.check(
        [*others, candidate], params, registered, {org: set(project_ids(home, org))}
    )
    return [
        f"{FIELDS.get(r.kolom or '', r.kolom or '')}: {r.melding}"
        for r in checked.refused
        if r.deviation is candidate
    ]


def propose(home: Home, account: Account, form) -> tuple[str | None, list[str], dict]:
    """Check and store a proposal of the signed-in organisation: (its id or None, the Dutch
    problems, the values typed, for the form again)."""
    org = account.organisatie_id
    values = {name: _field(form, name) for name in ("parameter", "project_id", "waarde")}
    values |= {name: _field(form, name) for name in ("toelichting", "bron")}
    candidate = overrides.proposal_deviation(
        organisatie_id=org,
        project_id=values["project_id"] or None,
        parameter=values["parameter"],
        tekst=values["waarde"],
        toelichting=values["toelichting"],
        bron=values["bron"],
    )
    problems = _problems(home, candidate, None)
    if values["parameter"] not in _labels(parameters()):
        problems.insert(0, "Parameter: kies een parameter uit de lijst")
    if not values["bron"]:
        problems.append("Bron: noem de bron van uw waarde (een onderzoek, uw eigen registratie)")
    if problems:
        return None, problems, values
    with ProposalStore.edit(home.proposals) as store:
        ident = store.propose(
            organisatie_id=org,
            project_id=candidate.project_id,
            parameter=candidate.parameter,
            waarde=candidate.waarde,
            tekst=candidate.tekst,
            toelichting=candidate.toelichting,
            bron=candidate.bron,
            door=account.id,
        )
    return ident, [], values


def analyst_view(home: Home) -> dict:
    params = parameters()
    labels = _labels(params)
    store = ProposalStore.load(home.proposals)
    given, unreadable = overrides.gather(home.overrides, home.proposals)
    names = Registry.load(home.registry).organisations()
    registered = set(names)
    orgs = {d.organisatie_id for d in given if d.organisatie_id in registered}
    projects = {org: set(project_ids(home, org)) for org in orgs}
    checked = overrides.check(given, params, registered, projects)
    rows = [
        _proposal_row(p, labels) | {"naam": names.get(p["organisatie_id"], "")} for p in store.all()
    ]
    return {
        "pending": [r for r in rows if r["status"] == SUBMITTED],
        "decided": [r for r in rows if r["status"] != SUBMITTED][:50],
        "problems": [r.message for r in [*unreadable, *checked.refused]],
        "applied": len(checked.accepted),
    }


def decide(home: Home, account: Account, ident: str, besluit: str, reden: str) -> dict:
    """Accept or reject a waiting proposal; an accepted one is checked again first (the
    organisation's projects or the standard set may have changed). ProposalError (Dutch)
    when it cannot be done."""
    if besluit not in ("aanvaarden", "afwijzen"):
        raise ProposalError("Kies aanvaarden of afwijzen.")
    accept = besluit == "aanvaarden"
    found = ProposalStore.load(home.proposals).get(ident)
    if found is None:
        raise ProposalError("Dit voorstel bestaat niet.")
    if accept and found["status"] == SUBMITTED:
        candidate = overrides.proposal_deviation(
            organisatie_id=found["organisatie_id"],
            project_id=found["project_id"],
            parameter=found["parameter"],
            tekst=found["tekst"],
            toelichting=found["toelichting"],
            bron=found["bron"],
            ident=ident,
        )
        problems = _problems(home, candidate, ident)
        if problems:
            raise ProposalError("Dit voorstel kan niet worden aanvaard: " + "; ".join(problems))
    with ProposalStore.edit(home.proposals) as store:
        return store.decide(ident, accept=accept, door=account.id, reden=reden[:MAX_FIELD])


# ------------------------------------------------------------------------------ pages


def org_page(
    account: Account,
    csrf: str,
    view: dict,
    *,
    notice: str | None = None,
    problems: list[str] | None = None,
    values: dict | None = None,
) -> str:
    org = account.organisatie_id
    body = render(
        "rendement.service",
        "deviations_org.html",
        org=org,
        csrf=csrf,
        notice=notice,
        problems=problems or [],
        values=dict.fromkeys(("parameter", "project_id", "waarde", "toelichting", "bron"), "")
        | (values or {}),
        **view,
    )
    return _page("Eigen waarden (afwijkingen)", body, account, csrf, f"/portaal/{org}/afwijkingen")


def analyst_page(
    account: Account,
    csrf: str,
    view: dict,
    *,
    notice: str | None = None,
    problem: str | None = None,
) -> str:
    body = render(
        "rendement.service",
        "deviations_analyst.html",
        csrf=csrf,
        notice=notice,
        problem=problem,
        **view,
    )
    return _page("Afwijkingen beoordelen", body, account, csrf, "/portaal/afwijkingen")

"""The portal's project sheet pages: show the form of one year (prefilled from the lake) and
take a submission along the upload's own path (`Service.store_received`: pre-flight, receipt,
audit line with the account, run trigger).

A submission with row errors is not stored (`keep`): the form comes back with the values as
typed and each Dutch finding at its field, and nothing accepted before changes. One without
errors (warnings allowed) becomes a delivery like any upload, and the person lands on its
receipt. The values are `rendement.service.projectblad`, the findings' placing `projectblad_findings`.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from rendement.core.tokens import valid_org_id
from rendement.intake.sjabloon import default_year
from rendement.service import portal_pages, projectblad, projectblad_findings
from rendement.service.answers import csrf_token, info
from rendement.service.errors import bad_request, not_found
from rendement.service.receive import Received, TempUpload

NOT_STORED = "niet_opgeslagen"
STOPS = ("geweigerd", "deels_geaccepteerd")  # verdicts that keep the sheet out of the inbox
UNCHANGED = (
    "Er is niets veranderd ten opzichte van wat al is aangenomen; er is daarom niets aangeleverd."
)


def keep(verdict: dict) -> bool:
    """Store only a sheet intake would take whole (warnings and a hold are fine)."""
    return verdict.get("oordeel") not in STOPS


def year_of(request: Request) -> int:
    raw = request.query_params.get("jaar") or ""
    if not raw:
        return default_year()
    if not (raw.isdigit() and 2000 <= int(raw) <= 2100):
        raise bad_request("Geef het jaar als jaartal, bijvoorbeeld ?jaar=2025.")
    return int(raw)


def _page(account, request: Request, org: str, sheet, found, edit: bool, notice=None) -> str:
    return portal_pages.projectblad_page(
        account,
        csrf_token(request),
        org,
        year=sheet.year,
        years=sorted({*projectblad.years(), sheet.year}, reverse=True),
        sheet=sheet,
        found=found,
        edit=edit,
        lab=projectblad.labels(),
        keuze=projectblad.choices(),
        interventies=projectblad.interventions(),
        empty=projectblad.EMPTY_OUTCOMES,
        notice=notice,
    )


async def show(portal, request: Request, account) -> Response:
    """GET: the form (an analyst sees any organisation's sheet, read only)."""
    org = request.path_params["org"]
    if account.is_analyst and not valid_org_id(org):
        raise not_found("Deze organisatie bestaat niet.")
    year = year_of(request)
    info(request)["details"]["jaar"] = year
    sheet = await run_in_threadpool(projectblad.load, portal.home, org, year)
    return HTMLResponse(_page(account, request, org, sheet, None, not account.is_analyst))


def _received(folder, data: bytes, name: str, limit: int) -> Received:
    temp = TempUpload(folder, limit)
    try:
        temp.write(data)
        checksum = temp.finish()
    except BaseException:
        temp.discard()
        raise
    return Received(temp, name, checksum)


async def submit(portal, request: Request, account) -> Response:
    """POST (CSRF-checked by the middleware): the values as a filled template, delivered."""
    org = account.organisatie_id
    year = year_of(request)
    record = info(request)
    record["organisatie_id"] = org
    record["details"].update(kanaal="formulier", jaar=year)
    form = await request.form(max_fields=projectblad.MAX_FIELDS)
    values = {k: str(v) for k, v in form.items() if isinstance(v, str)}
    base = await run_in_threadpool(projectblad.load, portal.home, org, year)
    sheet = projectblad.from_form(values, base)
    if projectblad.unchanged(sheet):
        record["uitkomst"] = "niets_veranderd"
        page = _page(account, request, org, sheet, None, True, notice=UNCHANGED)
        return HTMLResponse(page)
    data, places = await run_in_threadpool(projectblad.workbook, sheet)
    name = projectblad.original_name(year)
    received = _received(portal.home.org_inbox(org), data, name, portal.settings.max_upload_bytes)
    status, receipt = await portal.svc.store_received(request, received, keep=keep)
    if receipt.get("status") == NOT_STORED:
        verdict = receipt.get("voorcontrole") or {}
        stored_name = verdict.get("bestand") or ""
        found = projectblad_findings.errors_by_field(verdict, places, stored_name, name)
        page = _page(account, request, org, sheet, found, True)
        return HTMLResponse(page, 422)
    notice = "al" if status == 200 else "ontvangen"
    target = f"/portaal/{org}/leveringen/{receipt['checksum'][:16]}?{notice}=1"
    return RedirectResponse(target, 303)

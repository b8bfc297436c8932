"""The portal: people sign in with a browser and see their own organisation's deliveries,
receipts, validation reports and report, and deliver files; analysts see the delivery overview.

Next to the Bearer-token API (`rendement.service.app`), which scripts keep using unchanged.
Who someone is comes from the session cookie (starlette's SessionMiddleware, signed with
itsdangerous; see `app.create_app`), checked on every request against the account store, so a
withdrawn account or a new password ends the session at once. Every form carries a CSRF token
(asgi-csrf). Sign-in attempts are held against the failure throttle before the password is
hashed. The audit log gets every request, with the account id (`gebruiker`), never an e-mail
address or a password.

All routes are in `ROUTES` (path, method, handler name) so that later pages (the Impactkaart's
PDF download) join in one place.
"""

from __future__ import annotations

import time

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from rendement.core.accounts import Account, AccountError, AccountStore, normalise_email
from rendement.core.proposals import ACCEPTED, ProposalError
from rendement.intake.sjabloon import default_year, file_name, workbook_bytes
from rendement.service import (
    confirm,
    impactkaart,
    portal_deviations,
    portal_pages,
    portal_views,
    projectblad_form,
    reports,
)
from rendement.service.answers import check_form_token, error_response, info
from rendement.service.answers import csrf_token as csrf
from rendement.service.auth import Accounts
from rendement.service.errors import ServiceError, bad_request, forbidden, not_found

SESSION_COOKIE = "rendement_sessie"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# (path, method, handler): the portal's routes, in matching order.
ROUTES = [
    ("/inloggen", "GET", "sign_in_form"),
    ("/inloggen", "POST", "sign_in"),
    ("/uitloggen", "POST", "sign_out"),
    ("/wachtwoord", "GET", "password_form"),
    ("/wachtwoord", "POST", "set_password"),
    ("/portaal", "GET", "start"),
    ("/portaal/leveringen", "GET", "analyst_overview"),
    ("/portaal/afwijkingen", "GET", "deviations_review"),
    ("/portaal/afwijkingen/{voorstel}", "POST", "deviation_decision"),
    ("/portaal/{org}", "GET", "org_redirect"),
    ("/portaal/{org}/", "GET", "org_home"),
    ("/portaal/{org}/leveringen", "GET", "deliveries"),
    ("/portaal/{org}/leveringen/{kenmerk}", "GET", "delivery"),
    ("/portaal/{org}/leveringen/{kenmerk}/bevestigen", "POST", "confirm"),
    ("/portaal/{org}/aanleveren", "GET", "upload_form"),
    ("/portaal/{org}/aanleveren", "POST", "upload"),
    ("/portaal/{org}/sjabloon.xlsx", "GET", "template"),
    ("/portaal/{org}/projectblad", "GET", "project_sheet"),
    ("/portaal/{org}/projectblad", "POST", "project_sheet_submit"),
    ("/portaal/{org}/afwijkingen", "GET", "deviations"),
    ("/portaal/{org}/afwijkingen", "POST", "propose_deviation"),
    ("/portaal/{org}/rapport/impactkaart/{project}.pdf", "GET", "impactkaart_pdf"),
    ("/portaal/{org}/rapport/{pad:path}", "GET", "report"),
]
# The paths whose forms are checked for a CSRF token even when the browser sends no cookie.
FORM_PATHS = ["/inloggen", "/uitloggen", "/wachtwoord", "/uploaden"]
NOTICES = {
    "ontvangen": "Uw bestand is ontvangen en wacht op verwerking. Hieronder staat het "
    "ontvangstbewijs met de uitkomst van de voorcontrole; ververs de pagina om de status te zien.",
    "al": "Dit bestand was al eerder ontvangen; er is niets nieuws opgeslagen.",
    "bevestigd": "Bevestigd. Bij de volgende verwerking (meestal binnen enkele minuten) vervangt "
    "dit bestand de eerder aangenomen gegevens.",
}
DEVIATION_SENT = (
    "Uw voorstel is verstuurd. Het sectorbureau beoordeelt het; u ziet het besluit hieronder."
)
DECISIONS = {
    "aanvaard": "Aanvaard. De waarde telt vanaf de volgende verwerking van die organisatie mee "
    "in haar eigen rapport.",
    "afgewezen": "Afgewezen. De organisatie ziet uw reden in het portaal.",
}
SIGNED_OUT = "U bent afgemeld."
PASSWORD_SET = "Uw wachtwoord is opgeslagen. Log nu in."
WRONG = "Het e-mailadres of het wachtwoord klopt niet."


class SignInFirst(ServiceError):
    def __init__(self):
        super().__init__(401, "niet_aangemeld", "Log eerst in.")


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def portal_endpoint(action: str):
    """Name the audit action; a visitor who is not signed in goes to the sign-in page, a
    refusal becomes a Dutch page with the portal's navigation."""

    def wrap(handler):
        async def run(self: Portal, request: Request) -> Response:
            info(request)["actie"] = action
            try:
                return await handler(self, request)
            except SignInFirst as exc:
                info(request)["uitkomst"] = exc.code
                return RedirectResponse("/inloggen", 303)
            except ServiceError as exc:
                return error_response(request, exc, nav=portal_pages.nav(self.who(request)))

        run.__name__ = handler.__name__
        return run

    return wrap


class Portal:
    """The portal's handlers, sharing the upload path and the throttle with the API (`svc`)."""

    def __init__(self, svc):
        self.svc = svc
        self.home = svc.home
        self.settings = svc.settings
        self.accounts = Accounts(svc.home.accounts)
        self.throttle = svc.auth.throttle

    # --- who ----------------------------------------------------------------------------
    def who(self, request: Request) -> Account | None:
        """The signed-in account, or None (an outdated or expired session is cleared)."""
        if "portal_account" in request.scope:
            return request.scope["portal_account"]
        session = request.session
        account = self.accounts.session_account(session)
        since = session.get("sinds")
        max_age = self.settings.session_hours * 3600
        if account is not None and not (isinstance(since, int) and time.time() - since < max_age):
            account = None
        if account is None and session:
            session.clear()
        if account is not None:
            record = info(request)
            record["details"]["gebruiker"] = account.id
            if account.organisatie_id:
                record["organisatie_id"] = account.organisatie_id
        request.scope["portal_account"] = account
        return account

    def member(self, request: Request) -> Account:
        """The signed-in person, who must belong to the organisation in the path (if any)."""
        account = self.who(request)
        if account is None:
            raise SignInFirst()
        org = request.path_params.get("org")
        if org is not None and (account.is_analyst or account.organisatie_id != org):
            info(request)["details"]["gevraagde_organisatie"] = org[:40]
            raise forbidden("U ziet alleen de pagina's van uw eigen organisatie.")
        return account

    # --- signing in and out -------------------------------------------------------------
    @portal_endpoint("inlogpagina")
    async def sign_in_form(self, request: Request) -> Response:
        if self.who(request) is not None:
            return RedirectResponse("/portaal", 303)
        q = request.query_params
        message = SIGNED_OUT if "afgemeld" in q else PASSWORD_SET if "wachtwoord" in q else None
        return HTMLResponse(portal_pages.login_page(csrf(request), message=message, css="ok"))

    @portal_endpoint("inloggen")
    async def sign_in(self, request: Request) -> Response:
        record = info(request)
        form = await request.form()
        email = str(form.get("email") or "")[:320]
        password = str(form.get("wachtwoord") or "")
        store = self.accounts.store()
        known = store.find(email)
        try:
            typed = normalise_email(email)
        except AccountError:
            typed = email.strip().lower()[:254]
        keys = [("adres", client_address(request)), ("account", typed)]
        if known is not None:
            record["details"]["gebruiker"] = known.id
            if known.organisatie_id:
                record["organisatie_id"] = known.organisatie_id
            group = f"organisatie:{known.organisatie_id}" if known.organisatie_id else "analist"
            keys.append(("organisatie", group))
        else:
            record["details"]["gebruiker"] = "onbekend"
        if (wait := self.throttle.wait(keys)) is not None:
            record["uitkomst"] = "geblokkeerd"
            minutes = max(1, -(-wait // 60))
            message = (
                f"Te veel mislukte pogingen. Probeer het over {minutes} "
                f"{'minuut' if minutes == 1 else 'minuten'} opnieuw."
            )
            page = portal_pages.login_page(csrf(request), message=message, css="fout", email=email)
            return HTMLResponse(page, 429, {"Retry-After": str(wait)})
        account = await run_in_threadpool(store.verify, email, password)
        if account is None:
            self.throttle.failed(keys)
            record["uitkomst"] = "mislukt"
            page = portal_pages.login_page(csrf(request), message=WRONG, css="fout", email=email)
            return HTMLResponse(page, 401)
        self.throttle.succeeded(keys)
        request.session.clear()
        request.session.update(gebruiker=account.id, sessie=account.sessie, sinds=int(time.time()))
        record["uitkomst"] = "ingelogd"
        return RedirectResponse("/portaal", 303)

    @portal_endpoint("afmelden")
    async def sign_out(self, request: Request) -> Response:
        account = self.who(request)
        if account is not None:
            await run_in_threadpool(self._end_sessions, account.id)
            info(request)["uitkomst"] = "afgemeld"
        request.session.clear()
        return RedirectResponse("/inloggen?afgemeld=1", 303)

    def _end_sessions(self, ident: str) -> None:
        with AccountStore.edit(self.home.accounts) as store:
            store.end_sessions(ident)

    @portal_endpoint("wachtwoord")
    async def password_form(self, request: Request) -> Response:
        code = request.query_params.get("code")
        account = self.accounts.store().for_code(code)
        if account is None:
            info(request)["uitkomst"] = "link_ongeldig"
            page = portal_pages.password_page(
                csrf(request),
                code=None,
                message="Deze link is verlopen of al gebruikt. Vraag het sectorbureau om een "
                "nieuwe.",
                css="fout",
            )
            return HTMLResponse(page, 404)
        info(request)["details"]["gebruiker"] = account.id
        return HTMLResponse(
            portal_pages.password_page(csrf(request), code=code, email=account.email)
        )

    @portal_endpoint("wachtwoord_kiezen")
    async def set_password(self, request: Request) -> Response:
        form = await request.form()
        code = str(form.get("code") or "")
        password = str(form.get("wachtwoord") or "")
        account = self.accounts.store().for_code(code)
        email = account.email if account else ""
        if account is not None:
            info(request)["details"]["gebruiker"] = account.id
        if password != str(form.get("herhaling") or ""):
            info(request)["uitkomst"] = "wachtwoorden_verschillen"
            page = portal_pages.password_page(
                csrf(request),
                code=code if account else None,
                email=email,
                message="De twee wachtwoorden zijn niet gelijk.",
                css="fout",
            )
            return HTMLResponse(page, 400)
        try:
            await run_in_threadpool(self._set_password, code, password)
        except AccountError as exc:
            info(request)["uitkomst"] = "geweigerd"
            page = portal_pages.password_page(
                csrf(request),
                code=code if account else None,
                email=email,
                message=str(exc),
                css="fout",
            )
            return HTMLResponse(page, 400)
        info(request)["uitkomst"] = "wachtwoord_gezet"
        request.session.clear()
        return RedirectResponse("/inloggen?wachtwoord=1", 303)

    def _set_password(self, code: str, password: str) -> None:
        with AccountStore.edit(self.home.accounts) as store:
            store.set_password(code, password)

    # --- pages --------------------------------------------------------------------------
    @portal_endpoint("portaal")
    async def start(self, request: Request) -> Response:
        account = self.member(request)
        if account.is_analyst:
            return RedirectResponse("/portaal/leveringen", 303)
        return RedirectResponse(f"/portaal/{account.organisatie_id}/", 303)

    @portal_endpoint("portaal")
    async def org_redirect(self, request: Request) -> Response:
        self.member(request)
        return RedirectResponse(f"/portaal/{request.path_params['org']}/", 308)

    @portal_endpoint("portaal")
    async def org_home(self, request: Request) -> Response:
        account = self.member(request)
        org = account.organisatie_id
        rows, naam, has = await run_in_threadpool(self._home_data, org)
        report = f"/portaal/{org}/rapport/index.html" if has else None
        page = portal_pages.home_page(account, csrf(request), naam=naam, report=report, rows=rows)
        return HTMLResponse(page)

    def _home_data(self, org: str):
        return (
            portal_views.deliveries(self.home, org),
            portal_views.org_name(self.home, org),
            portal_views.has_report(self.home, org),
        )

    @portal_endpoint("portaal_aanleveringen")
    async def deliveries(self, request: Request) -> Response:
        account = self.member(request)
        rows = await run_in_threadpool(portal_views.deliveries, self.home, account.organisatie_id)
        return HTMLResponse(portal_pages.deliveries_page(account, csrf(request), rows))

    @portal_endpoint("portaal_aanlevering")
    async def delivery(self, request: Request) -> Response:
        account = self.member(request)
        kenmerk = request.path_params["kenmerk"]
        found = await run_in_threadpool(
            portal_views.delivery, self.home, account.organisatie_id, kenmerk
        )
        if found is None:
            raise not_found("Deze aanlevering bestaat niet (of hoort niet bij uw organisatie).")
        info(request)["checksum"] = found["checksum"]
        notice = next((NOTICES[k] for k in NOTICES if k in request.query_params), None)
        if notice == NOTICES["ontvangen"] and found["status"] not in ("ontvangen", "in_verwerking"):
            notice = None  # the page was reloaded after processing: the status says it all
        return HTMLResponse(portal_pages.delivery_page(account, csrf(request), found, notice))

    @portal_endpoint("bevestiging")
    async def confirm(self, request: Request) -> Response:
        """The confirm button of a held re-upload (a form with its CSRF token, checked by the
        middleware)."""
        account = self.member(request)
        org, kenmerk = account.organisatie_id, request.path_params["kenmerk"]
        await request.form()
        answer = await run_in_threadpool(confirm.confirm, self.home, org, kenmerk, by=account.id)
        record = info(request)
        record["checksum"], record["uitkomst"] = answer["checksum"], answer["status"]
        return RedirectResponse(f"/portaal/{org}/leveringen/{kenmerk}?bevestigd=1", 303)

    @portal_endpoint("portaal_aanleverpagina")
    async def upload_form(self, request: Request) -> Response:
        account = self.member(request)
        page = portal_pages.upload_page(account, csrf(request), self.settings.max_upload_bytes)
        return HTMLResponse(page)

    @portal_endpoint("upload")
    async def upload(self, request: Request) -> Response:
        account = self.member(request)
        org = account.organisatie_id
        if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
            raise bad_request("Verstuur het formulier op de pagina om een bestand aan te leveren.")
        info(request)["organisatie_id"] = org

        async def own(fields: dict) -> str:
            check_form_token(request, fields)
            return org

        status, receipt = await self.svc.receive_and_store(request, own)
        notice = "al" if status == 200 else "ontvangen"
        target = f"/portaal/{org}/leveringen/{receipt['checksum'][:16]}?{notice}=1"
        return RedirectResponse(target, 303)

    @portal_endpoint("sjabloon")
    async def template(self, request: Request) -> Response:
        """The empty Excel template (projectblad) for hand-filling, named with last year."""
        self.member(request)
        year = default_year()
        data = await run_in_threadpool(workbook_bytes, year)
        return Response(
            data,
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="{file_name(year)}"'},
        )

    @portal_endpoint("projectblad")
    async def project_sheet(self, request: Request) -> Response:
        """The project sheet form of one year, prefilled (`projectblad_form`); an analyst
        may view it, read only."""
        account = self.who(request)
        if account is None or not account.is_analyst:
            account = self.member(request)
        return await projectblad_form.show(self, request, account)

    @portal_endpoint("upload")
    async def project_sheet_submit(self, request: Request) -> Response:
        """The form's values delivered as a filled template, along the upload's path."""
        return await projectblad_form.submit(self, request, self.member(request))

    @portal_endpoint("rapport")
    async def report(self, request: Request) -> Response:
        account = self.member(request)
        pad = request.path_params["pad"]
        info(request)["bestand"] = pad[:200]
        path = reports.resolve(self.home, account.organisatie_id, pad)
        info(request)["uitkomst"] = "geleverd"
        return FileResponse(path, media_type=reports.SUFFIXES[path.suffix])

    @portal_endpoint("impactkaart_pdf")
    async def impactkaart_pdf(self, request: Request) -> Response:
        """A project's Impactkaart as PDF, printed on request (next to its HTML card, so the
        card's relative link `<PROJECT>.pdf` works in the portal)."""
        account = self.member(request)
        project = request.path_params["project"]
        return await impactkaart.pdf_response(
            self.home, account.organisatie_id, project, info(request)
        )

    @portal_endpoint("portaal_leveringen")
    async def analyst_overview(self, request: Request) -> Response:
        account = self.member(request)
        if not account.is_analyst:
            raise forbidden("Het leveringsoverzicht is alleen voor analisten.")
        raw = request.query_params.get("jaar") or ""
        if raw and not (raw.isdigit() and 1980 <= int(raw) <= 2100):
            raise bad_request("Geef het verslagjaar als jaartal, bijvoorbeeld 2025.")
        year, rows = await run_in_threadpool(portal_views.overview, self.home, int(raw or 0))
        info(request)["details"]["jaar"] = year
        return HTMLResponse(portal_pages.analyst_page(account, csrf(request), year, rows))

    # --- own values (deviations; rendement.service.portal_deviations) ------------------
    @portal_endpoint("portaal_afwijkingen")
    async def deviations(self, request: Request) -> Response:
        account = self.member(request)
        view = await run_in_threadpool(
            portal_deviations.org_view, self.home, account.organisatie_id
        )
        notice = DEVIATION_SENT if "verstuurd" in request.query_params else None
        return HTMLResponse(portal_deviations.org_page(account, csrf(request), view, notice=notice))

    @portal_endpoint("afwijking_voorstel")
    async def propose_deviation(self, request: Request) -> Response:
        account = self.member(request)
        org = account.organisatie_id
        form = await request.form()
        ident, problems, values = await run_in_threadpool(
            portal_deviations.propose, self.home, account, form
        )
        record = info(request)
        record["details"]["parameter"] = values["parameter"][:120]
        if ident is None:
            record["uitkomst"] = "geweigerd"
            view = await run_in_threadpool(portal_deviations.org_view, self.home, org)
            page = portal_deviations.org_page(
                account, csrf(request), view, problems=problems, values=values
            )
            return HTMLResponse(page, 400)
        record["uitkomst"] = "ingediend"
        record["details"]["voorstel"] = ident
        return RedirectResponse(f"/portaal/{org}/afwijkingen?verstuurd=1", 303)

    @portal_endpoint("portaal_afwijkingen_beoordelen")
    async def deviations_review(self, request: Request) -> Response:
        account = self.member(request)
        if not account.is_analyst:
            raise forbidden("Het beoordelen van afwijkingen is alleen voor analisten.")
        view = await run_in_threadpool(portal_deviations.analyst_view, self.home)
        notice = DECISIONS.get(request.query_params.get("besloten", ""))
        page = portal_deviations.analyst_page(account, csrf(request), view, notice=notice)
        return HTMLResponse(page)

    @portal_endpoint("afwijking_besluit")
    async def deviation_decision(self, request: Request) -> Response:
        account = self.member(request)
        if not account.is_analyst:
            raise forbidden("Het beoordelen van afwijkingen is alleen voor analisten.")
        ident = request.path_params["voorstel"][:40]
        form = await request.form()
        besluit, reden = str(form.get("besluit") or ""), str(form.get("reden") or "")
        record = info(request)
        record["details"]["voorstel"] = ident
        try:
            done = await run_in_threadpool(
                portal_deviations.decide, self.home, account, ident, besluit, reden
            )
        except ProposalError as exc:
            record["uitkomst"] = "geweigerd"
            view = await run_in_threadpool(portal_deviations.analyst_view, self.home)
            page = portal_deviations.analyst_page(account, csrf(request), view, problem=str(exc))
            return HTMLResponse(page, 400)
        record["organisatie_id"] = done["organisatie_id"]
        record["details"]["parameter"] = done["parameter"]
        record["uitkomst"] = done["status"]
        if done["status"] == ACCEPTED:  # it counts from the organisation's next run: ask for it
            self.svc.trigger.nudge(done["organisatie_id"], without_files=True)
        return RedirectResponse(f"/portaal/afwijkingen?besloten={done['status']}", 303)

    def routes(self) -> list[Route]:
        return [Route(path, getattr(self, name), methods=[method]) for path, method, name in ROUTES]

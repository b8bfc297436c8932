"""The ASGI application (Starlette): routes, the audit middleware and Dutch error answers.

Routes (see docs/uploadservice.md):
    GET  /                       upload page (HTML form, token + file)
    POST /uploaden               the form's target; answers with a Dutch receipt page
    POST /api/uploads            upload (multipart field `bestand`, or raw body + X-Bestandsnaam)
    GET  /api/uploads            this organisation's uploads and their status
    POST /api/uploads/{kenmerk}/bevestigen   confirm a held re-upload (`confirm`)
    GET  /api/rapporten          this organisation's report files
    GET  /api/rapporten/{ORG}/{pad}   one report file (own organisation only)
    GET  /api/rapporten/{ORG}/impactkaart/{PROJECT}.pdf   a project's Impactkaart as PDF
    GET  /analist/leveringen     delivery status per reporting year (analyst token)
    GET  /gezond                 liveness check
    GET  /gezond/details         what an operator watches (analyst token; `service/health.py`)
    /inloggen, /uitloggen, /wachtwoord, /portaal/...   the portal for people with an account
                                 (`rendement.service.portal.ROUTES`)

Middleware, outermost first: the audit log, a bound on small forms (`formlimit`), the CSRF
check (asgi-csrf; uploads are checked while streaming) and the signed session cookie.

Every request is written to the audit log once, when its answer starts (so the line exists
before the client sees the answer): organisation, action, checksum, outcome, HTTP status,
method, path, client address and duration. Never the token, headers or file contents.
A successful liveness check is not logged: a monitor polling `/gezond` every few seconds would
otherwise fill the audit log with lines that record nothing (a failing one is logged).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import time
from pathlib import Path

import anyio
from asgi_csrf import asgi_csrf
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from rendement.core import audit, tokens
from rendement.core.files import locked, write_atomic
from rendement.core.home import Home
from rendement.core.receipts import save_receipt
from rendement.core.tokens import valid_org_id
from rendement.intake.delivery import delivery_status, latest_year
from rendement.reports.deliveries import delivery_page_html
from rendement.service import confirm, health, impactkaart, pages, reports
from rendement.service.answers import (
    AUDIT_KEY,
    check_form_token,
    csrf_token,
    endpoint,
    error_response,
    info,
    is_multipart,
)
from rendement.service.auth import Authenticator, Principal, bearer
from rendement.service.errors import ServiceError, bad_request, forbidden, unauthorised
from rendement.service.formlimit import FormLimit
from rendement.service.portal import FORM_PATHS, SESSION_COOKIE, Portal
from rendement.service.receive import receive_multipart, receive_raw
from rendement.service.trigger import RunTrigger
from rendement.service.uploads import ACTOR, Settings, store, uploads_overview

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
    (b"x-frame-options", b"DENY"),
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
        b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
]
STALE_SECONDS = 3600


class AuditMiddleware:
    """Logs every HTTP request to the audit log and adds security headers to every answer."""

    def __init__(self, app, home: Home):
        self.app = app
        self.home = home

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        info: dict = {"actie": "verzoek", "details": {}}
        scope[AUDIT_KEY] = info
        started = time.monotonic()
        logged = False

        async def log(status: int) -> None:
            nonlocal logged
            if not logged:
                logged = True
                await anyio.to_thread.run_sync(self._write, scope, info, status, started)

        async def send_wrapper(message):
            if message["type"] == "http.response.start":
                await log(message["status"])
                message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except BaseException:
            with contextlib.suppress(Exception):
                await log(500)
            raise

    def _write(self, scope, info: dict, status: int, started: float) -> None:
        if info["actie"] == "gezond" and status < 400:
            return
        outcome = info.get("uitkomst") or ("ok" if status < 400 else f"fout_{status}")
        client = scope.get("client")
        audit.append(
            self.home.audit_log,
            actor=ACTOR,
            action=info["actie"],
            outcome=outcome,
            organisatie_id=info.get("organisatie_id"),
            checksum=info.get("checksum"),
            bestand=info.get("bestand"),
            status=status,
            methode=scope.get("method"),
            pad=scope.get("path", "")[:200],
            client=client[0] if client else None,
            duur_ms=round((time.monotonic() - started) * 1000),
            **info["details"],
        )


class Service:
    """The handlers, bound to one data home, its register and the limits."""

    def __init__(
        self,
        home: Home,
        settings: Settings,
        trigger: RunTrigger | None = None,
        runs: health.RunProbe | None = None,
    ):
        self.home = home
        self.settings = settings
        self.trigger = trigger or RunTrigger(home, None)
        self.auth = Authenticator(home.registry)
        self.runs = runs

    # --- who ----------------------------------------------------------------------------
    async def principal(self, request: Request, token: str | None, kind: str) -> Principal:
        record = info(request)
        client = request.client.host if request.client else None
        found = await run_in_threadpool(self.auth.check, token, client)
        if found is None:
            claimed = tokens.parse(token)
            if claimed is not None:  # the id part only, never the secret
                record["details"][f"geclaimde_{claimed.kind}"] = claimed.ident
            raise unauthorised()
        if found.kind == "organisatie":
            record["organisatie_id"] = found.ident
        else:
            record["details"]["analist"] = found.ident
        if found.kind != kind:
            raise forbidden(
                "Dit token hoort bij een analist; gebruik het token van de organisatie."
                if kind == "organisatie"
                else "Dit onderdeel is alleen voor analisten."
            )
        return found

    async def org(self, request: Request) -> str:
        token = bearer(request.headers.get("authorization"))
        return (await self.principal(request, token, "organisatie")).ident

    # --- uploads ------------------------------------------------------------------------
    async def receive_and_store(self, request: Request, org_for_file) -> tuple[int, dict]:
        limit = self.settings.max_upload_bytes
        ctype = request.headers.get("content-type", "").lower()
        if ctype.startswith("multipart/form-data"):

            async def folder(fields: dict) -> Path:
                return self.home.org_inbox(await org_for_file(fields))

            received = await receive_multipart(request, limit, folder)
        else:
            org = await org_for_file({})
            received = await receive_raw(request, self.home.org_inbox(org), limit)
        return await self.store_received(request, received)

    async def store_received(self, request: Request, received, keep=None) -> tuple[int, dict]:
        """Store a received file (`uploads.store`) with its receipt, audit details and run
        trigger: the upload's path, also taken by the portal's project sheet form."""
        record = info(request)
        record["checksum"] = received.checksum
        record["details"].update(origineel=received.original, grootte_bytes=received.temp.size)
        stored = await run_in_threadpool(
            store, self.home, record["organisatie_id"], received, self.settings, keep
        )
        receipt = stored.receipt
        if stored.status == 201:
            await run_in_threadpool(save_receipt, self.home, receipt)
            self.trigger.nudge(record["organisatie_id"])  # Dagster's run, without the sensor's wait
        record["uitkomst"] = receipt["status"]
        record["bestand"] = receipt.get("bestand")
        record["details"].update(
            periode=receipt.get("periode"),
            formaat=receipt.get("formaat"),
            systeem=receipt.get("systeem"),
            voorcontrole=(receipt.get("voorcontrole") or {}).get("oordeel"),
        )
        return stored.status, receipt

    @endpoint("upload")
    async def api_upload(self, request: Request) -> Response:
        org = await self.org(request)

        async def known(_fields: dict) -> str:
            return org

        status, receipt = await self.receive_and_store(request, known)
        return JSONResponse(receipt, status)

    @endpoint("upload")
    async def form_upload(self, request: Request) -> Response:
        ctype = request.headers.get("content-type", "").lower()
        if not ctype.startswith("multipart/form-data"):
            raise bad_request("Verstuur het formulier op de pagina om een bestand aan te leveren.")

        async def org_from_form(fields: dict) -> str:
            check_form_token(request, fields)
            if not fields.get("token"):
                raise unauthorised("Vul uw token in vóór het bestand.")
            return (await self.principal(request, fields["token"], "organisatie")).ident

        status, receipt = await self.receive_and_store(request, org_from_form)
        return HTMLResponse(pages.receipt_page(receipt), status)

    @endpoint("bevestiging")
    async def api_confirm(self, request: Request) -> Response:
        """Confirm a held re-upload (`rendement.service.confirm`)."""
        org = await self.org(request)
        kenmerk = request.path_params["kenmerk"]
        answer = await run_in_threadpool(confirm.confirm, self.home, org, kenmerk, by="token")
        record = info(request)
        record["checksum"], record["uitkomst"] = answer["checksum"], answer["status"]
        return JSONResponse(answer)

    @endpoint("uploads_lijst")
    async def api_list(self, request: Request) -> Response:
        org = await self.org(request)
        rows = await run_in_threadpool(uploads_overview, self.home, org)
        return JSONResponse({"organisatie_id": org, "uploads": rows})

    # --- reports ------------------------------------------------------------------------
    @endpoint("rapporten_lijst")
    async def report_list(self, request: Request) -> Response:
        org = await self.org(request)
        files = await run_in_threadpool(reports.listing, self.home, org)
        return JSONResponse({"organisatie_id": org, "rapporten": files})

    @endpoint("rapport")
    async def report(self, request: Request) -> Response:
        org = await self.org(request)
        wanted, pad = request.path_params["org"], request.path_params["pad"]
        record = info(request)
        record["bestand"] = pad[:200]
        if not valid_org_id(wanted):
            raise reports.invalid_path()
        if wanted != org:
            record["details"]["gevraagde_organisatie"] = wanted
            raise forbidden()
        path = reports.resolve(self.home, org, pad)
        record["uitkomst"] = "geleverd"
        return FileResponse(path, media_type=reports.SUFFIXES[path.suffix])

    # --- analysts -----------------------------------------------------------------------
    @endpoint("leveringen")
    async def deliveries(self, request: Request) -> Response:
        token = bearer(request.headers.get("authorization"))
        await self.principal(request, token, "analist")
        raw_year = request.query_params.get("jaar")
        if raw_year is not None and not (raw_year.isdigit() and 1980 <= int(raw_year) <= 2100):
            raise bad_request("Geef het verslagjaar als jaartal, bijvoorbeeld ?jaar=2025.")
        as_json = request.query_params.get("formaat") == "json"
        body = await run_in_threadpool(self._deliveries, raw_year, as_json)
        info(request)["details"]["jaar"] = body[0]
        if as_json:
            return JSONResponse({"jaar": body[0], "organisaties": body[1]})
        return HTMLResponse(body[1])

    def _deliveries(self, raw_year: str | None, as_json: bool):
        log = audit.read(self.home.audit_log)
        year = int(raw_year) if raw_year else latest_year(log)
        orgs = self.auth.registry().organisations()
        if as_json:
            return year, delivery_status(orgs, log, year).to_dicts()
        return year, delivery_page_html(orgs, log, year)

    # --- pages --------------------------------------------------------------------------
    @endpoint("pagina")
    async def home_page(self, request: Request) -> Response:
        csrf = csrf_token(request)
        return HTMLResponse(pages.upload_form(self.settings.max_upload_bytes, csrf))

    @endpoint("gezond")
    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    @endpoint("gezond_details")
    async def health_details(self, request: Request) -> Response:
        token = bearer(request.headers.get("authorization"))
        await self.principal(request, token, "analist")
        report = await run_in_threadpool(health.snapshot, self.home, self.runs)
        report["alarmen"] = health.alarms(report)
        report["status"] = "alarm" if report["alarmen"] else "ok"
        return JSONResponse(report)


_OWNER = re.compile(r"^\.(?:upload|controle)-([0-9]+)-")


def _owner_alive(name: str) -> bool:
    """Whether the service process named in a temp file's name (`.upload-<pid>-…`) still runs."""
    found = _OWNER.match(name)
    if found is None:
        return True  # named before process ids were: only the age rule applies
    pid = int(found.group(1))
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(home: Home, older_than: float = STALE_SECONDS) -> int:
    """Remove temp files and check folders that a crashed or killed request left in the inboxes:
    at start-up every one whose service process is gone (its id is in the name), and any older
    than `older_than` seconds."""
    removed = 0
    cutoff = time.time() - older_than
    if not home.inbox.is_dir():
        return 0
    for folder in home.inbox.iterdir():
        if not folder.is_dir():
            continue
        for item in [*folder.glob(".upload-*.part"), *folder.glob(".controle-*")]:
            with contextlib.suppress(FileNotFoundError):
                if item.lstat().st_mtime < cutoff or not _owner_alive(item.name):
                    if item.is_dir() and not item.is_symlink():
                        shutil.rmtree(item, ignore_errors=True)
                    else:
                        item.unlink()
                    removed += 1
    return removed


def service_secret(home: Home) -> str:
    """The key that signs the portal's session and CSRF cookies, made once per data home and
    kept owner-only in `secrets/`, so sessions survive a restart and every worker agrees."""
    path = home.secrets / "portaal.key"
    home.secrets.mkdir(parents=True, exist_ok=True, mode=0o700)
    with locked(home.secrets / ".portaal.key.lock"):
        if not path.exists():
            write_atomic(path, secrets.token_hex(32), mode=0o600, durable=True)
    return path.read_text("utf-8").strip()


async def csrf_refused(scope, send, _reason) -> None:
    """asgi-csrf's answer to a form without a valid CSRF token: a Dutch 403, in the log."""
    record = scope.get(AUDIT_KEY)
    if record is not None:
        record["actie"] = "formulier"
        record["uitkomst"] = "csrf_ongeldig"
    message = (
        "Dit formulier is verlopen of kwam niet van deze site, en is daarom niet verwerkt. "
        "Open de pagina opnieuw en probeer het nog eens."
    )
    if scope.get("path", "").startswith("/api/"):
        body = json.dumps({"fout": "csrf_ongeldig", "melding": message}).encode("utf-8")
        ctype = b"application/json"
    else:
        body = pages.error_page(403, message).encode("utf-8")
        ctype = b"text/html; charset=utf-8"
    await send(
        {"type": "http.response.start", "status": 403, "headers": [(b"content-type", ctype)]}
    )
    await send({"type": "http.response.body", "body": body})


def create_app(
    home: Home,
    settings: Settings | None = None,
    dagster_url: str | None = None,
    *,
    runs: health.RunProbe | None = None,
) -> Starlette:
    """The service for one data home; with `dagster_url` (or `RENDEMENT_DAGSTER_URL`) it asks
    that Dagster webserver for each delivery's run (`rendement.service.trigger`); `runs` tells
    `/gezond/details` about Dagster's runs."""
    settings = settings or Settings()
    svc = Service(home, settings, RunTrigger.configured(home, dagster_url), runs)
    portal = Portal(svc)
    secret = service_secret(home)

    async def http_error(request: Request, exc: HTTPException) -> Response:
        messages = {404: "Dit adres bestaat niet.", 405: "Deze methode is hier niet toegestaan."}
        code = {404: "niet_gevonden", 405: "methode_niet_toegestaan"}.get(exc.status_code, "fout")
        error = ServiceError(exc.status_code, code, messages.get(exc.status_code, str(exc.detail)))
        response = error_response(request, error)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    async def server_error(request: Request, exc: Exception) -> Response:
        error = ServiceError(
            500,
            "interne_fout",
            "Er ging iets mis aan onze kant; probeer het "
            "later opnieuw of neem contact op met het sectorbureau.",
        )
        return error_response(request, error)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        home.inbox.mkdir(parents=True, exist_ok=True)
        await run_in_threadpool(clean_stale, home)
        yield
        await svc.trigger.drain()

    routes = [
        Route("/", svc.home_page, methods=["GET"]),
        Route("/index.html", lambda r: RedirectResponse("/", 307), methods=["GET"]),
        Route("/uploaden", svc.form_upload, methods=["POST"]),
        Route("/api/uploads", svc.api_upload, methods=["POST"]),
        Route("/api/uploads", svc.api_list, methods=["GET"]),
        Route("/api/uploads/{kenmerk}/bevestigen", svc.api_confirm, methods=["POST"]),
        Route("/api/rapporten", svc.report_list, methods=["GET"]),
        impactkaart.route(svc, endpoint, info),  # before the catch-all report route
        Route("/api/rapporten/{org}/{pad:path}", svc.report, methods=["GET"]),
        Route("/analist/leveringen", svc.deliveries, methods=["GET"]),
        Route("/gezond", svc.health, methods=["GET"]),
        Route("/gezond/details", svc.health_details, methods=["GET"]),
        *portal.routes(),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={HTTPException: http_error, Exception: server_error},
        lifespan=lifespan,
    )
    app.state.home = home
    app.state.settings = settings
    # innermost first: the session under the CSRF check, under the form bound, under the log
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret,
        session_cookie=("__Host-" if settings.secure_cookies else "") + SESSION_COOKIE,
        max_age=int(settings.session_hours * 3600),
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    app.add_middleware(
        asgi_csrf,
        signing_secret=hashlib.sha256(f"csrf:{secret}".encode()).hexdigest(),  # its own key
        cookie_name=("__Host-" if settings.secure_cookies else "") + "csrftoken",
        cookie_secure=settings.secure_cookies,
        cookie_samesite="Strict",
        always_protect=FORM_PATHS,
        skip_if_scope=is_multipart,  # uploads: checked while streaming (check_form_token)
        send_csrf_failed=csrf_refused,
    )
    app.add_middleware(FormLimit)  # before anything reads a form's body
    app.add_middleware(AuditMiddleware, home=home)
    return app


__all__ = ["Settings", "clean_stale", "create_app"]

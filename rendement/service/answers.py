"""How a handler answers: its audit record for this request, and a refusal as a Dutch page
(browser routes) or JSON (`/api/`, `/analist/`). Shared by the API handlers (`app`) and the
portal (`portal`)."""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from rendement.service import pages
from rendement.service.errors import ServiceError

AUDIT_KEY = "rendement.core.audit"


def info(request: Request) -> dict:
    """The audit record of this request (filled in by handlers, written by the middleware)."""
    return request.scope.setdefault(AUDIT_KEY, {"actie": "verzoek", "details": {}})


def csrf_token(request: Request) -> str:
    """This browser's CSRF token for a form (asgi-csrf sets its signed cookie with the answer;
    calling this makes sure it does)."""
    make = request.scope.get("csrftoken")
    return make() if make else ""


def is_multipart(scope) -> bool:
    """A multipart form: asgi-csrf leaves its check to the handler (`check_form_token`)."""
    for key, value in scope.get("headers") or []:
        if key == b"content-type":
            return value.lower().startswith(b"multipart/form-data")
    return False


def check_form_token(request: Request, fields: dict) -> None:
    """The CSRF check of a multipart form (an upload): its `csrftoken` field, which comes
    before the file, must equal the browser's signed cookie token. Called by the streaming
    receiver before a byte of the file is written. (asgi-csrf checks every other form itself;
    its own multipart reader does not work with the python-multipart this project uses.)"""
    sent = str(fields.get("csrftoken") or "")
    if not sent or not secrets.compare_digest(sent, csrf_token(request)):
        raise ServiceError(
            403,
            "csrf_ongeldig",
            "Dit formulier is verlopen of kwam niet van deze site, en is daarom niet verwerkt. "
            "Open de pagina opnieuw en probeer het nog eens.",
        )


def wants_html(request: Request) -> bool:
    path = request.url.path
    return not (path.startswith("/api/") or path.startswith("/analist/"))


def error_response(request: Request, exc: ServiceError, nav=None) -> Response:
    record = info(request)
    record["uitkomst"] = exc.code
    headers = {}
    if exc.status == 401 and not request.url.path.startswith("/portaal"):
        headers["WWW-Authenticate"] = 'Bearer realm="rendement"'
    if exc.details.get("retry_after"):
        headers["Retry-After"] = str(exc.details["retry_after"])
    if wants_html(request):
        return HTMLResponse(pages.error_page(exc.status, exc.message, nav=nav), exc.status, headers)
    return JSONResponse({"fout": exc.code, "melding": exc.message}, exc.status, headers)


def endpoint(action: str):
    """Name the audit action of a handler and turn a ServiceError into its Dutch answer."""

    def wrap(handler):
        async def run(self, request: Request) -> Response:
            info(request)["actie"] = action
            try:
                return await handler(self, request)
            except ServiceError as exc:
                return error_response(request, exc)

        run.__name__ = handler.__name__
        return run

    return wrap

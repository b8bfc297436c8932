"""`GET /api/rapporten/{ORG}/impactkaart/{PROJECT}.pdf`: a project's Impactkaart as a PDF
download, printed on request by headless Chromium (`rendement.reports.pdf.impactkaart_pdf`).

Guarded like the other report routes: the caller must be the organisation itself (its token;
another organisation's code answers 403, a bad code 400), and the card must exist in its own
folder (404 otherwise). `PROJECT` is the card's file name (`impactkaart/<PROJECT>.html`: the
project code itself for a plain code). Printing takes about a second; it runs in a worker
thread, at most `rendement.reports.pdf.MAX_PARALLEL` at once.

`route(service, endpoint, info)` makes the route; `app.create_app` puts it before the
catch-all report route. `endpoint` and `info` are the app's audit wrapper and audit record,
passed in so this module does not import the app.
"""

from __future__ import annotations

import functools
import re

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rendement.core.tokens import valid_org_id
from rendement.reports.pdf import NoCard, PdfError, impactkaart_pdf
from rendement.service.errors import ServiceError, forbidden, not_found
from rendement.service.reports import invalid_path

PATH = "/api/rapporten/{org}/impactkaart/{project}.pdf"
_STEM = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


async def pdf_response(home, org: str, project: str, record: dict) -> Response:
    """The PDF of Impactkaart `project` of organisation `org` (already known to be the
    caller's own), as a download; `record` is the request's audit record."""
    record["bestand"] = f"impactkaart/{project}.pdf"[:200]
    if not _STEM.fullmatch(project):
        raise invalid_path()
    try:
        pdf = await run_in_threadpool(impactkaart_pdf, home, org, project)
    except NoCard:
        raise not_found(
            "Deze Impactkaart bestaat (nog) niet. Impactkaarten verschijnen bij uw rapport "
            "nadat uw aanlevering is verwerkt."
        ) from None
    except PdfError:
        raise ServiceError(
            503,
            "pdf_niet_gemaakt",
            "De pdf kon nu niet worden gemaakt; probeer het later opnieuw of druk de "
            "Impactkaart af vanuit de browser.",
        ) from None
    record["uitkomst"] = "geleverd"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="impactkaart-{org}-{project}.pdf"'},
    )


async def download(service, request: Request, info) -> Response:
    """The API route: the PDF of one of the caller's own Impactkaarten (its token)."""
    org = await service.org(request)
    wanted, project = request.path_params["org"], request.path_params["project"]
    record = info(request)
    if not valid_org_id(wanted):
        raise invalid_path()
    if wanted != org:
        record["details"]["gevraagde_organisatie"] = wanted
        raise forbidden()
    return await pdf_response(service.home, org, project, record)


def route(service, endpoint, info) -> Route:
    """The download route, with the app's audit wrapper (`endpoint`) and record (`info`)."""

    @endpoint("impactkaart_pdf")
    async def handler(self, request: Request) -> Response:
        return await download(self, request, info)

    return Route(PATH, functools.partial(handler, service), methods=["GET"])

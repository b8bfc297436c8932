"""The portal's Dutch pages: sign-in, choosing a password, an organisation's start page, its
deliveries, one delivery, the upload form and the analysts' overview.

Each is a Jinja2 template in `rendement/service/templates/` inside the shared page shell
(`rendement.reports.page`), with the portal's navigation and, for a signed-in person, a bar
with who they are and the sign-out button. No scripts: every action is a plain form with its
CSRF token.
"""

from __future__ import annotations

from rendement.core.accounts import MIN_PASSWORD, Account
from rendement.core.templates import Markup, render
from rendement.reports.page import page
from rendement.service.pages import PUBLIC_NAV, limit_text

SUBTITLE = "Sociaal Werk werkt! — portaal"


def nav(account: Account | None) -> list[tuple[str, str]]:
    """The navigation of a signed-in person (their own organisation only), else the public."""
    if account is None:
        return list(PUBLIC_NAV)
    if account.is_analyst:
        return [("/portaal/leveringen", "Leveringen"), ("/portaal/afwijkingen", "Afwijkingen")]
    org = account.organisatie_id
    return [
        (f"/portaal/{org}/", "Overzicht"),
        (f"/portaal/{org}/rapport/index.html", "Rapport"),
        (f"/portaal/{org}/leveringen", "Aanleveringen"),
        (f"/portaal/{org}/aanleveren", "Aanleveren"),
        (f"/portaal/{org}/projectblad", "Projectblad"),
        (f"/portaal/{org}/afwijkingen", "Eigen waarden"),
    ]


def _bar(account: Account, csrf: str) -> Markup:
    who = "analist" if account.is_analyst else f"organisatie {account.organisatie_id}"
    return render("rendement.service", "portal_bar.html", email=account.email, who=who, csrf=csrf)


def _page(title: str, body: Markup, account: Account | None, csrf: str, current: str | None):
    return page(
        title,
        body,
        root="",
        subtitle=SUBTITLE,
        home_href="/portaal" if account else "/",
        nav=nav(account),
        current=current,
        banner=_bar(account, csrf) if account else None,
    )


def login_page(csrf: str, *, message: str | None = None, css: str = "", email: str = "") -> str:
    body = render(
        "rendement.service", "login.html", csrf=csrf, message=message, css=css, email=email
    )
    return _page("Inloggen", body, None, csrf, "/inloggen")


def password_page(
    csrf: str, *, code: str | None, email: str = "", message: str | None = None, css: str = ""
) -> str:
    body = render(
        "rendement.service",
        "password.html",
        csrf=csrf,
        code=code,
        email=email,
        message=message,
        css=css,
        min=MIN_PASSWORD,
    )
    return _page("Wachtwoord kiezen", body, None, csrf, None)


def home_page(account: Account, csrf: str, *, naam: str, report: str | None, rows: list) -> str:
    org = account.organisatie_id
    body = render(
        "rendement.service",
        "portal_home.html",
        org=org,
        naam=naam,
        report=report,
        rows=rows[:5],
        caption="Uw laatste aanleveringen",
    )
    return _page(naam or org, body, account, csrf, f"/portaal/{org}/")


def deliveries_page(account: Account, csrf: str, rows: list) -> str:
    org = account.organisatie_id
    body = render(
        "rendement.service",
        "deliveries.html",
        org=org,
        rows=rows,
        caption=f"Aanleveringen van {org}",
    )
    return _page("Uw aanleveringen", body, account, csrf, f"/portaal/{org}/leveringen")


def delivery_page(account: Account, csrf: str, d: dict, notice: str | None) -> str:
    org = account.organisatie_id
    body = render("rendement.service", "delivery.html", org=org, d=d, notice=notice, csrf=csrf)
    return _page(d["bestand"], body, account, csrf, None)


def upload_page(account: Account, csrf: str, max_bytes: int) -> str:
    org = account.organisatie_id
    body = render(
        "rendement.service",
        "portal_upload.html",
        org=org,
        csrf=csrf,
        limit=limit_text(max_bytes),
    )
    return _page("Bestand aanleveren", body, account, csrf, f"/portaal/{org}/aanleveren")


def projectblad_page(account: Account, csrf: str, org: str, **values) -> str:
    """The project sheet form (`rendement.service.projectblad`); read only for an analyst."""
    body = render("rendement.service", "projectblad.html", org=org, csrf=csrf, **values)
    title = f"Projectblad {values['year']}"
    return _page(title, body, account, csrf, f"/portaal/{org}/projectblad")


def analyst_page(account: Account, csrf: str, year: int, rows: list) -> str:
    body = render("rendement.service", "analyst.html", year=year, rows=rows)
    return _page(f"Leveringen {year}", body, account, csrf, "/portaal/leveringen")

"""The page shell shared by every published report: self-contained (no internet fetches, no
external fonts, scripts or style sheets), readable on a laptop, printable to A4.

The shell is the template `templates/page.html` (its style sheet `templates/page.css`); the
body of each page comes from its own template, so all text from uploads is escaped by the
template engine (and great-tables escapes the cell text it formats itself, see
`rendement.reports.tables`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from rendement.core.formatting import nl_date
from rendement.core.templates import Markup, render


def page(
    title: str,
    body: Markup,
    *,
    root: str = ".",
    subtitle: str | None = None,
    generated: dt.date | None = None,
    nav: Sequence[tuple[str, str]] = (),
    current: str | None = None,
    banner: Markup | None = None,
    footer: Markup | None = None,
    home_href: str | None = None,
    brand: str = "Sociaal rendement",
) -> str:
    """A complete HTML document.

    `root` is the relative path back to the site root (the brand links to its index.html,
    unless `home_href` says otherwise). `nav` is a list of (href, label); the one whose href
    equals `current` is marked. `body`, `banner` and `footer` are markup (rendered
    templates: a plain string would be escaped); `title` and `subtitle` are text, escaped by
    the template (`page.html`).
    """
    document = render(
        "rendement.reports",
        "page.html",
        title=title,
        subtitle=subtitle,
        stamp=f"Gemaakt op {nl_date(generated)}." if generated else "",
        href=home_href if home_href is not None else f"{root}/index.html",
        brand=brand,
        nav=nav,
        current=current,
        banner=banner,
        body=body,
        footer=footer,
    )
    return str(document)

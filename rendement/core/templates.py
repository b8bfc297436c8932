"""HTML from Jinja2 templates with autoescaping: the one way this project writes HTML.

Each package keeps its templates in its own `templates/` folder (`rendement/reports/templates/`,
`rendement/service/templates/`, `rendement/intake/templates/`); `render("rendement.reports",
"page.html", ...)` renders one. Autoescape is on for every template, so a value from an upload
(a project name, a cell) can never become markup; HTML that is already safe (a great-tables
table, an SVG chart built from numbers) is passed as `markupsafe.Markup`. Undefined names are
errors, not empty strings. Whitespace is kept as written (`keep_trailing_newline`), so a
template decides every byte of its output.
"""

from __future__ import annotations

import functools

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

__all__ = ["Markup", "environment", "render"]


@functools.cache
def environment(package: str) -> Environment:
    """The Jinja2 environment of one package's `templates/` folder (built once)."""
    return Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def render(package: str, name: str, /, **context: object) -> str:
    """The template `name` of `package` rendered with `context`."""
    return environment(package).get_template(name).render(**context)

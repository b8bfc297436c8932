"""HTML from Jinja2 templates with autoescaping: the one way this project writes HTML.

Each package keeps its templates in its own `templates/` folder (`rendement/reports/templates/`,
`rendement/service/templates/`, `rendement/intake/templates/`); `render("rendement.reports",
"page.html", ...)` renders one. Autoescape is on for every template, so a value from an upload
(a project name, a cell) can never become markup; HTML that is already safe (a great-tables
table, an SVG chart built from numbers) is passed as `markupsafe.Markup`, and so is what `render`
and `fragment` return (a rendered template is safe to put in another). A value is escaped as
`html.escape` does it (`&quot;` and `&#x27;` for quotes, the bytes the pages had before
templates); None prints as nothing. Undefined names are
errors, not empty strings. The Dutch formatter is there as filters
(`{{ x|nl_euro }}`, see `FILTERS`). Whitespace is kept as written (`keep_trailing_newline`), so a
template decides every byte of its output.
"""

from __future__ import annotations

import functools
import html

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from rendement.core import formatting

__all__ = ["FILTERS", "Markup", "environment", "escape", "fragment", "render"]

# The Dutch formatter (`rendement.core.formatting`) as filters: `{{ kosten|nl_euro }}`,
# `{{ aandeel|nl_percent(0) }}`, `{{ n|nl_number }}`, `{{ bkr|nl_ratio }}`, `{{ dag|nl_date }}`.
FILTERS = {
    "nl_number": formatting.nl_number,
    "nl_euro": formatting.nl_euro,
    "nl_percent": formatting.nl_percent,
    "nl_ratio": formatting.nl_ratio,
    "nl_date": formatting.nl_date,
    "nl_datetime": formatting.nl_datetime,
}


def escape(value: object) -> Markup:
    """A value as markup the way a template writes `{{ value }}`: safe markup as it is, None as
    nothing, anything else escaped as `html.escape(quote=True)` does it. For the text of a
    great-tables cell that holds markup (a formatted number next to a symbol or a chart)."""
    if hasattr(value, "__html__"):
        return Markup(value)
    return Markup(html.escape("" if value is None else str(value), quote=True))


@functools.cache
def environment(package: str) -> Environment:
    """The Jinja2 environment of one package's `templates/` folder (built once)."""
    env = Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        finalize=escape,
    )
    env.filters.update(FILTERS)
    return env


def render(package: str, name: str, /, **context: object) -> Markup:
    """The template `name` of `package` rendered with `context` (safe markup)."""
    return Markup(environment(package).get_template(name).render(**context))


def fragment(package: str, name: str, macro: str, /, *args: object, **kwargs: object) -> Markup:
    """The macro `macro` of the template `name` of `package` called with the arguments: for
    the small pieces (a symbol, a card) that pages and great-tables cells share."""
    module = environment(package).get_template(name).module
    return Markup(getattr(module, macro)(*args, **kwargs))

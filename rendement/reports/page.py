"""The page shell shared by every published report: self-contained (no internet fetches, no
external fonts, scripts or style sheets), readable on a laptop, printable to A4.

All text from uploads is escaped before it gets here: `esc` for HTML, and great-tables escapes
the cell text it formats itself (see `rendement.reports.tables`).
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from pathlib import Path

from rendement.core.files import write_atomic
from rendement.core.formatting import nl_date

CSS = """
:root { --ink:#1d2a36; --muted:#5b6b7a; --accent:#0b6e69; --accent-soft:#cfe6e4;
        --line:#d9e0e6; --bg:#f7f9fa; --warn:#8a5a00; --warn-bg:#fff6e0; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
       sans-serif; color: var(--ink); margin: 0; background: #fff; line-height: 1.45; }
header.site { background: var(--accent); color: #fff; padding: 12px 28px; display: flex;
              flex-wrap: wrap; gap: 6px 22px; align-items: baseline; }
header.site a { color: #fff; text-decoration: none; }
header.site a.brand { font-weight: 650; margin-right: 12px; }
header.site nav a { opacity: .9; font-size: .95rem; }
header.site nav a:hover, header.site nav a[aria-current] { opacity: 1; text-decoration: underline; }
header.site nav { display: flex; flex-wrap: wrap; gap: 4px 18px; }
main { max-width: 1120px; margin: 0 auto; padding: 12px 28px 48px; }
h1 { font-size: 1.7rem; margin: 18px 0 4px; }
h2 { font-size: 1.25rem; margin: 30px 0 8px; border-bottom: 2px solid var(--line);
     padding-bottom: 4px; }
h3 { font-size: 1.05rem; margin: 20px 0 6px; }
h4 { font-size: .98rem; margin: 14px 0 4px; }
p.lead { color: var(--muted); margin-top: 0; }
p, li { max-width: 78ch; }
.meta { color: var(--muted); font-size: .9rem; }
.banner { border-left: 4px solid var(--warn); background: var(--warn-bg); padding: 8px 14px;
          margin: 12px 0; max-width: 78ch; }
.banner.release { border-color: var(--accent); background: #eef6f5; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0 4px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 150px;
        background: var(--bg); }
.card .num { font-size: 1.35rem; font-weight: 650; white-space: nowrap; }
.card .lbl { color: var(--muted); font-size: .85rem; }
.card .sub { color: var(--muted); font-size: .8rem; }
.note { font-size: .9rem; color: var(--muted); max-width: 78ch; }
.legend { font-size: .85rem; color: var(--muted); }
.sym { font-weight: 600; color: var(--muted); cursor: help; }
.concept { color: var(--warn); font-weight: 600; }
.verdict { border-left: 3px solid var(--line); padding: 2px 0 2px 10px; margin: 6px 0 14px; }
.definitie { border-left: 3px solid var(--accent); padding: 2px 0 2px 10px; margin: 8px 0 12px; }
.onvolledig { color: var(--warn); font-weight: 600; }
.uitleg { white-space: normal; display: inline-block; min-width: 7em; text-align: left;
          font-size: .9em; }
.gt_table { margin-left: 0 !important; }
.gt_row.gt_right, .gt_row.gt_center { white-space: nowrap; }
svg.chart { vertical-align: middle; overflow: visible; }
table.kv { border-collapse: collapse; font-size: .92rem; }
table.kv th { text-align: left; font-weight: 600; padding: 2px 18px 2px 0; vertical-align: top; }
table.kv td { padding: 2px 0; }
ul.links li { margin: 3px 0; }
code { font-size: .9em; background: var(--bg); padding: 0 3px; border-radius: 3px; }
footer { color: var(--muted); font-size: .8rem; border-top: 1px solid var(--line); margin-top: 40px;
         padding-top: 8px; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { font-size: 10.5pt; }
  header.site { background: none; color: var(--ink); padding: 0 0 4px; border-bottom: 1px solid var(--ink); }
  header.site a { color: var(--ink); }
  header.site nav { display: none; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  .gt_table { font-size: 7.5pt !important; }
  .gt_table .gt_row, .gt_table .gt_col_heading, .gt_table .gt_stub,
  .gt_table .gt_group_heading { padding: 2px 3px !important; }
  .gt_table .gt_col_heading { white-space: normal !important; overflow-wrap: anywhere; }
  .gt_table .gt_title { font-size: 10pt !important; }
  .gt_table .gt_sourcenote { font-size: 7pt !important; }
  .gt_table .gt_row.gt_left, .gt_table .gt_stub { overflow-wrap: anywhere; }
  svg.chart { max-width: 80px; height: auto; }
  table { break-inside: auto; } tr { break-inside: avoid; }
  .card { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""


def esc(text: object) -> str:
    """HTML-escape anything for use in text and in attribute values."""
    return html.escape("" if text is None else str(text), quote=True)


def page(
    title: str,
    body: str,
    *,
    root: str = ".",
    subtitle: str | None = None,
    generated: dt.date | None = None,
    nav: Sequence[tuple[str, str]] = (),
    current: str | None = None,
    banner: str | None = None,
    footer: str | None = None,
    home_href: str | None = None,
    brand: str = "Sociaal rendement",
) -> str:
    """A complete HTML document.

    `root` is the relative path back to the site root (the brand links to its index.html,
    unless `home_href` says otherwise). `nav` is a list of (href, label); the one whose href
    equals `current` is marked. `banner` and `footer` are trusted HTML made by the callers
    (every dynamic part already escaped); `title` and `subtitle` are escaped here.
    """
    sub = f'<p class="lead">{esc(subtitle)}</p>' if subtitle else ""
    stamp = f"Gemaakt op {nl_date(generated)}." if generated else ""
    href = home_href if home_href is not None else f"{root}/index.html"
    marked = ' aria-current="page"'
    links = "".join(
        f'<a href="{esc(h)}"{marked if h == current else ""}>{esc(label)}</a>' for h, label in nav
    )
    nav_html = f"<nav>{links}</nav>" if links else ""
    return f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{esc(title)}</title>
<style>{CSS}</style>
</head>
<body>
<header class="site"><a class="brand" href="{esc(href)}">{esc(brand)}</a>{nav_html}</header>
<main>
<h1>{esc(title)}</h1>
{sub}
{banner or ""}
{body}
<footer>Sociaal Werk werkt! — maatschappelijke kosten-batenanalyse van sociaal werk. {esc(stamp)} {footer or ""}</footer>
</main>
</body>
</html>
"""


def write_page(path: Path, document: str) -> Path:
    """Write a page by renaming a finished temporary file over it: a reader (the upload
    service, a browser) never sees half a page."""
    return write_atomic(path, document)

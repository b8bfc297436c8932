"""The page shell shared by every published report: self-contained (no internet fetches),
readable on a laptop, printable to A4. All text from uploads is escaped before it gets here."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

CSS = """
:root { --ink:#1d2a36; --muted:#5b6b7a; --accent:#0b6e69; --line:#d9e0e6; --bg:#f7f9fa; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
       margin: 0; background: #fff; line-height: 1.45; }
header.site { background: var(--accent); color: #fff; padding: 14px 28px; }
header.site a { color: #fff; text-decoration: none; font-weight: 600; }
main { max-width: 1100px; margin: 0 auto; padding: 12px 28px 48px; }
h1 { font-size: 1.7rem; margin: 18px 0 4px; }
h2 { font-size: 1.25rem; margin: 28px 0 8px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 1.05rem; margin: 18px 0 6px; }
p.lead { color: var(--muted); margin-top: 0; }
.meta { color: var(--muted); font-size: .9rem; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; min-width: 170px; background: var(--bg); }
.card .num { font-size: 1.35rem; font-weight: 650; }
.card .lbl { color: var(--muted); font-size: .85rem; }
.legend { font-size: .85rem; color: var(--muted); }
.gt_table { margin-left: 0 !important; }
footer { color: var(--muted); font-size: .8rem; border-top: 1px solid var(--line); margin-top: 40px; padding-top: 8px; }
@media print {
  @page { size: A4; margin: 14mm; }
  header.site { background: none; color: var(--ink); padding: 0; }
  header.site a { color: var(--ink); }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  table { break-inside: auto; } tr { break-inside: avoid; }
}
"""


def esc(text: object) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def page(
    title: str,
    body: str,
    *,
    root: str = ".",
    subtitle: str | None = None,
    generated: dt.date | None = None,
) -> str:
    """A complete HTML document. `root` is the relative path back to the site root."""
    sub = f'<p class="lead">{esc(subtitle)}</p>' if subtitle else ""
    stamp = f"Gemaakt op {(generated or dt.date.today()).strftime('%d-%m-%Y')}" if generated else ""
    return f"""<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<style>{CSS}</style>
</head>
<body>
<header class="site"><a href="{esc(root)}/index.html">Sociaal rendement</a></header>
<main>
<h1>{esc(title)}</h1>
{sub}
{body}
<footer>Sociaal Werk werkt! — maatschappelijke kosten-batenanalyse van sociaal werk. {esc(stamp)}</footer>
</main>
</body>
</html>
"""


def write_page(path: Path, document: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document, "utf-8")
    return path

"""Helpers for the report tests: real headless Chromium (Debian's /usr/bin/chromium via
playwright), Dutch number parsing, table rows as the browser sees them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


# ----------------------------------------------------------------------------- numbers


def parse_nl(text: str) -> float | None:
    """A Dutch-formatted figure back to a float: '€ 1.234' -> 1234, '−€ 5' -> -5,
    '64,2 %' -> 0.642, '0,84' -> 0.84. None for a symbol or a dash."""
    t = text.replace("\u00a0", " ").replace("\u2212", "-").strip()
    percent = t.endswith("%")
    t = t.replace("€", "").replace("%", "").replace(" ", "")
    if not re.fullmatch(r"-?[\d.]+(,\d+)?", t):
        return None
    value = float(t.replace(".", "").replace(",", "."))
    return value / 100 if percent else value


# ----------------------------------------------------------------------------- browser


@dataclass
class Visit:
    """What happened while one page was open."""

    url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert not self.console_errors, (self.url, self.console_errors)
        assert not self.page_errors, (self.url, self.page_errors)
        assert not self.external_requests, (self.url, self.external_requests)
        assert not self.failed_requests, (self.url, self.failed_requests)
        assert not self.dialogs, (self.url, self.dialogs)


class Browser:
    """One Chromium for a test module; `open` gives a fresh page with listeners attached."""

    def __init__(self):
        from playwright.sync_api import sync_playwright

        self._pw = sync_playwright().start()
        self._browser = self._pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)

    def close(self) -> None:
        self._browser.close()
        self._pw.stop()

    def open(self, path: Path, *, width: int = 1280, screenshot: str | None = None):
        page = self._browser.new_page(viewport={"width": width, "height": 900})
        visit = Visit(path.resolve().as_uri())
        page.on(
            "console",
            lambda m: visit.console_errors.append(m.text) if m.type == "error" else None,
        )
        page.on("pageerror", lambda e: visit.page_errors.append(str(e)))

        def on_request(request):
            if not request.url.startswith(("file:", "data:", "about:")):
                visit.external_requests.append(request.url)

        def on_failed(request):
            if not request.url.startswith("file:"):
                visit.failed_requests.append(request.url)

        def on_dialog(dialog):
            visit.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("request", on_request)
        page.on("requestfailed", on_failed)
        page.on("dialog", on_dialog)
        page.goto(visit.url, wait_until="load")
        if screenshot:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(
                path=str(SCREENSHOTS / f"{screenshot}.jpg"), full_page=True, type="jpeg", quality=75
            )
        return page, visit


TABLE_ROWS_JS = """
(id) => {
  const root = document.getElementById(id);
  if (!root) return null;
  const out = [];
  let group = null;
  for (const tr of root.querySelectorAll('table.gt_table tbody tr')) {
    if (tr.classList.contains('gt_group_heading_row')) { group = tr.innerText.trim(); continue; }
    const stub = tr.querySelector('th.gt_stub');
    const cells = {};
    for (const td of tr.querySelectorAll('td')) {
      const key = (td.getAttribute('headers') || '').split(' ').pop().replace(id + '-', '');
      cells[key] = td.innerText.trim();
    }
    out.push({group, stub: stub ? stub.innerText.trim() : null, cells});
  }
  return out;
}
"""


def table_rows(page, table_id: str) -> list[dict]:
    """Rows of a great-tables table: {group, stub, cells: {column: text}}."""
    rows = page.evaluate(TABLE_ROWS_JS, table_id)
    assert rows is not None, f"no table with id {table_id}"
    return rows


def assert_tables_render(page) -> int:
    """Every great-tables table is visible and has body rows; returns how many tables."""
    tables = page.locator("table.gt_table")
    n = tables.count()
    assert n > 0, "no table on the page"
    for i in range(n):
        table = tables.nth(i)
        assert table.is_visible(), f"table {i} not visible"
        assert table.locator("tbody tr").count() > 0, f"table {i} has no rows"
    return n

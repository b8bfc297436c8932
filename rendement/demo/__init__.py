"""The demo sector: invented organisations whose exports look like the real thing.

`generate_sector` yields organisations one at a time with their tables per year
(`generator.py`); `generate_demo` adds the organisations without client registrations
(activities, a project sheet, the Excel template, a plan: `kinds.py`); `write_exports` writes them as a registration system would, Dutch Excel CSV or
an XLSX workbook (`exports.py`). The numbers behind it are in `profiles.py`; `docs/demo.md`
explains what is calibrated to which reference figure.
"""

from rendement.demo.exports import write_exports, write_sector
from rendement.demo.generator import OrgDemo, export_schema, generate_sector, load_municipalities
from rendement.demo.kinds import generate_demo

__all__ = [
    "OrgDemo",
    "export_schema",
    "generate_demo",
    "generate_sector",
    "load_municipalities",
    "write_exports",
    "write_sector",
]

"""Readers: registration-system exports in, canonical tables out.

    from sources import read_upload, UnreadableFile
    result = read_upload(Path("traject_2025.csv"))            # system detected from the header
    result = read_upload(Path("export.csv"), system="regas")  # or named by the caller
    result.system, result.dialect.as_dict(), result.tables, result.problems, result.period

Layouts: the sector export contract (a CSV per table, or one workbook with a sheet per table;
derived from `schemas.tables`) and vendor layouts declared in `sources/mappings/*.yaml`
(RegiCare, Regas). docs/bronnen.md describes each with its fixture.

Direct identifiers never leave a reader: undeclared columns (names, addresses) are not read,
birth dates become an age band and postcodes are dropped. Only `traject.client_id` carries the
organisation's own client number, until intake pseudonymises it.
"""

from sources.dialect import Dialect
from sources.errors import PROBLEM_SCHEMA, UnreadableFile
from sources.mapping import systems
from sources.reader import ReadResult, read_upload

__all__ = ["PROBLEM_SCHEMA", "Dialect", "ReadResult", "UnreadableFile", "read_upload", "systems"]

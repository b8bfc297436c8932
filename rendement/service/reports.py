"""An organisation's own published files under `site/org/<ORG>/`, and nothing outside it.

A requested path is checked twice: by its shape (plain names only, at most one folder deep,
no '..', no hidden names, no absolute paths, no backslashes, no percent signs left over from
double encoding) and, after resolving symlinks, by containment in the organisation's folder.
"""

from __future__ import annotations

import re
from pathlib import Path

from rendement.core.home import Home
from rendement.service.errors import ServiceError, not_found

SUFFIXES = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def invalid_path() -> ServiceError:
    return ServiceError(
        400,
        "ongeldig_pad",
        "Dit pad is niet toegestaan: vraag een rapport op "
        "met een naam uit de lijst op /api/rapporten.",
    )


def check_shape(pad: str) -> list[str]:
    """The path segments of a well-formed relative report path; 400 otherwise."""
    if not pad or len(pad) > 200 or pad.startswith("/") or any(c in pad for c in "\\%:\x00"):
        raise invalid_path()
    parts = pad.split("/")
    if len(parts) > 2:
        raise invalid_path()
    *folders, name = parts
    stem, dot, suffix = name.rpartition(".")
    if not dot or f".{suffix}" not in SUFFIXES or not _SEGMENT.fullmatch(stem):
        raise invalid_path()
    if any(not _SEGMENT.fullmatch(f) for f in folders):
        raise invalid_path()
    return parts


def resolve(home: Home, org: str, pad: str) -> Path:
    """The file for `pad` inside the organisation's site folder; 400 for a bad path, 404 when
    there is no such file."""
    check_shape(pad)
    base = home.org_site(org).resolve()
    target = (base / pad).resolve()
    if not target.is_relative_to(base):
        raise invalid_path()
    if not target.is_file():
        raise not_found(
            "Dit rapport bestaat (nog) niet. Rapporten verschijnen nadat uw "
            "aanlevering is verwerkt."
        )
    return target


def listing(home: Home, org: str) -> list[dict]:
    """The organisation's report files, as relative paths with their URL."""
    base = home.org_site(org)
    if not base.is_dir():
        return []
    base_resolved = base.resolve()
    out = []
    for path in sorted([*base.glob("*"), *base.glob("*/*")]):
        rel = path.relative_to(base).as_posix()
        try:
            check_shape(rel)
        except ServiceError:
            continue
        if path.is_file() and path.resolve().is_relative_to(base_resolved):
            kind = (
                "validatierapport"
                if rel.startswith("validatie/")
                else ("organisatierapport" if rel == "index.html" else "bestand")
            )
            out.append(
                {
                    "pad": rel,
                    "soort": kind,
                    "url": f"/api/rapporten/{org}/{rel}",
                    "grootte_bytes": path.stat().st_size,
                }
            )
    return out

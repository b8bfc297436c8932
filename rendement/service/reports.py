"""An organisation's own published files under `site/org/<ORG>/` and its validation reports
(`validatie/<ORG>/`, served as `validatie/<naam>`), and nothing outside them.

A requested path is checked twice: by its shape (plain names only, at most one folder deep,
no '..', no hidden names, no absolute paths, no backslashes, no percent signs left over from
double encoding) and, after resolving symlinks, by containment in the organisation's folder
(or its folder of validation reports).
"""

from __future__ import annotations

import re
from pathlib import Path

from rendement.core.home import VALIDATION_IN_SITE, Home
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


def _folder(home: Home, org: str, parts: list[str]) -> tuple[Path, str]:
    """The folder a path's file is looked up in, and the file's path inside it."""
    if len(parts) == 2 and parts[0] == VALIDATION_IN_SITE:
        return home.org_validation(org), parts[1]
    return home.org_site(org), "/".join(parts)


def resolve(home: Home, org: str, pad: str) -> Path:
    """The file for `pad` inside the organisation's site folder (or, for `validatie/<naam>`,
    its folder of validation reports); 400 for a bad path, 404 when there is no such file."""
    folder, inside = _folder(home, org, check_shape(pad))
    base = folder.resolve()
    target = (base / inside).resolve()
    if not target.is_relative_to(base):
        raise invalid_path()
    if not target.is_file():
        raise not_found(
            "Dit rapport bestaat (nog) niet. Rapporten verschijnen nadat uw "
            "aanlevering is verwerkt."
        )
    return target


def _files(folder: Path, prefix: str, depth: str) -> list[tuple[str, Path]]:
    """(path as served, file) of the well-formed files in `folder` (up to `depth`), and
    nothing whose real path is outside it."""
    if not folder.is_dir():
        return []
    base = folder.resolve()
    out = []
    for path in sorted(folder.glob(depth)):
        rel = prefix + path.relative_to(folder).as_posix()
        try:
            check_shape(rel)
        except ServiceError:
            continue
        if path.is_file() and path.resolve().is_relative_to(base):
            out.append((rel, path))
    return out


def listing(home: Home, org: str) -> list[dict]:
    """The organisation's report files, as relative paths with their URL: its site folder
    and its validation reports (`validatie/<naam>`)."""
    site = home.org_site(org)
    found = [
        *_files(site, "", "*"),
        # `validatie/<naam>` is served from the reports' own folder (`_folder`), never from the
        # site: its link there, or an old home's folder not yet handed over
        *[f for f in _files(site, "", "*/*") if not f[0].startswith(f"{VALIDATION_IN_SITE}/")],
        *_files(home.org_validation(org), f"{VALIDATION_IN_SITE}/", "*"),
    ]
    out = []
    for rel, path in sorted(found):
        kind = (
            "validatierapport"
            if rel.startswith(f"{VALIDATION_IN_SITE}/")
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

"""Digests that decide whether report work can be skipped: of the code that does the work, and
of the rows it reads. Used by the organisation pages' fingerprints (`org_pages`)."""

from __future__ import annotations

import hashlib
import importlib.metadata
import sys
from collections.abc import Iterable
from pathlib import Path

import polars as pl

# Two independent 64-bit row hashes: a collision has to happen in both at once.
_SEEDS = (101, 202)


def code_digest(files: Iterable[Path], libraries: Iterable[str], fmt: str) -> str:
    """A hash of source files, the versions of the libraries they use, the Python version and
    a format number (bumped by hand for a change the sources cannot show)."""
    h = hashlib.sha256(f"format {fmt}\n".encode())
    for file in files:
        h.update(f"{file.parent.name}/{file.name}\n".encode())
        h.update(file.read_bytes())
    for lib in libraries:
        h.update(f"{lib}=={importlib.metadata.version(lib)}\n".encode())
    h.update(f"python {sys.version_info[:2]}\n".encode())
    return h.hexdigest()


def row_hashes(frame: pl.DataFrame) -> pl.DataFrame:
    """Two independent 64-bit hashes per row, in the frame's row order (columns a, b)."""
    a, b = (frame.hash_rows(seed=s) for s in _SEEDS)
    return pl.DataFrame({"a": a, "b": b}, schema={"a": pl.UInt64, "b": pl.UInt64})

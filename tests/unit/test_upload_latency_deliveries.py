"""The upload-latency benchmark (`bench/upload_latency.py`) measures a re-upload again and
again on one home: each of its deliveries must be new bytes (the same bytes again are
recognised as received and start nothing, so the measurement would wait in vain) and stay far
below the re-upload rule's share (a held upload changes no report either)."""

from __future__ import annotations

import hashlib

import polars as pl

from bench.upload_latency import changed_delivery
from rendement.demo import generate_sector
from rendement.intake.hold import SHARE


def _digest(paths) -> str:
    return hashlib.sha256(b"".join(p.read_bytes() for p in sorted(paths))).hexdigest()


def test_every_measurement_delivers_new_bytes_below_the_hold_share(tmp_path):
    org = next(iter(generate_sector(3, 7)))
    year = max(org.tables)
    delivered = org.tables[year]["traject"].height
    digests, kept = set(), []
    for extra in (1, 2, 3):
        _org, paths = changed_delivery(tmp_path, 3, 7, tmp_path / f"e{extra}", 0.02, extra)
        digests.add(_digest(paths))
        traject = next(p for p in paths if p.name.startswith("traject"))
        kept.append(pl.read_csv(traject, separator=";").height)
    assert len(digests) == 3
    assert len(set(kept)) == 3 and max(kept) < delivered
    assert min(kept) > (1 - SHARE) * delivered

"""`docs/performance.md`'s "Beyond one machine" quotes the growth table's figures: the benchmark
writes them (`bench.report.beyond`), so they follow each run and cannot go stale."""

from __future__ import annotations

from bench.report import BEYOND_BEGIN, BEYOND_END, beyond, update_beyond


def _size(label: str, trajectories: int, run: float, base: float, cpu: float, mkba_mb: float):
    return {
        "label": label,
        "orgs": 100,
        "generated": {"trajectories": trajectories},
        "pipeline": {
            "success": True,
            "run_seconds": run,
            "cpu_seconds": cpu,
            "peak_mb": 1500.0,
            "stages": {"mkba": {"peak_mb": mkba_mb}},
        },
        "baseline": {"total_seconds": base},
        "incremental": {"run_seconds": run / 20},
    }


def _results(*sizes) -> dict:
    return {
        "command": "bench/run.py --sizes 1M 2M",
        "started": "2026-12-05T14:47:50+00:00",
        "machine": {"cpus": 2},
        "sizes": list(sizes),
    }


def test_the_paragraph_is_computed_from_the_run():
    text = beyond(
        _results(
            _size("1M", 1_000_000, 100.0, 10.0, 150.0, 500.0),
            _size("2M", 2_000_000, 120.0, 16.0, 200.0, 700.0),
        )
    )
    assert "from 100.0 (1M) to 60.0 (2M)" in text  # seconds per million
    assert "adds ≈ 20.0 s per extra million, the baseline ≈ 6.00 s" in text
    assert "a full rebuild takes 2.00 minutes" in text
    # ten times 2M: 120 s + 20 s × 18 extra million = 480 s; MKBA 700 + 200 × 18 MB
    assert "ten times 2M takes ≈ 8.00 minutes" in text and "at ≈ 4.3 GB" in text
    assert "≈ 1.50 CPU seconds at 1M" in text  # 150 CPU s over 100 organisations
    assert "≈ 62.5 minutes per 5,000 organisations on 2 cores" in text  # 1.5 × 5,000 / 2 / 60
    assert "re-upload 5.00–6.00 s" in text


def test_one_size_leaves_the_docs_as_they_are(tmp_path):
    assert beyond(_results(_size("1M", 1_000_000, 100.0, 10.0, 150.0, 500.0))) is None
    docs = tmp_path / "performance.md"
    docs.write_text(f"a\n{BEYOND_BEGIN}\nold\n{BEYOND_END}\nb\n", "utf-8")
    update_beyond(docs, _results(_size("1M", 1_000_000, 100.0, 10.0, 150.0, 500.0)))
    assert "old" in docs.read_text("utf-8")
    two = _results(
        _size("1M", 1_000_000, 100.0, 10.0, 150.0, 500.0),
        _size("2M", 2_000_000, 120.0, 16.0, 200.0, 700.0),
    )
    update_beyond(docs, two)
    written = docs.read_text("utf-8")
    assert "old" not in written and written.startswith("a\n") and written.endswith("b\n")
    unmarked = tmp_path / "other.md"
    unmarked.write_text("no markers\n", "utf-8")
    update_beyond(unmarked, two)
    assert unmarked.read_text("utf-8") == "no markers\n"

"""Small inline SVG charts for table cells: a distribution (P10-P90 with P25-P75 box and the
median), an interval with its point estimate, and a sparkline over years.

Plain strings of SVG, built from numbers only (labels pass through `esc`), deterministic
(coordinates rounded, no random ids), readable in print (no colour-only meaning: the reference
line is dashed, the median a bar). Missing parts (suppressed cells) are simply not drawn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from rendement.reports.page import esc

INK = "#1d2a36"
MUTED = "#8795a1"
ACCENT = "#0b6e69"
ACCENT_SOFT = "#a9d3cf"
REF = "#b0483a"


def _ok(value: float | None) -> bool:
    return value is not None and math.isfinite(value)


def _f(x: float) -> str:
    text = f"{x:.1f}"
    return "0.0" if text == "-0.0" else text


class Scale:
    """A linear map from [lo, hi] to [x0, x1] pixels, clamped to the range."""

    def __init__(self, lo: float, hi: float, x0: float, x1: float):
        if not (_ok(lo) and _ok(hi)) or hi <= lo:
            lo, hi = 0.0, 1.0
        self.lo, self.hi, self.x0, self.x1 = lo, hi, x0, x1

    def __call__(self, v: float) -> float:
        v = min(max(v, self.lo), self.hi)
        return self.x0 + (v - self.lo) / (self.hi - self.lo) * (self.x1 - self.x0)


def nice_range(
    values: Sequence[float | None], *, include: Sequence[float] = ()
) -> tuple[float, float]:
    """A rounded axis range covering the values (and `include`, e.g. the reference 1)."""
    finite = [v for v in [*values, *include] if _ok(v)]
    if not finite:
        return 0.0, 1.0
    lo, hi = min(finite), max(finite)
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    span = hi - lo
    step = 10 ** math.floor(math.log10(span))
    for mult in (1, 2, 5, 10):
        if span / (step * mult) <= 6:
            step *= mult
            break
    lo = math.floor(lo / step) * step
    hi = math.ceil(hi / step) * step
    if lo >= 0 and min(finite) >= 0:
        lo = max(lo, 0.0)
    return lo, hi


def _svg(width: int, height: int, label: str, inner: str) -> str:
    return (
        f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{esc(label)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{esc(label)}</title>{inner}</svg>"
    )


def _reference(scale: Scale, ref: float | None, height: int) -> str:
    if not _ok(ref) or not (scale.lo <= ref <= scale.hi):
        return ""
    x = _f(scale(ref))
    return (
        f'<line x1="{x}" y1="1" x2="{x}" y2="{height - 1}" stroke="{REF}" '
        f'stroke-width="1" stroke-dasharray="2 2"/>'
    )


def _axis(scale: Scale, y: float) -> str:
    return (
        f'<line x1="{_f(scale.x0)}" y1="{_f(y)}" x2="{_f(scale.x1)}" y2="{_f(y)}" '
        f'stroke="#e3e8ec" stroke-width="1"/>'
    )


def distribution(
    p10: float | None,
    p25: float | None,
    median: float | None,
    p75: float | None,
    p90: float | None,
    *,
    lo: float,
    hi: float,
    ref: float | None = 1.0,
    mark: float | None = None,
    label: str = "",
    width: int = 170,
    height: int = 22,
) -> str:
    """P10-P90 as a thin line, P25-P75 as a box, the median as a bar; `ref` dashed; `mark`
    (e.g. an organisation's own value) as a diamond."""
    s = Scale(lo, hi, 4, width - 4)
    mid = height / 2
    parts = [_axis(s, mid), _reference(s, ref, height)]
    if _ok(p10) and _ok(p90):
        parts.append(
            f'<line x1="{_f(s(p10))}" y1="{_f(mid)}" x2="{_f(s(p90))}" y2="{_f(mid)}" '
            f'stroke="{MUTED}" stroke-width="2"/>'
        )
        for v in (p10, p90):
            parts.append(
                f'<line x1="{_f(s(v))}" y1="{_f(mid - 4)}" x2="{_f(s(v))}" y2="{_f(mid + 4)}" '
                f'stroke="{MUTED}" stroke-width="1.5"/>'
            )
    if _ok(p25) and _ok(p75):
        x, w = s(p25), max(s(p75) - s(p25), 1.0)
        parts.append(
            f'<rect x="{_f(x)}" y="{_f(mid - 6)}" width="{_f(w)}" height="12" rx="2" '
            f'fill="{ACCENT_SOFT}" stroke="{ACCENT}" stroke-width="1"/>'
        )
    if _ok(median):
        x = _f(s(median))
        parts.append(
            f'<line x1="{x}" y1="{_f(mid - 8)}" x2="{x}" y2="{_f(mid + 8)}" '
            f'stroke="{INK}" stroke-width="3"/>'
        )
    if _ok(mark):
        x, y = s(mark), mid
        parts.append(
            f'<path d="M {_f(x)} {_f(y - 6)} L {_f(x + 5)} {_f(y)} L {_f(x)} {_f(y + 6)} '
            f'L {_f(x - 5)} {_f(y)} Z" fill="{REF}" stroke="#fff" stroke-width="1"/>'
        )
    if not any(_ok(v) for v in (p10, p25, median, p75, p90, mark)):
        return ""
    return _svg(width, height, label, "".join(parts))


def interval(
    low: float | None,
    point: float | None,
    high: float | None,
    *,
    lo: float,
    hi: float,
    ref: float | None = None,
    label: str = "",
    width: int = 150,
    height: int = 20,
) -> str:
    """An interval low-high with end caps and the point estimate as a dot."""
    if not _ok(point) and not (_ok(low) and _ok(high)):
        return ""
    s = Scale(lo, hi, 5, width - 5)
    mid = height / 2
    parts = [_axis(s, mid), _reference(s, ref, height)]
    if _ok(low) and _ok(high):
        parts.append(
            f'<line x1="{_f(s(low))}" y1="{_f(mid)}" x2="{_f(s(high))}" y2="{_f(mid)}" '
            f'stroke="{ACCENT}" stroke-width="3" stroke-linecap="butt"/>'
        )
        for v in (low, high):
            parts.append(
                f'<line x1="{_f(s(v))}" y1="{_f(mid - 5)}" x2="{_f(s(v))}" y2="{_f(mid + 5)}" '
                f'stroke="{ACCENT}" stroke-width="1.5"/>'
            )
    if _ok(point):
        parts.append(
            f'<circle cx="{_f(s(point))}" cy="{_f(mid)}" r="3.5" fill="{INK}" '
            f'stroke="#fff" stroke-width="1"/>'
        )
    return _svg(width, height, label, "".join(parts))


def sparkline(
    values: Sequence[float | None],
    *,
    label: str = "",
    width: int = 96,
    height: int = 24,
    ref: float | None = None,
) -> str:
    """A line over the years; a gap where a value is missing, the last point emphasised."""
    finite = [v for v in values if _ok(v)]
    if not finite or len(values) < 2:
        return ""
    lo, hi = min(finite), max(finite)
    if _ok(ref):
        lo, hi = min(lo, ref), max(hi, ref)
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    pad = 4
    step = (width - 2 * pad) / (len(values) - 1)

    def y(v: float) -> float:
        return height - pad - (v - lo) / (hi - lo) * (height - 2 * pad)

    parts = []
    if _ok(ref):
        parts.append(
            f'<line x1="{pad}" y1="{_f(y(ref))}" x2="{width - pad}" y2="{_f(y(ref))}" '
            f'stroke="{REF}" stroke-width="1" stroke-dasharray="2 2"/>'
        )
    run: list[str] = []
    for i, v in enumerate([*values, None]):
        if _ok(v):
            run.append(f"{_f(pad + i * step)},{_f(y(v))}")
        elif run:
            if len(run) > 1:
                parts.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{ACCENT}" '
                    f'stroke-width="1.8" stroke-linejoin="round"/>'
                )
            run = []
    for i, v in enumerate(values):
        if _ok(v):
            last = i == max(j for j, w in enumerate(values) if _ok(w))
            parts.append(
                f'<circle cx="{_f(pad + i * step)}" cy="{_f(y(v))}" r="{2.8 if last else 1.8}" '
                f'fill="{INK if last else ACCENT}"/>'
            )
    return _svg(width, height, label, "".join(parts))


def bar(
    value: float | None, *, maximum: float, label: str = "", width: int = 110, height: int = 14
) -> str:
    """A single horizontal bar, for shares of a total."""
    if not _ok(value) or not _ok(maximum) or maximum <= 0:
        return ""
    w = max(0.0, min(value / maximum, 1.0)) * (width - 2)
    inner = (
        f'<rect x="1" y="2" width="{width - 2}" height="{height - 4}" fill="#eef2f4"/>'
        f'<rect x="1" y="2" width="{_f(w)}" height="{height - 4}" fill="{ACCENT}"/>'
    )
    return _svg(width, height, label, inner)

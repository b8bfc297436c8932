"""Small inline SVG charts for table cells: a distribution (P10-P90 with P25-P75 box and the
median), an interval with its point estimate, and a sparkline over years.

SVG from the template `templates/chart.svg`: the code here computes the shapes (every number
written with `_f`), the template writes them and escapes the labels. Deterministic
(coordinates rounded, no random ids), readable in print (no colour-only meaning: the reference
line is dashed, the median a bar). Missing parts (suppressed cells) are simply not drawn.

One outlier must not flatten a column of charts (a ratio of 40,7 next to ratios around 1).
`axis` chooses the scale of a column from the bulk of its values: values beyond far fences
(Tukey's Q1 − 3 × IQR, Q3 + 3 × IQR, with a floor on the spread) do not stretch it, when
leaving them out makes the scale at least 2,5 times finer. Every chart drawn on such an
`Axis` keeps a narrow zone at the clipped edge, behind an axis break (//): a value beyond the
scale is drawn there, with a triangle pointing outwards, its value as text and a `<title>`;
the chart's accessible label says which values lie beyond the scale. The charts of one column
therefore stay aligned.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rendement.core.formatting import nl_number, nl_ratio
from rendement.core.templates import Markup, render

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


# A shape of a chart: (kind, attributes) as `templates/chart.svg` draws it.
Shape = tuple[str, dict[str, object]]


def _line(x1, y1, x2, y2, stroke: str, sw, *, dash: str | None = None, cap: str | None = None):
    return (
        "line",
        {
            "x1": x1,
            "y1": y1,
            "x2": x2,
            "y2": y2,
            "stroke": stroke,
            "sw": sw,
            "dash": dash,
            "cap": cap,
        },
    )


def _rect(x, y, w, h, fill: str, *, rx=None, stroke: str | None = None, sw=None) -> Shape:
    return (
        "rect",
        {"x": x, "y": y, "w": w, "h": h, "rx": rx, "fill": fill, "stroke": stroke, "sw": sw},
    )


def _circle(cx, cy, r, fill: str, *, stroke: str | None = None, sw=None) -> Shape:
    return ("circle", {"cx": cx, "cy": cy, "r": r, "fill": fill, "stroke": stroke, "sw": sw})


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


# Far fences (Tukey): beyond Q3 + FENCE × IQR a value no longer sets the scale.
FENCE = 3.0
# With fewer than four values: the largest is an outlier beyond this many times the others' top.
SMALL_FACTOR = 5.0
# Clip only when leaving the outliers out makes the scale at least this many times finer.
MIN_GAIN = 2.5
# Width in pixels of the zone beyond an axis break where clipped values are drawn.
ZONE = 30.0


@dataclass(frozen=True)
class Axis:
    """The scale of a column of charts: [lo, hi], and whether values lie beyond either end
    (then every chart on it keeps a zone for them behind an axis break)."""

    lo: float
    hi: float
    clip_low: bool = False
    clip_high: bool = False

    @property
    def clipped(self) -> bool:
        return self.clip_low or self.clip_high

    def caption(self, decimals: int = 1) -> str:
        """The scale in words for a column label: `0,0–3,0`, and what the edges mean."""
        text = f"{nl_number(self.lo, decimals)}–{nl_number(self.hi, decimals)}"
        if self.clip_high and self.clip_low:
            return text + "; ◂ ▸ daarbuiten"
        if self.clip_high:
            return text + "; ▸ hoger"
        if self.clip_low:
            return text + "; ◂ lager"
        return text


def _quantile(sorted_values: list[float], q: float) -> float:
    """Linear interpolation between order statistics (numpy's default)."""
    pos = q * (len(sorted_values) - 1)
    i = math.floor(pos)
    j = min(i + 1, len(sorted_values) - 1)
    return sorted_values[i] + (pos - i) * (sorted_values[j] - sorted_values[i])


def axis(
    values: Sequence[float | None],
    *,
    include: Sequence[float] = (),
    centre: Sequence[float | None] | None = None,
) -> Axis:
    """A rounded axis for a column of charts, chosen from the bulk of `values` (see the
    module docstring). `centre`: the values that say where the bulk is (the point estimates
    of a column of intervals; default `values`). With four or more of them, the far fences
    Q1 − 3 × spread and Q3 + 3 × spread, where spread is the IQR but at least half the
    larger quartile (so a tight cluster does not clip its own intervals); with fewer, only the
    largest can be an outlier: when it is more than `SMALL_FACTOR` times the top of the scale
    of the others. Values beyond are left off the scale when that makes it at least
    `MIN_GAIN` times finer; the charts mark them at the edge."""
    finite = sorted(v for v in values if _ok(v))
    full = nice_range(finite, include=include)
    c = sorted(v for v in (values if centre is None else centre) if _ok(v))
    if not c or not finite:
        return Axis(*full)
    if len(c) >= 4:
        q1, q3 = _quantile(c, 0.25), _quantile(c, 0.75)
        spread = max(q3 - q1, max(abs(q1), abs(q3)) / 2)
        low_fence, high_fence = q1 - FENCE * spread, q3 + FENCE * spread
    else:
        top = nice_range(c[:-1], include=include)[1]
        low_fence, high_fence = -math.inf, SMALL_FACTOR * top if top > 0 else math.inf
    bulk = [v for v in finite if low_fence <= v <= high_fence]
    if not bulk or len(bulk) == len(finite):
        return Axis(*full)
    lo, hi = nice_range(bulk, include=include)
    if (full[1] - full[0]) < MIN_GAIN * (hi - lo):
        return Axis(*full)
    return Axis(lo, hi, clip_low=finite[0] < lo, clip_high=finite[-1] > hi)


def _short(value: float) -> str:
    """A value beyond the scale, short enough for the zone: 40,7 · 117 · 1.234."""
    a = abs(value)
    return nl_number(value, 2 if a < 10 else 1 if a < 100 else 0)


def _plot(ax: Axis, x0: float, x1: float) -> Scale:
    """The scale of the bulk, leaving room for the zones of clipped values."""
    return Scale(
        ax.lo, ax.hi, x0 + (ZONE if ax.clip_low else 0), x1 - (ZONE if ax.clip_high else 0)
    )


def _beyond(ax: Axis, value: float | None) -> int:
    """-1 below the scale (clipped), +1 above it, 0 on it (or missing)."""
    if not _ok(value):
        return 0
    if ax.clip_high and value > ax.hi:
        return 1
    if ax.clip_low and value < ax.lo:
        return -1
    return 0


def _zone_x(s: Scale, side: int) -> float:
    """Where a clipped value is drawn: inside the zone, just past the axis break."""
    return s.x1 + 8 if side > 0 else s.x0 - 8


def _breaks(ax: Axis, s: Scale, mid: float) -> list[Shape]:
    """The axis break (//) between the scale and a zone."""
    out = []
    for clipped, x in ((ax.clip_low, s.x0 - 3), (ax.clip_high, s.x1 + 3)):
        if clipped:
            for dx in (-1.5, 1.5):
                out.append(
                    _line(_f(x + dx - 1.5), _f(mid + 4), _f(x + dx + 1.5), _f(mid - 4), MUTED, 1)
                )
    return out


def _outlier(x: float, mid: float, side: int, value: float, what: str, colour: str) -> Shape:
    """A triangle pointing off the scale at `x`, the value as text beside it, and a title."""
    tip = x + 4 * side
    back = x - 3 * side
    text_x = x + 6 * side
    anchor = "start" if side > 0 else "end"
    shown = _short(value)
    return (
        "outlier",
        {
            "what": what,
            "shown": shown,
            "d": f"M {_f(back)} {_f(mid - 5)} L {_f(tip)} {_f(mid)} L {_f(back)} {_f(mid + 5)} Z",
            "fill": colour,
            "x": _f(text_x),
            "y": _f(mid - 3),
            "anchor": anchor,
            "ink": INK,
        },
    )


def _beyond_label(label: str, ax: Axis, items: list[tuple[str, float | None]]) -> str:
    """The accessible label, with the values beyond the scale named."""
    off = [(what, v) for what, v in items if _beyond(ax, v)]
    if not off:
        return label
    parts = ", ".join(f"{what} {_short(v)}" for what, v in off)
    scale = f"{nl_number(ax.lo, 1)}–{nl_number(ax.hi, 1)}"
    return (
        f"{label}. Buiten de schaal van de grafiek ({scale}), aan de rand getekend met een "
        f"driehoek: {parts}"
    )


def _svg(width: int, height: int, label: str, shapes: list[Shape]) -> Markup:
    """The chart as inline SVG (safe markup: numbers and the escaped label)."""
    return render(
        "rendement.reports", "chart.svg", width=width, height=height, label=label, shapes=shapes
    )


def _reference(scale: Scale, ref: float | None, height: int) -> list[Shape]:
    if not _ok(ref) or not (scale.lo <= ref <= scale.hi):
        return []
    x = _f(scale(ref))
    return [_line(x, 1, x, height - 1, REF, 1, dash="2 2")]


def _axis(scale: Scale, y: float) -> Shape:
    return _line(_f(scale.x0), _f(y), _f(scale.x1), _f(y), "#e3e8ec", 1)


def distribution(
    p10: float | None,
    p25: float | None,
    median: float | None,
    p75: float | None,
    p90: float | None,
    *,
    lo: float | None = None,
    hi: float | None = None,
    ax: Axis | None = None,
    ref: float | None = 1.0,
    mark: float | None = None,
    label: str = "",
    width: int = 170,
    height: int = 22,
) -> Markup | str:
    """P10-P90 as a thin line, P25-P75 as a box, the median as a bar; `ref` dashed; `mark`
    (e.g. an organisation's own value) as a diamond. On a clipped `ax`, a value beyond the
    scale is drawn in the zone behind the axis break (see the module docstring)."""
    if not any(_ok(v) for v in (p10, p25, median, p75, p90, mark)):
        return ""
    ax = ax or Axis(lo if lo is not None else 0.0, hi if hi is not None else 1.0)
    s = _plot(ax, 4, width - 4)
    mid = height / 2

    def x(v: float) -> float:
        side = _beyond(ax, v)
        return _zone_x(s, side) if side else s(v)

    parts = [_axis(s, mid), *_breaks(ax, s, mid), *_reference(s, ref, height)]
    if _ok(p10) and _ok(p90):
        parts.append(_line(_f(x(p10)), _f(mid), _f(x(p90)), _f(mid), MUTED, 2))
        for v in (p10, p90):
            if not _beyond(ax, v):
                parts.append(_line(_f(s(v)), _f(mid - 4), _f(s(v)), _f(mid + 4), MUTED, 1.5))
    if _ok(p25) and _ok(p75):
        left, right = x(p25), x(p75)
        parts.append(
            _rect(
                _f(left),
                _f(mid - 6),
                _f(max(right - left, 1.0)),
                12,
                ACCENT_SOFT,
                rx=2,
                stroke=ACCENT,
                sw=1,
            )
        )
    if _ok(median) and not _beyond(ax, median):
        xm = _f(s(median))
        parts.append(_line(xm, _f(mid - 8), xm, _f(mid + 8), INK, 3))
    if _ok(mark) and not _beyond(ax, mark):
        xk, y = s(mark), mid
        diamond = (
            f"M {_f(xk)} {_f(y - 6)} L {_f(xk + 5)} {_f(y)} L {_f(xk)} {_f(y + 6)} "
            f"L {_f(xk - 5)} {_f(y)} Z"
        )
        parts.append(("path", {"d": diamond, "fill": REF, "stroke": "#fff", "sw": 1}))
    # Clipped values: one marker per side, for the most telling value beyond it (the own
    # value first, then the median, then the outer percentile).
    items = [("uw waarde", mark), ("mediaan", median), ("P90", p90), ("P75", p75), ("P10", p10)]
    items += [("P25", p25)]
    for side in (1, -1):
        off = [(what, v) for what, v in items if _beyond(ax, v) == side]
        if off:
            what, v = off[0]
            colour = REF if what == "uw waarde" else INK if what == "mediaan" else MUTED
            parts.append(_outlier(_zone_x(s, side), mid, side, v, what, colour))
    label = _beyond_label(label, ax, items)
    return _svg(width, height, label, parts)


def interval(
    low: float | None,
    point: float | None,
    high: float | None,
    *,
    lo: float | None = None,
    hi: float | None = None,
    ax: Axis | None = None,
    ref: float | None = None,
    label: str = "",
    width: int = 150,
    height: int = 20,
    what: str = "waarde",
) -> Markup | str:
    """An interval low-high with end caps and the point estimate as a dot. On a clipped `ax`,
    a part beyond the scale runs into the zone behind the axis break and ends in a triangle
    with its value (the point estimate if it is beyond, else the interval's bound)."""
    if not _ok(point) and not (_ok(low) and _ok(high)):
        return ""
    ax = ax or Axis(lo if lo is not None else 0.0, hi if hi is not None else 1.0)
    s = _plot(ax, 5, width - 5)
    mid = height / 2

    def x(v: float) -> float:
        side = _beyond(ax, v)
        return _zone_x(s, side) if side else s(v)

    parts = [_axis(s, mid), *_breaks(ax, s, mid), *_reference(s, ref, height)]
    if _ok(low) and _ok(high):
        parts.append(_line(_f(x(low)), _f(mid), _f(x(high)), _f(mid), ACCENT, 3, cap="butt"))
        for v in (low, high):
            if not _beyond(ax, v):
                parts.append(_line(_f(s(v)), _f(mid - 5), _f(s(v)), _f(mid + 5), ACCENT, 1.5))
    if _ok(point) and not _beyond(ax, point):
        parts.append(_circle(_f(s(point)), _f(mid), 3.5, INK, stroke="#fff", sw=1))
    items = [(what, point), ("intervalgrens", high), ("intervalgrens", low)]
    for side in (1, -1):
        off = [(name, v) for name, v in items if _beyond(ax, v) == side]
        if off:
            name, v = off[0]
            colour = INK if v is point else ACCENT
            parts.append(_outlier(_zone_x(s, side), mid, side, v, name, colour))
    label = _beyond_label(label, ax, items)
    return _svg(width, height, label, parts)


def ratio_interval(
    low: float | None, point: float | None, high: float | None, *, ax: Axis, name: str = ""
) -> Markup | str:
    """The rendementsfactor with its 90 % interval against 1 (the organisation's projects,
    the comparison's groups): one drawing and one label wherever a ratio is shown."""
    prefix = f"{name}: rendementsfactor" if name else "Rendementsfactor"
    return interval(
        low,
        point,
        high,
        ax=ax,
        ref=1.0,
        width=130,
        what="rendementsfactor",
        label=f"{prefix} {nl_ratio(point)}, 90 %-interval {nl_ratio(low)}–{nl_ratio(high)}",
    )


def sparkline(
    values: Sequence[float | None],
    *,
    label: str = "",
    width: int = 96,
    height: int = 24,
    ref: float | None = None,
) -> Markup | str:
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

    parts: list[Shape] = []
    if _ok(ref):
        parts.append(_line(pad, _f(y(ref)), width - pad, _f(y(ref)), REF, 1, dash="2 2"))
    run: list[str] = []
    for i, v in enumerate([*values, None]):
        if _ok(v):
            run.append(f"{_f(pad + i * step)},{_f(y(v))}")
        elif run:
            if len(run) > 1:
                parts.append(("polyline", {"points": " ".join(run), "stroke": ACCENT, "sw": 1.8}))
            run = []
    for i, v in enumerate(values):
        if _ok(v):
            last = i == max(j for j, w in enumerate(values) if _ok(w))
            parts.append(
                _circle(_f(pad + i * step), _f(y(v)), 2.8 if last else 1.8, INK if last else ACCENT)
            )
    return _svg(width, height, label, parts)


def bar(
    value: float | None, *, maximum: float, label: str = "", width: int = 110, height: int = 14
) -> Markup | str:
    """A single horizontal bar, for shares of a total."""
    if not _ok(value) or not _ok(maximum) or maximum <= 0:
        return ""
    w = max(0.0, min(value / maximum, 1.0)) * (width - 2)
    shapes = [_rect(1, 2, width - 2, height - 4, "#eef2f4"), _rect(1, 2, _f(w), height - 4, ACCENT)]
    return _svg(width, height, label, shapes)

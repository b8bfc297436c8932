"""Charts that one outlier cannot flatten: the scale follows the bulk of the values, a value
beyond it is drawn at the edge with a marker, its number and a title, and the accessible label
says so. Checked on the SVG itself."""

from __future__ import annotations

import re

from rendement.reports import charts

# An organisation's project-years: ratios around 1, and one project with costs of € 874 for
# 19 participants (ratio 40,7, interval 21–66, as in issue 15).
ROWS = [
    (0.41, 0.67, 1.15),
    (0.39, 0.65, 0.81),
    (21.0, 40.7, 66.0),
    (0.36, 0.59, 1.01),
    (0.55, 0.90, 1.11),
    (0.35, 0.59, 0.80),
    (0.49, 0.85, 1.05),
    (0.35, 0.60, 0.74),
    (0.59, 1.03, 1.27),
]
WIDTH = 150


def _axis(rows):
    return charts.axis(
        [v for r in rows for v in r], include=[0.0, 1.0], centre=[r[1] for r in rows]
    )


def _dot_x(svg: str) -> float | None:
    m = re.search(r'<circle cx="([\d.]+)"', svg)
    return float(m.group(1)) if m else None


def test_one_outlier_is_clipped_and_the_rest_spread_over_the_chart():
    ax = _axis(ROWS)
    assert ax.clip_high and not ax.clip_low
    assert ax.hi <= 2.0  # the scale of the bulk, not of 66
    svgs = [charts.interval(*r, ax=ax, ref=1.0, label="r", width=WIDTH) for r in ROWS]
    outlier = svgs[2]
    # the outlier: a triangle in the zone with its value and a title; no dot on the scale
    assert "<title>waarde 40,7: buiten de schaal</title>" in outlier
    assert ">40,7</text>" in outlier
    assert "<path" in outlier and _dot_x(outlier) is None
    assert "Buiten de schaal van de grafiek" in outlier  # the accessible label says so
    assert 'aria-label="r. Buiten de schaal' in outlier
    # the others: dots spread over a reasonable part of the plot, none beyond the break
    xs = [_dot_x(s) for i, s in enumerate(svgs) if i != 2]
    assert all(x is not None for x in xs)
    plot = WIDTH - 10 - charts.ZONE
    assert max(xs) - min(xs) > 0.2 * plot  # 0,59 … 1,03 on 0–2: about a fifth and more
    assert max(xs) < WIDTH - 5 - charts.ZONE + 0.1
    assert all("Buiten de schaal" not in s for i, s in enumerate(svgs) if i != 2)
    # every chart of the column keeps the same axis break, so the columns stay aligned
    assert all(s.count('stroke="#8795a1" stroke-width="1"/>') == 2 for s in svgs)


def test_without_clipping_the_outlier_would_flatten_the_rest():
    full = charts.nice_range([v for r in ROWS for v in r], include=[0.0, 1.0])
    svgs = [charts.interval(*r, lo=full[0], hi=full[1], ref=1.0) for r in ROWS]
    xs = [_dot_x(s) for i, s in enumerate(svgs) if i != 2]
    assert max(xs) - min(xs) < 3  # a dot: what the clipped scale prevents


def test_an_interval_that_runs_beyond_the_scale_ends_in_a_marked_bound():
    ax = _axis(ROWS)
    svg = charts.interval(0.8, 1.4, 9.5, ax=ax, ref=1.0, label="x")
    assert _dot_x(svg) is not None  # the point is on the scale
    assert "<title>intervalgrens 9,50: buiten de schaal</title>" in svg
    assert "intervalgrens 9,50" in svg.split("<title>")[1]  # named in the label too


def test_moderate_spread_is_not_clipped():
    rows = [(0.5, 1.0, 2.5), (1.2, 2.1, 4.3), (0.3, 0.6, 1.4), (1.6, 3.1, 6.8)]
    ax = _axis(rows)
    assert not ax.clipped
    svg = charts.interval(*rows[3], ax=ax, ref=1.0, label="y")
    assert "buiten de schaal" not in svg.lower()


def test_few_values_one_far_away_is_clipped():
    ax = _axis([(0.5, 1.0, 2.5), (21.0, 40.7, 117.0)])
    assert ax.clip_high and ax.hi <= 3.0
    single = _axis([(21.0, 40.7, 117.0)])  # one project alone: its own scale
    assert not single.clipped and single.hi >= 117.0


def test_distribution_marks_an_own_value_beyond_the_scale():
    ax = charts.axis([0.3, 0.5, 0.8, 1.1, 1.6, 40.7], include=[0.0, 1.0])
    assert ax.clip_high
    svg = charts.distribution(0.3, 0.5, 0.8, 1.1, 1.6, ax=ax, mark=40.7, label="uw waarde")
    assert "<title>uw waarde 40,7: buiten de schaal</title>" in svg
    assert "Buiten de schaal van de grafiek" in svg
    assert ax.caption().endswith("▸ hoger")


def test_charts_are_deterministic_and_escape_their_label():
    ax = _axis(ROWS)
    a = charts.interval(*ROWS[2], ax=ax, label="<b>x</b>")
    assert a == charts.interval(*ROWS[2], ax=ax, label="<b>x</b>")
    assert "<b>" not in a and "&lt;b&gt;" in a

"""Server-rendered SVG plots: a sparkline, a score bar and per-category weekly bars. Pure: text out.

We draw the SVG ourselves rather than vendoring a chart library: the three plots are a few
dozen elements each, need no script (CSP is ``script-src 'self'``), and take their colours
from the site stylesheet through ``class`` names, so they follow light and dark mode and need
no ``style`` attribute (``style-src 'self'`` blocks those). Every plot is ``role="img"`` with
an ``aria-label``, a ``<title>`` and a ``<desc>``; pages add a visually-hidden table or
sentence with the same numbers for readers who want them one by one.

Every string put into the SVG is escaped here, so templates may insert the result as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from papertide.domain.stats import CategoryWeeks
from papertide.domain.wording import quantity

SPARK_WIDTH, SPARK_HEIGHT = 240, 48  # px (the viewBox; CSS may scale it)
SPARK_PAD = 3  # px kept free around the line so the end dot is not clipped
BAR_WIDTH, BAR_HEIGHT = 80, 8  # px, the trending score bar
ROW_HEIGHT = 26  # px per category row of the weekly chart
LABEL_WIDTH = 96  # px for the category names
TOTAL_WIDTH = 64  # px for the per-category totals
WEEK_SLOT = 36  # px per week column
BAR_GAP = 4  # px between week bars


def _fmt(x: float) -> str:
    """Coordinates with at most two decimals and no trailing zeros (smaller, stable output)."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _open(width: int, height: int, label: str, desc: str, css: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="plot {css}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(label)}" focusable="false">'
        f"<title>{escape(label)}</title><desc>{escape(desc)}</desc>"
    )


def scale(value: float, lo: float, hi: float, out_lo: float, out_hi: float) -> float:
    """Map ``value`` from [lo, hi] to [out_lo, out_hi]; a flat domain maps to the middle.

    >>> scale(5, 0, 10, 0, 100)
    50.0
    >>> scale(3, 3, 3, 0, 100)
    50.0
    """
    if hi == lo:
        return (out_lo + out_hi) / 2
    return out_lo + (value - lo) / (hi - lo) * (out_hi - out_lo)


def sparkline_svg(
    points: Sequence[tuple[float, float]], label: str, desc: str = "",
    width: int = SPARK_WIDTH, height: int = SPARK_HEIGHT,
) -> str:
    """A step sparkline through ``points`` (x, y), x ascending, scaled to fill the box.

    A count that only changes at events (a vote) is drawn as steps: it stays flat until the
    next point. The last point gets a dot. With no points the box is empty but still labelled.

    >>> svg = sparkline_svg([(0, 1), (10, 3)], "Upvotes")
    >>> '<path class="spark-line" d="M3 45H237V3"' in svg
    True
    """
    body = ""
    if points:
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        x_lo, x_hi, y_lo, y_hi = min(xs), max(xs), min(ys), max(ys)
        left, right, top, bottom = SPARK_PAD, width - SPARK_PAD, SPARK_PAD, height - SPARK_PAD
        coords: list[tuple[float, float]]
        if x_lo == x_hi:  # one moment: a flat line across the box at that value
            level = scale(ys[-1], y_lo, y_hi, bottom, top)
            coords = [(left, level), (right, level)]
        else:
            coords = [(scale(x, x_lo, x_hi, left, right), scale(y, y_lo, y_hi, bottom, top)) for x, y in points]
        d = f"M{_fmt(coords[0][0])} {_fmt(coords[0][1])}"
        prev_x, prev_y = coords[0]
        for x, y in coords[1:]:
            d += (f"H{_fmt(x)}" if x != prev_x else "") + (f"V{_fmt(y)}" if y != prev_y else "")
            prev_x, prev_y = x, y
        area = d + f"V{bottom}H{_fmt(coords[0][0])}Z"
        end_x, end_y = coords[-1]
        body = (
            f'<path class="spark-area" d="{area}"/>'
            f'<path class="spark-line" d="{d}" fill="none"/>'
            f'<circle class="spark-dot" cx="{_fmt(end_x)}" cy="{_fmt(end_y)}" r="2.5"/>'
        )
    return _open(width, height, label, desc or label, "sparkline") + body + "</svg>"


def score_bar_svg(value: float, peak: float, label: str, width: int = BAR_WIDTH, height: int = BAR_HEIGHT) -> str:
    """A horizontal bar for ``value`` out of ``peak`` (the best score on the page fills it).

    >>> 'class="bar-fill" x="0" y="0" width="40"' in score_bar_svg(0.5, 1.0, "Score 0.5")
    True
    """
    share = 0.0 if peak <= 0 else max(0.0, min(1.0, value / peak))
    filled = _fmt(share * width)
    return (
        _open(width, height, label, label, "score-bar")
        + f'<rect class="bar-track" x="0" y="0" width="{width}" height="{height}" rx="2"/>'
        + f'<rect class="bar-fill" x="0" y="0" width="{filled}" height="{height}" rx="2"/>'
        + "</svg>"
    )


def category_weeks_svg(data: CategoryWeeks, label: str) -> str:
    """Small multiples: one row of weekly bars per category, all on one scale, with totals.

    One scale makes categories comparable; one row each keeps eight series readable
    without a colour legend (a stacked chart would need eight colours that also work
    in dark mode and for colour-blind readers).
    """
    n_weeks, n_cats = len(data.weeks), len(data.categories)
    width = LABEL_WIDTH + n_weeks * WEEK_SLOT + TOTAL_WIDTH
    axis = 18  # px under the rows for the first and last week labels
    height = max(1, n_cats) * ROW_HEIGHT + axis
    peak = data.peak
    desc = (
        f"Papers per week for {n_cats} categories over {n_weeks} weeks"
        + (f", {data.weeks[0].isoformat()} to {data.weeks[-1].isoformat()}" if data.weeks else "")
        + (f"; the busiest week holds {peak} papers." if n_cats else "; no papers in this span.")
    )
    parts = [_open(width, height, label, desc, "category-weeks")]
    bar_w = WEEK_SLOT - BAR_GAP
    for i, cat in enumerate(data.categories):
        top = i * ROW_HEIGHT
        base = top + ROW_HEIGHT - 4
        parts.append(f'<text class="plot-label" x="0" y="{base - 4}">{escape(cat)}</text>')
        for j, n in enumerate(data.counts[i]):
            h = scale(n, 0, peak, 0, ROW_HEIGHT - 6) if peak else 0.0
            x = LABEL_WIDTH + j * WEEK_SLOT
            tip = f"{cat}, week of {data.weeks[j].isoformat()}: {quantity(n, 'paper')}"
            parts.append(
                f'<rect class="bar-fill" x="{x}" y="{_fmt(base - h)}" width="{bar_w}" height="{_fmt(h)}">'
                f"<title>{escape(tip)}</title></rect>"
            )
        parts.append(
            f'<text class="plot-total" x="{width}" y="{base - 4}" text-anchor="end">{data.total(i):,}</text>'
        )
    if data.weeks:
        y = height - 4
        parts.append(f'<text class="plot-axis" x="{LABEL_WIDTH}" y="{y}">{data.weeks[0].strftime("%d %b")}</text>')
        last_x = LABEL_WIDTH + (n_weeks - 1) * WEEK_SLOT + bar_w
        parts.append(
            f'<text class="plot-axis" x="{last_x}" y="{y}" text-anchor="end">{data.weeks[-1].strftime("%d %b")}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)

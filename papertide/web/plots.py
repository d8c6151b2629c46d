"""Jinja filters that draw the plots: domain SVG builders fed from what page services loaded.

The builders escape everything they write, so their output is marked safe here, in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from markupsafe import Markup

from papertide.domain.plots import category_weeks_svg, score_bar_svg, sparkline_svg
from papertide.domain.stats import CategoryWeeks
from papertide.domain.votes import UpvoteHistory


def upvote_sparkline(history: UpvoteHistory) -> Markup:
    points = [(float(day.toordinal()), float(n)) for day, n in history.points]
    label = f"Upvote history: {history.total} upvote{'' if history.total == 1 else 's'}"
    return Markup(sparkline_svg(points, label, history.summary()))


def score_bar(score: float, peak: float) -> Markup:
    share = 0 if peak <= 0 else round(100 * score / peak)
    return Markup(score_bar_svg(score, peak, f"Trending score {score:.4f}, {share}% of the top score"))


def category_weeks_chart(data: CategoryWeeks) -> Markup:
    return Markup(category_weeks_svg(data, "Papers per week in the busiest categories"))


def plot_filters() -> dict[str, Callable[..., Any]]:
    return {"upvote_sparkline": upvote_sparkline, "score_bar": score_bar, "category_weeks_chart": category_weeks_chart}

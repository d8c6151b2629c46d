"""SVG builders: structure, scaling, empty data and the text alternative, checked by parsing the SVG."""

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from papertide.domain.plots import category_weeks_svg, scale, score_bar_svg, sparkline_svg
from papertide.domain.stats import CategoryWeeks

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def accessible_name(root: ET.Element) -> tuple[str | None, str | None, str | None, str | None]:
    title, desc = root.find("s:title", NS), root.find("s:desc", NS)
    return root.get("role"), root.get("aria-label"), title.text if title is not None else None, (
        desc.text if desc is not None else None)


def test_sparkline_scales_a_step_line_to_fill_the_box():
    root = parse(sparkline_svg([(0, 10), (5, 10), (5, 12), (10, 14)], "Upvotes", "10 then 14"))
    assert (root.get("viewBox"), root.get("width"), root.get("height")) == ("0 0 240 48", "240", "48")
    line = root.find("s:path[@class='spark-line']", NS)
    assert line is not None
    # x: 0..10 → 3..237 ; y: 10..14 → 45..3 (SVG y grows downwards); steps hold until the next point.
    assert line.get("d") == "M3 45H120V24H237V3"
    dot = root.find("s:circle", NS)
    assert dot is not None and (dot.get("cx"), dot.get("cy")) == ("237", "3")
    area = root.find("s:path[@class='spark-area']", NS)
    assert area is not None and area.get("d") == "M3 45H120V24H237V3V45H3Z"


def test_sparkline_text_alternative():
    root = parse(sparkline_svg([(0, 1), (1, 2)], "Upvote history: 2 upvotes", "1 on day one, 2 now"))
    assert accessible_name(root) == ("img", "Upvote history: 2 upvotes", "Upvote history: 2 upvotes",
                                     "1 on day one, 2 now")


def test_sparkline_of_a_flat_or_single_point_history_is_a_level_line():
    flat = parse(sparkline_svg([(0, 7), (9, 7)], "Flat"))
    single = parse(sparkline_svg([(4, 7)], "One"))
    for root in (flat, single):
        line = root.find("s:path[@class='spark-line']", NS)
        assert line is not None and line.get("d") == "M3 24H237"


def test_sparkline_without_points_is_an_empty_labelled_box():
    root = parse(sparkline_svg([], "No votes"))
    assert root.find("s:path", NS) is None and root.find("s:circle", NS) is None
    assert accessible_name(root) == ("img", "No votes", "No votes", "No votes")


def test_labels_are_escaped_and_no_style_attribute_is_written():
    svg = sparkline_svg([(0, 1), (1, 2)], '<script>alert("x")</script>', "a & b")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    svgs = [svg, score_bar_svg(1, 2, "<b>"), category_weeks_svg(CategoryWeeks(
        (date(2026, 6, 1),), ("<cs.LG>",), ((3,),)), "Weekly")]
    for text in svgs:
        root = parse(text)  # well-formed XML, so nothing leaked unescaped
        assert all("style" not in el.attrib for el in root.iter()), text
        assert "<script" not in text


def test_score_bar_fills_in_proportion_to_the_top_score():
    widths = []
    for value, peak in ((0.5, 2.0), (2.0, 2.0), (0.0, 2.0), (3.0, 2.0), (1.0, 0.0)):
        root = parse(score_bar_svg(value, peak, "Score"))
        fill = root.find("s:rect[@class='bar-fill']", NS)
        assert fill is not None
        widths.append(fill.get("width"))
    assert widths == ["20", "80", "0", "80", "0"]  # clamped to the track; no peak draws nothing
    assert accessible_name(parse(score_bar_svg(1, 2, "Score 1"))) == ("img", "Score 1", "Score 1", "Score 1")


def test_category_weeks_draws_one_row_per_category_on_one_scale():
    weeks = (date(2026, 5, 25), date(2026, 6, 1))
    data = CategoryWeeks(weeks, ("cs.LG", "cs.CV"), ((10, 20), (5, 0)))
    root = parse(category_weeks_svg(data, "Papers per week"))
    labels = [t.text for t in root.findall("s:text[@class='plot-label']", NS)]
    totals = [t.text for t in root.findall("s:text[@class='plot-total']", NS)]
    axis = [t.text for t in root.findall("s:text[@class='plot-axis']", NS)]
    assert (labels, totals, axis) == (["cs.LG", "cs.CV"], ["30", "5"], ["25 May", "01 Jun"])
    bars = root.findall("s:rect[@class='bar-fill']", NS)
    heights = [float(b.get("height", "nan")) for b in bars]
    assert heights == [10.0, 20.0, 5.0, 0.0]  # the busiest week fills a row (26 - 6 px); all share that scale
    tips = [b.find("s:title", NS).text for b in bars]  # type: ignore[union-attr]
    assert tips[0] == "cs.LG, week of 2026-05-25: 10 papers" and tips[3] == "cs.CV, week of 2026-06-01: 0 papers"
    role, label, title, desc = accessible_name(root)
    assert (role, label, title) == ("img", "Papers per week", "Papers per week")
    assert desc == "Papers per week for 2 categories over 2 weeks, 2026-05-25 to 2026-06-01; the busiest week holds 20 papers."


def test_category_weeks_without_data_is_a_labelled_empty_chart():
    root = parse(category_weeks_svg(CategoryWeeks((), (), ()), "Papers per week"))
    assert root.find("s:rect", NS) is None
    assert accessible_name(root)[3] == "Papers per week for 0 categories over 0 weeks; no papers in this span."


@pytest.mark.parametrize(("value", "expected"), [(0, 10.0), (10, 0.0), (5, 5.0)])
def test_scale_maps_and_may_invert(value, expected):
    assert scale(value, 0, 10, 10, 0) == expected

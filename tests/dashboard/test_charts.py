"""The server-drawn charts: well-formed SVG that marks what the rules mark."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from surveyapp.dashboard.charts import (
    ANSWER_COLOURS,
    HEAT_SCALE,
    HIDDEN_FILL,
    NO_DATA_FILL,
    HeatCell,
    heat_colours,
    heatmap,
    stacked_bar,
)
from surveyapp.scoring.flags import NO_DATA, OK, REVIEW, SUPPRESS

SVG = "{http://www.w3.org/2000/svg}"
LEGEND = {REVIEW: "thin", SUPPRESS: "hidden", NO_DATA: "none"}


@pytest.mark.parametrize(
    ("value", "step"),
    [(0.0, 5), (0.499, 5), (0.5, 4), (0.6, 3), (0.75, 2), (0.8, 1), (0.9, 0), (1, 0)],
)
def test_heat_colours_step_at_each_ten_points(value: float, step: int) -> None:
    assert heat_colours(value) == HEAT_SCALE[step][1:]


def test_heatmap_marks_thin_hidden_and_missing_cells() -> None:
    svg = heatmap(
        [
            ("Xã <A> & B", [HeatCell(0.853, OK), HeatCell(0.62, REVIEW)]),
            ("Xã C", [HeatCell(None, SUPPRESS), HeatCell(None, NO_DATA)]),
        ],
        ["A", "B"],
        LEGEND,
    )
    root = ElementTree.fromstring(svg)
    assert root.get("aria-hidden") == "true"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Xã <A> & B" in texts, "labels are escaped, not markup"
    assert ["85,3", "62,0*", "—", "—"] == texts[3:5] + texts[6:8]
    fills = [r.get("fill") for r in root.iter(f"{SVG}rect")][1:5]
    assert fills == [HEAT_SCALE[1][1], HEAT_SCALE[3][1], HIDDEN_FILL, NO_DATA_FILL]


def test_stacked_bar_splits_its_width_by_the_shares() -> None:
    shares = (0.1, 0.0, 0.2, 0.3, 0.3, 0.1)
    root = ElementTree.fromstring(stacked_bar(shares, ANSWER_COLOURS, width=200))
    parts = [r for r in root.iter(f"{SVG}rect") if r.get("fill") != "none"]
    assert [float(r.get("width", 0)) for r in parts] == [20, 40, 60, 60, 20]
    assert [float(r.get("x", 0)) for r in parts] == [0, 20, 60, 120, 180]
    assert parts[0].get("fill") == ANSWER_COLOURS[0]
    assert parts[1].get("fill") == ANSWER_COLOURS[2], "a zero share draws nothing"
